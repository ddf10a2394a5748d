"""Officials' pages of disclosures: the overview of a unit, the list, an item and its actions, the month
calendar of a commune, the quarterly list, and the attachments of every grassroots record.

Thin over ``services`` (writes), ``queries`` and ``checks`` (reads), ``attachments``. A record the
user may not read is a 404, as if it did not exist; an action the user may not take is a 403. Pages of
the other parts of the app (decisions, boards…) are linked by URL name only once they exist.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.forms import add_service_errors, run_posted
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of, subtree_q

from . import attachments, checks, queries, services
from .forms_disclosures import (
    AttachmentAddForm,
    AttachmentRemoveForm,
    CalendarForm,
    DeleteForm,
    DisclosureEditForm,
    DisclosureFilterForm,
    PublishForm,
    QuarterForm,
    UnitForm,
    WithdrawForm,
)
from .models import (
    Consultation,
    ConsultationStatus,
    Disclosure,
    DisclosureForm,
    DisclosureStatus,
    FrontSupervision,
    PeopleBoard,
    QuarterlyList,
    ResidentDecision,
)
from .rules import CHANGE_ROLES

PAGE_SIZE = 50
CALENDAR_MAX = 500
QUARTER_MAX = 1000
WEEKDAYS = [gettext_lazy("Mon"), gettext_lazy("Tue"), gettext_lazy("Wed"), gettext_lazy("Thu"), gettext_lazy("Fri"),
            gettext_lazy("Sat"), gettext_lazy("Sun")]
SECTIONS = [
    ("disclosures:disclosure_list", gettext_lazy("Disclosures")),
    ("disclosures:calendar", gettext_lazy("Disclosure calendar")),
    ("disclosures:quarterly", gettext_lazy("Quarterly lists")),
    ("disclosures:decision_list", gettext_lazy("Residents' decisions")),
    ("disclosures:consultation_list", gettext_lazy("Consultations")),
    ("disclosures:board_list", gettext_lazy("People's boards")),
    ("disclosures:supervision_list", gettext_lazy("Front supervision and critique")),
]


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --------------------------------------------------------------------------- units


def reading_units(user: Any) -> QuerySet[OrgUnit]:
    """Units (not villages) the user may look at: the administrative levels and offices of their subtrees."""
    return (OrgUnit.objects.current().visible_to(user).exclude(kind__code="village")
            .select_related("kind").order_by("path"))


def editing_units(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.current().visible_to(user, roles=CHANGE_ROLES).order_by("path")


def _default_unit(request: HttpRequest) -> OrgUnit | None:
    unit = getattr(request, "current_unit", None)
    if unit and scope_of(request.user).covers(unit.path):
        return unit  # type: ignore[no-any-return]
    return None


def _picked(request: HttpRequest, form: UnitForm) -> OrgUnit | None:
    """The unit chosen in the form, else the unit the user works for, else their first unit."""
    if form.is_valid() and form.cleaned_data.get("unit"):
        return form.cleaned_data["unit"]  # type: ignore[no-any-return]
    if form.is_bound and form.errors.get("unit"):
        raise Http404
    return _default_unit(request) or form.fields["unit"].queryset.first()  # type: ignore[attr-defined]


def _subtree(unit: OrgUnit) -> Q:
    return subtree_q([unit.path], prefix="org_unit__")


# --------------------------------------------------------------------------- home


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.GET or None, units=reading_units(request.user))
    unit = _picked(request, form)
    ctx: dict[str, Any] = {"form": form, "unit": unit,
                           "sections": [(u, label) for name, label in SECTIONS if (u := _url(name))]}
    if unit is None:
        return render(request, "disclosures/home.html", ctx)
    today = timezone.localdate()
    year = today.year
    mine = Disclosure.objects.filter(_subtree(unit), deleted_at__isnull=True)
    ctx["counts"] = mine.aggregate(
        drafts=Count("pk", filter=Q(status=DisclosureStatus.DRAFT)),
        published=Count("pk", filter=Q(status=DisclosureStatus.PUBLISHED, disclosed_on__year=year)),
        posted_now=Count("pk", filter=queries.posted_on_q(today)),
    )
    ctx["problems"] = [(code, label, mine.filter(checks.problem_q(code, today)).count())
                       for code, label in checks.CODES.items()]
    ctx["quarters_missing"] = checks.quarterly_missing(unit, today) if unit.kind.code == "commune" else []
    ctx["decisions"] = ResidentDecision.objects.filter(_subtree(unit), deleted_at__isnull=True).aggregate(
        this_year=Count("pk", filter=Q(decided_on__year=year)),
        not_sent=Count("pk", filter=Q(sent_to_commune_on__isnull=True, send_due_on__lt=today)))
    ctx["consultations_open"] = Consultation.objects.filter(
        _subtree(unit), deleted_at__isnull=True, status=ConsultationStatus.OPEN).count()
    ctx["boards"] = PeopleBoard.objects.filter(_subtree(unit), deleted_at__isnull=True,
                                               term_ends_on__gte=today).count()
    ctx["supervisions_awaiting"] = FrontSupervision.objects.filter(
        _subtree(unit), deleted_at__isnull=True, responded_on__isnull=True, response_due_on__isnull=False).count()
    ctx["list_url"] = reverse("disclosures:disclosure_list")
    ctx["year"] = year
    ctx["can_create"] = request.user.has_perm("disclosures.change", unit)
    return render(request, "disclosures/home.html", ctx)


# --------------------------------------------------------------------------- list


@login_required
@require_GET
def disclosure_list(request: HttpRequest) -> HttpResponse:
    form = DisclosureFilterForm(request.GET or None, units=reading_units(request.user))
    qs = queries.disclosures_for(request.user).select_related("org_unit", "category")
    today = timezone.localdate()
    status = 200
    if form.is_bound and not form.is_valid():
        qs, status = qs.none(), 400
    elif form.is_bound:
        d = form.cleaned_data
        if d["unit"]:
            qs = qs.filter(_subtree(d["unit"]))
        if d["category"]:
            qs = qs.filter(category=d["category"])
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["year"]:
            qs = qs.filter(Q(disclosed_on__year=d["year"]) | Q(disclosed_on__isnull=True, decided_on__year=d["year"]))
        if d["problem"]:
            qs = qs.filter(checks.problem_q(d["problem"], today))
    after = request.GET.get("after", "")
    if after.isdigit() and len(after) <= 18:
        qs = qs.filter(pk__lt=int(after))
    rows = list(qs.order_by("-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "disclosures/disclosure_list.html", {
        "form": form, "rows": [{"d": d, "problems": checks.problems(d, today)} for d in rows],
        "next_after": rows[-1].pk if more and rows else None, "query": query.urlencode(), "first_page": bool(after),
        "can_create": editing_units(request.user).exists(),
    }, status=status)


# --------------------------------------------------------------------------- one item


def disclosure_for(request: HttpRequest, pk: int) -> Disclosure:
    row = queries.disclosures_for(request.user).select_related("org_unit", "category", "created_by").filter(
        pk=pk).first()
    if row is None or not request.user.has_perm("disclosures.view", row):
        raise Http404
    return row


def _detail(request: HttpRequest, d: Disclosure, *, status: int = 200, **forms: Form) -> HttpResponse:
    initial = {"expected_version": d.lock_version}
    can_change = request.user.has_perm("disclosures.change", d)
    ctx = {
        "d": d, "problems": checks.problems(d), "posting_days": checks.posting_days(d),
        "can_change": can_change and d.status != DisclosureStatus.WITHDRAWN,
        "can_publish": can_change and d.status == DisclosureStatus.DRAFT,
        "can_withdraw": can_change and d.status == DisclosureStatus.PUBLISHED,
        "can_delete": request.user.has_perm("disclosures.delete", d),
        "publish_form": forms.get("publish_form") or PublishForm(initial=initial),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(initial=initial),
        "delete_form": forms.get("delete_form") or DeleteForm(),
        "attachments": attachments.listed(d), "can_attach": can_change,
        "forms_display": _forms_display(d),
    }
    return render(request, "disclosures/disclosure_detail.html", ctx, status=status)


def _forms_display(d: Disclosure) -> list[str]:
    labels = dict(DisclosureForm.choices)
    return [str(labels.get(f, f)) for f in (d.forms or [])]


@login_required
@require_GET
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, disclosure_for(request, pk))


@login_required
def disclosure_create(request: HttpRequest) -> HttpResponse:
    units = editing_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("You may not record disclosures."))
    initial: dict[str, Any] = {"is_public": True, "loudspeaker_days": 0}
    default = _default_unit(request)
    if default is not None and request.user.has_perm("disclosures.change", default):
        initial["org_unit"] = default.pk
    form = DisclosureEditForm(request.POST or None, units=units, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                d = services.create_disclosure(actor=request.user, org_unit=form.cleaned_data["org_unit"],
                                               **form.service_fields())
            except PermissionDenied:
                status = 403
                form.add_error("org_unit", _("You may not record disclosures for this unit."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The disclosure was saved as a draft."))
                return redirect("disclosures:disclosure_detail", d.pk)
    return render(request, "disclosures/disclosure_form.html", {"form": form, "d": None}, status=status)


@login_required
def disclosure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    d = disclosure_for(request, pk)
    if not request.user.has_perm("disclosures.change", d):
        raise PermissionDenied(_("You may not change the disclosures of this unit."))
    if d.status == DisclosureStatus.WITHDRAWN:
        raise PermissionDenied(_("A withdrawn disclosure cannot be changed."))
    initial = {name: getattr(d, name) for name in services.EDITABLE}
    initial["expected_version"] = d.lock_version
    form = DisclosureEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_disclosure(actor=request.user, disclosure=d,
                                           expected_version=form.cleaned_data["expected_version"],
                                           **form.service_fields())
            except ConcurrentEditError as exc:
                status = 409
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The disclosure was saved."))
                return redirect("disclosures:disclosure_detail", d.pk)
    return render(request, "disclosures/disclosure_form.html", {"form": form, "d": d}, status=status)


def _action(request: HttpRequest, pk: int, form_class: type[Form], name: str, perm: str, call: Any,
            done: str) -> HttpResponse:
    """Validate, call the service, then back to the record (or to the list after a deletion)."""
    d = disclosure_for(request, pk)
    if not request.user.has_perm(perm, d):
        raise PermissionDenied(_("You may not do this for this unit."))
    after = reverse("disclosures:disclosure_list") if name == "delete_form" else reverse("disclosures:disclosure_detail", args=[d.pk])
    return run_posted(
        request, form_class(request.POST), lambda data: call(d, data), done=done, success_url=after,
        rerender=lambda form, status: _detail(request, disclosure_for(request, pk) if status == 409 else d,
                                                status=status, **{name: form}))


@login_required
@require_POST
def disclosure_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, PublishForm, "publish_form", "disclosures.change",
                   lambda d, c: services.publish_disclosure(actor=request.user, disclosure=d, **c),
                   _("The item was disclosed."))


@login_required
@require_POST
def disclosure_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, WithdrawForm, "withdraw_form", "disclosures.change",
                   lambda d, c: services.withdraw_disclosure(actor=request.user, disclosure=d, **c),
                   _("The item was withdrawn."))


@login_required
@require_POST
def disclosure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, DeleteForm, "delete_form", "disclosures.delete",
                   lambda d, c: services.delete_disclosure(actor=request.user, disclosure=d, **c),
                   _("The disclosure was deleted."))


# --------------------------------------------------------------------------- calendar


def _month(text: str, today: dt.date) -> dt.date | None:
    if not text:
        return today.replace(day=1)
    for fmt in ("%m/%Y", "%Y-%m"):
        try:
            return dt.datetime.strptime(text, fmt).date().replace(day=1)  # noqa: DTZ007 (a month, not a time)
        except ValueError:
            continue
    return None


def _shift(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@login_required
@require_GET
def month_calendar(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.GET or None, units=reading_units(request.user))
    unit = _picked(request, form)
    today = timezone.localdate()
    month = _month(request.GET.get("month", "").strip(), today)
    if month is None or not 2000 <= month.year <= 2100:
        if form.is_bound:
            form.add_error("month", _("Enter the month as mm/yyyy."))
        month = today.replace(day=1)
    ctx: dict[str, Any] = {"form": form, "unit": unit, "month": month, "today": today, "weekdays": WEEKDAYS}
    if unit is None:
        return render(request, "disclosures/calendar.html", ctx)
    last = _shift(month, 1) - dt.timedelta(days=1)
    base = queries.disclosures_for(request.user).filter(_subtree(unit))
    rows = list(base.filter(
        Q(status=DisclosureStatus.PUBLISHED, disclosed_on__lte=last)
        & (Q(permanent=True) | Q(posting_ends_on__isnull=True) | Q(posting_ends_on__gte=month))
        | Q(status=DisclosureStatus.DRAFT, due_on__gte=month, due_on__lte=last)
    ).select_related("category").order_by("disclosed_on", "pk")[: CALENDAR_MAX + 1])
    ctx["truncated"] = len(rows) > CALENDAR_MAX
    rows = rows[:CALENDAR_MAX]
    weeks = []
    for week in pycal.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        cells = []
        for day in week:
            posted = [d for d in rows if d.status == DisclosureStatus.PUBLISHED and d.disclosed_on
                      and d.disclosed_on <= day and (d.permanent or d.posting_ends_on is None
                                                    or d.posting_ends_on >= day)]
            starting = [d for d in posted if d.disclosed_on == day]
            ending = [d for d in posted if d.posting_ends_on == day]
            due = [d for d in rows if d.status == DisclosureStatus.DRAFT and d.due_on == day]
            cells.append({"day": day, "in_month": day.month == month.month, "posted": len(posted),
                          "starting": starting, "ending": ending, "due": due, "is_today": day == today})
        weeks.append(cells)
    ctx.update({"weeks": weeks, "rows": [d for d in rows if d.status == DisclosureStatus.PUBLISHED],
                "due_rows": [d for d in rows if d.status == DisclosureStatus.DRAFT],
                "prev": _shift(month, -1), "next": _shift(month, 1)})
    return render(request, "disclosures/calendar.html", ctx)


# --------------------------------------------------------------------------- quarterly list


@login_required
def quarterly(request: HttpRequest) -> HttpResponse:
    data = request.GET if request.method == "GET" else request.POST
    form = QuarterForm(data or None, units=reading_units(request.user))
    unit = _picked(request, form)
    today = timezone.localdate()
    year, quarter = services.quarter_of(today)
    if form.is_bound and form.is_valid():
        year = form.cleaned_data.get("year") or year
        quarter = form.cleaned_data.get("quarter") or quarter
    status = 200
    if request.method == "POST" and not (form.is_valid() and form.cleaned_data.get("year")
                                         and form.cleaned_data.get("quarter")):
        status = 400
        messages.error(request, _("Choose the year and the quarter."))
    elif request.method == "POST":
        if unit is None:
            raise Http404
        try:
            services.post_quarterly_list(actor=request.user, org_unit=unit, year=year, quarter=quarter,
                                         posted_on=None)
        except ValidationError as exc:
            status = 400
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The list was recorded as posted."))
            return redirect(reverse("disclosures:quarterly") + f"?unit={unit.pk}&year={year}&quarter={quarter}")
    ctx: dict[str, Any] = {"form": form, "unit": unit, "year": year, "quarter": quarter}
    if unit is not None:
        first, last = services.quarter_bounds(year, quarter)
        items = list(services.quarter_items(unit, year, quarter).select_related("org_unit", "category")
                     [: QUARTER_MAX + 1])
        ctx.update({
            "first": first, "last": last, "items": items[:QUARTER_MAX], "truncated": len(items) > QUARTER_MAX,
            "posted": QuarterlyList.objects.filter(org_unit=unit, year=year, quarter=quarter)
            .select_related("posted_by").first(),
            "started": (year, quarter) <= services.quarter_of(today),
            "can_post": request.user.has_perm("disclosures.change", unit),
        })
    return render(request, "disclosures/quarterly_list.html", ctx, status=status)


# --------------------------------------------------------------------------- attachments


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    row = attachments.attachment_for(pk)
    if row is None or not attachments.may_read(request.user, attachments.owner_of(row)[1]):
        raise Http404
    data, name, content_type = attachments.open_for(request.user, row)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_add(request: HttpRequest) -> HttpResponse:
    form = AttachmentAddForm(request.POST, request.FILES)
    if not form.is_valid():
        if "owner_type" in form.errors or "owner_id" in form.errors:
            raise Http404
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_next(request, reverse("disclosures:home")))
    kind = attachments.OWNERS[form.cleaned_data["owner_type"]]
    owner = kind.model._default_manager.filter(pk=form.cleaned_data["owner_id"]).first()
    if owner is None or not attachments.may_read(request.user, owner):
        raise Http404
    try:
        attachments.add(actor=request.user, owner=owner, file=form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was attached."))
    return redirect(_next(request, reverse("disclosures:home")))


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = attachments.attachment_for(pk)
    if row is None or not attachments.may_read(request.user, attachments.owner_of(row)[1]):
        raise Http404
    form = AttachmentRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the file is removed."))
    else:
        try:
            attachments.remove(actor=request.user, attachment=row, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The file was removed."))
    return redirect(_next(request, reverse("disclosures:home")))
