"""The officials' case pages: the work list, intake, a case with its deadlines and steps, each workflow step.

Thin over ``services`` (writes), ``queries`` (the work list, the deadline colour), ``workflow`` and
``rules`` (which buttons), ``identity`` (the whistleblower). Two promises hold on every page here:

- a denunciation's filer is never rendered, except on the identity page's POST response to an
  assigned handler (never cached, never in a URL); the intake form only echoes back what the
  officer typed, on an uncached response;
- whatever goes wrong (bad input, someone else moving the case first), the form comes back with
  everything typed and the reason beside the field.

Pages of the attachments, notices and duplicates work are linked by URL name only when the name
exists, so these pages work before those parts land.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.core.text import search_key
from danvan.orgs.models import Membership, OrgUnit
from danvan.orgs.paths import ancestor_paths
from danvan.orgs.scope import subtree_q

from . import duplicates, identity, public, queries, services, workflow
from . import rules as petition_rules
from .deadlines import compute_deadlines
from .forms_cases import (
    MANY_SIGNERS,
    STATUS_ALL,
    STATUS_OPEN,
    ActionForm,
    DuplicateLinkForm,
    HandlerForm,
    IntakeForm,
    RevealForm,
    WorklistFilterForm,
    parse_number,
)
from .models import (
    OPEN_STATUSES,
    CaseHandler,
    Petition,
    PetitionField,
    PetitionKind,
    PetitionStatus,
    RuleKind,
)
from .views import LABELS as DEADLINE_LABELS

PAGE_SIZE = 50
# A select of units shows at most this many (a commune officer has a handful; a national admin filters by search).
UNIT_CHOICES_MAX = 300
EVENTS_MAX = 200
DUPLICATES_MAX = 20
NEXT_DUE_LABELS = {
    "acceptance": gettext_lazy("acceptance"),
    "feedback": gettext_lazy("reply to the citizen"),
    "forward": gettext_lazy("forwarding"),
    "resolution": gettext_lazy("resolution"),
}
STATE_LABELS = {"green": gettext_lazy("On time"), "amber": gettext_lazy("Due soon"), "red": gettext_lazy("Overdue")}


def _url(name: str, *args: Any) -> str | None:
    """The URL if that page exists yet (pages of other parts of the work may not)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _unit_choices(field: Any, units: QuerySet[OrgUnit], empty: Any = None) -> None:
    """Show at most ``UNIT_CHOICES_MAX`` units; the field still validates against the whole queryset."""
    choices: list[tuple[Any, str]] = [("", str(empty))] if empty is not None else []
    choices += [(u.pk, u.name) for u in units.only("pk", "name", "path")[:UNIT_CHOICES_MAX]]
    field.widget.choices = choices


def _rule_kind(kind: str) -> str:
    return RuleKind.COMPLAINT if kind == PetitionKind.MIXED else kind


def petition_for(request: HttpRequest, pk: int) -> Petition:
    """The case if the user may read it; 404 otherwise (another province's case does not exist for them)."""
    petition = get_object_or_404(
        Petition.objects.alive().visible_to(request.user).select_related(
            "org_unit", "field", "first_round", "duplicate_of", "forwarded_to", "over_level_of", "created_by",
        ),
        pk=pk,
    )
    if not request.user.has_perm("petitions.view_petition", petition):
        raise Http404
    return petition


def _due_info(petition: Petition, today: dt.date) -> dict[str, Any]:
    return {
        "date": petition.next_due,
        "for": NEXT_DUE_LABELS.get(petition.next_due_key, petition.next_due_key),
        "state": queries.deadline_state(petition, today) if petition.next_due else "",
        "state_label": STATE_LABELS[queries.deadline_state(petition, today)] if petition.next_due else "",
    }


# --------------------------------------------------------------------------- work list


def _cursor(petition: Petition) -> str:
    due, pk = queries.page_key(petition)
    return f"{due.isoformat() if due else 'none'}_{pk}"


def _parse_cursor(text: str | None) -> tuple[dt.date | None, int] | None:
    if not text:
        return None
    due_text, _sep, pk_text = text.partition("_")
    try:
        due = None if due_text == "none" else dt.date.fromisoformat(due_text)
        return due, int(pk_text)
    except ValueError:
        return None


def _search_q(text: str) -> Q:
    number = parse_number(text)
    if number is not None:
        return Q(number=number[0], number_year=number[1])
    words = search_key(text).split()
    q = Q()
    for word in words[:8]:
        q &= Q(search_text__contains=word)
    if text.strip().isdigit():
        q |= Q(number=int(text.strip()))
    return q


def _filtered(user: Any, data: dict[str, Any], after: tuple[dt.date | None, int] | None, today: dt.date,
              limit: int) -> list[Petition]:
    """One keyset page of the filtered list, in the work list's order (next deadline, then id); no count."""
    qs = (
        Petition.objects.alive().visible_to(user).select_related("org_unit", "field")
        .order_by(F("next_due").asc(nulls_last=True), "pk")
    )
    status = data.get("status") or STATUS_OPEN
    if status == STATUS_OPEN:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != STATUS_ALL:
        qs = qs.filter(status=status)
    if data.get("unit") is not None:
        qs = qs.filter(subtree_q([data["unit"].path], prefix="org_unit__"))
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("field") is not None:
        qs = qs.filter(field=data["field"])
    if data.get("overdue"):
        qs = qs.filter(status__in=OPEN_STATUSES, next_due__lt=today)
    if data.get("prolonged"):
        qs = qs.filter(prolonged_since__isnull=False)
    if data.get("over_level"):
        qs = qs.filter(over_level=True)
    if (data.get("q") or "").strip():
        qs = qs.filter(_search_q(data["q"]))
    if after is not None:
        due, pk = after
        if due is None:
            qs = qs.filter(next_due__isnull=True, pk__gt=pk)
        else:
            qs = qs.filter(Q(next_due__gt=due) | Q(next_due=due, pk__gt=pk) | Q(next_due__isnull=True))
    return list(qs[:limit])


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    units = OrgUnit.objects.visible_to(user).current().order_by("path")
    fields = PetitionField.objects.filter(active=True)
    form = WorklistFilterForm({k: v for k, v in request.GET.items() if k != "after"} or None,
                              units=units, fields=fields)
    _unit_choices(form.fields["unit"], units, empty=_("All my units"))
    items: list[Petition] = []
    more = False
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        after = _parse_cursor(request.GET.get("after"))
        plain = not any(data.get(k) for k in ("q", "kind", "field", "overdue", "prolonged", "over_level")) and (
            data.get("status") or STATUS_OPEN) == STATUS_OPEN
        if plain:
            items = queries.worklist(user, unit=data.get("unit"), after=after, limit=PAGE_SIZE + 1)
        else:
            items = _filtered(user, data, after, today, PAGE_SIZE + 1)
        more = len(items) > PAGE_SIZE
        items = items[:PAGE_SIZE]
    detail = reverse("petitions:detail", args=[2147483647]).rpartition("2147483647")
    rows = [{
        "p": p, "url": f"{detail[0]}{p.pk}{detail[2]}", "due": _due_info(p, today),
        "many_signers": p.signers >= MANY_SIGNERS,
    } for p in items]
    next_url = None
    if more and items:
        params = {k: v for k, v in request.GET.items() if k != "after"}
        params["after"] = _cursor(items[-1])
        next_url = f"?{urlencode(params)}"
    can_receive = OrgUnit.objects.visible_to(user, roles=workflow.INTAKE_ROLES).current().exists()
    return render(request, "petitions/cases/list.html", {
        "form": form, "rows": rows, "next_url": next_url, "first_page": "after" in request.GET,
        "can_receive": can_receive, "page_size": PAGE_SIZE,
    })


# --------------------------------------------------------------------------- intake


def _intake_units(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user, roles=workflow.INTAKE_ROLES).current().order_by("path")


def _first_round(user: Any, text: str, unit: OrgUnit | None) -> Petition | None:
    """The first-round complaint cited as "12/2026" among the complaints the user can see.

    Numbers restart per unit, so the same number can exist in several units: the one in the
    receiving unit's line (its subtree or a unit above it) wins; otherwise the number must be unique.
    """
    number = parse_number(text)
    if number is None:
        return None
    found = list(
        Petition.objects.alive().visible_to(user).filter(
            number=number[0], number_year=number[1], kind=PetitionKind.COMPLAINT,
        ).select_related("org_unit")[:10]
    )
    if len(found) > 1 and unit is not None:
        line = [p for p in found if p.org_unit.path.startswith(unit.path) or unit.path.startswith(p.org_unit.path)]
        found = line or found
    if len(found) != 1:
        raise ValidationError({"first_round_number": (
            _("No complaint with this number that you can see.") if not found
            else _("Several complaints have this number; ask the unit that holds the first round."))})
    return found[0]


@login_required
@never_cache
def intake(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = _intake_units(user)
    if not units.exists():
        raise PermissionDenied(_("You are not allowed to receive petitions."))
    fields = PetitionField.objects.filter(active=True)
    form = IntakeForm(request.POST or None, units=units, fields=fields)
    _unit_choices(form.fields["org_unit"], units)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            cd = form.cleaned_data
            try:
                first_round = (_first_round(user, cd["first_round_number"], cd["org_unit"])
                               if cd.get("first_round_number") else None)
                petition = services.receive_petition(
                    actor=user, org_unit=cd["org_unit"], received_on=cd["received_on"], channel=cd["channel"],
                    kind=cd["kind"], summary=cd["summary"], content=cd["content"], filer_name=cd["filer_name"],
                    filer_address=cd["filer_address"], anonymous=cd["anonymous"], signers=cd["signers"],
                    field=cd["field"], forwarded_by=cd["forwarded_by"], round=cd["round"], first_round=first_round,
                    identity=form.identity(), idempotency_key=cd["idempotency_key"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, IntakeForm.RENAME)
            else:
                messages.success(request, _("Petition %(number)s was received.") % {"number": str(petition)})
                return redirect("petitions:detail", petition.pk)
    return render(request, "petitions/cases/new.html", {
        "form": form, "candidates_url": reverse("petitions:duplicate_candidates"),
        "identity_fields": [form[n] for n in IntakeForm.IDENTITY_FIELD_NAMES],
    }, status=status)


@login_required
@require_GET
def duplicate_candidates(request: HttpRequest) -> HttpResponse:
    """The partial under the intake form: possible duplicates of what is being typed.

    Only the summary, content and a non-protected filer's name and address travel here (a GET: a
    denunciation's identity must never be in a URL, so it is not sent).
    """
    user = request.user
    summary = (request.GET.get("summary") or "").strip()[:500]
    candidates: list[Any] = []
    if summary and hasattr(duplicates, "candidates"):
        unit = None
        unit_id = request.GET.get("org_unit") or ""
        if unit_id.isdigit():
            unit = _intake_units(user).filter(pk=int(unit_id)).first()
        candidates = duplicates.candidates(
            user, summary=summary, content=(request.GET.get("content") or "")[:5000],
            filer_name=(request.GET.get("filer_name") or "")[:200],
            filer_address=(request.GET.get("filer_address") or "")[:300], unit=unit, limit=10,
        )
    detail = reverse("petitions:detail", args=[2147483647]).rpartition("2147483647")
    rows = [{"c": c, "p": c.petition, "url": f"{detail[0]}{c.petition.pk}{detail[2]}",
             "percent": round(float(c.score) * 100)} for c in candidates]
    return render(request, "petitions/cases/_candidates.html", {"rows": rows, "asked": bool(summary)})


# --------------------------------------------------------------------------- one case


def _deadline_rows(petition: Petition, today: dt.date) -> list[dict[str, Any]]:
    try:
        result = compute_deadlines(
            _rule_kind(petition.kind), petition.received_on, petition.accepted_on, round=petition.round or 1,
            complex=petition.is_complex, remote=petition.is_remote, extensions=petition.extensions,
            today=max(today, petition.accepted_on or petition.received_on),
        )
    except ValidationError:
        return []
    return [{"label": DEADLINE_LABELS[key], "date": due, "basis": rule.legal_basis}
            for key, due, rule in result.rows()]


def _handler_candidates(petition: Petition) -> QuerySet[Any]:
    """Active users holding a handling role on the case's unit or a unit above it."""
    user_ids = Membership.objects.filter(
        revoked_at__isnull=True, role__in=workflow.ASSIGNABLE_ROLES,
        org_unit__path__in=ancestor_paths(petition.org_unit.path), org_unit__valid_to__isnull=True,
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


def _detail_context(request: HttpRequest, petition: Petition) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    can_reveal = identity.can_reveal(user, petition) if petition.kind == PetitionKind.DENUNCIATION else False
    events = list(petition.events.select_related("actor").order_by("at", "pk")[:EVENTS_MAX])
    notice_url = _url("petitions:notice_docx", 2147483647)
    notices = [{"n": n, "url": notice_url.replace("2147483647", str(n.pk)) if notice_url else None}
               for n in petition.notices.order_by("issued_on", "pk")]
    attachment_url = _url("petitions:attachment", 2147483647)
    attachments = [{
        "a": a, "protected": a.identifies_filer and not can_reveal,
        "url": (attachment_url.replace("2147483647", str(a.pk))
                if attachment_url and (not a.identifies_filer or can_reveal) else None),
    } for a in petition.attachments.filter(deleted_at__isnull=True).order_by("uploaded_at", "pk")]
    dups = list(Petition.objects.alive().visible_to(user).filter(duplicate_of=petition)
                .select_related("org_unit").order_by("pk")[:DUPLICATES_MAX])
    can_assign = user.has_perm("petitions.assign_handler", petition)
    handlers = list(CaseHandler.objects.filter(petition=petition, revoked_at__isnull=True)
                    .select_related("user").order_by("assigned_at", "pk"))
    actions = [{"act": a, "url": reverse("petitions:act", args=[petition.pk, a.name])}
               for a in workflow.actions_from(petition.status, petition.kind)
               if petition_rules.may(user, a.name, petition)]
    can_link = (hasattr(duplicates, "link_duplicate") and petition.duplicate_of_id is None
                and petition_rules.may(user, "classify", petition) and petition.is_open)
    return {
        "p": petition, "due": _due_info(petition, today), "deadlines": _deadline_rows(petition, today),
        "criteria": [workflow.ComplexCriterion(c).label for c in petition.complex_criteria
                     if c in workflow.ComplexCriterion.values],
        "events": events, "notices": notices, "attachments": attachments,
        "attachment_add_url": _url("petitions:attachment_add", petition.pk),
        "dups": dups, "handlers": handlers, "can_assign": can_assign,
        "assign_form": HandlerForm(users=_handler_candidates(petition)) if can_assign else None,
        "actions": actions, "can_reveal": can_reveal, "can_link": can_link,
        "link_form": DuplicateLinkForm() if can_link else None,
        "many_signers": petition.signers >= MANY_SIGNERS,
        "is_denunciation": petition.kind == PetitionKind.DENUNCIATION,
        "can_publish": (petition.kind != PetitionKind.DENUNCIATION
                        and user.has_perm("petitions.publish_result", petition)
                        and petition.status in (PetitionStatus.RESOLVED, PetitionStatus.CLOSED)),
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request, pk)
    return render(request, "petitions/cases/detail.html", _detail_context(request, petition))


@login_required
@require_POST
def handler_assign(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request, pk)
    if not request.user.has_perm("petitions.assign_handler", petition):
        raise PermissionDenied(_("Only the head or an administrator of the unit can assign handlers."))
    form = HandlerForm(request.POST, users=_handler_candidates(petition))
    if form.is_valid():
        try:
            services.assign_handler(actor=request.user, petition=petition, user=form.cleaned_data["user"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The handler was assigned."))
    else:
        messages.error(request, _("Choose an officer who holds a handling role in this unit."))
    return redirect("petitions:detail", petition.pk)


@login_required
@require_POST
def handler_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request, pk)
    if not request.user.has_perm("petitions.assign_handler", petition):
        raise PermissionDenied(_("Only the head or an administrator of the unit can assign handlers."))
    handler = CaseHandler.objects.filter(
        petition=petition, revoked_at__isnull=True, user_id=request.POST.get("user") or 0
    ).select_related("user").first() if (request.POST.get("user") or "").isdigit() else None
    if handler is None:
        messages.error(request, _("This user is not a handler of this case."))
    else:
        services.revoke_handler(actor=request.user, petition=petition, user=handler.user)
        messages.success(request, _("The handler's assignment was ended."))
    return redirect("petitions:detail", petition.pk)


@login_required
@require_POST
def link_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    petition = petition_for(request, pk)
    if not petition_rules.may(request.user, "classify", petition):
        raise PermissionDenied(_("Your role does not allow this step."))
    if not hasattr(duplicates, "link_duplicate"):
        raise Http404
    form = DuplicateLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
        return redirect("petitions:detail", petition.pk)
    number = parse_number(form.cleaned_data["original_number"]) or (0, 0)  # the form checked the shape
    originals = list(Petition.objects.alive().visible_to(request.user).filter(
        number=number[0], number_year=number[1]).exclude(pk=petition.pk).select_related("org_unit")[:10])
    same_unit = [o for o in originals if o.org_unit_id == petition.org_unit_id]
    originals = same_unit or originals
    if len(originals) != 1:
        messages.error(request, _("No petition with this number that you can see.") if not originals
                       else _("Several petitions have this number in other units; link it from the original's unit."))
        return redirect("petitions:detail", petition.pk)
    try:
        duplicates.link_duplicate(actor=request.user, petition=petition, original=originals[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The petition was linked as a duplicate of %(number)s.") % {
            "number": str(originals[0])})
    return redirect("petitions:detail", petition.pk)


@login_required
@require_POST
def publish_result(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish (or take down) a decided case's result on the public site, in words without personal data."""
    petition = petition_for(request, pk)
    version = request.POST.get("expected_version", "")
    version_int = int(version) if version.isdigit() else -1
    try:
        if request.POST.get("unpublish"):
            public.unpublish_result(actor=request.user, petition=petition, expected_version=version_int)
            messages.success(request, _("The result was taken off the public site."))
        else:
            public.publish_result(actor=request.user, petition=petition, text=request.POST.get("text", ""),
                                  expected_version=version_int)
            messages.success(request, _("The result was published on the public site."))
    except ConcurrentEditError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("petitions:detail", petition.pk)


# --------------------------------------------------------------------------- workflow steps


def _forward_units(petition: Petition) -> QuerySet[OrgUnit]:
    """Units a case can be forwarded to, those of its own province first (any other body is typed by name)."""
    return OrgUnit.objects.current().exclude(pk=petition.org_unit_id).order_by("path")


@login_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    petition = petition_for(request, pk)
    step = workflow.action(action)
    if step is None:
        raise Http404
    user = request.user
    if not petition_rules.may(user, action, petition):
        raise PermissionDenied(_("Your role does not allow this step: %(action)s.") % {"action": step.label})
    units = _forward_units(petition)
    root = petition.org_unit.path[:9]

    def make(data: Any = None) -> ActionForm:
        form = ActionForm(data, act=step, petition=petition, units=units)
        if "to_unit" in form.fields:
            near = units.filter(path__startswith=root)
            _unit_choices(form.fields["to_unit"], near, empty=_("(another body, named below)"))
        return form

    allowed = step.allows_state(petition.status) and step.allows_kind(petition.kind)
    if request.method != "POST":
        if not allowed:
            messages.error(request, _("A petition that is %(status)s cannot take the step: %(action)s.") % {
                "status": petition.get_status_display().lower(), "action": step.label})
            return redirect("petitions:detail", petition.pk)
        return _act_page(request, petition, step, make())
    form = make(request.POST)
    if not form.is_valid():
        return _act_page(request, petition, step, form, status=400)
    try:
        services.transition(actor=user, petition=petition, action=action,
                            expected_version=form.cleaned_data["expected_version"], **form.service_data())
    except ConcurrentEditError:
        fresh = petition_for(request, pk)
        data = request.POST.copy()
        data["expected_version"] = str(fresh.lock_version)
        form = make(data)
        form.is_valid()
        form.add_error(None, _("Someone else changed this petition while you were working on it; nothing was "
                               "saved. Your input is kept below: check the case's current state, then submit "
                               "again."))
        return _act_page(request, fresh, step, form, status=409, conflict=True)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _act_page(request, petition, step, form, status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": step.label})
    return redirect("petitions:detail", petition.pk)


def _act_page(request: HttpRequest, petition: Petition, step: workflow.Action, form: ActionForm, *,
              status: int = 200, conflict: bool = False) -> HttpResponse:
    return render(request, "petitions/cases/act.html", {
        "p": petition, "act": step, "form": form, "conflict": conflict,
        "due": _due_info(petition, timezone.localdate()),
    }, status=status)


# --------------------------------------------------------------------------- whistleblower identity


@login_required
@never_cache
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The filer's identity, shown once on the POST response to an assigned handler who gives a reason."""
    petition = petition_for(request, pk)
    if petition.kind != PetitionKind.DENUNCIATION or not identity.can_reveal(request.user, petition):
        raise PermissionDenied(_("Only the officers assigned to handle this case may see the filer's identity."))
    form = RevealForm(request.POST or None)
    shown: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                values = identity.reveal_identity(actor=request.user, petition=petition,
                                                  reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
                if "identity" in getattr(exc, "error_dict", {}):
                    status = 404
            else:
                status = 200
                shown = [(str(identity._field_label(k)), v) for k, v in values.items() if k in identity.FIELDS]
                form = RevealForm()
    response = render(request, "petitions/cases/identity.html", {"p": petition, "form": form, "shown": shown},
                      status=status)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["Pragma"] = "no-cache"
    return response


__all__ = [
    "act", "detail", "duplicate_candidates", "handler_assign", "handler_revoke", "intake", "link_duplicate",
    "petition_for", "reveal", "worklist",
]
