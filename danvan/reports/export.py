"""Every unit's figures for a period as one spreadsheet, streamed: the "hand-typed Excel" it replaces.

A national period has about 100,000 reports; the export must neither hold them in memory nor build a
workbook in memory. Rows come from the database in chunks (``iterator``) as plain tuples, and the
openpyxl *write-only* workbook writes each row to a temporary file as it arrives, so the peak memory
does not grow with the number of reports (the bench checks < 300 MB for 100,000 rows).

Column titles are English msgids (this file is the system's own output, translated like the UI);
yes/no figures are written "Có"/"Không", the words of the official template's list, so that a
figure copied from the export into a template is accepted there.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from danvan.core.text import strip_diacritics
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids, next_prefix

from .models import Aggregation, Period, Submission, SubmissionStatus, ValueType
from .validation import spec_for
from .xlsx import ordered_indicators

CHUNK_SIZE = 2000
YES, NO = "Có", "Không"
_BOLD = Font(bold=True)


def ascii_slug(text: str) -> str:
    """ "6 tháng đầu năm 2026" → "6-thang-dau-nam-2026": safe in every mail and file system."""
    return re.sub(r"[^a-z0-9]+", "-", strip_diacritics(text or "").lower()).strip("-")[:80]


def values_filename(period: Period) -> str:
    return f"so-lieu-bao-cao-{ascii_slug(period.label) or period.pk}.xlsx"


def _header(ws: Any, titles: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = _BOLD
        cells.append(cell)
    return cells


def _provinces(root: OrgUnit) -> dict[int, str]:
    """Provinces above or under the root: at most a few dozen rows, looked up by path segment."""
    from django.db.models import Q

    in_subtree = Q(path__gte=root.path, path__lt=next_prefix(root.path))
    return dict(
        OrgUnit.objects.filter(Q(pk__in=ancestor_ids(root.path)) | in_subtree, kind__code="province")
        .values_list("pk", "name")
    )


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: the time as read on a clock in Viet Nam."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _cell_value(value_type: str, value: Any) -> Any:
    if value is None:
        return None
    if value_type == ValueType.BOOLEAN:
        return YES if value else NO
    if value_type == ValueType.TEXT:
        return str(value)
    if isinstance(value, bool):  # a stray boolean in a numeric field stays visible, not "1"
        return YES if value else NO
    if isinstance(value, int | float):
        return value
    return str(value)


def write_values_xlsx(period: Period, root: OrgUnit, out: BinaryIO) -> None:
    """One row per report of ``root``'s subtree (tree order), one column per indicator."""
    indicators = ordered_indicators(spec_for(period.regime.form))
    provinces = _provinces(root)
    statuses = dict(SubmissionStatus.choices)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Figures"))
    ws.freeze_panes = "C2"
    fixed = [_("Unit code"), _("Unit"), _("Province"), _("Consolidated at"), _("Status"), _("Submitted at"), _("Late")]
    ws.append(_header(ws, fixed + [ind.code for ind in indicators]))
    rows = (
        Submission.objects.filter(
            period=period, org_unit__path__gte=root.path, org_unit__path__lt=next_prefix(root.path)
        )
        .order_by("org_unit__path")
        .values_list(
            "org_unit__code", "org_unit__name", "org_unit__path", "anchor__name", "status", "submitted_at",
            "is_late", "values",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    kinds = [(ind.code, ind.value_type) for ind in indicators]
    for code, name, path, anchor, status, submitted_at, is_late, values in rows:
        province = next((provinces[pk] for pk in ancestor_ids(path) if pk in provinces), "")
        when = None
        if submitted_at is not None:
            when = WriteOnlyCell(ws, value=_local(submitted_at))
            when.number_format = "dd/mm/yyyy hh:mm"
        values = values or {}
        ws.append([
            code, name, province, anchor, str(statuses.get(status, status)), when,
            (YES if is_late else NO) if submitted_at is not None else None,
            *(_cell_value(vtype, values.get(ind_code)) for ind_code, vtype in kinds),
        ])
    sheet = wb.create_sheet(_("Indicators"))
    sheet.append(_header(sheet, [_("Code"), _("Indicator"), _("Unit of measure"), _("Aggregation")]))
    rules = dict(Aggregation.choices)
    for ind in indicators:
        sheet.append([ind.code, ind.name, ind.unit or "", str(rules.get(ind.aggregation, ind.aggregation))])
    wb.save(out)
