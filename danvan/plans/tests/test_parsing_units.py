"""Parser pieces on synthetic input: citations, dates, repair, headers, file readers and the command."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from danvan.plans.parsing import MAX_BYTES, ReadError, parse_file, parse_plan, parse_plan_detailed
from danvan.plans.parsing.dates import find_deadlines, header_date, make_date
from danvan.plans.parsing.references import find_citations, split_number
from danvan.plans.parsing.repair import Repairer

SEEDS = Path(
    os.environ.get("DANVAN_SEEDS_DIR", Path(__file__).resolve().parents[3] / ".." / "shared" / "seeds")
)
REPO = Path(__file__).resolve().parents[3]

HEADER_PLAN = """ỦY BAN NHÂN DÂN      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
XÃ AN BÌNH      Độc lập - Tự do - Hạnh phúc
Số: 21/KH-UBND      An Bình, ngày 05 tháng 3 năm 2025

KẾ HOẠCH
Tiếp công dân năm 2025

Căn cứ Luật Tiếp công dân số 42/2013/QH13 ngày 25/11/2013 của Quốc hội;
Căn cứ Hướng dẫn số 12-HD/BDVTW ngày 01/4/2024 của Ban Dân vận Trung ương;

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích: Nâng cao chất lượng tiếp công dân.
2. Yêu cầu: Đúng quy định, phải công khai lịch tiếp.
II. CHỈ TIÊU
- Phấn đấu 90,5% đơn thư được giải quyết đúng hạn.
- Tổ chức ít nhất 12 buổi đối thoại với Nhân dân.
III. NHIỆM VỤ, GIẢI PHÁP
1. Công khai lịch tiếp công dân
- Niêm yết lịch tại trụ sở.
2. Đối thoại: Chủ tịch đối thoại định kỳ. Tổng hợp kết quả.
IV. TỔ CHỨC THỰC HIỆN
1. Giao Văn phòng UBND xã chủ trì, phối hợp với Công an xã tham mưu tổ chức thực hiện; báo cáo trước ngày 31/02 và trước ngày 10/12.
Nơi nhận:
- UBND huyện;
- Lưu: VT.
Q. CHỦ TỊCH
Trần Văn Bình
"""


def test_number_and_symbol_split():
    assert split_number("33/CT-TTg") == ("33", "CT-TTg")
    assert split_number("114-KL/TW") == ("114", "KL/TW")
    assert split_number("10/2022/QH15") == ("10/2022", "QH15")
    assert split_number("07- ĐA/TU") == ("07", "ĐA/TU")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Thông tư số 05/2021/TT-TTCP ngày 01/10/2021 của Thanh tra Chính phủ",
            ("Thông tư", "05/2021", "TT-TTCP", "Thanh tra Chính phủ"),
        ),
        (
            "Hướng dẫn số 12-HD/BDVTW ngày 01/4/2024 của Ban Dân vận Trung ương",
            ("Hướng dẫn", "12", "HD/BDVTW", "Ban Dân vận Trung ương"),
        ),
        (
            "Chương trình số 5/CTr-UBND ngày 02/01/2024 của UBND tỉnh Bắc Ninh về việc",
            ("Chương trình", "5", "CTr-UBND", "UBND tỉnh Bắc Ninh"),
        ),
        ("Thông báo số 7-TB/TU ngày 02/01/2024 của Tỉnh ủy.", ("Thông báo", "7", "TB/TU", "Tỉnh ủy")),
        (
            "Quy định số 08-QĐi/TW ngày 25/10/2021 của Ban Chấp hành Trung ương",
            ("Quy định", "08", "QĐi/TW", "Ban Chấp hành Trung ương"),
        ),
        (
            "Nghị định số 59/2023/NĐ-CP ngày 14/8/2023 của Chính phủ quy định",
            ("Nghị định", "59/2023", "NĐ-CP", "Chính phủ"),
        ),
        ("Luật số 10/2022/QH15 của Quốc hội", ("Luật", "10/2022", "QH15", "Quốc hội")),
        (
            "Quyết định số 1234/QĐ-UBND ngày 01/02/2024 của Chủ tịch UBND huyện Tây Sơn về",
            ("Quyết định", "1234", "QĐ-UBND", "Chủ tịch UBND huyện Tây Sơn"),
        ),
    ],
)
def test_citation_types_and_issuers(text, expected):
    (citation,) = find_citations(text)
    assert (citation.type, citation.number, citation.symbol, citation.issuer) == expected


def test_lost_letter_in_symbol_repaired_from_registry():
    plan = parse_plan_detailed(
        "Thực hiện Chỉ thị số 14/ T-TTg ngày 18/5/2012 của Thủ tướng Chính phủ về tiếp công dân."
    )
    (field,) = plan.references
    assert field.value == {
        "type": "Chỉ thị",
        "number": "14",
        "symbol": "CT-TTg",
        "date": "2012-05-18",
        "issuer": "Thủ tướng Chính phủ",
    }
    assert field.repaired and "symbol repaired" in field.notes


def test_unknown_lost_number_stays_null():
    (citation,) = find_citations("Nghị định số      Đ-CP ngày 01/01/2019 của Chính phủ")
    assert citation.number is None and citation.symbol == "Đ-CP"  # not in the registry: never invented


def test_citation_dates_and_impossible_dates():
    (citation,) = find_citations("Kế hoạch số 9/KH-UBND ngày 31/02/2024 của UBND xã")
    assert citation.date is None and citation.number == "9"
    assert make_date(31, 2, 2024) is None
    assert make_date(29, 2, 2024) == "2024-02-29"
    assert make_date(None, 13, 2024) is None
    assert header_date("Phú Phong, ngày tháng năm 2024") == "2024"
    assert header_date("Hà Nội, ngày 05 tháng 6 năm 2024") == "2024-06-05"
    assert header_date("tháng 5 năm 2023") == "2023-05"


def test_deadlines_resolve_against_plan_year():
    found = find_deadlines("báo cáo 6 tháng (trước ngày 05/6), báo cáo năm (trước ngày 15/11)", 2025)
    assert [(text, due) for text, due, _s, _e in found] == [
        ("báo cáo 6 tháng (trước ngày 05/6)", "2025-06-05"),
        ("báo cáo năm (trước ngày 15/11)", "2025-11-15"),
    ]
    assert find_deadlines("chậm nhất ngày 20 tháng 12 năm 2024", None)[0][1] == "2024-12-20"
    assert find_deadlines("trước ngày 05/6", None)[0][1] is None  # no year known: not guessed


def test_repair_fills_only_what_is_certain():
    repairer = Repairer(["tiếp công dân", "đẩy mạnh công tác dân vận"])
    fixed, changes = repairer.repair("Thực hiện tốt công tác ti p công dân, đẩy m nh công tác dân v n")
    assert fixed == "Thực hiện tốt công tác tiếp công dân, đẩy mạnh công tác dân vận"
    assert len(fixed) == len("Thực hiện tốt công tác ti p công dân, đẩy m nh công tác dân v n")
    assert {c.new for c in changes} == {"tiếp", "mạnh", "vận"}
    unchanged, none = repairer.repair("xyz  q  w")
    assert unchanged == "xyz  q  w" and none == []


def test_repair_never_lets_two_guesses_vouch_for_each_other():
    repairer = Repairer(["phát huy vai trò"])
    fixed, _ = repairer.repair("qua V   p     U      ) để")
    assert "phát" not in fixed and "huy" not in fixed


def test_header_block_flattened_into_lines():
    plan = parse_plan(HEADER_PLAN)
    assert plan["number"] == "21" and plan["symbol"] == "KH-UBND" and plan["doc_type"] == "KH"
    assert plan["issuer"] == "ỦY BAN NHÂN DÂN XÃ AN BÌNH"
    assert plan["place"] == "An Bình"
    assert plan["issued_on"] == "2025-03-05"
    assert plan["title"] == "Tiếp công dân năm 2025" and plan["year"] == 2025
    assert [(r["type"], r["number"], r["symbol"], r["issuer"]) for r in plan["references"]] == [
        ("Luật", "42/2013", "QH13", "Quốc hội"),
        ("Hướng dẫn", "12", "HD/BDVTW", "Ban Dân vận Trung ương"),
    ]
    assert plan["purposes"] == ["Nâng cao chất lượng tiếp công dân."]
    assert plan["requirements"] == ["Đúng quy định, phải công khai lịch tiếp."]
    assert plan["targets"] == [
        {"text": "Phấn đấu 90,5% đơn thư được giải quyết đúng hạn.", "value": 90.5, "unit": "%"},
        {"text": "Tổ chức ít nhất 12 buổi đối thoại với Nhân dân.", "value": 12, "unit": "buổi"},
    ]
    assert plan["sections"] == [
        {"number": "1", "title": "Công khai lịch tiếp công dân", "tasks": ["Niêm yết lịch tại trụ sở."]},
        {"number": "2", "title": "Đối thoại", "tasks": ["Chủ tịch đối thoại định kỳ.", "Tổng hợp kết quả."]},
    ]
    assert [(a["unit"], a["role"]) for a in plan["assignments"]] == [
        ("Văn phòng UBND xã", "lead"),
        ("Công an xã", "co-operating"),
    ]
    assert plan["deadlines"] == [
        {"text": "báo cáo trước ngày 31/02", "due": None},  # impossible date: null, no crash
        {"text": "trước ngày 10/12", "due": "2025-12-10"},
    ]
    assert plan["recipients"] == ["UBND huyện"]
    assert plan["signer"] == {"name": "Trần Văn Bình", "position": "CHỦ TỊCH", "authority": "Q."}


def test_empty_and_junk_text_give_the_empty_shape():
    for text in ("", "   \n\n", "lorem ipsum 123 /// ---"):
        plan = parse_plan(text)
        assert plan["references"] == [] and plan["sections"] == [] and plan["signer"] is None
        assert plan["title"] is None and plan["year"] is None


def test_nfc_normalisation():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", HEADER_PLAN)
    assert parse_plan(decomposed) == parse_plan(HEADER_PLAN)


# --- files --------------------------------------------------------------------------------------


def _docx_from_lines(lines: list[str], path: Path) -> None:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))


@pytest.mark.parametrize("prefix", ["001", "002"])
def test_docx_gives_the_same_result_as_text(tmp_path, prefix):
    if not SEEDS.is_dir():
        pytest.skip("seed plans not found")
    (seed,) = SEEDS.glob(f"{prefix}_*.txt")
    text = seed.read_text(encoding="utf-8")
    path = tmp_path / "plan.docx"
    _docx_from_lines(text.split("\n"), path)
    assert parse_file(path) == parse_plan(text)


def test_docx_header_table_is_flattened(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nXÃ AN BÌNH\nSố: 21/KH-UBND"
    table.cell(
        0, 1
    ).text = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nAn Bình, ngày 05 tháng 3 năm 2025"
    )
    for line in HEADER_PLAN.split("\n")[3:]:
        document.add_paragraph(line)
    path = tmp_path / "header.docx"
    document.save(str(path))
    plan = parse_file(path)
    assert (plan["number"], plan["symbol"], plan["place"], plan["issued_on"]) == (
        "21",
        "KH-UBND",
        "An Bình",
        "2025-03-05",
    )
    assert plan["issuer"] == "ỦY BAN NHÂN DÂN XÃ AN BÌNH"


def _pdf(content: bytes | None) -> bytes:
    """A minimal one-page PDF, with a Helvetica text stream when ``content`` is given."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    resources = b"/Resources << /Font << /F1 5 0 R >> >>" if content is not None else b""
    objects.append(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R " + resources + b" >>"
    )
    stream = content or b""
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    if content is not None:
        objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_with_text_layer(tmp_path):
    lines = [b"KE HOACH", b"Thuc hien Chi thi so 33/CT-TTg ngay 26/11/2021"]
    ops = b"BT /F1 12 Tf 72 760 Td " + b" 0 -20 Td ".join(b"(" + line + b") Tj" for line in lines) + b" ET"
    path = tmp_path / "plan.pdf"
    path.write_bytes(_pdf(ops))
    plan = parse_file(path)
    assert plan["references"] == [
        {"type": "Chỉ thị", "number": "33", "symbol": "CT-TTg", "date": None, "issuer": None}
    ]


def test_scanned_pdf_asks_for_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(None))
    with pytest.raises(ReadError, match="OCR"):
        parse_file(path)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.xlsx", b"PK\x03\x04", "Không hỗ trợ loại tệp"),
        ("plan.pdf", b"%PDF-1.4 garbage", "bị hỏng"),
        ("plan.docx", b"not a zip", "bị hỏng"),
        ("plan.txt", b"\x00\x01\x02binary", "không phải tệp văn bản"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReadError, match=message):
        parse_file(path)


def test_file_over_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(ReadError, match="quá lớn"):
        parse_file(path)


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="Không tìm thấy tệp"):
        parse_file(tmp_path / "nope.txt")


# --- command ------------------------------------------------------------------------------------


def test_command_json_prints_exactly_the_public_shape(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(HEADER_PLAN, encoding="utf-8")
    out = io.StringIO()
    call_command("plans_parse", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue()) == parse_plan(HEADER_PLAN)


def test_command_summary_and_detailed(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(HEADER_PLAN, encoding="utf-8")
    out = io.StringIO()
    call_command("plans_parse", str(path), stdout=out)
    assert "21/KH-UBND" in out.getvalue()
    out = io.StringIO()
    call_command("plans_parse", str(path), "--json", "--detailed", stdout=out)
    detailed = json.loads(out.getvalue())
    assert detailed["number"]["source"]["lines"] == [3, 3]
    assert detailed["references"][0]["source"]["text"].startswith("Căn cứ Luật Tiếp công dân")


def test_command_bad_file_is_a_command_error(tmp_path):
    path = tmp_path / "plan.odt"
    path.write_bytes(b"x")
    with pytest.raises(CommandError, match="Không hỗ trợ loại tệp"):
        call_command("plans_parse", str(path))


def test_command_exit_code_without_traceback(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(None))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "danvan.settings.test"),
    }
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "plans_parse", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert done.stderr.strip()


def test_a_dotted_capital_i_is_read_as_i():
    """ "İ".lower() is two characters long and shifted the repairer's positions (an IndexError)."""
    from danvan.plans.parsing.text import normalise

    assert normalise("KẾ HOẠCH İ") == "KẾ HOẠCH I"
    seed = (SEEDS / "000_9ffbc0ac7630f9e9.txt").read_text(encoding="utf-8") if SEEDS.is_dir() else ""
    if seed:
        damaged = seed.replace("ti p công dân", "tİ p công dân", 1)
        assert parse_plan(damaged)["doc_type"] == "KH"
