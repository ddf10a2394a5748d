"""Clean-up of extraction artefacts and reconstruction of paragraphs from broken lines.

PDF extractions break sentences at the end of every printed line, separate lines with blank lines,
flatten the two-column header into single lines and lose glyphs (each lost letter becomes a space,
so word lengths are kept: "Kế hoạch" → "K  ho ch"). Markdown conversions add ``**bold**`` and
``#`` headings. Everything downstream works on :class:`Block` objects: one paragraph, heading or
list item each, with the source lines it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .model import Source

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MD_BOLD = re.compile(r"\*\*|__")
_MD_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_INNER_GAP = re.compile(r"\S {2,}\S")
_TERMINAL = re.compile(r"[.:!?…]\s*[”\"»)]?\s*$")

ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
_ROMAN_HEADING = re.compile(rf"^(?P<num>{ROMAN})\s?[.)/:-]\s*(?P<body>\S.*)$")
_ARABIC_ITEM = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\s?[.)]\s*(?P<body>\S.*)$")
_ARABIC_GAPPED = re.compile(r"^(?P<num>\d{1,2})\s{2,}(?P<body>[^\W\d_].*)$")
_LETTER_ITEM = re.compile(r"^(?P<num>[a-zđ])\s?[).]\s+(?P<body>\S.*)$")
_BULLET = re.compile(r"^(?P<num>[-+•–—*●○▪■◦])\s*(?P<body>\S.*)$")


def clean(text: str) -> str:
    """One-line display form: single spaces, no stray edges (``str.split`` splits on what ``\\s`` matches)."""
    return " ".join(text.split())


def is_upper_text(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.85 * len(letters)


def starts_lower(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            return ch.islower()
        if not ch.isspace() and ch not in "“\"'(«":
            return False
    return False


def starts_upper(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            return ch.isupper()
        if not ch.isspace() and ch not in "“\"'(«":
            return False
    return False


@dataclass(frozen=True)
class Line:
    no: int
    start: int
    end: int
    raw: str
    text: str
    gap_text: str
    bold: bool
    heading: bool
    trail: int = 0


@dataclass
class Block:
    """A paragraph, heading or list item; ``text`` keeps gaps of lost letters in garbled documents."""

    lines: list[Line]
    text: str
    kind: str = "para"
    marker: str = ""
    body: str = ""
    bold: bool = False
    heading: bool = False
    repaired: bool = False
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return clean(self.body if self.kind != "para" else self.text)

    def source(self) -> Source:
        return lines_source(self.lines)


def lines_source(lines: list[Line]) -> Source:
    """The source span of consecutive lines, shown beside the value in the review screen."""
    first, last = lines[0], lines[-1]
    return Source(first.no, last.no, first.start, last.end, "\n".join(line.raw.strip() for line in lines))


def blocks_source(blocks: list[Block]) -> Source:
    return lines_source([line for block in blocks for line in block.lines])


@dataclass
class Document:
    text: str
    lines: list[Line]
    garbled: bool
    full_width: int


def normalise(text: str) -> str:
    """NFC, Unix newlines, invisible characters removed, exotic spaces made plain."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _ZERO_WIDTH.sub("", text)
    # "İ" (Turkish dotted capital I) is the one letter whose lower case is two characters long; it
    # would shift every position after it. It has no place in Vietnamese: read it as "I".
    text = text.replace("\u0130", "I")
    return _ODD_SPACES.sub(" ", text)


def _strip_markdown(line: str) -> tuple[str, bool, bool]:
    # Each pattern needs its marker character: most lines have none and skip the regexes.
    heading = "#" in line and bool(_MD_HEADING.match(line))
    bold = "**" in line or "__" in line
    if heading:
        line = _MD_HEADING.sub("", line)
    if bold:
        line = _MD_BOLD.sub("", line)
    if "*" in line:
        line = _MD_ITALIC.sub(r"\1", line)
    if "\\" in line:
        line = _MD_ESCAPE.sub(r"\1", line)
    return line, bold, heading


def read_lines(text: str) -> Document:
    """Split the normalised text into lines with offsets; decide whether glyphs were lost."""
    lines: list[Line] = []
    offset = 0
    gaps = 0
    in_bold = False
    for no, raw in enumerate(text.split("\n"), start=1):
        start, end = offset, offset + len(raw)
        offset = end + 1
        stripped, bold_marks, heading = _strip_markdown(raw)
        opens = raw.count("**") % 2 == 1
        bold = bold_marks or in_bold
        if opens:
            in_bold = not in_bold
        gap_text = stripped[:-1] if stripped.endswith(" ") else stripped
        gap_text = gap_text.rstrip("\n")
        if not stripped.strip():
            continue
        gaps += len(_INNER_GAP.findall(stripped.strip()))
        lines.append(
            Line(
                no,
                start,
                end,
                raw,
                stripped.strip(),
                gap_text,
                bold,
                heading,
                len(raw) - len(raw.rstrip(" ")),
            )
        )
    content = [line for line in lines if len(line.text) >= 20]
    garbled = bool(content) and gaps >= max(8, len(content) // 4)
    widths = sorted(len(line.text) for line in content) or [80]
    full = widths[int(len(widths) * 0.9)] if len(widths) > 1 else widths[0]
    return Document(text, lines, garbled, full)


def classify(text: str, garbled: bool) -> tuple[str, str, str]:
    """Kind of a line start: ``roman`` heading, ``number`` item, ``letter`` item, ``bullet`` or ``para``."""
    match = _ROMAN_HEADING.match(text)
    if match and match.group("num") and is_upper_text(match.group("body")[:60]):
        return "roman", match.group("num"), match.group("body")
    match = _ARABIC_ITEM.match(text)
    if match and int(match.group("num").split(".")[0]) <= 60:
        return "number", match.group("num"), match.group("body")
    if garbled:
        match = _ARABIC_GAPPED.match(text)
        if match and int(match.group("num")) <= 60:
            return "number", match.group("num"), match.group("body")
    match = _LETTER_ITEM.match(text)
    if match:
        return "letter", match.group("num"), match.group("body")
    match = _BULLET.match(text)
    if match:
        return "bullet", match.group("num"), match.group("body")
    return "para", "", text


def build_blocks(doc: Document, lines: list[Line] | None = None) -> list[Block]:
    """Join printed lines back into paragraphs, headings and items."""
    blocks: list[Block] = []
    current: Block | None = None
    prev: Line | None = None
    full = doc.full_width
    for line in lines if lines is not None else doc.lines:
        text = line.text
        kind, marker, body = classify(text, doc.garbled)
        new = False
        if current is None or prev is None:
            new = True
        elif line.heading or prev.heading or (prev.bold != line.bold):
            new = True
        elif current.kind == "roman" and not starts_lower(text):
            new = True
        else:
            prev_full = len(prev.text) >= 0.82 * full
            prev_terminal = bool(_TERMINAL.search(prev.text))
            if kind == "roman":
                new = True
            elif kind in ("number", "letter"):
                new = starts_upper(body) or not prev_full or prev_terminal
            elif kind == "bullet":
                new = not (prev_full and not prev_terminal and starts_lower(body))
            elif starts_lower(text):
                new = False
            elif prev.trail >= 2 and not doc.garbled:
                new = True
            elif not prev_full or prev_terminal:
                new = True
        piece = line.gap_text if doc.garbled else text
        if new:
            if doc.garbled:
                piece = piece.lstrip(" ")
            current = Block([line], piece, kind, marker, body, line.bold, line.heading)
            blocks.append(current)
        elif current is not None:
            current.lines.append(line)
            current.text = f"{current.text} {piece}"
            current.bold = current.bold and line.bold
        prev = line
    for block in blocks:
        _set_body(block, doc.garbled)
    return blocks


def _set_body(block: Block, garbled: bool) -> None:
    kind, marker, body = classify(block.text.lstrip(), garbled)
    if kind == block.kind:
        block.marker, block.body = marker, body
    else:
        block.body = block.text
