"""The parser's shortcuts (skipping a regex when its marker is absent, splitting instead of matching) give
what the slow way gives, including on the inputs where the shortcut could go wrong."""

from __future__ import annotations

import re

import pytest

from danvan.plans.parsing.dates import find_deadlines
from danvan.plans.parsing.lexicon import WORD
from danvan.plans.parsing.references import match_known_issuer
from danvan.plans.parsing.repair import _tokens, _valid
from danvan.plans.parsing.text import _strip_markdown, clean


@pytest.mark.parametrize(
    "text",
    ["", "   ", "a", "  Kế  hoạch\tsố\n12 ", "\u00a0Ủy ban\u2003nhân dân\u3000", "x\x1cy\x1fz", "\u200bvô hình"],
)
def test_clean_squeezes_exactly_what_the_regex_did(text: str) -> None:
    assert clean(text) == re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Kế hoạch số 12", ("Kế hoạch số 12", False, False)),
        ("## I. MỤC ĐÍCH", ("I. MỤC ĐÍCH", False, True)),
        ("#hashtag không phải tiêu đề", ("#hashtag không phải tiêu đề", False, False)),
        ("**Nhiệm vụ** chính", ("Nhiệm vụ chính", True, False)),
        ("__gạch__ dưới", ("gạch dưới", True, False)),
        ("một *nghiêng* chữ", ("một nghiêng chữ", False, False)),
        ("điểm 5 * 3", ("điểm 5 * 3", False, False)),
        (r"số 1\. không phải mục", ("số 1. không phải mục", False, False)),
    ],
)
def test_markdown_is_stripped_only_where_its_marker_is(line: str, expected: tuple[str, bool, bool]) -> None:
    assert _strip_markdown(line) == expected


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Báo cáo TRƯỚC NGÀY 05/6 về UBND huyện", "2024-06-05"),
        ("Hoàn thành chậm nhất là ngày 10/7/2024", "2024-07-10"),
        ("gửi về hạn chót 15/8", "2024-08-15"),
        ("thời gian không quá 20/9", "2024-09-20"),
        ("báo cáo t rước ngày 31/02", None),
        ("HOÀN THÀNH TRUỚC 30/11", "2024-11-30"),
    ],
)
def test_deadlines_are_found_in_any_case(text: str, due: str | None) -> None:
    (found,) = find_deadlines(text, 2024)
    assert found[1] == due


@pytest.mark.parametrize(
    "text",
    ["Ngày 05/6/2024 tổ chức hội nghị tại xã", "Nhà nước ban hành 12 văn bản", "báo cáo trước ngày năm tháng"],
)
def test_paragraph_without_a_deadline_has_none(text: str) -> None:
    assert find_deadlines(text, 2024) == []


@pytest.mark.parametrize(
    "text",
    ["", "123 / 456", "Kế hoạch số 12/KH-UBND ngày 05/6", "  ti p công dân  ", "x²y ½ ſ İstanbul", "_a_b_", "ĐẢNG ỦY"],
)
def test_tokens_are_the_word_matches(text: str) -> None:
    expected = [(m.start(), m.end(), m.group(), _valid(m.group())) for m in WORD.finditer(text)]
    assert _tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thủ tướng Chính phủ về việc", ("Thủ tướng Chính phủ", 19, False)),
        ("Th  tướng Chính ph  về việc", ("Thủ tướng Chính phủ", 19, True)),
        ("Ban Bí thư Trung ương Đảng khóa XI", ("Ban Bí thư Trung ương Đảng", 26, False)),
        ("Ban Bí thưx", None),
        ("B   B   t   ", None),  # too little left to read
    ],
)
def test_known_issuer_at_the_start(text: str, expected: tuple[str, int, bool] | None) -> None:
    assert match_known_issuer(text) == expected
