"""Vietnamese search keys: the same place typed four ways is one key."""

from __future__ import annotations

import unicodedata

import pytest

from danvan.core.text import clean_text, nfc, search_key, strip_diacritics

COMPOSED = "Bắc Kạn"
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def test_decomposed_input_really_differs_before_normalising() -> None:
    assert DECOMPOSED != COMPOSED
    assert len(DECOMPOSED) > len(COMPOSED)


@pytest.mark.parametrize("typed", ["bac kan", "Bắc Kạn", "BAC KAN", DECOMPOSED, "BẮC KẠN", "  bắc\tkạn \n"])
def test_same_search_key(typed: str) -> None:
    assert search_key(typed) == "bac kan"


def test_d_with_stroke_is_mapped_by_hand() -> None:
    # đ is a letter of its own: Unicode does not decompose it, so NFD alone would keep it.
    assert unicodedata.normalize("NFD", "đ") == "đ"
    assert search_key("Đắk Lắk") == "dak lak"
    assert search_key("đường Điện Biên Phủ") == "duong dien bien phu"
    assert strip_diacritics("Đà Nẵng") == "Da Nang"  # case kept, only marks removed


def test_look_alike_eth_from_legacy_encodings_is_d() -> None:
    assert search_key("\u00d0iện Biên") == search_key("Điện Biên") == "dien bien"


def test_whitespace_is_folded() -> None:
    assert search_key("  Xã\u00a0 Bình\t\tLư \r\n") == "xa binh lu"
    assert clean_text("  Xã   Bình \n Lư ") == "Xã Bình Lư"


def test_empty_and_none_are_empty() -> None:
    assert search_key("") == ""
    assert search_key(None) == ""  # type: ignore[arg-type]
    assert clean_text("   ") == ""


def test_nfc_and_clean_text_store_the_composed_form() -> None:
    assert nfc(DECOMPOSED) == COMPOSED
    assert clean_text(DECOMPOSED) == COMPOSED
    assert unicodedata.is_normalized("NFC", clean_text(f"  {DECOMPOSED}  "))


def test_all_vietnamese_vowels_lose_their_marks() -> None:
    vowels = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    assert search_key(vowels) == "a" * 17 + "e" * 11 + "i" * 5 + "o" * 17 + "u" * 11 + "y" * 5
    assert search_key(vowels.upper()) == search_key(vowels)
