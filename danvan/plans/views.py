"""The plan pages: list, detail, editing of drafts, workflow, import with review, cascade and coverage.

Views are thin: find the plan among those the user may see (404 otherwise), check the permission
(403, or a message when the plan is locked), validate a form and call a service. Every rule lives in
services.py and rules.py; every read goes through the scoped queries.
"""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors
from danvan.core.text import strip_diacritics
from danvan.legal.models import LegalDocument
from danvan.legal.queries import search_documents
from danvan.orgs.models import OrgUnit
from danvan.orgs.paths import ancestor_ids, next_prefix
from danvan.orgs.scope import scope_of

from . import queries, services
from .forms import (
    CHOICE_LIMIT,
    AssignmentForm,
    CopyPlanForm,
    DeadlineForm,
    DerivePlanForm,
    ImportReviewForm,
    ImportUploadForm,
    IssueForm,
    LegalBasesForm,
    NewPlanForm,
    PlanForm,
    ProgressForm,
    SectionForm,
    TargetForm,
    TargetValueForm,
    TaskForm,
    plan_initial,
)
from .models import (
    Assignment,
    Plan,
    PlanDeadline,
    PlanKind,
    PlanSection,
    PlanStatus,
    Target,
    Task,
    TaskStatus,
)
from .rules import PLAN_EDITORS

log = logging.getLogger(__name__)

PAGE_SIZE = 50
IMPORT_CACHE_SECONDS = 3600
IMPORT_MAX_BYTES = 10 * 1024 * 1024


def _import_limit() -> int:
    from .parsing import MAX_BYTES

    return min(int(getattr(settings, "DANVAN_PLAN_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)), MAX_BYTES)


# ---------------------------------------------------------------------------------------------
# Finding plans and checking what the user may do with them


def _visible(request: HttpRequest) -> QuerySet[Plan]:
    return queries.plans_visible_to(request.user)


def _plan(request: HttpRequest, pk: int) -> Plan:
    """The plan if the user may read it; 404 otherwise (a plan of another province does not exist for them)."""
    plan = get_object_or_404(_visible(request).select_related("issuer", "issuer__kind", "amends", "parent_plan"), pk=pk)
    if not request.user.has_perm("plans.view_plan", plan):
        raise Http404
    return plan


def _editable(request: HttpRequest, pk: int) -> tuple[Plan, HttpResponse | None]:
    """The draft the user may edit; an issued plan answers with a message instead of a form."""
    plan = _plan(request, pk)
    if plan.status != PlanStatus.DRAFT:
        messages.error(request, _("This plan has been issued and is locked. To change it, make an amendment."))
        return plan, redirect("plans:detail", plan.pk)
    if not request.user.has_perm("plans.change_plan", plan):
        raise PermissionDenied(_("Only officers of the issuing unit may edit this draft."))
    return plan, None



def _editing_units(request: HttpRequest) -> QuerySet[OrgUnit]:
    """Units the user may issue plans for: those where they hold an editing role (a short list)."""
    scope = scope_of(request.user)
    ids = sorted({g.unit_id for g in scope.grants if g.role in PLAN_EDITORS})
    if not ids and scope.is_superuser:
        return OrgUnit.objects.current().filter(parent__isnull=True).order_by("path")
    return OrgUnit.objects.current().filter(pk__in=ids).order_by("path")


def _units_for_plan(plan: Plan, request: HttpRequest, keep: list[int | None] | None = None) -> QuerySet[OrgUnit]:
    """Units offered on a task or an assignment: the issuer and the units right under it.

    The form accepts any unit the user can see, so the service (not the form) answers a unit
    outside the issuer's subtree with its own message.
    """
    if request.method == "POST":
        return OrgUnit.objects.visible_to(request.user).current().order_by("path")
    q = Q(pk=plan.issuer_id) | Q(parent_id=plan.issuer_id)
    extra = [k for k in (keep or []) if k]
    if extra:
        q |= Q(pk__in=extra)
    return OrgUnit.objects.current().filter(q).order_by("path")[:CHOICE_LIMIT]  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# The list


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    qs = _visible(request).select_related("issuer")
    f: dict[str, Any] = {"year": "", "status": "", "kind": "", "unit": ""}
    year = (request.GET.get("year") or "").strip()
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(year=int(year))
        f["year"] = year
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
        f["status"] = status
    kind = request.GET.get("kind", "")
    if kind in PlanKind.values:
        qs = qs.filter(kind=kind)
        f["kind"] = kind
    unit_param = request.GET.get("unit", "")
    unit: OrgUnit | None = None
    if unit_param == "all":
        f["unit"] = "all"
    else:
        if unit_param.isdigit():
            unit = OrgUnit.objects.visible_to(request.user).filter(pk=int(unit_param)).first()
        if unit is None:
            unit = request.current_unit or None  # type: ignore[attr-defined]
        if unit is not None:
            qs = qs.filter(issuer__path__gte=unit.path, issuer__path__lt=next_prefix(unit.path))
            f["unit"] = str(unit.pk)
    after = request.GET.get("after", "")
    y, _sep, pk = after.partition("-")
    if y.isdigit() and pk.isdigit():
        qs = qs.filter(Q(year__lt=int(y)) | Q(year=int(y), pk__lt=int(pk)))
    rows = list(qs.order_by("-year", "-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    unit_choices = list(OrgUnit.objects.filter(pk__in=scope_of(request.user).unit_ids).order_by("path"))
    if unit is not None and unit.pk not in {u.pk for u in unit_choices}:
        unit_choices.append(unit)
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render(
        request, "plans/list.html",
        {
            "plans": rows, "more": more, "next_after": f"{rows[-1].year}-{rows[-1].pk}" if more else "",
            "paged": bool(after), "filters": f, "query": query, "unit": unit, "unit_choices": unit_choices,
            "statuses": PlanStatus.choices, "kinds": PlanKind.choices,
            "can_create": _editing_units(request).exists(),
        },
    )


# ---------------------------------------------------------------------------------------------
# The detail page


def _structure(plan: Plan) -> dict[str, Any]:
    """Everything the page shows, in a fixed number of queries whatever the size of the plan."""
    sections = list(plan.sections.all())
    tasks = list(
        plan.tasks.select_related("lead_unit")
        .annotate(evidence_count=Count("evidence"), parent_plan_id=F("parent_task__plan_id"))
        .order_by("order", "pk")
    )
    for t in tasks:
        t.plan = plan
    children: dict[int | None, list[PlanSection]] = defaultdict(list)
    for s in sections:
        children[s.parent_id].append(s)
    by_section: dict[int | None, list[Task]] = defaultdict(list)
    known = {s.pk for s in sections}
    for t in tasks:
        by_section[t.section_id if t.section_id in known else None].append(t)
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for s in children.get(parent_id, []):
            if s.pk in seen:
                continue
            seen.add(s.pk)
            rows.append({"section": s, "depth": depth, "level": min(3 + depth, 6), "tasks": by_section.get(s.pk, [])})
            walk(s.pk, depth + 1)

    walk(None, 0)
    for s in sections:  # a section whose parent is missing still shows
        if s.pk not in seen:
            seen.add(s.pk)
            rows.append({"section": s, "depth": 0, "level": 3, "tasks": by_section.get(s.pk, [])})
    assignments = list(
        plan.assignments.select_related("unit", "task").prefetch_related(
            Prefetch("co_units", queryset=OrgUnit.objects.only("pk", "name", "code"))
        )
    )
    return {
        "section_rows": rows,
        "loose_tasks": by_section.get(None, []),
        "task_count": len(tasks),
        "targets": list(plan.targets.all()),
        "assignments": assignments,
        "deadlines": list(plan.deadlines.all()),
        "bases": list(plan.basis_links.select_related("document")),
        "subordinate_kinds": list(plan.subordinate_kinds.all()),
    }


def _id_url(name: str, *args: Any) -> Callable[[object], str]:
    """``reverse()`` once with a stand-in for the last id; each row then only puts its own id in."""
    stand_in = "2147483647"
    head, _sep, tail = reverse(name, args=[*args, int(stand_in)]).rpartition(stand_in)
    return lambda pk: f"{head}{pk}{tail}"


def _task_rows(request: HttpRequest, plan: Plan, *, can_edit: bool) -> Callable[[list[Task]], list[dict[str, Any]]]:
    """What the page shows of each task, worked out once per page rather than once per task in the template.

    A plan can hold hundreds of tasks: labels are translated once per distinct value, links are built
    from one reversed URL, and the reporting permission is asked once per distinct lead unit (it
    depends on the task only through its plan, the same for all, and its lead unit).
    """
    user = request.user
    report = plan.status == PlanStatus.ISSUED
    may_report: dict[int | None, bool] = {}
    statuses: dict[str, str] = {}
    done: dict[int, str] = {}
    evidence: dict[int, str] = {}
    detail_url = _id_url("plans:detail")
    edit_url = _id_url("plans:task_edit", plan.pk)
    progress_url = _id_url("plans:task_progress", plan.pk)

    def rows(tasks: list[Task]) -> list[dict[str, Any]]:
        out = []
        for number, t in enumerate(tasks, start=1):
            if t.lead_unit_id not in may_report:
                may_report[t.lead_unit_id] = report and user.has_perm("plans.report_progress", t)
            if t.status not in statuses:
                statuses[t.status] = t.get_status_display()
            if t.progress not in done:
                # As {% blocktranslate %} gives it: the translation is not escaped, the number is plain.
                done[t.progress] = mark_safe(_("%(p)s%% done") % {"p": t.progress})  # noqa: S308 (a translation and a number)  # nosec B308 B703
            # annotations of _structure's query
            count: int = getattr(t, "evidence_count", 0)
            parent_plan_id = getattr(t, "parent_plan_id", None)
            if count and count not in evidence:
                evidence[count] = mark_safe(  # noqa: S308 (a translation and a number)  # nosec B308 B703
                    ngettext("%(n)s piece of evidence", "%(n)s pieces of evidence", count) % {"n": count}
                )
            due = t.due_on
            out.append({
                "anchor": f"task-{t.pk}",
                "number": str(number),
                "text": linebreaksbr(t.text),
                "done": t.status == TaskStatus.DONE,
                "status": statuses[t.status],
                "progress": done[t.progress],
                "lead": t.lead_unit.name if t.lead_unit is not None else "",
                "due": f"{due.day:02d}/{due.month:02d}/{due.year:04d}" if due else "",  # the date filter's d/m/Y
                "parent_url": f"{detail_url(parent_plan_id)}#task-{t.parent_task_id}" if t.parent_task_id else "",
                "evidence": evidence[count] if count else "",
                "edit_url": edit_url(t.pk) if can_edit else "",
                "progress_url": progress_url(t.pk) if may_report[t.lead_unit_id] else "",
            })
        return out

    return rows


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    user = request.user
    context = {"plan": plan, **_structure(plan)}
    can_edit = user.has_perm("plans.change_plan", plan)
    rows = _task_rows(request, plan, can_edit=can_edit)
    for row in context["section_rows"]:
        row["tasks"] = rows(row["tasks"])
    # The tasks outside any section follow the sections, through the same markup.
    loose = context.pop("loose_tasks")
    context["task_groups"] = [*context.pop("section_rows"), *([{"section": None, "tasks": rows(loose)}] if loose else [])]
    context.update(
        can_edit=can_edit,
        can_issue=user.has_perm("plans.issue_plan", plan),
        can_close=user.has_perm("plans.close_plan", plan),
        can_amend=user.has_perm("plans.amend_plan", plan),
        can_delete=user.has_perm("plans.delete_plan", plan),
        can_derive=user.has_perm("plans.derive_plan", plan) and _editing_units(request).exclude(pk=plan.issuer_id).exists(),
        can_copy=_editing_units(request).exists(),
        can_cascade=user.has_perm("plans.view_cascade", plan),
        can_measure=plan.status == PlanStatus.ISSUED and bool(context["targets"])
        and user.has_perm("plans.record_target_value", context["targets"][0]),
        issue_form=IssueForm(initial={"issued_on": timezone.localdate(), "expected_version": plan.lock_version}),
    )
    return render(request, "plans/detail.html", context)


def _ascii_slug(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", strip_diacritics(text or ""))
    if words:
        words[0] = words[0].lower()
    return "-".join(words)


def export_filename(plan: Plan) -> str:
    """E.g. KH-05-2026-UBND-xa-Binh-Lu.docx: readable and safe in every mail system and file system."""
    doc_type = plan.doc_type or "KH"
    tail = plan.symbol[len(doc_type):].lstrip("-/") if plan.symbol.startswith(doc_type) else plan.symbol
    parts = [doc_type]
    if plan.number:
        parts.append(f"{plan.number:02d}")
    parts.append(str(plan.number_year or plan.year))
    parts.extend(p for p in (_ascii_slug(tail).upper(), _ascii_slug(plan.issuer.name)) if p)
    name = "-".join(p for p in parts if p)
    return re.sub(r"[^A-Za-z0-9.-]+", "-", name)[:120] + ".docx"


@login_required
@require_GET
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    from .export import export_plan_docx

    plan = _plan(request, pk)
    data = export_plan_docx(plan)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(plan)}"'
    return response


@login_required
@require_GET
def plan_diff_view(request: HttpRequest, pk: int) -> HttpResponse:
    from .diff import plan_diff

    plan = _plan(request, pk)
    if plan.amends_id is None:
        raise Http404
    old = _plan(request, plan.amends_id)
    areas = {
        "plan": _("Header"), "legal_basis": _("Legal bases"), "section": _("Sections"), "task": _("Tasks"),
        "target": _("Targets"), "assignment": _("Assignments"), "deadline": _("Deadlines"),
    }
    kinds = {"added": _("Added"), "removed": _("Removed"), "changed": _("Changed")}
    changes = [
        {"area_label": areas.get(c.area, c.area), "kind_label": kinds.get(c.kind, c.kind), "label": c.label,
         "field": c.field, "old": _shown(c.old), "new": _shown(c.new)}
        for c in plan_diff(old, plan)
    ]
    return render(request, "plans/diff.html", {"plan": plan, "old": old, "changes": changes})


def _shown(value: Any) -> Any:
    """Dates as dd/mm/yyyy and lists one item after another, as on the rest of the page."""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


# ---------------------------------------------------------------------------------------------
# New plans


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    issuers = _editing_units(request)
    initial = {"year": timezone.localdate().year, "kind": PlanKind.ANNUAL}
    current = request.current_unit or None  # type: ignore[attr-defined]  # a lazy None is not None
    if current is not None:
        initial["issuer"] = current.pk
    form = NewPlanForm(request.POST or None, issuers=issuers, initial=initial)
    if request.method == "POST" and form.is_valid():
        issuer = form.cleaned_data["issuer"]
        if not request.user.has_perm("plans.create_plan_for_unit", issuer):
            raise PermissionDenied(_("You may only draft plans for units where you hold an editing role."))
        try:
            plan = services.create_plan(
                actor=request.user, issuer=issuer, title=form.cleaned_data["title"],
                year=form.cleaned_data["year"], kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The draft plan was created. Fill in its content below."))
            return redirect("plans:detail", plan.pk)
    return render(request, "plans/new.html", {"form": form, "mode": "scratch", "has_units": issuers.exists()})


@login_required
def plan_copy(request: HttpRequest) -> HttpResponse:
    issuers = _editing_units(request)
    visible = _visible(request).select_related("issuer")
    if request.method == "POST":
        sources = visible
    else:
        ids = list(issuers.values_list("pk", flat=True))
        sources = visible.filter(issuer_id__in=ids).order_by("-year", "-pk")[:CHOICE_LIMIT]
    initial: dict[str, Any] = {"year": timezone.localdate().year}
    src = request.GET.get("source", "")
    if src.isdigit():
        chosen = visible.filter(pk=int(src)).first()
        if chosen is not None:
            initial.update(source=chosen.pk, year=chosen.year + 1)
            if request.method != "POST":
                sources = visible.filter(Q(pk=chosen.pk) | Q(pk__in=[p.pk for p in sources])).order_by("-year", "-pk")
    form = CopyPlanForm(request.POST or None, sources=sources, issuers=issuers, initial=initial)
    if request.method == "POST" and form.is_valid():
        issuer = form.cleaned_data["issuer"] or form.cleaned_data["source"].issuer
        if not request.user.has_perm("plans.create_plan_for_unit", issuer):
            raise PermissionDenied(_("You may only draft plans for units where you hold an editing role."))
        try:
            plan = services.copy_plan_for_year(
                actor=request.user, source=form.cleaned_data["source"], year=form.cleaned_data["year"],
                issuer=form.cleaned_data["issuer"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"source_plan": "source", "plan": "source"})
        else:
            messages.success(request, _("The plan was copied into a new draft with its dates moved to the new year."))
            return redirect("plans:detail", plan.pk)
    return render(request, "plans/new.html", {"form": form, "mode": "copy", "has_units": issuers.exists()})


def _ancestor_plans(request: HttpRequest, issuers: QuerySet[OrgUnit]) -> QuerySet[Plan]:
    ids: set[int] = set()
    for path in issuers.values_list("path", flat=True):
        ids.update(ancestor_ids(path)[:-1])
    return (
        Plan.objects.alive().filter(issuer_id__in=ids, status=PlanStatus.ISSUED)
        .select_related("issuer").order_by("-year", "-pk")
    )


@login_required
def plan_derive(request: HttpRequest) -> HttpResponse:
    issuers = _editing_units(request)
    parents = _ancestor_plans(request, issuers)
    initial: dict[str, Any] = {}
    p = request.GET.get("parent", "")
    if p.isdigit():
        initial["parent_plan"] = int(p)
        extra = _visible(request).filter(pk=int(p), status=PlanStatus.ISSUED)
        parents = (parents | extra).distinct() if request.method == "POST" else parents | extra
    current = request.current_unit or None  # type: ignore[attr-defined]  # a lazy None is not None
    if current is not None:
        initial["issuer"] = current.pk
    form = DerivePlanForm(
        request.POST or None, parents=parents if request.method == "POST" else parents[:CHOICE_LIMIT],
        issuers=issuers, initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        parent, issuer = form.cleaned_data["parent_plan"], form.cleaned_data["issuer"]
        if not request.user.has_perm("plans.create_plan_for_unit", issuer):
            raise PermissionDenied(_("You may only draft plans for units where you hold an editing role."))
        try:
            plan = services.derive_plan(actor=request.user, parent_plan=parent, issuer=issuer)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("A draft was made from the plan of the level above; adapt its tasks to your unit."))
            return redirect("plans:detail", plan.pk)
    return render(
        request, "plans/new.html",
        {"form": form, "mode": "derive", "has_units": issuers.exists(), "no_parents": not parents.exists()},
    )


# ---------------------------------------------------------------------------------------------
# Import: upload → review beside the source → save once


def _import_key(token: str) -> str:
    return f"plans-import:{token}"


def _done_key(token: str) -> str:
    return f"plans-import-done:{token}"


@login_required
def plan_import(request: HttpRequest) -> HttpResponse:
    issuers = _editing_units(request)
    limit = _import_limit()
    current = request.current_unit or None  # type: ignore[attr-defined]  # a lazy None is not None
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, issuers=issuers, max_bytes=limit,
        initial={"issuer": current.pk if current is not None else None},
    )
    if request.method == "POST" and form.is_valid():
        issuer = form.cleaned_data["issuer"]
        if not request.user.has_perm("plans.create_plan_for_unit", issuer):
            raise PermissionDenied(_("You may only draft plans for units where you hold an editing role."))
        upload = form.cleaned_data["file"]
        detailed = _parse_upload(form, upload)
        if detailed is not None:
            token = secrets.token_urlsafe(24)
            cache.set(
                _import_key(token),
                {"user": request.user.pk, "issuer": issuer.pk, "name": upload.name, "detailed": detailed},
                IMPORT_CACHE_SECONDS,
            )
            return redirect("plans:import_review", token)
    return render(request, "plans/import.html", {"form": form, "max_mb": limit / 1024 / 1024, "has_units": issuers.exists()})


def _parse_upload(form: ImportUploadForm, upload: Any) -> dict[str, Any] | None:
    """The detailed parse of the uploaded file, or None with the reason on the form's file field."""
    from .parsing import ReadError, parse_plan_detailed
    from .parsing.readers import read_text

    suffix = Path(upload.name or "").suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            text = read_text(path)
        except ReadError as exc:
            form.add_error("file", str(exc))
            return None
    if not text.strip():
        form.add_error("file", _("The file contains no text."))
        return None
    try:
        return parse_plan_detailed(text).detailed()
    except Exception:  # a parser bug must not lose the user's upload in a 500 page
        log.exception("plan import: parsing failed for %s", upload.name)
        form.add_error("file", _("The document could not be read as a plan. Check that it is a plan and try again."))
        return None


def _review_groups(form: ImportReviewForm) -> dict[str, Any]:
    """The fields grouped as the reviewer sees them, each beside the text it was read from."""
    d = form.detailed

    def group(label: str, names: list[str], src: dict[str, Any] | None) -> dict[str, Any]:
        src = src or {}
        return {
            "label": label, "fields": [form[n] for n in names], "source": src.get("source"),
            "repaired": src.get("repaired", False), "notes": src.get("notes", []), "keep": None,
        }

    def items(prefix: str, key: str, names: list[str], label: str) -> list[dict[str, Any]]:
        out = []
        for i, item in enumerate(d.get(key) or []):
            g = group(f"{label} {i + 1}", [f"{prefix}_{i}_{n}" for n in names], item)
            g["keep"] = form[f"{prefix}_{i}_keep"]
            out.append(g)
        return out

    header = [
        group(_("Number"), ["number"], d.get("number")),
        group(_("Symbol"), ["symbol"], d.get("symbol")),
        group(_("Issuing body"), ["issuer_text"], d.get("issuer")),
        group(_("Place"), ["place"], d.get("place")),
        group(_("Date of issue"), ["issued_on"], d.get("issued_on")),
        group(_("Title"), ["title"], d.get("title")),
        group(_("Implementation year"), ["year"], d.get("year")),
    ]
    lists = []
    for name, label in (("purposes", _("Purposes")), ("requirements", _("Requirements")), ("recipients", _("Recipients"))):
        lists.append({"field": form[name], "label": label, "sources": d.get(name) or []})
    signer = group(_("Signer"), ["signer_name", "signer_position", "signer_authority"], d.get("signer"))
    return {
        "header": header,
        "references": items("ref", "references", ["type", "number", "symbol", "date", "issuer"], _("Document")),
        "targets": items("target", "targets", ["text", "value", "unit"], _("Target")),
        "sections": items("section", "sections", ["number", "title", "tasks"], _("Section")),
        "assignments": items("assign", "assignments", ["unit", "role", "duties"], _("Assignment")),
        "deadlines": items("deadline", "deadlines", ["text", "due"], _("Deadline")),
        "lists": lists,
        "signer": signer,
        "any_repaired": any(
            (v.get("repaired") if isinstance(v, dict) else any(i.get("repaired") for i in v))
            for k, v in d.items() if k not in ("garbled", "warnings")
        ),
    }


@login_required
def plan_import_review(request: HttpRequest, token: str) -> HttpResponse:
    stash = cache.get(_import_key(token))
    if not stash or stash.get("user") != request.user.pk:
        done = cache.get(_done_key(token))
        if done:
            messages.info(request, _("This document was already imported; here is the plan it created."))
            return redirect("plans:detail", done)
        messages.error(request, _("This import has expired or was already saved. Upload the file again."))
        return redirect("plans:import")
    issuer = get_object_or_404(_editing_units(request), pk=stash["issuer"])
    detailed = stash["detailed"]
    form = ImportReviewForm(request.POST or None, detailed=detailed, initial={"token": token})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["token"] != token:
            raise PermissionDenied
        # Claim the upload: of two submits of the same page, only one deletes the stash.
        if not cache.delete(_import_key(token)):
            done = cache.get(_done_key(token))
            messages.info(request, _("This document was already imported; here is the plan it created."))
            return redirect("plans:detail", done) if done else redirect("plans:list")
        try:
            plan = services.create_plan_from_import(
                actor=request.user, issuer=issuer, parsed=form.parsed(), detailed=detailed
            )
        except ValidationError as exc:
            cache.set(_import_key(token), stash, IMPORT_CACHE_SECONDS)
            add_service_errors(form, exc, {"issuer": "issuer_text", "issued_on": "issued_on"})
        else:
            cache.set(_done_key(token), plan.pk, IMPORT_CACHE_SECONDS)
            messages.success(request, _("The draft plan was created from the document. Check it and issue it when ready."))
            return redirect("plans:detail", plan.pk)
    return render(
        request, "plans/import_review.html",
        {"form": form, "issuer": issuer, "name": stash["name"], "warnings": detailed.get("warnings") or [],
         "garbled": detailed.get("garbled"), **_review_groups(form)},
    )


# ---------------------------------------------------------------------------------------------
# The plan's header and workflow


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan, refused = _editable(request, pk)
    if refused is not None:
        return refused
    current = None  # the values someone else saved meanwhile, shown beside the user's own
    if request.method == "POST":
        form = PlanForm(request.POST, initial=plan_initial(plan))
        if form.is_valid():
            try:
                plan = services.update_plan(
                    actor=request.user, plan=plan, expected_version=form.cleaned_data["expected_version"],
                    **form.changes(),
                )
            except ConcurrentEditError as exc:
                current = _plan(request, plan.pk)
                data = request.POST.copy()
                data["expected_version"] = str(current.lock_version)
                form = PlanForm(data, initial=plan_initial(current))
                form.is_valid()
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("plans:detail", plan.pk)
    else:
        form = PlanForm(initial=plan_initial(plan))
    return render(
        request, "plans/edit.html",
        {"plan": plan, "form": form, "current": current,
         "current_kinds": list(current.subordinate_kinds.all()) if current else []},
    )


@login_required
@require_POST
def plan_issue(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if plan.status != PlanStatus.DRAFT:  # a second click on "Issue" lands here: nothing to do
        messages.info(request, _("This plan has already been issued as number %(ref)s.") % {"ref": plan.reference})
        return redirect("plans:detail", plan.pk)
    if not request.user.has_perm("plans.issue_plan", plan):
        raise PermissionDenied(_("Only the head or an administrator of the issuing unit may issue this plan."))
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            plan = services.issue_plan(
                actor=request.user, plan=plan, expected_version=form.cleaned_data["expected_version"],
                issued_on=form.cleaned_data["issued_on"], number=form.cleaned_data["number"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The plan was issued as number %(ref)s.") % {"ref": plan.reference})
            return redirect("plans:detail", plan.pk)
    return render(request, "plans/issue.html", {"plan": plan, "form": form}, status=400)


@login_required
@require_POST
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not request.user.has_perm("plans.close_plan", plan):
        raise PermissionDenied(_("Only the head or an administrator of the issuing unit may close an issued plan."))
    try:
        services.close_plan(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The plan was closed."))
    return redirect("plans:detail", plan.pk)


@login_required
@require_POST
def plan_amend(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not request.user.has_perm("plans.amend_plan", plan):
        raise PermissionDenied(_("Only officers of the issuing unit may amend this plan."))
    try:
        new = services.amend_plan(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:detail", plan.pk)
    messages.success(request, _("A new draft version was made. Change it, then issue it."))
    return redirect("plans:detail", new.pk)


@login_required
@require_POST
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not request.user.has_perm("plans.delete_plan", plan):
        raise PermissionDenied(_("Only drafts can be deleted, by officers of the issuing unit."))
    try:
        services.delete_plan(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:detail", plan.pk)
    messages.success(request, _("The draft was deleted."))
    return redirect("plans:list")


# ---------------------------------------------------------------------------------------------
# Parts of a draft: sections, tasks, targets, assignments, deadlines


def _part_page(
    request: HttpRequest, plan: Plan, form: Form, *, title: str, obj: Any = None, delete_url: str = "",
    multipart: bool = False,
) -> HttpResponse:
    return render(
        request, "plans/part_form.html",
        {"plan": plan, "form": form, "title": title, "obj": obj, "delete_url": delete_url, "multipart": multipart},
    )


def _saved(request: HttpRequest, plan: Plan, anchor: str = "") -> HttpResponse:
    messages.success(request, _("Saved."))
    return redirect(reverse("plans:detail", args=[plan.pk]) + (f"#{anchor}" if anchor else ""))


def _save_part(
    request: HttpRequest, plan: Plan, form: Form, obj: Any, *, kind: str, add: Callable[..., Any],
    update: Callable[..., Any], titles: tuple[str, str], anchor: str = "",
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The common end of every part form: add or update through the service, errors on the form, back to the plan.

    ``anchor`` defaults to the part itself ("task-12"); ``prepare`` adapts the cleaned data for the
    service where the two differ.
    """
    if request.method == "POST" and form.is_valid():
        fields = prepare(form.cleaned_data) if prepare else form.cleaned_data
        try:
            if obj is None:
                obj = add(actor=request.user, plan=plan, **fields)
            else:
                update(actor=request.user, **{kind: obj}, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request, plan, anchor or f"{kind}-{obj.pk}")
    return _part_page(
        request, plan, form, title=titles[1] if obj else titles[0], obj=obj,
        delete_url=reverse("plans:part_delete", args=[plan.pk, kind, obj.pk]) if obj else "",
    )


@login_required
def section_edit(request: HttpRequest, pk: int, section_pk: int | None = None) -> HttpResponse:
    plan, refused = _editable(request, pk)
    if refused is not None:
        return refused
    section = get_object_or_404(plan.sections, pk=section_pk) if section_pk else None
    initial = {"number": section.number, "title": section.title, "parent": section.parent_id} if section else {}
    form = SectionForm(request.POST or None, plan=plan, exclude=section, initial=initial)
    return _save_part(
        request, plan, form, section, kind="section", add=services.add_section,
        update=services.update_section, titles=(_("New section"), _("Edit section")),
    )


@login_required
def task_edit(request: HttpRequest, pk: int, task_pk: int | None = None) -> HttpResponse:
    plan, refused = _editable(request, pk)
    if refused is not None:
        return refused
    task = get_object_or_404(plan.tasks, pk=task_pk) if task_pk else None
    initial: dict[str, Any] = {}
    if task is not None:
        initial = {"text": task.text, "section": task.section_id, "lead_unit": task.lead_unit_id, "due_on": task.due_on}
    elif request.GET.get("section", "").isdigit():
        initial["section"] = int(request.GET["section"])
    units = _units_for_plan(plan, request, [task.lead_unit_id] if task else None)
    form = TaskForm(request.POST or None, plan=plan, units=units, initial=initial)
    return _save_part(
        request, plan, form, task, kind="task", add=services.add_task,
        update=services.update_task, titles=(_("New task"), _("Edit task")),
    )


@login_required
def target_edit(request: HttpRequest, pk: int, target_pk: int | None = None) -> HttpResponse:
    plan, refused = _editable(request, pk)
    if refused is not None:
        return refused
    target = get_object_or_404(plan.targets, pk=target_pk) if target_pk else None
    initial: dict[str, Any] = {"measurement": "entered"}
    if target is not None:
        initial = {f: getattr(target, f) for f in ("text", "value", "unit", "measurement", "indicator_code")}
    form = TargetForm(request.POST or None, initial=initial)
    return _save_part(
        request, plan, form, target, kind="target", add=services.add_target,
        update=services.update_target, titles=(_("New target"), _("Edit target")), anchor="targets",
    )


@login_required
def assignment_edit(request: HttpRequest, pk: int, assignment_pk: int | None = None) -> HttpResponse:
    plan, refused = _editable(request, pk)
    if refused is not None:
        return refused
    assignment = get_object_or_404(plan.assignments, pk=assignment_pk) if assignment_pk else None
    initial: dict[str, Any] = {"role": "lead"}
    keep: list[int | None] = []
    if assignment is not None:
        co = list(assignment.co_units.values_list("pk", flat=True))
        initial = {
            "unit_name": assignment.unit_name, "unit": assignment.unit_id, "role": assignment.role, "co_units": co,
            "duties": assignment.duties, "due_on": assignment.due_on, "task": assignment.task_id,
        }
        keep = [assignment.unit_id, *co]
    form = AssignmentForm(request.POST or None, plan=plan, units=_units_for_plan(plan, request, keep), initial=initial)
    return _save_part(
        request, plan, form, assignment, kind="assignment", add=services.add_assignment,
        update=services.update_assignment, titles=(_("New assignment"), _("Edit assignment")), anchor="assignments",
        prepare=lambda cleaned: {**cleaned, "co_units": list(cleaned["co_units"])},
    )


@login_required
def deadline_edit(request: HttpRequest, pk: int, deadline_pk: int | None = None) -> HttpResponse:
    plan, refused = _editable(request, pk)
    if refused is not None:
        return refused
    deadline = get_object_or_404(plan.deadlines, pk=deadline_pk) if deadline_pk else None
    initial = {"text": deadline.text, "due_on": deadline.due_on, "kind": deadline.kind} if deadline else {}
    form = DeadlineForm(request.POST or None, initial=initial)
    return _save_part(
        request, plan, form, deadline, kind="deadline", add=services.add_deadline,
        update=services.update_deadline, titles=(_("New deadline"), _("Edit deadline")), anchor="deadlines",
    )


SEARCH_RESULTS = 20


def _legal_bases_form(request: HttpRequest, plan: Plan, data: Any = None) -> LegalBasesForm:
    links = list(plan.basis_links.select_related("document").order_by("order", "pk"))
    if request.method == "POST":
        posted = request.POST.get("document", "")
        found = list(LegalDocument.objects.filter(pk=int(posted))) if posted.isdigit() and len(posted) < 12 else []
    else:
        q = request.GET.get("q", "").strip()[:200]
        found = search_documents(q=q, limit=SEARCH_RESULTS + len(links)).items if q else []
        found = [d for d in found if d.pk not in {link.document_id for link in links}][:SEARCH_RESULTS]
    return LegalBasesForm(data, links=links, found=found, initial={"expected_version": plan.lock_version})


def _save_legal_bases(request: HttpRequest, plan: Plan, form: LegalBasesForm) -> None:
    """Registers the typed document, then sets the list; one transaction, so an error saves nothing."""
    from danvan.legal.services import register_document

    documents = form.kept()
    with transaction.atomic():
        if form.cleaned_data["document"] is not None:
            documents.append(get_object_or_404(LegalDocument, pk=form.cleaned_data["document"]))
        cited = form.cleaned_data["citation"]
        if cited:
            try:
                doc = register_document(
                    actor=request.user, doc_type=cited.get("type") or "", number=cited["number"],
                    symbol=cited["symbol"], issued_on=cited.get("date"), issuer=cited.get("issuer") or "",
                )
            except ValidationError as exc:
                raise ValidationError({"citation": exc.messages}) from exc
            if any(d.pk == doc.pk for d in documents) or doc.pk in {link.document_id for link in form.links}:
                raise ValidationError({"citation": _("This document is already a legal basis of the plan.")})
            documents.append(doc)
        services.set_legal_bases(actor=request.user, plan=plan, documents=documents,
                                 expected_version=form.cleaned_data["expected_version"])


@login_required
def legal_bases_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The documents a draft is based on, by hand: remove, reorder, add one typed or found in the registry."""
    plan, refused = _editable(request, pk)
    if refused is not None:
        return refused
    form = _legal_bases_form(request, plan, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _save_legal_bases(request, plan, form)
        except ConcurrentEditError as exc:
            current = _plan(request, plan.pk)
            data = request.POST.copy()
            data["expected_version"] = str(current.lock_version)
            form = _legal_bases_form(request, current, data)
            form.is_valid()
            form.add_error(None, exc.messages)
        except PermissionDenied as exc:  # registering needs the registry's permission too
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The legal bases were saved."))
            return redirect(reverse("plans:detail", args=[plan.pk]) + "#bases-h")
    return render(request, "plans/legal_bases.html", {"plan": plan, "form": form, "q": request.GET.get("q", "")})


_DELETERS = {
    "section": (PlanSection, "delete_section", "section"),
    "task": (Task, "delete_task", "task"),
    "target": (Target, "delete_target", "target"),
    "assignment": (Assignment, "delete_assignment", "assignment"),
    "deadline": (PlanDeadline, "delete_deadline", "deadline"),
}


@login_required
@require_POST
def part_delete(request: HttpRequest, pk: int, part: str, part_pk: int) -> HttpResponse:
    plan, refused = _editable(request, pk)
    if refused is not None:
        return refused
    if part not in _DELETERS:
        raise Http404
    model, service_name, kwarg = _DELETERS[part]
    obj = get_object_or_404(model.objects.filter(plan=plan), pk=part_pk)  # type: ignore[attr-defined]
    try:
        getattr(services, service_name)(actor=request.user, **{kwarg: obj})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Deleted."))
    return redirect("plans:detail", plan.pk)


# ---------------------------------------------------------------------------------------------
# Execution: progress of tasks, values of targets (also on issued plans)


@login_required
def task_progress(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    task = get_object_or_404(plan.tasks.select_related("lead_unit", "section"), pk=task_pk)
    task.plan = plan
    if not request.user.has_perm("plans.report_progress", task):
        raise PermissionDenied(_("Progress is reported by the issuing unit or the task's lead unit while the plan runs."))
    form = ProgressForm(
        request.POST or None, request.FILES or None, initial={"status": task.status, "progress": task.progress}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_task_progress(
                actor=request.user, task=task, status=d["status"], progress=d["progress"], note=d["note"]
            )
            if d["note"] and (d["link"] or d["file"]):
                services.add_task_evidence(actor=request.user, task=task, note=d["note"], link=d["link"], file=d["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request, plan, f"task-{task.pk}")
    evidence = list(task.evidence.select_related("created_by").order_by("-created_at")[:50])
    return render(request, "plans/progress.html", {"plan": plan, "task": task, "form": form, "evidence": evidence})


@login_required
def target_value(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    target = get_object_or_404(plan.targets, pk=target_pk)
    target.plan = plan
    if not request.user.has_perm("plans.record_target_value", target):
        raise PermissionDenied(_("Only officers of the issuing unit record the values of its targets."))
    form = TargetValueForm(request.POST or None, initial={"current_value": target.current_value})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_target_value(actor=request.user, target=target, current_value=form.cleaned_data["current_value"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request, plan, "targets")
    return _part_page(request, plan, form, title=_("Current value of a target"), obj=target)


# ---------------------------------------------------------------------------------------------
# Cascade: who issued their own plan, and which tasks they took up


def _cascade_plan(request: HttpRequest, pk: int) -> Plan:
    plan = _plan(request, pk)
    if not request.user.has_perm("plans.view_cascade", plan):
        raise PermissionDenied(_("Only the issuing unit follows the plans of the units below it."))
    return plan


@login_required
@require_GET
def plan_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _cascade_plan(request, pk)
    summary = queries.obligation_summary(plan, limit=PAGE_SIZE)
    state, after = request.GET.get("state", ""), request.GET.get("after", "")
    if state in queries.OBLIGATION_STATES and after:
        summary[state] = queries.obligations_page(plan, state, after=after[:255], limit=PAGE_SIZE)
    labels = {
        "overdue": _("Overdue: no plan yet, due date passed"),
        "pending": _("Not yet issued, still in time"),
        "issued_late": _("Issued late"),
        "issued": _("Issued on time"),
    }
    groups = [
        {"state": s, "label": labels[s], "count": summary["counts"][s], "page": summary[s], "paged": s == state and bool(after)}
        for s in ("overdue", "pending", "issued_late", "issued")
    ]
    return render(request, "plans/cascade.html", {"plan": plan, "summary": summary, "groups": groups})


@login_required
@require_GET
def plan_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _cascade_plan(request, pk)
    after = request.GET.get("after") or None
    if after and not re.fullmatch(r"\d+:\d+", after):
        after = None
    matrix = queries.coverage_matrix(plan, after=after, limit=PAGE_SIZE)
    nop_after = request.GET.get("nop_after", "")
    without = queries.units_without_plan(plan, after=nop_after[:255] or None, limit=PAGE_SIZE)
    gap_task, gaps = None, None
    task_id = request.GET.get("task", "")
    if task_id.isdigit():
        gap_task = get_object_or_404(plan.tasks, pk=int(task_id))
        gaps = queries.coverage_gaps(plan, gap_task, after=(request.GET.get("gap_after") or "")[:255] or None,
                                     limit=PAGE_SIZE)
    return render(
        request, "plans/coverage.html",
        {"plan": plan, "matrix": matrix, "without": without, "nop_paged": bool(nop_after), "paged": bool(after),
         "gap_task": gap_task, "gaps": gaps},
    )
