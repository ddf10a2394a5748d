"""Legal citations: "Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ" → fields.

Citations survive broken extractions badly: type words lose letters ("Nghị quy t"), the slash of a
party symbol disappears ("763-QĐ TU"), a number vanishes ("Nghị định số  Đ-CP ngày 14/12/2020").
What the symbol grammar or a registry of well-known documents settles is repaired and flagged;
the rest stays ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import full_date
from .text import clean

# Type name -> abbreviation used in symbols (Decree 30/2020, Appendix III; party rules for "-KL/TW").
TYPES: dict[str, str] = {
    "Hiến pháp": "",
    "Luật": "",
    "Bộ luật": "",
    "Pháp lệnh": "PL",
    "Nghị quyết": "NQ",
    "Kết luận": "KL",
    "Chỉ thị": "CT",
    "Quyết định": "QĐ",
    "Kế hoạch": "KH",
    "Nghị định": "NĐ",
    "Thông tư liên tịch": "TTLT",
    "Thông tư": "TT",
    "Hướng dẫn": "HD",
    "Công văn": "CV",
    "Chương trình": "CTr",
    "Đề án": "ĐA",
    "Quy định": "QĐi",
    "Quy chế": "QC",
    "Thông báo": "TB",
    "Thông tri": "TT",
    "Báo cáo": "BC",
    "Tờ trình": "TTr",
}
ABBREVIATIONS: dict[str, str] = {
    "NQ": "Nghị quyết",
    "KL": "Kết luận",
    "CT": "Chỉ thị",
    "QĐ": "Quyết định",
    "KH": "Kế hoạch",
    "NĐ": "Nghị định",
    "TTLT": "Thông tư liên tịch",
    "HD": "Hướng dẫn",
    "CV": "Công văn",
    "CTr": "Chương trình",
    "ĐA": "Đề án",
    "QĐi": "Quy định",
    "QC": "Quy chế",
    "TB": "Thông báo",
    "BC": "Báo cáo",
    "TTr": "Tờ trình",
    "PL": "Pháp lệnh",
}


def _gapped(word: str) -> str:
    """Regex for a word whose letters (but not all) may have become spaces."""
    parts = []
    for ch in word:
        if ch == " ":
            parts.append(r"\s+")
        else:
            parts.append(f"[{re.escape(ch)}{re.escape(ch.upper())} ]" if ch.isalpha() else re.escape(ch))
    return "".join(parts)


_TYPE_NAMES = sorted(TYPES, key=len, reverse=True)
_TYPE_RE = "|".join(_gapped(name.lower()) for name in _TYPE_NAMES)
_SO = r"(?:s[ốô ]|\s[ốô]|s\s)"
_NUMBER = r"\d{1,5}(?:\s?/\s?\d{4})?"
_SYMBOL_PART = r"[A-ZĐ][A-Za-zĐđ]{0,7}\d{0,2}"
_SYMBOL = rf"{_SYMBOL_PART}(?:\s?[-/]\s?{_SYMBOL_PART}|\s[A-ZĐ]{{2,4}}(?![\wđĐ]))*"
CITATION = re.compile(
    rf"(?:(?P<so>{_SO})\s*:?\s*(?:(?P<num>{_NUMBER})\s?(?P<sep>[-/])\s?|(?P<slash>/)\s?)?"
    rf"|(?<![\w/.])(?P<num2>{_NUMBER})\s?(?P<sep2>[-/])\s?)(?P<sym>{_SYMBOL})"
    rf"(?P<tail>(?:\s*,)?\s*(?:ngày|ng y|n ày|ngà )\s*(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})\s*/\s*(?P<y>\d{{4}}))?",
)
_TYPE_BEFORE = re.compile(rf"(?P<type>{_TYPE_RE})\s*(?:{_SO}\s*:?\s*)?$", re.IGNORECASE)
_OF = re.compile(r"^\s*(?:,\s*)?(?:của|củ|ủa|c a|c ủa)\s+", re.IGNORECASE)
_ISSUER_STOP = re.compile(
    r"\s+(?:về|v ề|  ề|ề|khóa|khoá|ban hành|quy định|hướng dẫn|đối với|trong|theo|tại|nhằm|để|thực hiện|"
    r"triển khai|và các|đã|đến)(?=\s|$)|[;,.:(“\"”]|\s{2,}|$",
)
_PARTY_TAIL = ("TW", "TU", "HU", "ĐU", "QU", "ĐUK", "BCĐ", "BTGTW", "BDVTW")

KNOWN_ISSUERS = (
    "Thủ tướng Chính phủ",
    "Phó Thủ tướng Chính phủ",
    "Chính phủ",
    "Ban Bí thư Trung ương Đảng",
    "Ban Bí thư",
    "Bộ Chính trị",
    "Ban Chấp hành Trung ương Đảng",
    "Ban Chấp hành Trung ương",
    "BCHTW Đảng",
    "Ủy ban Thường vụ Quốc hội",
    "Quốc hội",
    "Ban Thường vụ Tỉnh ủy",
    "Ban Thường vụ Huyện ủy",
    "Ban Thường vụ Thành ủy",
    "Ban Thường vụ Thị ủy",
    "Ban Thường vụ Đảng ủy",
    "Ban Dân vận Trung ương",
    "Ban Dân vận Tỉnh ủy",
    "Ban Dân vận Huyện ủy",
    "Ban Tuyên giáo và Dân vận",
    "Tỉnh ủy",
    "Huyện ủy",
    "Thành ủy",
    "Thị ủy",
    "Đảng ủy",
    "Thanh tra Chính phủ",
    "Văn phòng Chính phủ",
    "Bộ Nội vụ",
    "Bộ Tư pháp",
)
_KNOWN_SORTED = sorted(KNOWN_ISSUERS, key=len, reverse=True)
# (name, lower case, letters in it), longest first.
_KNOWN_LOWER = tuple((name, name.lower(), sum(ch != " " for ch in name)) for name in _KNOWN_SORTED)


@dataclass(frozen=True)
class Known:
    type: str
    number: str
    symbol: str
    date: str
    issuer: str


# Documents cited again and again in mass-mobilisation plans; used only to restore what a
# broken extraction lost, never to add a citation the text does not make.
REGISTRY: tuple[Known, ...] = (
    Known("Nghị quyết", "25", "NQ/TW", "2013-06-03", "Ban Chấp hành Trung ương Đảng"),
    Known("Kết luận", "43", "KL/TW", "2019-01-07", "Ban Bí thư"),
    Known("Kết luận", "114", "KL/TW", "2015-07-14", "Ban Bí thư"),
    Known("Kết luận", "01", "KL/TW", "2021-05-18", "Bộ Chính trị"),
    Known("Chỉ thị", "33", "CT-TTg", "2021-11-26", "Thủ tướng Chính phủ"),
    Known("Chỉ thị", "18/2000", "CT-TTg", "2000-09-21", "Thủ tướng Chính phủ"),
    Known("Chỉ thị", "14", "CT-TTg", "2012-05-18", "Thủ tướng Chính phủ"),
    Known("Chỉ thị", "35", "CT/TW", "2014-05-26", "Bộ Chính trị"),
    Known("Chỉ thị", "05", "CT/TW", "2016-05-15", "Bộ Chính trị"),
    Known("Quyết định", "217", "QĐ/TW", "2013-12-12", "Bộ Chính trị"),
    Known("Quyết định", "218", "QĐ/TW", "2013-12-12", "Bộ Chính trị"),
    Known("Quyết định", "124", "QĐ/TW", "2018-02-02", "Ban Bí thư"),
    Known("Quyết định", "23", "QĐ/TW", "2021-07-30", "Ban Chấp hành Trung ương Đảng"),
    Known("Luật", "10/2022", "QH15", "2022-11-10", "Quốc hội"),
    Known("Luật", "42/2013", "QH13", "2013-11-25", "Quốc hội"),
    Known("Luật", "02/2011", "QH13", "2011-11-11", "Quốc hội"),
    Known("Luật", "25/2018", "QH14", "2018-06-12", "Quốc hội"),
    Known("Nghị định", "59/2023", "NĐ-CP", "2023-08-14", "Chính phủ"),
    Known("Nghị định", "145/2020", "NĐ-CP", "2020-12-14", "Chính phủ"),
    Known("Nghị định", "30/2020", "NĐ-CP", "2020-03-05", "Chính phủ"),
    Known("Nghị định", "09/2019", "NĐ-CP", "2019-01-24", "Chính phủ"),
    Known("Nghị định", "124/2020", "NĐ-CP", "2020-10-19", "Chính phủ"),
    Known("Nghị định", "31/2019", "NĐ-CP", "2019-04-10", "Chính phủ"),
    Known("Nghị định", "61/2018", "NĐ-CP", "2018-04-23", "Chính phủ"),
    Known("Nghị quyết", "76", "NQ-CP", "2021-07-15", "Chính phủ"),
    Known("Thông tư", "05/2021", "TT-TTCP", "2021-10-01", "Thanh tra Chính phủ"),
    Known("Thông tư", "04/2021", "TT-TTCP", "2021-10-01", "Thanh tra Chính phủ"),
)


@dataclass
class Citation:
    type: str | None
    number: str | None
    symbol: str | None
    date: str | None
    issuer: str | None
    start: int
    end: int
    repaired: list[str] = field(default_factory=list)

    def value(self) -> dict[str, str | None]:
        return {
            "type": self.type,
            "number": self.number,
            "symbol": self.symbol,
            "date": self.date,
            "issuer": self.issuer,
        }

    def key(self) -> tuple[str | None, str | None, str | None]:
        return (self.type, self.number, (self.symbol or "").upper() or None)


def split_number(text: str) -> tuple[str | None, str | None]:
    """ "33/CT-TTg" → ("33", "CT-TTg"); "114-KL/TW" → ("114", "KL/TW"); "10/2022/QH15" → ("10/2022", "QH15")."""
    match = re.match(r"^\s*(\d{1,5}(?:/\d{4})?)\s*[-/]\s*(.+?)\s*$", text)
    if not match:
        return None, clean(text) or None
    return match.group(1), re.sub(r"\s*([-/])\s*", r"\1", match.group(2))


def _canonical_type(raw: str | None) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    squeezed = clean(raw).lower()
    for name in _TYPE_NAMES:
        if squeezed == name.lower():
            return name, False
    raw = raw.strip(" ")
    for name in _TYPE_NAMES:
        visible = sum(ch != " " for ch in raw)
        if (
            len(raw) == len(name)
            and visible >= 0.5 * len(name)
            and re.fullmatch(_gapped(name.lower()), raw.lower())
        ):
            return name, True
    return None, False


def match_known_issuer(text: str) -> tuple[str, int, bool] | None:
    """The longest known issuer at the start of ``text``, letters lost to spaces allowed."""
    low = text.lower()
    for name, target, letters in _KNOWN_LOWER:
        size = len(target)
        if len(low) < size:
            continue
        piece = low[:size]
        nxt = low[size : size + 1]
        if piece == target:
            if not nxt or not nxt.isalpha():
                return name, size, False
            continue
        seen = 0
        for got, want in zip(piece, target, strict=True):
            if got == want:
                seen += want != " "
            elif got != " " or want == " ":
                break
        else:
            if seen >= 0.6 * letters and (not nxt or not nxt.isalpha()):
                return name, size, True
    return None


def _issuer_after(text: str, pos: int) -> tuple[str | None, bool]:
    match = _OF.match(text[pos:])
    if not match:
        return None, False
    rest = text[pos + match.end() :]
    known = match_known_issuer(rest)
    if known:
        name, _length, repaired = known
        return name, repaired
    stop = _ISSUER_STOP.search(rest)
    if stop and stop.group().startswith("  "):
        return None, False
    issuer = clean(rest[: stop.start()] if stop else rest[:80])
    if len(issuer) > 90 or not issuer or not issuer[0].isupper():
        return None, False
    return issuer, False


def _clean_symbol(symbol: str) -> tuple[str, bool]:
    """ "QĐ TU" (slash lost) → "QĐ/TU" when the tail is a party body code; dashes/slashes tightened."""
    symbol = re.sub(r"\s*([-/])\s*", r"\1", symbol.strip())
    repaired = False
    parts = symbol.split(" ")
    if len(parts) == 2 and parts[1] in _PARTY_TAIL:
        symbol = f"{parts[0]}/{parts[1]}"
        repaired = True
    elif " " in symbol:
        return "", False
    return symbol, repaired


def find_citations(text: str) -> list[Citation]:
    """Every numbered citation in ``text`` (one paragraph), in order."""
    out: list[Citation] = []
    for match in CITATION.finditer(text):
        number = match.group("num") or match.group("num2")
        sep = match.group("sep") or match.group("sep2")
        before = _TYPE_BEFORE.search(
            text[max(0, match.start() - 24) : match.start() + (len(match.group("so") or ""))]
        )
        raw_type = before.group("type") if before else None
        symbol, sym_repaired = _clean_symbol(match.group("sym"))
        if not symbol or not re.search(r"[-/]|^QH\d", symbol):
            continue
        if number is None and not (match.group("so") and (raw_type or match.group("slash"))):
            continue
        if number:
            number = re.sub(r"\s", "", number)
            if sep == "-" and "/" not in symbol:
                continue
        type_name, type_repaired = _canonical_type(raw_type)
        repaired: list[str] = []
        first = re.split(r"[-/]", symbol)[0]
        if type_name is None:
            guessed = ABBREVIATIONS.get(first)
            if guessed is None and number and sep == "/" and first in ("UBND", "VP", "SNV", "BDV", "NV"):
                guessed = "Công văn"
            if guessed is None and re.fullmatch(r"QH\d{1,2}", first):
                guessed = "Luật"
            if guessed is None:
                continue
            type_name = guessed
            if raw_type or not number:
                repaired.append("type")
        elif type_repaired:
            repaired.append("type")
        if sym_repaired:
            repaired.append("symbol")
        when = full_date(match.group("d"), match.group("m"), match.group("y"))
        end = match.end()
        issuer, issuer_repaired = _issuer_after(text, end)
        if issuer_repaired:
            repaired.append("issuer")
        start = max(0, match.start() - 24) + before.start() if before and raw_type else match.start()
        out.append(Citation(type_name, number, symbol, when, issuer, start, end, repaired))
    _share_issuers(text, out)
    return out


def _share_issuers(text: str, citations: list[Citation]) -> None:
    """ "Quyết định số 217-QĐ/TW và Quyết định số 218-QĐ/TW của Bộ Chính trị": both are the Politburo's."""
    for left, right in zip(citations[::-1][1:], citations[::-1], strict=False):
        if left.issuer is None and right.issuer is not None:
            between = text[left.end : right.start]
            if re.fullmatch(r"[\s,;]*(?:v[àa ]|&)?[\s,]*", between) or re.fullmatch(
                r"[\s,]*(?:và)?\s*", between
            ):
                left.issuer = right.issuer


def _plausible(symbol: str) -> bool:
    first = re.split(r"[-/]", symbol)[0]
    return (
        first in ABBREVIATIONS
        or first in ("UBND", "VP", "SNV", "BDV", "NV")
        or bool(re.fullmatch(r"QH\d{1,2}", first))
    )


def restore_from_registry(citation: Citation, context: str) -> None:
    """Fill a lost number from the registry when type, date, issuer and visible symbol all agree."""
    if citation.number and citation.symbol and citation.date and _plausible(citation.symbol):
        return
    matches = []
    for known in REGISTRY:
        if citation.type and known.type != citation.type:
            continue
        if citation.date and known.date != citation.date:
            continue
        if citation.number and known.number != citation.number:
            continue
        if citation.symbol and not known.symbol.upper().endswith(citation.symbol.strip().upper()):
            continue
        if citation.issuer and citation.issuer.lower() not in known.issuer.lower():
            continue
        if not citation.date and not citation.number:
            continue
        matches.append(known)
    if len(matches) != 1:
        return
    known = matches[0]
    if citation.number is None and citation.date:
        citation.number = known.number
        citation.symbol = known.symbol
        citation.repaired.append("number")
    elif citation.symbol != known.symbol and citation.number:
        citation.symbol = known.symbol
        citation.repaired.append("symbol")
    del context


def merge(citations: list[Citation]) -> list[Citation]:
    """A document cited twice appears once, with whatever each mention adds."""
    out: list[Citation] = []
    seen: dict[tuple[str | None, str | None, str | None], Citation] = {}
    for citation in citations:
        key = citation.key()
        if citation.number is None:
            out.append(citation)
            continue
        if key in seen:
            first = seen[key]
            first.date = first.date or citation.date
            first.issuer = first.issuer or citation.issuer
            continue
        seen[key] = citation
        out.append(citation)
    return out
