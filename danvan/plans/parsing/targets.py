"""Quantified goals ("chỉ tiêu"): "95% các cơ quan ... đăng ký mô hình" → value 95, unit "%"."""

from __future__ import annotations

import re

PERCENT = re.compile(r"(?<![\d,.])(\d{1,3}(?:[,.]\d{1,2})?)\s*%")
COUNT = re.compile(r"(?<![\d,./])(\d{1,6})\s+([^\W\d_]+(?:\s(?:hộ|người|đơn vị|mô hình|cuộc|lượt|xã|thôn))?)")
_NOT_UNITS = {"năm", "tháng", "ngày", "giờ", "và", "đến", "hoặc", "trong", "các", "của"}


def number(text: str) -> int | float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


def read_target(text: str, percent_only: bool = False) -> dict[str, object] | None:
    """The first percentage (or, in a targets section, the first count of something) in ``text``."""
    match = PERCENT.search(text)
    if match:
        return {"text": text, "value": number(match.group(1)), "unit": "%"}
    if percent_only:
        return None
    for match in COUNT.finditer(text):
        unit = match.group(2)
        if unit.split()[0].lower() in _NOT_UNITS:
            continue
        return {"text": text, "value": number(match.group(1)), "unit": unit}
    return {"text": text, "value": None, "unit": None}
