"""Dates as Vietnamese documents write them, and report deadlines resolved against the plan's year."""

from __future__ import annotations

import re
from datetime import date

NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/])")
WORDED = re.compile(
    r"ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*(?:năm|n ăm|  ăm| ăm|nă m)\s*(\d{4})?",
    re.IGNORECASE,
)
HEADER_DATE = re.compile(
    r"(?:(?:ngày|gày)\s*(?P<d>\d{1,2})?\s*)?th[áa]ng\s*(?P<m>\d{1,2})?\s*(?:năm|\s?.?ăm|n.m)\s*(?P<y>\d{4})",
    re.IGNORECASE,
)
DEADLINE = re.compile(
    r"(?:(?:t?\s?r[ưu]ớc|chậm\s+nhất(?:\s+là)?|hạn\s+chót(?:\s+là)?|không\s+quá)\s+(?:ngày\s+)?)"
    r"(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(?P<m>\d{1,2})(?:\s*(?:/|-|\.|\s+năm\s+)\s*(?P<y>\d{4}))?(?![\d/])",
    re.IGNORECASE,
)


def make_date(day: int | None, month: int | None, year: int | None) -> str | None:
    """ISO text with the precision the document gives; an impossible date (31/02) is ``None``."""
    if year is None or not 1900 <= year <= 2200:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def full_date(day: str | None, month: str | None, year: str | None) -> str | None:
    """Only a complete day/month/year is a date; anything less is not a citation date."""
    if not (day and month and year):
        return None
    value = make_date(int(day), int(month), int(year))
    return value if value and len(value) == 10 else None


def _num(value: str | None) -> int | None:
    return int(value) if value else None


def header_date(text: str) -> str | None:
    """``ngày 05 tháng 6 năm 2024`` → 2024-06-05; blanks left for the signature day lower the precision."""
    match = HEADER_DATE.search(text)
    if not match:
        return None
    day, month, year = _num(match.group("d")), _num(match.group("m")), _num(match.group("y"))
    if month is None:
        day = None
    return make_date(day, month, year)


_CLAUSE_STOP = ",;:.("
# Every DEADLINE match holds one of these words (in any case) and a digit: most paragraphs skip the regex.
_DEADLINE_WORDS = ("rước", "ruớc", "nhất", "chót", "quá")
_DIGIT = re.compile(r"\d")


def find_deadlines(text: str, year: int | None) -> list[tuple[str, str | None, int, int]]:
    """(clause, due date, start, end) for each "trước ngày 05/6" in ``text``; no year → the plan's year."""
    out: list[tuple[str, str | None, int, int]] = []
    low = text.lower()
    if not any(word in low for word in _DEADLINE_WORDS) or not _DIGIT.search(text):
        return out
    previous = 0
    for match in DEADLINE.finditer(text):
        day, month = int(match.group("d")), int(match.group("m"))
        year_ = int(match.group("y")) if match.group("y") else year
        due = make_date(day, month, year_) if year_ else None
        if due is not None and len(due) != 10:
            due = None
        start, end = match.start(), match.end()
        before = text[:start].rstrip()
        after = text[end:]
        if before.endswith("(") and after.lstrip().startswith(")"):
            opening = len(before) - 1
            left_start = max((before.rfind(ch, 0, opening) for ch in ",;:.)"), default=-1) + 1
            left = before[left_start:opening].strip()
            clause = f"{left} ({text[start:end].strip()})" if left else text[start:end]
            end = end + after.find(")") + 1
            start = left_start
        else:
            left_start = max(max((before.rfind(ch) for ch in _CLAUSE_STOP), default=-1) + 1, previous)
            left = re.sub(r"^(?:và|hoặc)(?:\s+|$)", "", before[left_start:].strip())
            stops = [after.find(ch) for ch in ",;.)" if after.find(ch) >= 0]
            joint = re.search(r"\s(?:và|hoặc)\s|trước|chậm nhất", after)
            if joint:
                stops.append(joint.start())
            right = after[: min(stops)] if stops else after
            right = right if len(right) <= 80 else ""
            clause = " ".join(
                part for part in (left if len(left) <= 80 else "", text[start:end], right.strip()) if part
            )
            start = left_start if left and len(left) <= 80 else start
            end = end + len(right)
        out.append((" ".join(clause.split()), due, start, end))
        previous = match.end()
    return out
