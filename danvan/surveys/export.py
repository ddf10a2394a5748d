"""Exports of responses (CSV, XLSX) and of the index table (CSV), with constant memory.

Responses are read ``CHUNK`` rows at a time (``.iterator(chunk_size=...)``: a server-side cursor on
PostgreSQL) and written out as they come: CSV straight into the streamed response, XLSX through
openpyxl's write-only mode into a temporary file that is then streamed. A million responses never
sit in memory together.

One row per response: its id, date, unit, service, desk, the officer it was about, channel,
version, whether it was voided, then one column per question key (keys are stable across
versions, so a column means the same question in every version). No client hash, no token, no
idempotency key: nothing that could tell respondents apart. Free-text answers are written as text:
a value that a spreadsheet would read as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _

from .index import IndexResult
from .models import Question, Response, ResponseChannel

CHUNK = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_FIELDS = ("pk", "submitted_on", "org_unit__name", "service__name", "desk__name", "officer__first_name",
           "officer__last_name", "officer__username", "channel", "version__number", "voided_at", "answers")


def question_keys(responses_qs: QuerySet[Response]) -> list[str]:
    """The question keys of the versions answered: the newest version's order first, then keys only older ones had."""
    versions = responses_qs.order_by().values("version_id").distinct()
    rows = (Question.objects.filter(section__version_id__in=versions)
            .order_by("-section__version_id", "section__order", "order").values_list("key", flat=True))
    seen: dict[str, None] = {}
    for key in rows:
        seen.setdefault(key, None)
    return list(seen)


def header(keys: list[str]) -> list[str]:
    return [_("Response"), _("Date"), _("Unit"), _("Service"), _("Desk"), _("Officer"), _("Channel"), _("Version"),
            _("Voided"), *keys]


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _answer(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return _text("; ".join(str(v) for v in value))
    return _text(str(value))


def rows(responses_qs: QuerySet[Response], keys: list[str]) -> Iterator[list[Any]]:
    """One list per response in ``header`` order, read in chunks."""
    channels = {k: str(v) for k, v in ResponseChannel.choices}
    voided_word = _("voided")
    qs = responses_qs.order_by("pk").values_list(*_FIELDS)
    for (pk, day, unit, service, desk, first, last, username, channel, version, voided_at,
         answers) in qs.iterator(chunk_size=CHUNK):
        officer = f"{first} {last}".strip() or (username or "")
        answers = answers if isinstance(answers, dict) else {}
        yield [pk, day.strftime("%d/%m/%Y") if isinstance(day, dt.date) else "", _text(unit or ""),
               _text(service or ""), _text(desk or ""), _text(officer), channels.get(channel, channel), version,
               voided_word if voided_at else "", *(_answer(answers.get(k)) for k in keys)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(head: list[str], body: Iterable[list[Any]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that Excel shows Vietnamese letters correctly."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(head)).encode()
    batch: list[str] = []
    for row in body:
        batch.append(writer.writerow(row))
        if len(batch) >= 200:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def stream_csv(responses_qs: QuerySet[Response]) -> Iterator[bytes]:
    keys = question_keys(responses_qs)
    return _csv(header(keys), rows(responses_qs, keys))


def write_xlsx(responses_qs: QuerySet[Response], out: Any, title: str = "") -> int:
    """Write the workbook to ``out`` (a binary file) row by row; returns the number of responses."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    keys = question_keys(responses_qs)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Responses"))
    if title:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", _text(title))])
    ws.append(header(keys))
    count = 0
    for row in rows(responses_qs, keys):
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
        count += 1
    wb.save(out)
    return count


def xlsx_response(responses_qs: QuerySet[Response], filename: str, title: str = "") -> FileResponse:
    """The workbook written to a temporary file (constant memory), then sent from it and deleted with it."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes (and so deletes) it when sent
    try:
        write_xlsx(responses_qs, tmp, title)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


# --------------------------------------------------------------------------- the index table


def index_rows(result: IndexResult) -> Iterator[list[Any]]:
    """The index table: a row per group of the breakdown (or one for the whole) and a total row."""
    def share(v: float | None) -> Any:
        return "" if v is None else v

    groups = result.rows or []
    for r in groups:
        yield [_text(r.label), r.respondents, share(r.overall), *(share(e.share) for e in r.elements)]
    yield [_("Total"), result.respondents, share(result.overall), *(share(e.share) for e in result.elements)]


def index_header(result: IndexResult) -> list[str]:
    return [_("Group"), _("Respondents"), _("Overall index (%)"),
            *(f"{e.title} (%)" for e in result.elements)]


def index_csv(result: IndexResult) -> Iterator[bytes]:
    """The index table, then the formula on a last line: an empty figure is "not available", never zero."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(index_header(result))).encode()
    for row in index_rows(result):
        yield writer.writerow(row).encode()
    yield writer.writerow([_("Formula"), result.formula]).encode()
