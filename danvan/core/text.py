"""Vietnamese text normalisation for search: "bac kan", "Bắc Kạn" and "BAC KAN" are one key."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Đ (U+0110) is often typed or converted from legacy encodings (VNI, TCVN3) as the look-alike
# Icelandic Eth Ð (U+00D0); both must find the same name.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D", "\u00f0": "d"})


def nfc(text: str) -> str:
    """Vietnamese arrives in both composed and decomposed forms (Word vs. macOS); store NFC."""
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """Remove tone and vowel marks; đ/Đ are letters of their own, not marked d, so map them by hand."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def search_key(text: str) -> str:
    """The form stored beside a name and used for matching: no marks, lower case, single spaces."""
    return _SPACES.sub(" ", strip_diacritics(nfc(text or "")).casefold()).strip()


def clean_text(text: str) -> str:
    """User input as it is stored: NFC, surrounding and repeated blanks removed."""
    return _SPACES.sub(" ", nfc(text or "")).strip()
