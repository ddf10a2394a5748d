"""Splitting references and the key that makes two spellings of one reference the same document."""

from __future__ import annotations

import pytest

from danvan.legal.models import DocType
from danvan.legal.references import document_key, resolve_doc_type, split_reference, type_word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("33/CT-TTg", ("33", "CT-TTg")),
        ("114-KL/TW", ("114", "KL/TW")),
        ("10/2022/QH15", ("10/2022", "QH15")),
        ("18/2000/CT-TTg", ("18/2000", "CT-TTg")),
        ("1037-CV/HU", ("1037", "CV/HU")),
        ("33/ CT-TTg", ("33", "CT-TTg")),
        ("10 / 2022 / QH15", ("10/2022", "QH15")),
        ("Số: 21/KH-UBND", ("21", "KH-UBND")),
        ("số 25-NQ/TW", ("25", "NQ/TW")),
        ("33", ("33", "")),
        ("05/2021", ("05/2021", "")),
        ("CT-TTg", ("", "CT-TTg")),
        ("  ", ("", "")),
    ],
)
def test_split_reference(text, expected):
    assert split_reference(text) == expected


@pytest.mark.parametrize(
    "spellings",
    [
        [("33", "CT-TTg"), ("33", "CT-TTG"), ("33", " ct-ttg "), ("033", "CT - TTg")],
        [("114", "KL/TW"), ("114", "KL-TW"), ("114", "kl/tw"), ("114", "KL TW")],
        [("05/2021", "TT-TTCP"), ("5/2021", "TT-TTCP"), ("05 / 2021", "tt-ttcp")],
        [("30/2020", "NĐ-CP"), ("30/2020", "ND-CP"), ("30/2020", "nđ-cp"), ("30/2020", "N\u00d0-CP")],
    ],
)
def test_spellings_of_one_reference_share_a_key(spellings):
    keys = {document_key(n, s) for n, s in spellings}
    assert len(keys) == 1 and "" not in keys


def test_different_documents_have_different_keys():
    assert document_key("33", "CT-TTg") != document_key("33", "CT/TW")
    assert document_key("10/2022", "QH15") != document_key("10", "QH15")
    assert document_key("217", "QĐ/TW") != document_key("218", "QĐ/TW")
    assert document_key("1", "KL/TW") != document_key("10", "KL/TW")


def test_no_key_without_number_or_symbol():
    assert document_key("", "") == ""
    assert document_key("33", "") == ""
    assert document_key("", "CT-TTg") == ""


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Chỉ thị", DocType.DIRECTIVE), ("chi thi", DocType.DIRECTIVE), ("CHỈ THỊ", DocType.DIRECTIVE),
        ("directive", DocType.DIRECTIVE), ("Nghị định", DocType.DECREE), ("nghi dinh", DocType.DECREE),
        ("Quyết định", DocType.DECISION), ("Quy định", DocType.REGULATION), ("Luật", DocType.LAW),
        ("Pháp lệnh", DocType.ORDINANCE), ("Thông tư liên tịch", DocType.CIRCULAR), ("", DocType.OTHER),
    ],
)
def test_doc_type_from_code_or_vietnamese_word(value, code):
    assert resolve_doc_type(value) == code


def test_unknown_doc_type_is_none():
    assert resolve_doc_type("Sắc lệnh lạ") is None


def test_type_word_is_the_citation_word():
    assert type_word(DocType.DIRECTIVE) == "Chỉ thị"
    assert type_word(DocType.LAW) == "Luật"
    assert type_word(DocType.OTHER) == ""
