"""Text out of .txt, .docx and .pdf files, with clear errors instead of tracebacks."""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from .footer import RECIPIENTS_HEAD

MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = (".txt", ".md", ".docx", ".pdf")


class ReadError(Exception):
    """A file that cannot be imported; the message is for the person importing it."""


def read_text(path: Path) -> str:
    if not path.is_file():
        raise ReadError(_("File not found: %(path)s") % {"path": path})
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ReadError(
            _("The file is too large (%(size).1f MB); the limit is %(limit)d MB.")
            % {"size": size / 1024 / 1024, "limit": MAX_BYTES // 1024 // 1024}
        )
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(
            _("Unsupported file type %(suffix)s: use .txt, .docx or .pdf.") % {"suffix": suffix or "?"}
        )
    if suffix in (".txt", ".md"):
        return _read_txt(path)
    if suffix == ".docx":
        return _read_docx(path)
    return _read_pdf(path)


def _read_txt(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(_("The file is not a text file."))
    for encoding in ("utf-8-sig", "utf-16", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(_("The text file is not in a known encoding; save it as UTF-8."))


def _read_docx(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReadError(_("The Word file is damaged or is not a .docx file.")) from exc
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = _local(child.tag)
        if tag == "p":
            lines.append(_paragraph_text(child))
        elif tag == "tbl":
            lines.extend(_table_lines(child))
    return "\n".join(lines)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _paragraph_text(paragraph: object) -> str:
    parts = []
    for node in paragraph.iter():  # type: ignore[attr-defined]
        name = _local(node.tag)
        if name == "t":
            parts.append(node.text or "")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "tab":
            parts.append("\t")
    return "".join(parts)


def _table_lines(table: object) -> list[str]:
    """A header table is two columns side by side; flatten it row by row, line by line, as a PDF would.

    The foot of a Decree 30 document is a table too: "Nơi nhận" on the left, the signature block on
    the right. Interleaving those lines would glue the signer's name to a recipient, so a row whose
    first cell is the distribution list is read cell after cell (list first, then the signature).
    """
    out: list[str] = []
    for row in table.iterchildren():  # type: ignore[attr-defined]
        if _local(row.tag) != "tr":
            continue
        cells = []
        for cell in row.iterchildren():
            if _local(cell.tag) != "tc":
                continue
            cell_lines: list[str] = []
            for paragraph in cell.iter():
                if _local(paragraph.tag) == "p":
                    cell_lines.extend(_paragraph_text(paragraph).split("\n"))
            cells.append([line for line in cell_lines if line.strip()])
        if cells and cells[0] and RECIPIENTS_HEAD.match(cells[0][0]):
            out.extend(line for cell in cells for line in cell)
            continue
        depth = max((len(cell) for cell in cells), default=0)
        for k in range(depth):
            out.append("      ".join(cell[k] for cell in cells if k < len(cell)))
    return out


def _read_pdf(path: Path) -> str:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReadError(_("The PDF file is damaged and cannot be read.")) from exc
    except Exception as exc:  # pdfminer raises many private exception types on corrupt files
        raise ReadError(_("The PDF file is damaged and cannot be read.")) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise ReadError(_("The PDF has no text layer (a scanned image); run OCR on it first."))
    return text
