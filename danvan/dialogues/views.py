"""Officials' dialogue pages: the list (with the communes still owing this year's Front dialogue), a new
dialogue, its page with the promises made and those to report back, and its edit/held/cancel/delete.

Thin over ``danvan.dialogues.services``/``commitments``: they decide who may write and what is valid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors, run_posted
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of, subtree_q

from . import attachments, checks, queries, services
from .forms import (
    AttachmentForm,
    CancelForm,
    DeleteForm,
    DialogueEditForm,
    DialogueFilterForm,
    DialogueForm,
    HeldForm,
)
from .forms_commitments import STATE_LABELS, CommitmentForm, ProgressForm, ReportBackForm
from .models import Attachment, Commitment, CommitmentUpdate, Dialogue, DialogueStatus
from .rules import CHANGE_ROLES
from .views_common import (
    dialogue_or_404,
    editing_units,
    keyset,
    owner_units,
    pk_or_none,
    query_without_cursor,
    reading_units,
)

BANNER_NAMES = 10
PREVIOUS_YEARS = 3


# --------------------------------------------------------------------------- list


def _missing_front_dialogue(user: Any, unit: OrgUnit | None, year: int) -> dict[str, Any] | None:
    """The communes under the user (or under the unit picked) with no Front dialogue held this year."""
    if unit is not None:
        roots: list[OrgUnit | None] = [unit]
    elif scope_of(user).is_superuser:
        roots = [None]
    else:
        roots = list(OrgUnit.objects.current().filter(pk__in=scope_of(user).unit_ids).order_by("path"))
        kept: list[OrgUnit | None] = []
        for root in roots:  # a unit inside another one's subtree adds nothing
            if not any(k is not None and root is not None and root.path.startswith(k.path) for k in kept):
                kept.append(root)
        roots = kept
    total, names, seen = 0, [], set()  # type: tuple[int, list[str], set[int]]
    for root in roots:
        qs = checks.communes_without_front_dialogue(year, under=root)
        total += qs.count()
        for commune in qs.order_by("path")[:BANNER_NAMES]:
            if commune.pk not in seen and len(names) < BANNER_NAMES:
                seen.add(commune.pk)
                names.append(commune.name)
    if not total:
        return None
    return {"year": year, "count": total, "names": names, "more": max(total - len(names), 0)}


@login_required
def dialogue_list(request: HttpRequest) -> HttpResponse:
    units = reading_units(request.user)
    form = DialogueFilterForm(request.GET or None, units=units)
    qs = queries.dialogues_for(request.user).select_related("org_unit")
    unit = None
    if form.is_valid():
        d = form.cleaned_data
        unit = d["unit"]
        if unit is not None:
            qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["year"]:
            qs = qs.filter(held_on__year=d["year"])
    page = keyset(qs, request.GET.get("after"), date_field="held_on", descending=True)
    year = timezone.localdate().year
    return render(request, "dialogues/list.html", {
        "form": form, "page": page, "query": query_without_cursor(request),
        "can_create": editing_units(request.user).exists(),
        "missing": _missing_front_dialogue(request.user, unit, year),
    }, status=200 if form.is_bound is False or form.is_valid() else 400)


# --------------------------------------------------------------------------- create, edit


def _previous_choices(user: Any, unit: OrgUnit | None) -> QuerySet[Dialogue]:
    """Earlier dialogues offered as "previous": the unit's, or those of every unit the user edits (recent)."""
    qs = queries.dialogues_for(user).exclude(status=DialogueStatus.CANCELLED).order_by("-held_on", "-pk")
    if unit is not None:
        return qs.filter(org_unit=unit)
    scope = scope_of(user)
    if not scope.is_superuser:
        qs = qs.filter(subtree_q(scope.paths(CHANGE_ROLES), prefix="org_unit__"))
    since = timezone.localdate() - dt.timedelta(days=366 * PREVIOUS_YEARS)
    return qs.filter(held_on__gte=since)


@login_required
def dialogue_create(request: HttpRequest) -> HttpResponse:
    units = editing_units(request.user)
    if not units.exists():
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    picked_pk = pk_or_none(source.get("org_unit") or source.get("unit"))
    picked = units.filter(pk=picked_pk).first() if picked_pk is not None else None
    initial: dict[str, Any] = {"is_public": True}
    if picked is not None:
        initial["org_unit"] = picked.pk
    for name in ("kind", "previous"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = DialogueForm(request.POST or None, units=units, previous=_previous_choices(request.user, picked),
                        initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            org_unit = d.pop("org_unit")
            try:
                dialogue = services.create_dialogue(actor=request.user, org_unit=org_unit, **d)
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You are not allowed to record dialogues for this unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The dialogue was recorded."))
                return redirect("dialogues:detail", dialogue.pk)
    return render(request, "dialogues/dialogue_form.html", {"form": form, "dialogue": None}, status=status)


@login_required
def dialogue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = dialogue_or_404(request, pk)
    if not request.user.has_perm("dialogues.change_dialogue", dialogue):
        raise PermissionDenied
    previous = _previous_choices(request.user, dialogue.org_unit).filter(held_on__lte=dialogue.held_on).exclude(
        pk=dialogue.pk)
    initial = {name: getattr(dialogue, name) for name in (
        "kind", "title", "held_on", "starts_at", "place", "chaired_by", "participants", "participant_groups",
        "topics", "minutes", "is_public")}
    initial.update(previous=dialogue.previous_id, expected_version=dialogue.lock_version)
    form = DialogueEditForm(request.POST or None, previous=previous, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            version = d.pop("expected_version")
            changed = {k: v for k, v in d.items() if k in form.changed_data}
            try:
                services.update_dialogue(actor=request.user, dialogue=dialogue, expected_version=version, **changed)
            except ConcurrentEditError as exc:
                status = 409
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The dialogue was saved."))
                return redirect("dialogues:detail", dialogue.pk)
    return render(request, "dialogues/dialogue_form.html", {"form": form, "dialogue": dialogue}, status=status)


# --------------------------------------------------------------------------- detail and its actions


def commitment_rows(request: HttpRequest, commitments: list[Commitment],
                    forms: dict[int, Form] | None = None) -> list[dict[str, Any]]:
    """Each commitment with its state, whether the user may report its progress, and that form."""
    today = timezone.localdate()
    rows = []
    for c in commitments:
        can_update = request.user.has_perm("dialogues.update_commitment", c)
        state = queries.state(c, today)
        form = (forms or {}).get(c.pk)
        if form is None and can_update:
            form = ProgressForm(initial={"expected_version": c.lock_version, "status": c.status,
                                         "done_on": c.done_on, "evidence": c.evidence},
                                prefix=f"c{c.pk}")
        rows.append({"c": c, "state": state, "state_label": STATE_LABELS.get(state, state),
                     "can_update": can_update, "form": form})
    return rows


def render_detail(request: HttpRequest, dialogue: Dialogue, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    can_change = user.has_perm("dialogues.change_dialogue", dialogue)
    live = dialogue.status != DialogueStatus.CANCELLED
    commitments = list(
        dialogue.commitments.filter(deleted_at__isnull=True).select_related("owner_unit", "reported_at")
        .prefetch_related(Prefetch("updates", queryset=CommitmentUpdate.objects.select_related("actor")))
    )
    for c in commitments:
        c.dialogue = dialogue
    to_report = queries.to_report_back(dialogue) if live else []
    initial = {"expected_version": dialogue.lock_version}
    ctx: dict[str, Any] = {
        "dialogue": dialogue, "can_change": can_change, "live": live,
        "can_add_commitments": can_change and dialogue.status == DialogueStatus.HELD,
        "can_attach": attachments.may_change(user, dialogue),
        "can_delete": user.has_perm("dialogues.delete_dialogue", dialogue),
        "is_planned": dialogue.status == DialogueStatus.PLANNED,
        "rows": commitment_rows(request, commitments, forms.get("progress_forms")),
        "to_report": [{"c": c, "state": (s := queries.state(c)), "state_label": STATE_LABELS.get(s, s)}
                      for c in to_report],
        "attachments": list(Attachment.objects.filter(dialogue=dialogue, deleted_at__isnull=True)),
        "commitment_form": forms.get("commitment_form") or CommitmentForm(
            owner_units=owner_units(dialogue.org_unit, request.user),
            initial={"owner_unit": dialogue.org_unit_id, "is_public": dialogue.is_public}),
        "report_form": forms.get("report_form") or ReportBackForm(
            commitments=to_report, initial={"commitment_ids": [c.pk for c in to_report if c.reported_at_id]}),
        "held_form": forms.get("held_form") or HeldForm(initial={**initial, "participants": dialogue.participants,
                                                                 "minutes": dialogue.minutes}),
        "cancel_form": forms.get("cancel_form") or CancelForm(initial=initial),
        "delete_form": forms.get("delete_form") or DeleteForm(),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "dialogues/detail.html", ctx, status=status)


@login_required
def dialogue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, dialogue_or_404(request, pk))


def _action(request: HttpRequest, pk: int, form_class: type[Form], name: str, perm: str, call: Any,
            done: str) -> HttpResponse:
    """Validate, call the service, then back to the record (or to the list after a deletion)."""
    dialogue = dialogue_or_404(request, pk)
    if not request.user.has_perm(perm, dialogue):
        raise PermissionDenied
    after = reverse("dialogues:list") if name == "delete_form" else reverse("dialogues:detail", args=[dialogue.pk])
    return run_posted(
        request, form_class(request.POST), lambda data: call(dialogue, data), done=done, success_url=after,
        rerender=lambda form, status: render_detail(request, dialogue_or_404(request, pk) if status == 409 else dialogue,
                                                status=status, **{name: form}))


@login_required
@require_POST
def dialogue_held(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, HeldForm, "held_form", "dialogues.change_dialogue", lambda d, data: services.mark_held(
        actor=request.user, dialogue=d, **data), _("The dialogue was marked as held."))


@login_required
@require_POST
def dialogue_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, CancelForm, "cancel_form", "dialogues.change_dialogue",
                   lambda d, data: services.cancel_dialogue(actor=request.user, dialogue=d, **data),
                   _("The dialogue was cancelled."))


@login_required
@require_POST
def dialogue_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, DeleteForm, "delete_form", "dialogues.delete_dialogue",
                   lambda d, data: services.delete_dialogue(actor=request.user, dialogue=d, **data),
                   _("The dialogue was removed."))
