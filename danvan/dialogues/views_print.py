"""The commitment list of a dialogue, printable: an A4 web page and a Decree-30 Word document.

The list is what the next dialogue reads out: every promise made at this one (who keeps it, by
when, where it stands) and how the promises of the previous dialogue were kept. The Word file's
wording ("DANH SÁCH", column heads, states) is the fixed Vietnamese of an administrative document,
not UI text, like ``danvan.plans.export``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from danvan.documents.decree30 import (
    Heading,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    format_short_date,
    render_docx,
)
from danvan.orgs.models import OrgUnit

from . import queries
from .forms_commitments import STATE_LABELS
from .models import Commitment, Dialogue, DialogueStatus
from .views_common import dialogue_or_404, download

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STATE_WORDS = {
    "done_on_time": "Đã thực hiện đúng hạn",
    "done_late": "Đã thực hiện, chậm hạn",
    "dropped": "Không thực hiện được",
    "overdue": "Quá hạn, chưa thực hiện",
    "due_soon": "Đang thực hiện, sắp đến hạn",
    "on_track": "Đang thực hiện, trong hạn",
}
HEAD_ROW = ("STT", "Nội dung cam kết", "Đơn vị, người thực hiện", "Thời hạn", "Kết quả")
WIDTHS_MM = (12, 63, 35, 22, 33)  # 165 mm: the A4 text width of Decree 30's margins
_DIVISION_WORDS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "tỉnh", "huyện", "quận", "xã", "phường")


def _lists(dialogue: Dialogue) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    today = timezone.localdate()
    made = list(dialogue.commitments.filter(deleted_at__isnull=True).select_related("owner_unit"))

    def row(c: Commitment) -> dict[str, Any]:
        state = queries.state(c, today)
        return {"c": c, "state": state, "state_label": STATE_LABELS.get(state, state)}

    earlier = queries.to_report_back(dialogue) if dialogue.status != DialogueStatus.CANCELLED else []
    return [row(c) for c in made], [row(c) for c in earlier]


@login_required
@require_GET
def dialogue_print(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = dialogue_or_404(request, pk)
    made, earlier = _lists(dialogue)
    return render(request, "dialogues/print.html", {
        "dialogue": dialogue, "made": made, "earlier": earlier, "today": timezone.localdate(),
    })


# --------------------------------------------------------------------------- Word


def _body_name(unit: OrgUnit) -> str:
    return f"ỦY BAN NHÂN DÂN {unit.name}".upper() if unit.kind.is_administrative else unit.name.upper()


def _place(unit: OrgUnit) -> str:
    if not unit.kind.is_administrative and unit.parent is not None:
        unit = unit.parent
    name = unit.name
    for word in _DIVISION_WORDS:
        if name.lower().startswith(word + " "):
            return name[len(word) + 1:].strip()
    return name


def _result(row: dict[str, Any]) -> str:
    c = row["c"]
    words = STATE_WORDS.get(row["state"], row["state"])
    if c.done_on:
        words += f" (ngày {format_short_date(c.done_on)})"
    if c.evidence:
        words += f": {c.evidence}"
    return words


def _table(rows: list[dict[str, Any]]) -> Table:
    body = [HEAD_ROW]
    for i, row in enumerate(rows, 1):
        c = row["c"]
        owner = c.owner_unit.name + (f" ({c.owner_person})" if c.owner_person else "")
        body.append((str(i), c.text, owner, format_short_date(c.due_on), _result(row)))
    return Table(rows=body, widths_mm=WIDTHS_MM)


def commitment_document(dialogue: Dialogue) -> OfficialDocument:
    unit = dialogue.org_unit
    made, earlier = _lists(dialogue)
    held = format_short_date(dialogue.held_on)
    body: list[Any] = [Heading(f"Các nội dung đã cam kết tại buổi {dialogue.title} ngày {held}")]
    body.append(_table(made) if made else Paragraph("Không có nội dung cam kết."))
    if earlier:
        previous = dialogue.previous
        since = f" ngày {format_short_date(previous.held_on)}" if previous is not None else ""
        body.append(Heading(f"Kết quả thực hiện các nội dung đã cam kết tại buổi đối thoại trước{since}"))
        body.append(_table(earlier))
    administrative = unit.kind.is_administrative
    parent = unit.parent
    return OfficialDocument(
        issuing_body=_body_name(unit),
        parent_body=_body_name(parent) if not administrative and parent is not None and parent.kind.is_administrative
        else "",
        symbol="DS-UBND" if administrative else "DS",
        place=_place(unit),
        doc_type_title="DANH SÁCH",
        summary=f"Các nội dung cam kết tại buổi {dialogue.title} ngày {held}",
        body=body,
        signer=Signer(position="CHỦ TỊCH", authority_lines=("TM. ỦY BAN NHÂN DÂN",)) if administrative
        else Signer(position="THỦ TRƯỞNG ĐƠN VỊ"),
        recipients=["Các đơn vị được giao thực hiện"],
        title=f"Danh sách cam kết - {dialogue.title}",
    )


@login_required
@require_GET
def dialogue_print_docx(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = dialogue_or_404(request, pk)
    data = render_docx(commitment_document(dialogue))
    return download(data, f"danh-sach-cam-ket-{dialogue.pk}.docx", DOCX_TYPE)
