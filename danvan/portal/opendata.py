"""Open data: every registered section's aggregated figures for a unit's subtree over a period.

The figures come from the sections' ``open_data`` functions (see ``registry``): counts and rates
only, never a row about a person. A value the app cannot give is ``None`` and is published as an
empty CSV cell or JSON ``null`` — "not available", which is not the same thing as 0.

One CSV layout serves one unit and all the provinces alike (a row per unit and figure), so a
spreadsheet can pivot either without reshaping.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.orgs.models import OrgUnit

from .registry import OpenFigure, sections

log = logging.getLogger(__name__)

MIN_YEAR = 2000
MAX_DAYS = 366 * 10
COLUMNS = ["unit_id", "unit_code", "unit_name", "date_from", "date_to", "key", "label", "value", "unit"]


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date


def _parse(raw: str, name: str) -> dt.date:
    text = raw.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day, no time
        except ValueError:
            continue
        if day.year < MIN_YEAR or day.year > timezone.localdate().year + 1:
            break
        return day
    raise ValidationError({name: _("Enter a valid date as yyyy-mm-dd or dd/mm/yyyy, from the year 2000 on.")})


def period(params: Any) -> Period:
    """The period asked for in ``from``/``to`` (default: 1 January of this year to today)."""
    today = timezone.localdate()
    raw_from, raw_to = params.get("from") or "", params.get("to") or ""
    errors: dict[str, Any] = {}
    date_from, date_to = today.replace(month=1, day=1), today
    for name, raw in (("from", raw_from), ("to", raw_to)):
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            day = _parse(raw, name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if name == "from":
            date_from = day
        else:
            date_to = day
    if not errors and date_to < date_from:
        errors["to"] = [_("The end date must be on or after the start date.")]
    if not errors and (date_to - date_from).days > MAX_DAYS:
        errors["to"] = [_("The period can be at most ten years long.")]
    if errors:
        raise ValidationError(errors)
    return Period(date_from, date_to)


def cache_seconds() -> int:
    """How long a rendered page or a file of figures is kept (``DANVAN_PORTAL_CACHE_SECONDS``; 0: not at all)."""
    return int(getattr(settings, "DANVAN_PORTAL_CACHE_SECONDS", 300))


def cached(key: str, build: Callable[[], Any]) -> Any:
    ttl = cache_seconds()
    if ttl <= 0:
        return build()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, ttl)
    return value


def figures(unit: OrgUnit, when: Period) -> list[OpenFigure]:
    """All sections' figures for the unit's subtree, in the sections' order; a failing section is left out."""
    out: list[OpenFigure] = []
    for section in sections():
        if section.open_data is None:
            continue
        try:
            out.extend(section.open_data(unit, when.date_from, when.date_to))
        except Exception:  # one app's fault must not take every other app's figures down with it
            log.exception("portal: open data of section %s failed for unit %s", section.key, unit.pk)
    return out


def _value(v: Any) -> int | float | None:
    if v is None or isinstance(v, bool):
        return None
    return v if isinstance(v, int | float) else None


def as_json(unit: OrgUnit, when: Period, figs: list[OpenFigure]) -> dict[str, Any]:
    return {
        "unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
        "date_from": when.date_from.isoformat(), "date_to": when.date_to.isoformat(),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "figures": [{"key": f.key, "label": str(f.label), "value": _value(f.value), "unit": f.unit} for f in figs],
    }


def csv_rows(unit: OrgUnit, when: Period, figs: list[OpenFigure]) -> list[list[Any]]:
    rows = []
    for f in figs:
        value = _value(f.value)
        rows.append([unit.pk, unit.code, unit.name, when.date_from.isoformat(), when.date_to.isoformat(),
                     f.key, str(f.label), "" if value is None else value, f.unit])
    return rows


def to_csv(rows: list[list[Any]]) -> str:
    """UTF-8 with a byte order mark, so that a spreadsheet opened by double-click shows the diacritics."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_safe_cell(c) for c in row])
    return buf.getvalue()


def _safe_cell(cell: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def national_rows(when: Period) -> list[list[Any]]:
    """Every current province's figures, one after the other (the queries run per province: cache the result)."""
    from .queries import provinces

    rows: list[list[Any]] = []
    for province in provinces():
        rows.extend(csv_rows(province, when, figures(province, when)))
    return rows


def national_json(when: Period) -> dict[str, Any]:
    from .queries import provinces

    return {
        "date_from": when.date_from.isoformat(), "date_to": when.date_to.isoformat(),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "provinces": [as_json(p, when, figures(p, when)) for p in provinces()],
    }
