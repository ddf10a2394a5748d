"""People's boards pages: the list, a board with its members, work plans, findings and warnings, the forms
that keep them, and a finding with the government's response.

Thin over ``danvan.disclosures.boards``: it decides who may write and what is valid. A board or a finding
the user may not read is a 404, exactly like one that does not exist; an action not allowed is a 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.api.pagination import decode_cursor, encode_cursor, is_dated_key
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_paths
from danvan.orgs.scope import scope_of, subtree_q

from . import attachments, boards
from .forms_boards import (
    BoardEditForm,
    BoardFilterForm,
    BoardForm,
    DeleteForm,
    EndMemberForm,
    FindingForm,
    MemberForm,
    RespondForm,
    WorkPlanForm,
)
from .models import BoardFinding, BoardKind, BoardMember, PeopleBoard
from .rules import CHANGE_ROLES

PAGE_SIZE = 50


# --------------------------------------------------------------------------- helpers


def reading_units(user: Any) -> QuerySet[OrgUnit]:
    """The units a filter offers: those the user holds a role on (the roots for a superuser)."""
    scope = scope_of(user)
    qs = OrgUnit.objects.current().order_by("path")
    if scope.is_superuser:
        return qs.filter(parent__isnull=True)
    return qs.filter(pk__in=scope.unit_ids)


def editing_units(user: Any) -> QuerySet[OrgUnit]:
    """Units the user keeps records for: where they hold an editing role, and every unit below."""
    scope = scope_of(user)
    qs = OrgUnit.objects.current().select_related("kind").order_by("path")
    if scope.is_superuser:
        return qs
    return qs.filter(subtree_q(scope.paths(CHANGE_ROLES)))


def page_of(qs: QuerySet, request: HttpRequest, date_field: str, limit: int | None = None) -> tuple[list[Any], str | None]:
    """One page newest first, keyset on (date, id); a bad cursor starts again from the first page."""
    limit = limit or PAGE_SIZE
    try:
        key = decode_cursor(request.GET.get("after"), lambda v: is_dated_key(v, dt.date.fromisoformat))
    except ValidationError:
        key = None
    if key is not None:
        day = dt.date.fromisoformat(key[0])
        qs = qs.filter(Q(**{f"{date_field}__lt": day}) | Q(**{date_field: day, "pk__lt": key[1]}))
    rows = list(qs.order_by(f"-{date_field}", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor([getattr(rows[-1], date_field).isoformat(), rows[-1].pk]) if more and rows else None
    return rows, nxt


def query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


def with_state(items: list[Any]) -> list[Any]:
    today = timezone.localdate()
    for item in items:
        item.state, item.state_label = boards.response_state(item, today)
    return items


def _board(request: HttpRequest, pk: int) -> PeopleBoard:
    board = boards.boards_for(request.user).select_related("org_unit").filter(pk=pk).first()
    if board is None:
        raise Http404
    return board


def _finding(request: HttpRequest, pk: int) -> BoardFinding:
    finding = (boards.findings_for(request.user).select_related("board__org_unit", "addressed_to", "responded_by")
               .filter(pk=pk).first())
    if finding is None:
        raise Http404
    return finding


def _require(request: HttpRequest, perm: str, obj: Any) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _villages(board: PeopleBoard) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.current().subtree_of(board.org_unit, include_self=False).order_by("path")


def _addressees(board: PeopleBoard) -> QuerySet[OrgUnit]:
    """Whom a board answers to: its unit, the units above it, and the units below it."""
    unit = board.org_unit
    return OrgUnit.objects.current().filter(
        Q(path__in=ancestor_paths(unit.path)) | subtree_q([unit.path])).order_by("path")


# --------------------------------------------------------------------------- list, create


@login_required
def board_list(request: HttpRequest) -> HttpResponse:
    units = reading_units(request.user)
    form = BoardFilterForm(request.GET or None, units=units)
    qs = boards.boards_for(request.user).select_related("org_unit").annotate(
        active_members=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
        open_findings=Count("findings", filter=Q(findings__deleted_at__isnull=True,
                                                 findings__responded_on__isnull=True), distinct=True),
    )
    if form.is_valid():
        if form.cleaned_data["unit"] is not None:
            qs = qs.filter(subtree_q([form.cleaned_data["unit"].path], prefix="org_unit__"))
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
    rows, nxt = page_of(qs, request, "term_starts_on")
    return render(request, "disclosures/board_list.html", {
        "form": form, "boards": rows, "next": nxt, "query": query_without_cursor(request),
        "can_create": editing_units(request.user).exists(),
    })


@login_required
def board_create(request: HttpRequest) -> HttpResponse:
    units = editing_units(request.user)
    form = BoardForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                board = boards.create_board(actor=request.user, **form.cleaned_data)
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", boards._not_allowed())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The board was registered."))
                return redirect("disclosures:board_detail", board.pk)
    return render(request, "disclosures/board_form.html", {
        "form": form, "has_units": units.exists(), "board": None}, status=status)


# --------------------------------------------------------------------------- detail and its forms


def _detail(request: HttpRequest, board: PeopleBoard, *, status: int = 200, **forms: Form) -> HttpResponse:
    user = request.user
    can_change = user.has_perm("disclosures.change", board)
    members = list(board.members.select_related("village").order_by("left_on", "position", "full_name"))
    findings = with_state(list(board.findings.filter(deleted_at__isnull=True).select_related("addressed_to")
                               .order_by("-found_on", "-pk")[:PAGE_SIZE]))
    ctx: dict[str, Any] = {
        "board": board, "can_change": can_change, "can_delete": user.has_perm("disclosures.delete", board),
        "active_members": [m for m in members if m.left_on is None],
        "former_members": [m for m in members if m.left_on is not None],
        "work_plans": list(board.work_plans.order_by("-year", "period", "number")),
        "findings": findings, "warnings": boards.warnings(board),
        "is_investment": board.kind == BoardKind.INVESTMENT,
        "member_form": forms.get("member_form") or MemberForm(villages=_villages(board)),
        "end_form": forms.get("end_form") or EndMemberForm(initial={"left_on": timezone.localdate()}),
        "end_member": forms.get("end_member"),
        "workplan_form": forms.get("workplan_form") or WorkPlanForm(initial={"year": timezone.localdate().year}),
        "delete_form": forms.get("delete_form") or DeleteForm(),
    }
    return render(request, "disclosures/board_detail.html", ctx, status=status)


@login_required
def board_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _board(request, pk))


@login_required
def board_edit(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    _require(request, "disclosures.change", board)
    initial = {name: getattr(board, name) for name in boards.BOARD_FIELDS}
    form = BoardEditForm(request.POST or None, initial={**initial, "expected_version": board.lock_version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                boards.update_board(actor=request.user, board=board, **data)
            except ConcurrentEditError as exc:
                status = 409
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The board was saved."))
                return redirect("disclosures:board_detail", board.pk)
    return render(request, "disclosures/board_form.html", {"form": form, "has_units": True, "board": board},
                  status=status)


def _post(request: HttpRequest, board: PeopleBoard, form: Form, name: str, call: Any, done: str,
          extra: dict[str, Any] | None = None) -> HttpResponse:
    """Validate, call the service, and go back to the board, or show it again with the form's errors."""
    if form.is_valid():
        try:
            call(dict(form.cleaned_data))
        except ConcurrentEditError as exc:
            form.add_error(None, exc.messages)
            return _detail(request, board, status=409, **{name: form}, **(extra or {}))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            if name == "delete_form":
                return redirect("disclosures:board_list")
            return redirect("disclosures:board_detail", board.pk)
    return _detail(request, board, status=400, **{name: form}, **(extra or {}))


@login_required
@require_POST
def board_delete(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    _require(request, "disclosures.delete", board)
    return _post(request, board, DeleteForm(request.POST), "delete_form", lambda d: boards.delete_board(
        actor=request.user, board=board, **d), _("The board was removed."))


@login_required
@require_POST
def board_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    _require(request, "disclosures.change", board)
    form = MemberForm(request.POST, villages=_villages(board))

    def call(d: dict[str, Any]) -> None:
        user = d.pop("username")
        boards.add_member(actor=request.user, board=board, user=user, **d)

    return _post(request, board, form, "member_form", call, _("The member was added."))


@login_required
@require_POST
def board_member_end(request: HttpRequest, pk: int) -> HttpResponse:
    member = BoardMember.objects.filter(pk=pk).select_related("board").first()
    if member is None:
        raise Http404
    board = _board(request, member.board_id)
    _require(request, "disclosures.change", board)
    return _post(request, board, EndMemberForm(request.POST), "end_form", lambda d: boards.end_membership(
        actor=request.user, member=member, **d), _("The membership was ended."), extra={"end_member": member})


@login_required
@require_POST
def board_workplan_add(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    _require(request, "disclosures.change", board)
    return _post(request, board, WorkPlanForm(request.POST), "workplan_form", lambda d: boards.add_work_plan(
        actor=request.user, board=board, **d), _("The work plan was added."))


@login_required
def board_finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    board = _board(request, pk)
    _require(request, "disclosures.change", board)
    investment = board.kind == BoardKind.INVESTMENT
    form = FindingForm(request.POST or None, units=_addressees(board), investment=investment,
                       initial={"addressed_to": board.org_unit_id, "found_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                finding = boards.record_finding(actor=request.user, board=board, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The finding was recorded."))
                return redirect("disclosures:finding_detail", finding.pk)
    return render(request, "disclosures/finding_form.html", {"form": form, "board": board}, status=status)


# --------------------------------------------------------------------------- findings


def _finding_page(request: HttpRequest, finding: BoardFinding, *, status: int = 200,
                  respond_form: Form | None = None) -> HttpResponse:
    user = request.user
    with_state([finding])
    initial = {"expected_version": finding.lock_version, "response": finding.response,
               "responded_on": finding.responded_on or timezone.localdate(), "late_reason": finding.late_reason}
    return render(request, "disclosures/finding_detail.html", {
        "finding": finding, "board": finding.board,
        "can_respond": user.has_perm("disclosures.respond", finding),
        "respond_form": respond_form or RespondForm(initial=initial),
        "attachments": attachments.listed(finding),
        "can_attach": attachments.may_write(user, finding),
    }, status=status)


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _finding_page(request, _finding(request, pk))


@login_required
@require_POST
def finding_respond(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    _require(request, "disclosures.respond", finding)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            boards.respond_to_finding(actor=request.user, finding=finding, **form.cleaned_data)
        except ConcurrentEditError as exc:
            form.add_error(None, exc.messages)
            return _finding_page(request, finding, status=409, respond_form=form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The response was saved."))
            return redirect("disclosures:finding_detail", finding.pk)
    return _finding_page(request, finding, status=400, respond_form=form)
