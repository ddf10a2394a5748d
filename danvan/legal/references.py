"""Number and symbol of a document as people write them, and the key that makes two spellings one document.

"33/CT-TTg", "33/ CT-TTg", "33/CT-TTG" and "Số 33/CT-TTg" are the same directive; "05/2021/TT-TTCP"
and "5/2021/TT-TTCP" the same circular; "114-KL/TW" sometimes arrives as "114/KL-TW" or, from a
broken PDF, "114-KL TW". The key absorbs these differences; the record keeps the spelling it was
first written with.
"""

from __future__ import annotations

import re

from danvan.core.text import clean_text, search_key

# The parser already splits references by the rules; one implementation for both.
# (``split_number`` is public in the parser's module; keep them in step by importing it.)
from danvan.plans.parsing.references import split_number

from .models import VIETNAMESE_TYPES, DocType

_SO_PREFIX = re.compile(r"^\s*s[ốôo](?=[\s:\d])\s*:?\s*", re.IGNORECASE)
_ONLY_NUMBER = re.compile(r"^\d{1,5}(?:\s*/\s*\d{4})?$")
_SEPARATOR_SPACES = re.compile(r"\s*([-/])\s*")
_SYMBOL_SEPARATORS = re.compile(r"[\s\-/\u2013\u2014]+")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
_TYPES_BY_KEY: dict[str, str] = {search_key(word): code for word, code in VIETNAMESE_TYPES.items()}
_TYPE_WORD: dict[str, str] = {}
for _word, _code in VIETNAMESE_TYPES.items():
    _TYPE_WORD.setdefault(str(_code), _word)  # the first word listed for a type is how it is cited
_TYPE_WORD.pop(str(DocType.OTHER), None)


def clean_number(number: str) -> str:
    """ "10 / 2022" → "10/2022"; the digits as written (leading zeros kept)."""
    return re.sub(r"\s+", "", clean_text(number))


def clean_symbol(symbol: str) -> str:
    """ "CT - TTg" → "CT-TTg"; letter case as written."""
    return _SEPARATOR_SPACES.sub(r"\1", clean_text(symbol)).strip("-/ ")


def split_reference(text: str) -> tuple[str, str]:
    """ "33/CT-TTg" → ("33", "CT-TTg"); "114-KL/TW" → ("114", "KL/TW"); "10/2022/QH15" → ("10/2022", "QH15").

    "18/2000/CT-TTg" → ("18/2000", "CT-TTg"); "1037-CV/HU" → ("1037", "CV/HU"); a bare "33" is a
    number; text with no leading number is all symbol.
    """
    text = _SEPARATOR_SPACES.sub(r"\1", _SO_PREFIX.sub("", clean_text(text)))
    if not text:
        return "", ""
    if _ONLY_NUMBER.match(text):
        return clean_number(text), ""
    number, symbol = split_number(text)
    return clean_number(number or ""), clean_symbol(symbol or "")


def document_key(number: str, symbol: str) -> str:
    """The deduplication key, or "" when the number or the symbol is missing.

    Both are needed: "25" alone could be a resolution or a directive, "CT-TTg" alone any of
    thousands of directives. Inside the symbol "-", "/" and spaces count as one separator, and
    numbers lose leading zeros, because writers and PDF extractions vary both.
    """
    number = _LEADING_ZEROS.sub("", clean_number(number))
    symbol = _SYMBOL_SEPARATORS.sub("-", clean_text(symbol)).strip("-")
    if not number or not symbol:
        return ""
    return search_key(f"{number}/{symbol}")


def resolve_doc_type(value: str | None) -> str | None:
    """A DocType code from a code ("directive") or the Vietnamese word ("Chỉ thị", "chi thi"); None if unknown."""
    raw = clean_text(value or "")
    if not raw:
        return str(DocType.OTHER)
    if raw in DocType.values:
        return raw
    key = search_key(raw)
    if key in _TYPES_BY_KEY:
        return str(_TYPES_BY_KEY[key])
    for code, label in DocType.choices:  # the English label, as a last resort ("Directive")
        if search_key(str(label)) == key:
            return str(code)
    return None


def type_word(doc_type: str) -> str:
    """How the type is written before the number in Vietnamese ("Chỉ thị"); "" for "other"."""
    return _TYPE_WORD.get(doc_type, "")
