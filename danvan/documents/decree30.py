"""Official documents in the layout of Decree 30/2020/NĐ-CP (Appendix I), written as .docx.

The writer knows the layout, not plans: callers describe a document with :class:`OfficialDocument`
(header, preamble, numbered body, signature, distribution list) and get the bytes of a Word file that
a clerk can sign and file as is. The printed words of an official document are Vietnamese by law,
so the fixed wording here ("Số:", "Nơi nhận:", "CỘNG HÒA ...") is document content, not UI text.

Sizes and distances live in :class:`Layout` so that a revision of the decree is a data change.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS_LABEL = "Nơi nhận:"
# Appendix III: the printed name of each type abbreviation.
TYPE_TITLES: dict[str, str] = {
    "KH": "KẾ HOẠCH",
    "BC": "BÁO CÁO",
    "QĐ": "QUYẾT ĐỊNH",
    "CT": "CHỈ THỊ",
    "TB": "THÔNG BÁO",
    "HD": "HƯỚNG DẪN",
    "CTr": "CHƯƠNG TRÌNH",
    "ĐA": "ĐỀ ÁN",
    "TTr": "TỜ TRÌNH",
    "BB": "BIÊN BẢN",
    "GM": "GIẤY MỜI",
    "QC": "QUY CHẾ",
    "QyĐ": "QUY ĐỊNH",
}
# Points ("điểm") are lettered in the order of the Vietnamese alphabet, which has no f, j, w, z.
VIETNAMESE_LETTERS = "abcdđeghiklmnopqrstuvxy"


@dataclass(frozen=True)
class Layout:
    """Decree 30/2020 Appendix I, chosen inside the ranges it allows (A4, Times New Roman)."""

    page_width_mm: float = 210
    page_height_mm: float = 297
    top_mm: float = 20
    bottom_mm: float = 20
    left_mm: float = 30
    right_mm: float = 15
    header_distance_mm: float = 10
    # The national title (12 pt bold capitals, ~90 mm) must fit on one line in the right column.
    left_column_mm: float = 67  # issuing body, number, recipients
    right_column_mm: float = 98  # national title, place and date, signature
    parent_body_pt: float = 12  # upright capitals
    issuing_body_pt: float = 13  # bold capitals
    national_title_pt: float = 12  # bold capitals
    motto_pt: float = 13  # bold
    number_pt: float = 13
    place_date_pt: float = 14  # italic
    type_pt: float = 14  # bold capitals
    summary_pt: float = 14  # bold
    body_pt: float = 14
    table_pt: float = 13
    first_line_indent_mm: float = 12.7
    paragraph_after_pt: float = 6
    line_spacing: float = 1.15  # between single and 1.5 lines
    signature_pt: float = 14  # authority, position and name, bold
    signature_space_lines: int = 4  # room for the signature and the seal
    recipients_label_pt: float = 12  # bold italic
    recipients_pt: float = 11
    page_number_pt: float = 14


DEFAULT_LAYOUT = Layout()


@dataclass(frozen=True)
class Heading:
    """A numbered heading, numbered by the writer: level 1 "I.", level 2 "1.", level 3 "a)".

    ``rest`` continues the paragraph in regular type after the bold heading ("1. Phòng Nội vụ:" + duties).
    """

    text: str
    level: int = 1
    rest: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Bullet:
    """A dash item ("- ..."), the usual list form of administrative documents."""

    text: str


@dataclass(frozen=True)
class Table:
    rows: Sequence[Sequence[str]]
    header: bool = True
    widths_mm: Sequence[float] | None = None


Block = Heading | Paragraph | Bullet | Table


@dataclass(frozen=True)
class Signer:
    """The signature block (Decree 30 art. 13): "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" above the position."""

    position: str
    name: str = ""
    authority_lines: Sequence[str] = ()


@dataclass
class OfficialDocument:
    issuing_body: str
    symbol: str
    place: str
    doc_type_title: str
    summary: str
    parent_body: str = ""
    number: int | None = None
    date: dt.date | None = None
    year: int | None = None  # printed in a blank date ("ngày    tháng    năm 2026"); default: this year
    preamble: Sequence[str] = ()
    body: Sequence[Block] = ()
    signer: Signer | None = None
    recipients: Sequence[str] = ()
    archive: str = "VT"
    title: str = field(default="", repr=False)  # file metadata; defaults to the summary


def to_roman(number: int) -> str:
    if not 0 < number < 4000:
        raise ValueError(f"cannot write {number} in Roman numerals")
    out = []
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def to_letter(number: int) -> str:
    """1 → "a", 5 → "đ"; past "y" the letters repeat with a count ("a1") rather than fail."""
    if number < 1:
        raise ValueError(f"no letter for {number}")
    index, turn = (number - 1) % len(VIETNAMESE_LETTERS), (number - 1) // len(VIETNAMESE_LETTERS)
    return VIETNAMESE_LETTERS[index] + (str(turn) if turn else "")


def format_number_line(number: int | None, symbol: str) -> str:
    """ "Số: 05/KH-UBND"; numbers below 10 take a leading zero; a draft leaves room for the number."""
    if number is None:
        return f"Số:        /{symbol}"
    if number < 1:
        raise ValueError("a document number starts at 01")
    return f"Số: {number:02d}/{symbol}"


def format_day_month(day: int, month: int) -> tuple[str, str]:
    """Appendix I: days below 10 and the months 1 and 2 are written with a leading zero."""
    return f"{day:02d}", f"{month:02d}" if month < 3 else str(month)


def format_short_date(value: dt.date) -> str:
    """Dates inside the text, "ngày 05/6/2026", under the same leading-zero rule."""
    day, month = format_day_month(value.day, value.month)
    return f"{day}/{month}/{value.year}"


def format_place_date(place: str, value: dt.date | None, year: int | None = None) -> str:
    """ "Bình Lư, ngày 05 tháng 01 năm 2026"; no date yet → blanks for the day of signing."""
    if value is None:
        year = year or timezone.localdate().year
        return f"{place}, ngày     tháng     năm {year}"
    day, month = format_day_month(value.day, value.month)
    return f"{place}, ngày {day} tháng {month} năm {value.year}"


def render_docx(document: OfficialDocument, layout: Layout = DEFAULT_LAYOUT) -> bytes:
    _validate(document)
    docx = Document()
    _set_up_styles(docx, layout)
    _set_up_page(docx, layout)
    _header_table(docx, document, layout)
    _title(docx, document, layout)
    writer = _BodyWriter(docx, layout)
    for line in document.preamble:
        writer.paragraph(Paragraph(line))
    for block in document.body:
        writer.block(block)
    _footer_table(docx, document, layout)
    properties = docx.core_properties
    properties.title = document.title or document.summary
    properties.subject = document.summary
    properties.author = document.issuing_body
    properties.last_modified_by = document.issuing_body
    properties.language = "vi-VN"
    properties.comments = ""
    properties.keywords = ""
    properties.revision = 1
    now = timezone.now()
    properties.created = now
    properties.modified = now
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()


def _validate(document: OfficialDocument) -> None:
    for name in ("issuing_body", "symbol", "place"):
        if not str(getattr(document, name) or "").strip():
            raise ValueError(f"{name} is required")
    if not (document.doc_type_title.strip() or document.summary.strip()):
        raise ValueError("a document needs a type name or a summary")
    if document.number is not None and document.number < 1:
        raise ValueError("a document number starts at 01")
    for block in document.body:
        if isinstance(block, Heading) and block.level not in (1, 2, 3):
            raise ValueError(f"heading level {block.level} is not 1, 2 or 3")


# --- formatting primitives -------------------------------------------------------------


def _fonts(element: object) -> None:
    """Name the font for every script so that Vietnamese letters never fall back to a theme font."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    rfonts = rpr.get_or_add_rFonts()
    for name in list(rfonts.attrib):
        del rfonts.attrib[name]
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        rfonts.set(qn(f"w:{attr}"), FONT)


def _run(paragraph: DocxParagraph, text: str, size: float, *, bold: bool = False, italic: bool = False) -> Run:
    run = paragraph.add_run(text)
    _fonts(run._r)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    return run


def _format(
    paragraph: DocxParagraph,
    *,
    align: int = WD_ALIGN_PARAGRAPH.CENTER,
    before: float = 0,
    after: float = 0,
    first_line: Length | None = None,
    line: float = 1.0,
    keep_with_next: bool = False,
) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align  # type: ignore[assignment]
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.first_line_indent = first_line
    fmt.line_spacing = line
    fmt.keep_with_next = keep_with_next or None


def _mark_size(paragraph: DocxParagraph, size: float) -> None:
    """The paragraph mark's font decides the height of an empty line."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    rfonts = OxmlElement("w:rFonts")
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        rfonts.set(qn(f"w:{attr}"), FONT)
    rpr.append(rfonts)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    rpr.append(sz)


def _rule(container: DocxDocument | _Cell, width_mm: float, length_mm: float) -> DocxParagraph:
    """A short centred line under a heading element, drawn as the bottom border of an empty paragraph."""
    paragraph = container.add_paragraph()
    side = max((width_mm - length_mm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Mm(side)
    fmt.right_indent = Mm(side)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(3)
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    # pBdr must come before spacing/ind/jc in CT_PPr's sequence.
    anchor = next((child for child in ppr if child.tag in {qn("w:spacing"), qn("w:ind"), qn("w:jc")}), None)
    if anchor is not None:
        anchor.addprevious(border)
    else:
        ppr.append(border)
    _mark_size(paragraph, 2)
    return paragraph


def _no_borders(table: DocxTable) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tblpr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )


def _fixed_widths(table: DocxTable, widths_mm: Sequence[float]) -> None:
    table.autofit = False  # w:tblLayout type="fixed": Word keeps the widths below
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    if table_width is not None:
        table_width.set(qn("w:type"), "dxa")
        table_width.set(qn("w:w"), str(round(sum(widths_mm) / 25.4 * 1440)))
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _cant_split(table: DocxTable) -> None:
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))


def _cell_paragraph(cell: _Cell, first: list[bool]) -> DocxParagraph:
    """The cell's own empty paragraph first, new ones after it."""
    if first[0]:
        first[0] = False
        return cell.paragraphs[0]
    return cell.add_paragraph()


def _estimate_caps_mm(text: str, size: float) -> float:
    """Rough printed width of bold capitals in Times New Roman (about 0.26 mm per character per point)."""
    return len(text) * 0.26 * size


def _caps_lines(text: str, size: float, width_mm: float) -> list[str]:
    """Split a body's name the way clerks do when it is too wide: "ỦY BAN NHÂN DÂN" / "TỈNH LAI CHÂU".

    A word-processor's own wrap would break "TỈNH LAI / CHÂU"; the convention is to break after the
    kind of body, or else at the space nearest the middle.
    """
    if _estimate_caps_mm(text, size) <= width_mm or " " not in text:
        return [text]
    for head in ("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM"):
        if text.startswith(head + " "):
            return [head, text[len(head) + 1 :]]
    middle = len(text) / 2
    cut = min((i for i, ch in enumerate(text) if ch == " "), key=lambda i: abs(i - middle))
    return [text[:cut], text[cut + 1 :]]


def _run_lines(paragraph: DocxParagraph, lines: list[str], size: float, *, bold: bool = False) -> None:
    for i, line in enumerate(lines):
        run = _run(paragraph, line, size, bold=bold)
        if i < len(lines) - 1:
            run.add_break()


# --- document parts ----------------------------------------------------------------------


def _set_up_styles(docx: DocxDocument, layout: Layout) -> None:
    styles = docx.styles.element
    for rfonts in styles.iter(qn("w:rFonts")):
        for name in list(rfonts.attrib):
            del rfonts.attrib[name]
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            rfonts.set(qn(f"w:{attr}"), FONT)
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:val"), "vi-VN")
            lang.set(qn("w:eastAsia"), "vi-VN")
        for spacing in defaults.iter(qn("w:spacing")):
            spacing.set(qn("w:after"), "0")
            spacing.set(qn("w:line"), "240")
    normal = docx.styles["Normal"]
    _fonts(normal.element)
    normal.font.size = Pt(layout.body_pt)  # type: ignore[attr-defined]


def _set_up_page(docx: DocxDocument, layout: Layout) -> None:
    section = docx.sections[0]
    section.page_width = Mm(layout.page_width_mm)
    section.page_height = Mm(layout.page_height_mm)
    section.top_margin = Mm(layout.top_mm)
    section.bottom_margin = Mm(layout.bottom_mm)
    section.left_margin = Mm(layout.left_mm)
    section.right_margin = Mm(layout.right_mm)
    section.header_distance = Mm(layout.header_distance_mm)
    section.footer_distance = Mm(layout.header_distance_mm)
    section.gutter = Mm(0)
    # Page numbers: centred in the top margin, from page 2 on (page 1 has its own, empty, header).
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    _format(paragraph)
    _page_field(paragraph, layout.page_number_pt)


def _page_field(paragraph: DocxParagraph, size: float) -> None:
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "2"), ("end", None)):
        run = _run(paragraph, "", size)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            run.text = text or ""
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _header_table(docx: DocxDocument, document: OfficialDocument, layout: Layout) -> None:
    table = docx.add_table(rows=2, cols=2)
    _no_borders(table)
    _fixed_widths(table, (layout.left_column_mm, layout.right_column_mm))
    left_width = layout.left_column_mm - 4  # less the cell margins
    right_width = layout.right_column_mm - 4
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = [True]
    if document.parent_body.strip():
        paragraph = _cell_paragraph(left, first)
        _format(paragraph)
        parent_body = document.parent_body.strip().upper()
        _run_lines(paragraph, _caps_lines(parent_body, layout.parent_body_pt, left_width), layout.parent_body_pt)
    paragraph = _cell_paragraph(left, first)
    _format(paragraph)
    issuing_body = document.issuing_body.strip().upper()
    body_lines = _caps_lines(issuing_body, layout.issuing_body_pt, left_width)
    _run_lines(paragraph, body_lines, layout.issuing_body_pt, bold=True)
    widest = max(_estimate_caps_mm(b, layout.issuing_body_pt) for b in body_lines)
    line = min(widest, left_width) * 0.4
    _rule(left, left_width, max(line, 18))

    paragraph = right.paragraphs[0]
    _format(paragraph)
    _run(paragraph, NATIONAL_TITLE, layout.national_title_pt, bold=True)
    paragraph = right.add_paragraph()
    _format(paragraph)
    _run(paragraph, MOTTO, layout.motto_pt, bold=True)
    # The line under the motto is as long as the motto: 53 mm at 13 pt in Times New Roman bold.
    _rule(right, right_width, 4.09 * layout.motto_pt)

    number_cell, date_cell = table.cell(1, 0), table.cell(1, 1)
    paragraph = number_cell.paragraphs[0]
    _format(paragraph, before=6)
    _run(paragraph, format_number_line(document.number, document.symbol.strip()), layout.number_pt)
    if not document.doc_type_title.strip():
        # An official letter has no type name: its summary ("V/v ...") sits under the number.
        paragraph = number_cell.add_paragraph()
        _format(paragraph, before=3)
        _run(paragraph, document.summary.strip(), layout.number_pt - 1)
    paragraph = date_cell.paragraphs[0]
    _format(paragraph, before=6)
    _run(
        paragraph,
        format_place_date(document.place.strip(), document.date, document.year),
        layout.place_date_pt,
        italic=True,
    )
    _cant_split(table)


def _title(docx: DocxDocument, document: OfficialDocument, layout: Layout) -> None:
    if not document.doc_type_title.strip():
        paragraph = docx.add_paragraph()
        _format(paragraph, after=6)
        return
    paragraph = docx.add_paragraph()
    _format(paragraph, before=18, keep_with_next=True)
    _run(paragraph, document.doc_type_title.strip().upper(), layout.type_pt, bold=True)
    summary = " ".join(document.summary.split())
    if summary:
        paragraph = docx.add_paragraph()
        _format(paragraph, keep_with_next=True)
        _run(paragraph, summary, layout.summary_pt, bold=True)
    text_width = layout.page_width_mm - layout.left_mm - layout.right_mm
    estimate = min(len(summary or document.doc_type_title) * 0.19 * layout.summary_pt, text_width)
    _rule(docx, text_width, min(max(estimate * 0.4, 20), 60))
    spacer = docx.add_paragraph()
    _format(spacer, after=6)


class _BodyWriter:
    """Writes body blocks, keeping the heading counters so that numbering is always consecutive."""

    def __init__(self, docx: DocxDocument, layout: Layout) -> None:
        self.docx = docx
        self.layout = layout
        self.counters = [0, 0, 0]

    def _paragraph(self, *, keep_with_next: bool = False) -> DocxParagraph:
        paragraph = self.docx.add_paragraph()
        _format(
            paragraph,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            after=self.layout.paragraph_after_pt,
            first_line=Mm(self.layout.first_line_indent_mm),
            line=self.layout.line_spacing,
            keep_with_next=keep_with_next,
        )
        return paragraph

    def block(self, block: Block) -> None:
        if isinstance(block, Heading):
            self.heading(block)
        elif isinstance(block, Paragraph):
            self.paragraph(block)
        elif isinstance(block, Bullet):
            self.bullet(block)
        else:
            self.table(block)

    def heading(self, block: Heading) -> None:
        level = block.level
        self.counters[level - 1] += 1
        for deeper in range(level, 3):
            self.counters[deeper] = 0
        count = self.counters[level - 1]
        text = " ".join(block.text.split())
        if level == 1:
            label, text = f"{to_roman(count)}. ", text.upper()
        elif level == 2:
            label = f"{count}. "
        else:
            label = f"{to_letter(count)}) "
        paragraph = self._paragraph(keep_with_next=not block.rest)
        size = self.layout.body_pt
        italic = level == 3
        _run(paragraph, label + text, size, bold=True, italic=italic)
        if block.rest:
            _run(paragraph, " " + " ".join(block.rest.split()), size)

    def paragraph(self, block: Paragraph) -> None:
        paragraph = self._paragraph()
        _run(paragraph, " ".join(block.text.split()), self.layout.body_pt, bold=block.bold, italic=block.italic)

    def bullet(self, block: Bullet) -> None:
        paragraph = self._paragraph()
        _run(paragraph, "- " + " ".join(block.text.split()), self.layout.body_pt)

    def table(self, block: Table) -> None:
        rows = [list(row) for row in block.rows]
        if not rows:
            return
        columns = max(len(row) for row in rows)
        text_width = self.layout.page_width_mm - self.layout.left_mm - self.layout.right_mm
        widths = list(block.widths_mm or [text_width / columns] * columns)
        if len(widths) != columns:
            raise ValueError("a table needs one width per column")
        table = self.docx.add_table(rows=len(rows), cols=columns)
        table.style = self.docx.styles["Table Grid"]
        _fixed_widths(table, widths)
        for r, row in enumerate(rows):
            for c in range(columns):
                paragraph = table.cell(r, c).paragraphs[0]
                is_header = block.header and r == 0
                _format(
                    paragraph,
                    align=WD_ALIGN_PARAGRAPH.CENTER if is_header else WD_ALIGN_PARAGRAPH.LEFT,
                    before=2,
                    after=2,
                )
                value = row[c] if c < len(row) else ""
                _run(paragraph, " ".join(str(value).split()), self.layout.table_pt, bold=is_header)
        if block.header:
            trpr = table.rows[0]._tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:tblHeader"))
        self.docx.add_paragraph()


def _recipient_items(document: OfficialDocument) -> list[str]:
    """ "- Như trên;" ... and the archive last, "- Lưu: VT."; items end with ";" as Appendix I shows."""
    items: list[str] = []
    archive = None
    for raw in document.recipients:
        text = " ".join(str(raw).split()).lstrip("-+• ").rstrip(";,. ")
        if not text:
            continue
        if re.match(r"^Lưu\s*:", text):
            archive = text
            continue
        items.append(f"- {text};")
    if archive is None and document.archive:
        archive = f"Lưu: {document.archive}"
    if archive:
        items.append(f"- {archive}.")
    return items


def _footer_table(docx: DocxDocument, document: OfficialDocument, layout: Layout) -> None:
    table = docx.add_table(rows=1, cols=2)
    _no_borders(table)
    _fixed_widths(table, (layout.left_column_mm, layout.right_column_mm))
    left, right = table.cell(0, 0), table.cell(0, 1)

    paragraph = left.paragraphs[0]
    _format(paragraph, align=WD_ALIGN_PARAGRAPH.LEFT, before=6)
    _run(paragraph, RECIPIENTS_LABEL, layout.recipients_label_pt, bold=True, italic=True)
    for item in _recipient_items(document):
        paragraph = left.add_paragraph()
        _format(paragraph, align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(paragraph, item, layout.recipients_pt)

    first = [True]
    signer = document.signer
    if signer is not None:
        for line in [*signer.authority_lines, signer.position]:
            text = " ".join(line.split()).upper()
            if not text:
                continue
            opening = first[0]
            paragraph = _cell_paragraph(right, first)
            _format(paragraph, before=6 if opening else 0)
            _run(paragraph, text, layout.signature_pt, bold=True)
        for _ in range(layout.signature_space_lines):
            paragraph = _cell_paragraph(right, first)
            _format(paragraph)
            _mark_size(paragraph, layout.signature_pt)
        name = " ".join(signer.name.split())
        if name:
            paragraph = _cell_paragraph(right, first)
            _format(paragraph)
            _run(paragraph, name, layout.signature_pt, bold=True)
    _cant_split(table)
