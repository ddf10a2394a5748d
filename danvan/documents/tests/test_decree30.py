"""The Decree 30/2020 writer: every component reopened with python-docx and measured."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from danvan.documents.decree30 import (
    Bullet,
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    format_number_line,
    format_place_date,
    format_short_date,
    render_docx,
    to_letter,
    to_roman,
)

MM = 36000  # EMU per millimetre
TOLERANCE = MM // 10  # Word stores twips: 0.1 mm is plenty


def _document(**changes: object) -> OfficialDocument:
    fields: dict[str, object] = {
        "parent_body": "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU",
        "issuing_body": "ỦY BAN NHÂN DÂN XÃ BÌNH LƯ",
        "number": 5,
        "symbol": "KH-UBND",
        "place": "Bình Lư",
        "date": dt.date(2026, 1, 5),
        "doc_type_title": "KẾ HOẠCH",
        "summary": "Triển khai thực hiện công tác dân vận chính quyền năm 2026",
        "preamble": [
            "Căn cứ Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ về tiếp tục tăng cường "
            "và đổi mới công tác dân vận;",
        ],
        "body": [
            Heading("Mục đích, yêu cầu"),
            Heading("Mục đích", 2),
            Bullet("Nâng cao nhận thức của cán bộ, công chức về công tác dân vận."),
            Heading("Yêu cầu", 2),
            Bullet("Bám sát chỉ đạo của cấp trên."),
            Heading("Nội dung", 1),
            Heading("Tuyên truyền", 2),
            Heading("Hội nghị", 3),
            Paragraph("Tổ chức hội nghị quán triệt."),
            Heading("Tin bài", 3),
            Heading("Tổ chức thực hiện"),
            Heading("Phòng Nội vụ:", 2, rest="chủ trì, phối hợp với Công an xã; tham mưu."),
            Table([["Chỉ tiêu", "Giá trị"], ["Mô hình dân vận khéo", "95%"]]),
        ],
        "signer": Signer("CHỦ TỊCH", "Nguyễn Văn An", ("TM. ỦY BAN NHÂN DÂN",)),
        "recipients": ["Như trên", "- Sở Nội vụ;", "Ban Dân vận Đảng ủy xã (b/c)"],
    }
    fields.update(changes)
    return OfficialDocument(**fields)  # type: ignore[arg-type]


def _open(document: OfficialDocument) -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(document)))


@pytest.fixture(scope="module")
def opened() -> docx.document.Document:
    return _open(_document())


def _texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def _para(container, text: str):
    found = [p for p in container.paragraphs if p.text == text]
    assert found, f"{text!r} not found in {[p.text for p in container.paragraphs]}"
    return found[0]


def _run_format(paragraph) -> tuple[float, bool, bool]:
    """(size in pt, bold, italic), the same for every run of the paragraph."""
    formats = {(run.font.size.pt, bool(run.font.bold), bool(run.font.italic)) for run in paragraph.runs}
    assert len(formats) == 1, formats
    return formats.pop()


def _body_paragraph(opened, start: str):
    found = [p for p in opened.paragraphs if p.text.startswith(start)]
    assert found, start
    return found[0]


# --- page set-up ------------------------------------------------------------------------


def test_page_is_a4_with_the_decree_margins(opened):
    (section,) = opened.sections
    expected = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 20,
        "bottom_margin": 20,
        "left_margin": 30,
        "right_margin": 15,
    }
    for name, mm in expected.items():
        assert abs(getattr(section, name) - mm * MM) <= TOLERANCE, name
    assert section.page_width < section.page_height  # portrait
    assert 20 <= expected["top_margin"] <= 25 and 30 <= expected["left_margin"] <= 35


def test_every_run_is_times_new_roman_for_every_script(opened):
    (section,) = opened.sections
    parts = [opened.element.body, section.header._element, section.first_page_header._element]
    runs = [run for part in parts for run in part.iter(qn("w:r"))]
    assert len(runs) > 30
    for run in runs:
        fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            assert fonts.get(qn(f"w:{attr}")) == "Times New Roman", (attr, run.xpath("string(.)"))
        assert not [name for name in fonts.attrib if "heme" in name]
    for paragraph in opened.paragraphs:
        for run in paragraph.runs:
            assert run.font.name == "Times New Roman"
    # No theme font is left in the styles either (Word would use it for text typed later).
    for fonts in opened.styles.element.iter(qn("w:rFonts")):
        assert not [name for name in fonts.attrib if "heme" in name]
        assert fonts.get(qn("w:ascii")) == "Times New Roman"


# --- header -----------------------------------------------------------------------------


def test_header_table_has_no_borders_and_two_columns(opened):
    table = opened.tables[0]
    assert len(table.columns) == 2 and len(table.rows) == 2
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}
    assert len(list(borders)) == 6
    widths = [table.cell(0, 0).width, table.cell(0, 1).width]
    assert abs(sum(widths) - 165 * MM) <= TOLERANCE  # the text width: 210 - 30 - 15
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    width = table._tbl.tblPr.find(qn("w:tblW"))
    assert width.get(qn("w:type")) == "dxa" and abs(int(width.get(qn("w:w"))) - 9354) <= 2  # 165 mm in twips


def test_issuing_body_column(opened):
    cell = opened.tables[0].cell(0, 0)
    # Too wide for the column, each name breaks after the kind of body, as clerks write it.
    assert _texts(cell) == ["ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU", "ỦY BAN NHÂN DÂN\nXÃ BÌNH LƯ"]
    parent = _para(cell, "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU")
    size, bold, italic = _run_format(parent)
    assert 12 <= size <= 13 and not bold and not italic
    issuing = _para(cell, "ỦY BAN NHÂN DÂN\nXÃ BÌNH LƯ")
    assert _run_format(issuing) == (13, True, False)
    for paragraph in (parent, issuing):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    # A short line under the issuing body: 1/3 to 1/2 of its width, not the full column.
    rule = cell.paragraphs[-1]
    assert rule.text == ""
    assert rule._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:val")) == "single"
    length = cell.width - rule.paragraph_format.left_indent - rule.paragraph_format.right_indent - 4 * MM
    assert 18 * MM <= length <= 40 * MM


def test_national_title_and_motto(opened):
    cell = opened.tables[0].cell(0, 1)
    assert _texts(cell) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    size, bold, italic = _run_format(_para(cell, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    assert 12 <= size <= 13 and bold and not italic
    size, bold, italic = _run_format(_para(cell, "Độc lập - Tự do - Hạnh phúc"))
    assert 13 <= size <= 14 and bold and not italic
    # The line under the motto is as long as the motto (about 53 mm at 13 pt).
    rule = cell.paragraphs[-1]
    assert rule._p.pPr.find(qn("w:pBdr")) is not None
    length = cell.width - rule.paragraph_format.left_indent - rule.paragraph_format.right_indent - 4 * MM
    assert abs(length - 53 * MM) <= 2 * MM


def test_number_and_place_date_row(opened):
    number_cell, date_cell = opened.tables[0].cell(1, 0), opened.tables[0].cell(1, 1)
    assert _texts(number_cell) == ["Số: 05/KH-UBND"]
    assert _run_format(_para(number_cell, "Số: 05/KH-UBND")) == (13, False, False)
    assert _texts(date_cell) == ["Bình Lư, ngày 05 tháng 01 năm 2026"]
    size, bold, italic = _run_format(_para(date_cell, "Bình Lư, ngày 05 tháng 01 năm 2026"))
    assert 13 <= size <= 14 and italic and not bold


def test_type_name_and_summary(opened):
    kind = _para(opened, "KẾ HOẠCH")
    size, bold, _italic = _run_format(kind)
    assert 13 <= size <= 14 and bold
    summary = _para(opened, "Triển khai thực hiện công tác dân vận chính quyền năm 2026")
    size, bold, _italic = _run_format(summary)
    assert 13 <= size <= 14 and bold
    assert kind.alignment == summary.alignment == WD_ALIGN_PARAGRAPH.CENTER
    index = [p.text for p in opened.paragraphs].index(summary.text)
    rule = opened.paragraphs[index + 1]
    assert rule.text == "" and rule._p.pPr.find(qn("w:pBdr")) is not None


# --- body -------------------------------------------------------------------------------


def test_body_paragraphs_are_justified_indented_and_spaced(opened):
    starts = ["Căn cứ Chỉ thị", "I. MỤC ĐÍCH", "1. Mục đích", "- Nâng cao", "Tổ chức hội nghị"]
    for start in starts:
        paragraph = _body_paragraph(opened, start)
        fmt = paragraph.paragraph_format
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY, start
        assert Mm(10) <= fmt.first_line_indent <= Mm(12.7) + 100, start
        assert fmt.space_after >= Pt(6), start
        assert 1.0 <= fmt.line_spacing <= 1.5, start
        sizes = {run.font.size.pt for run in paragraph.runs}
        assert sizes <= {13, 14} and sizes, start


def test_headings_are_numbered_roman_arabic_letter_and_restart(opened):
    texts = [p.text for p in opened.paragraphs]
    assert "I. MỤC ĐÍCH, YÊU CẦU" in texts
    assert "II. NỘI DUNG" in texts
    assert "III. TỔ CHỨC THỰC HIỆN" in texts
    # Arabic numbers restart in each part, letters in each item.
    assert texts.index("1. Mục đích") < texts.index("2. Yêu cầu") < texts.index("II. NỘI DUNG")
    assert texts.index("II. NỘI DUNG") < texts.index("1. Tuyên truyền") < texts.index("a) Hội nghị")
    assert texts.index("a) Hội nghị") < texts.index("b) Tin bài") < texts.index("III. TỔ CHỨC THỰC HIỆN")
    assert "1. Phòng Nội vụ: chủ trì, phối hợp với Công an xã; tham mưu." in texts
    for text in ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích"):
        _size, bold, italic = _run_format(_para(opened, text))
        assert bold and not italic
    _size, bold, italic = _run_format(_para(opened, "a) Hội nghị"))
    assert bold and italic
    # "1. Phòng Nội vụ:" is bold, the duties after it are not.
    item = _para(opened, "1. Phòng Nội vụ: chủ trì, phối hợp với Công an xã; tham mưu.")
    assert [(run.text, bool(run.bold)) for run in item.runs] == [
        ("1. Phòng Nội vụ:", True),
        (" chủ trì, phối hợp với Công an xã; tham mưu.", False),
    ]


def test_bullets_start_with_a_dash(opened):
    assert _body_paragraph(opened, "- Nâng cao").text == (
        "- Nâng cao nhận thức của cán bộ, công chức về công tác dân vận."
    )


def test_table_block_has_borders_and_a_bold_header_row(opened):
    table = opened.tables[1]
    assert table.style.name == "Table Grid"
    assert [c.text for c in table.rows[0].cells] == ["Chỉ tiêu", "Giá trị"]
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert not any(run.bold for cell in table.rows[1].cells for run in cell.paragraphs[0].runs)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


# --- foot -------------------------------------------------------------------------------


def test_recipients_list(opened):
    cell = opened.tables[-1].cell(0, 0)
    assert _texts(cell) == [
        "Nơi nhận:",
        "- Như trên;",
        "- Sở Nội vụ;",
        "- Ban Dân vận Đảng ủy xã (b/c);",
        "- Lưu: VT.",
    ]
    label = _para(cell, "Nơi nhận:")
    assert _run_format(label) == (12, True, True)
    assert label.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for text in _texts(cell)[1:]:
        assert _run_format(_para(cell, text)) == (11, False, False)


def test_signature_block(opened):
    cell = opened.tables[-1].cell(0, 1)
    assert _texts(cell) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An"]
    for text in _texts(cell):
        size, bold, italic = _run_format(_para(cell, text))
        assert 13 <= size <= 14 and bold and not italic
        assert _para(cell, text).alignment == WD_ALIGN_PARAGRAPH.CENTER
    texts = [p.text for p in cell.paragraphs]
    gap = texts.index("Nguyễn Văn An") - texts.index("CHỦ TỊCH") - 1
    assert gap >= 3  # room for the signature and the seal
    # The block never splits across pages.
    assert opened.tables[-1].rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None


def test_page_numbers_in_the_header_from_page_two(opened):
    (section,) = opened.sections
    assert section.different_first_page_header_footer is True
    header = section.header
    assert not header.is_linked_to_previous
    instructions = [node.text for node in header._element.iter(qn("w:instrText"))]
    assert [text.strip() for text in instructions] == ["PAGE"]
    kinds = [node.get(qn("w:fldCharType")) for node in header._element.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    (paragraph,) = header.paragraphs
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {run.font.size.pt for run in paragraph.runs} <= {13, 14}
    first = section.first_page_header
    assert not first.is_linked_to_previous
    assert "".join(p.text for p in first.paragraphs) == ""
    assert list(first._element.iter(qn("w:instrText"))) == []
    assert section.header_distance < section.top_margin


# --- variants ---------------------------------------------------------------------------


def test_draft_leaves_number_and_date_blank():
    opened = _open(_document(number=None, date=None, year=2026))
    table = opened.tables[0]
    (number,) = _texts(table.cell(1, 0))
    assert number.startswith("Số:") and number.endswith("/KH-UBND")
    assert not any(ch.isdigit() for ch in number)
    assert _texts(table.cell(1, 1)) == ["Bình Lư, ngày     tháng     năm 2026"]


def test_blank_date_defaults_to_this_year():
    year = timezone.localdate().year
    assert format_place_date("Bình Lư", None) == f"Bình Lư, ngày     tháng     năm {year}"


def test_without_superior_body_the_issuing_body_comes_first():
    opened = _open(_document(parent_body=""))
    assert _texts(opened.tables[0].cell(0, 0)) == ["ỦY BAN NHÂN DÂN\nXÃ BÌNH LƯ"]


def test_official_letter_has_no_type_name_and_its_summary_under_the_number():
    opened = _open(_document(doc_type_title="", symbol="UBND-VP", summary="V/v triển khai công tác dân vận"))
    assert _texts(opened.tables[0].cell(1, 0)) == ["Số: 05/UBND-VP", "V/v triển khai công tác dân vận"]
    assert "KẾ HOẠCH" not in [p.text for p in opened.paragraphs]


def test_archive_is_written_once_and_last():
    opened = _open(_document(recipients=["Lưu: VT, NV.", "Như trên;"]))
    assert _texts(opened.tables[-1].cell(0, 0)) == ["Nơi nhận:", "- Như trên;", "- Lưu: VT, NV."]


def test_signer_without_name_keeps_the_space():
    opened = _open(_document(signer=Signer("CHỦ TỊCH", "", ("KT. CHỦ TỊCH",))))
    assert _texts(opened.tables[-1].cell(0, 1)) == ["KT. CHỦ TỊCH", "CHỦ TỊCH"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"issuing_body": "  "}, "issuing_body"),
        ({"symbol": ""}, "symbol"),
        ({"place": ""}, "place"),
        ({"number": 0}, "01"),
        ({"doc_type_title": "", "summary": ""}, "type name"),
        ({"body": [Heading("Quá sâu", 4)]}, "level 4"),
        ({"body": [Table([["a", "b"]], widths_mm=[10])]}, "width per column"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(change, message):
    with pytest.raises(ValueError, match=message):
        render_docx(_document(**change))


# --- formatting rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 1, 5), "Bình Lư, ngày 05 tháng 01 năm 2026"),
        (dt.date(2026, 2, 9), "Bình Lư, ngày 09 tháng 02 năm 2026"),
        (dt.date(2026, 3, 1), "Bình Lư, ngày 01 tháng 3 năm 2026"),
        (dt.date(2026, 9, 10), "Bình Lư, ngày 10 tháng 9 năm 2026"),
        (dt.date(2026, 11, 5), "Bình Lư, ngày 05 tháng 11 năm 2026"),
        (dt.date(2026, 12, 31), "Bình Lư, ngày 31 tháng 12 năm 2026"),
    ],
)
def test_days_below_ten_and_months_one_and_two_take_a_zero(day, expected):
    assert format_place_date("Bình Lư", day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2026, 6, 5), "05/6/2026"), (dt.date(2026, 1, 15), "15/01/2026"), (dt.date(2021, 11, 26), "26/11/2021")],
)
def test_short_dates_follow_the_same_rule(day, expected):
    assert format_short_date(day) == expected


@pytest.mark.parametrize(("number", "expected"), [(5, "Số: 05/KH-UBND"), (12, "Số: 12/KH-UBND"), (123, "Số: 123/KH-UBND")])
def test_number_line(number, expected):
    assert format_number_line(number, "KH-UBND") == expected


def test_roman_numerals_and_vietnamese_letters():
    assert [to_roman(n) for n in (1, 2, 3, 4, 5, 9, 14, 40, 1999)] == [
        "I", "II", "III", "IV", "V", "IX", "XIV", "XL", "MCMXCIX",
    ]
    assert [to_letter(n) for n in range(1, 9)] == ["a", "b", "c", "d", "đ", "e", "g", "h"]
    assert to_letter(24) == "a1"
    with pytest.raises(ValueError):
        to_roman(0)
    with pytest.raises(ValueError):
        to_letter(0)


# --- rendering --------------------------------------------------------------------------


def test_converts_to_pdf_with_libreoffice(tmp_path: Path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice (soffice) is not installed: the PDF rendering check needs it")
    source = tmp_path / "plan.docx"
    source.write_bytes(render_docx(_document()))
    subprocess.run(  # noqa: S603 - fixed arguments, a file we just wrote
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=180,
        capture_output=True,
    )
    pdf = tmp_path / "plan.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    import pdfplumber

    with pdfplumber.open(str(pdf)) as opened:
        first = opened.pages[0]
        assert abs(first.width - 595.3) < 2 and abs(first.height - 841.9) < 2  # A4 in points
        text = "\n".join(page.extract_text() or "" for page in opened.pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Nơi nhận:" in text and "Nguyễn Văn An" in text


def test_long_body_names_break_where_clerks_break_them():
    from danvan.documents.decree30 import _caps_lines

    assert _caps_lines("SỞ NỘI VỤ", 13, 63) == ["SỞ NỘI VỤ"]
    assert _caps_lines("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU", 13, 63) == ["ỦY BAN NHÂN DÂN", "TỈNH LAI CHÂU"]
    two = _caps_lines("BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY", 13, 63)
    assert len(two) == 2 and " ".join(two) == "BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY"
    assert abs(len(two[0]) - len(two[1])) <= 6  # near the middle, not "… TỈNH" / "ỦY"
