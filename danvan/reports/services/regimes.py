"""Reporting regimes and their periods: set-up, Decree 09 cut-offs, expected reports, closing."""


from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.writes import check_version as _check_version
from danvan.core.writes import clean_field_text as _text
from danvan.core.writes import conditional_update as _conditional_update
from danvan.core.writes import fmt_date as _fmt
from danvan.core.writes import is_int as _is_int
from danvan.core.writes import raise_if as _raise
from danvan.core.writes import user_or_none as _creator
from danvan.orgs.models import OrgKind, OrgUnit
from danvan.orgs.paths import ancestor_ids
from danvan.orgs.scope import subtree_q

from .. import periods as period_rules
from .. import rules as report_rules
from ..models import (
    COUNTED_STATUSES,
    FormStatus,
    Period,
    PeriodKind,
    PeriodStatus,
    RegimeStatus,
    ReportForm,
    ReportingRegime,
    Submission,
    SubmissionStatus,
)
from ..tree import anchor_id_for
from ._common import _bump_data_version, _chunks

REGIME_FIELDS = ("name", "plan", "form", "scope_root", "reporter_kinds", "period_kinds", "cutoffs", "deadlines",
                 "status")


def _regime_conflict() -> str:
    return _("Someone else changed this reporting regime after you opened it. Your changes were not saved: "
             "reload it, review the current values and save again.")


def _clean_period_kinds(value: Any, errors: dict[str, Any]) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (list, tuple, set)) or not value:
        errors["period_kinds"] = _("Choose at least one frequency.")
        return []
    kinds: list[str] = []
    for k in value:
        if k not in PeriodKind.values:
            errors["period_kinds"] = _("%(kind)s is not a known frequency.") % {"kind": k}
            return []
        if k not in kinds:
            kinds.append(str(k))
    return kinds


def _clean_day_map(field: str, value: Any, errors: dict[str, Any], *, pairs: bool) -> dict[str, Any]:
    """``cutoffs`` ({kind: {"start", "end"}}) or ``deadlines`` ({kind: "MM-DD"}), checked day by day."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors[field] = _("Give the days per frequency.")
        return {}
    cleaned: dict[str, Any] = {}
    for kind, item in value.items():
        if kind not in PeriodKind.values:
            errors[field] = _("%(kind)s is not a known frequency.") % {"kind": kind}
            return {}
        try:
            if pairs:
                if not isinstance(item, dict) or set(item) != {"start", "end"}:
                    raise ValueError(_("Give the first and the last day of the data."))
                period_rules.parse_month_day(item["start"])
                period_rules.parse_month_day(item["end"])
                cleaned[kind] = {"start": item["start"], "end": item["end"]}
            else:
                period_rules.parse_month_day(item)
                cleaned[kind] = item
        except ValueError as exc:
            errors[field] = f"{PeriodKind(kind).label}: {exc}"
            return {}
    return cleaned


def _check_plan(actor: Any, plan: Any, errors: dict[str, Any]) -> None:
    if plan is None:
        return
    from danvan.plans.models import Plan, PlanStatus

    if not isinstance(plan, Plan) or plan.deleted_at is not None:
        errors["plan"] = _("Choose a plan.")
    elif actor is not None and not actor.has_perm("plans.view_plan", plan):
        errors["plan"] = _("Choose a plan you can see.")
    elif plan.status != PlanStatus.ISSUED:
        errors["plan"] = _("Only an issued plan can set a reporting regime.")


def _check_regime_fields(actor: Any, regime: ReportingRegime, errors: dict[str, Any]) -> None:
    owner = regime.owner
    if regime.scope_root_id is not None and not regime.scope_root.is_in_subtree_of(owner):
        errors["scope_root"] = _("%(unit)s is outside the part of the tree of %(owner)s.") % {
            "unit": regime.scope_root.name, "owner": owner.name}
    form = regime.form if regime.form_id else None
    if not isinstance(form, ReportForm) or form.status != FormStatus.PUBLISHED:
        errors["form"] = _("Choose a published report form.")
    elif form.owner is not None and not owner.is_in_subtree_of(form.owner):
        errors["form"] = _("Choose a form of this unit, of a level above it, or a national form.")


def _clean_reporter_kinds(value: Any, errors: dict[str, Any]) -> list[OrgKind]:
    kinds = list(value or [])
    if not kinds or not all(isinstance(k, OrgKind) for k in kinds):
        errors["reporter_kinds"] = _("Choose at least one kind of unit that reports.")
        return []
    return kinds


def _regime_summary(regime: ReportingRegime) -> dict[str, Any]:
    return {
        "name": regime.name, "owner": regime.owner_id, "form": regime.form_id, "scope_root": regime.scope_root_id,
        "plan": regime.plan_id, "period_kinds": regime.period_kinds, "cutoffs": regime.cutoffs,
        "deadlines": regime.deadlines, "status": regime.status,
    }


@transaction.atomic
def create_regime(
    *, actor: Any, owner: OrgUnit, name: str, form: ReportForm, reporter_kinds: Iterable[OrgKind],
    period_kinds: Sequence[str], scope_root: OrgUnit | None = None, plan: Any = None,
    cutoffs: dict[str, Any] | None = None, deadlines: dict[str, Any] | None = None,
) -> ReportingRegime:
    if actor is not None and not actor.has_perm("reports.create_regime_for_unit", owner):
        raise PermissionDenied(_("You are not allowed to set reporting regimes for this unit."))
    errors: dict[str, Any] = {}
    if owner.valid_to is not None:
        errors["owner"] = _("%(unit)s no longer exists.") % {"unit": owner.name}
    name, err = _text(name, 255, required=True)
    if err:
        errors["name"] = err
    kinds = _clean_reporter_kinds(reporter_kinds, errors)
    regime = ReportingRegime(
        owner=owner, name=name, form=form, scope_root=scope_root or owner, plan=plan,
        period_kinds=_clean_period_kinds(period_kinds, errors),
        cutoffs=_clean_day_map("cutoffs", cutoffs, errors, pairs=True),
        deadlines=_clean_day_map("deadlines", deadlines, errors, pairs=False),
        created_by=_creator(actor),
    )
    _check_regime_fields(actor, regime, errors)
    _check_plan(actor, plan, errors)
    _raise(errors)
    regime.save()
    regime.reporter_kinds.set(kinds)
    audit.record("reports.regime.create", actor=actor, obj=regime, org_unit=owner,
                 summary={**_regime_summary(regime), "reporter_kinds": sorted(k.code for k in kinds)})
    return regime


def _lock_regime(regime: ReportingRegime) -> ReportingRegime:
    return (
        ReportingRegime.objects.select_for_update(of=("self",)).select_related("owner", "scope_root", "form")
        .get(pk=regime.pk)
    )


def _require_regime_manager(actor: Any, regime: ReportingRegime) -> None:
    if regime.deleted_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: _("This reporting regime has been deleted.")})
    if actor is not None and not report_rules.edits_for_unit.test(actor, regime.owner):
        raise PermissionDenied(_("You are not allowed to manage this reporting regime."))
    if regime.status != RegimeStatus.ACTIVE:
        raise ValidationError({NON_FIELD_ERRORS: _("This reporting regime is closed.")})


@transaction.atomic
def update_regime(*, actor: Any, regime: ReportingRegime, expected_version: int, **fields: Any) -> ReportingRegime:
    """Change a regime; the form is fixed once a period exists, and open periods follow a new scope."""
    version = _check_version(expected_version)
    fresh = _lock_regime(regime)
    if fresh.deleted_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: _("This reporting regime has been deleted.")})
    if actor is not None and not report_rules.edits_for_unit.test(actor, fresh.owner):
        raise PermissionDenied(_("You are not allowed to manage this reporting regime."))
    if fresh.status != RegimeStatus.ACTIVE and fields.get("status") != RegimeStatus.ACTIVE:
        raise ValidationError({NON_FIELD_ERRORS: _("This reporting regime is closed.")})
    if fresh.lock_version != version:
        raise ConcurrentEditError(_regime_conflict())
    unknown = set(fields) - set(REGIME_FIELDS)
    if unknown:
        raise TypeError(f"Regime fields {sorted(unknown)} cannot be set here")
    errors: dict[str, Any] = {}
    before = _regime_summary(fresh)
    kinds: list[OrgKind] | None = None
    if "name" in fields:
        fresh.name, err = _text(fields["name"], 255, required=True)
        if err:
            errors["name"] = err
    if "form" in fields and fields["form"] != fresh.form:
        if Period.objects.filter(regime=fresh).exists():
            errors["form"] = _("The form cannot be changed once a period has been opened; set up a new regime.")
        fresh.form = fields["form"]
    if "scope_root" in fields:
        fresh.scope_root = fields["scope_root"] or fresh.owner
    if "plan" in fields:
        fresh.plan = fields["plan"]
        _check_plan(actor, fresh.plan, errors)
    if "period_kinds" in fields:
        fresh.period_kinds = _clean_period_kinds(fields["period_kinds"], errors)
    if "cutoffs" in fields:
        fresh.cutoffs = _clean_day_map("cutoffs", fields["cutoffs"], errors, pairs=True)
    if "deadlines" in fields:
        fresh.deadlines = _clean_day_map("deadlines", fields["deadlines"], errors, pairs=False)
    if "status" in fields:
        fresh.status = fields["status"]
        if fresh.status not in RegimeStatus.values:
            errors["status"] = _("Choose a valid status.")
    if "reporter_kinds" in fields:
        kinds = _clean_reporter_kinds(fields["reporter_kinds"], errors)
    if "form" not in errors:
        _check_regime_fields(actor, fresh, errors)
    _raise(errors)
    _conditional_update(ReportingRegime, fresh, version, _regime_conflict())
    fresh.save()
    regime.lock_version = fresh.lock_version
    scope_changed = "scope_root" in fields and fresh.scope_root_id != before["scope_root"]
    if kinds is not None:
        old = set(fresh.reporter_kinds.values_list("pk", flat=True))
        fresh.reporter_kinds.set(kinds)
        scope_changed = scope_changed or old != {k.pk for k in kinds}
    synced = {}
    if scope_changed:
        for period in Period.objects.filter(regime=fresh, status=PeriodStatus.OPEN).select_related("regime"):
            synced[period.pk] = sync_expected(period=period)
    after = _regime_summary(fresh)
    changed: dict[str, Any] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if kinds is not None:
        changed["reporter_kinds"] = sorted(k.code for k in kinds)
    if synced:
        changed["synced"] = synced
    audit.record("reports.regime.update", actor=actor, obj=fresh, org_unit=fresh.owner, summary=changed)
    return fresh


@transaction.atomic
def delete_regime(*, actor: Any, regime: ReportingRegime, reason: str) -> None:
    """Soft delete; refused once a unit has a submitted or accepted report in it (those figures count)."""
    fresh = _lock_regime(regime)
    _require_regime_manager(actor, fresh)
    reason, err = _text(reason, 1000, required=True)
    if err:
        raise ValidationError({"reason": err})
    if Submission.objects.filter(period__regime=fresh, status__in=COUNTED_STATUSES).exists():
        raise ValidationError({NON_FIELD_ERRORS: _(
            "Units have already submitted reports under this regime; close it instead of deleting it.")})
    fresh.deleted_at = timezone.now()
    fresh.save(update_fields=["deleted_at", "updated_at"])
    regime.deleted_at = fresh.deleted_at
    audit.record("reports.regime.delete", actor=actor, obj=fresh, org_unit=fresh.owner,
                 summary={"name": fresh.name, "reason": reason})




def _period_conflict() -> str:
    return _("Someone else changed this period after you opened it. Your changes were not saved: "
             "reload it, review the current values and save again.")


def _date_error(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return _("Enter a valid date.")
    return ""


def _check_dates(starts_on: Any, ends_on: Any, due_on: Any, errors: dict[str, Any]) -> None:
    for field, value in (("starts_on", starts_on), ("ends_on", ends_on), ("due_on", due_on)):
        if err := _date_error(value):
            errors[field] = err
    if errors:
        return
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end of the data cut-off %(end)s is before its start %(start)s.") % {
            "end": _fmt(ends_on), "start": _fmt(starts_on)}
    elif due_on is not None and ends_on is not None and due_on < ends_on:
        errors["due_on"] = _("The deadline %(due)s is before the end of the data cut-off %(end)s.") % {
            "due": _fmt(due_on), "end": _fmt(ends_on)}


def _period_summary(period: Period) -> dict[str, Any]:
    return {
        "kind": period.kind, "year": period.year, "number": period.number, "label": period.label,
        "starts_on": period.starts_on, "ends_on": period.ends_on, "due_on": period.due_on, "status": period.status,
    }


@transaction.atomic
def open_period(
    *, actor: Any, regime: ReportingRegime, kind: str, year: int, number: int = 1,
    starts_on: dt.date | None = None, ends_on: dt.date | None = None, due_on: dt.date | None = None, label: str = "",
) -> Period:
    """A new reporting round with a not-started report for every expected unit.

    Dates not given come from the regime (Decree 09/2019 cut-offs, the plan's deadline). When both
    defaults disagree — the plan wants the annual report by 15/11 while the decree's data runs to
    14/12 — the data ends the day before the deadline, as localities then report "estimates for
    the rest of the year"; the audit event says so. Dates given by hand are never moved: a
    deadline before the cut-off's end is an error to correct.
    """
    fresh = _lock_regime(regime)
    _require_regime_manager(actor, fresh)
    errors: dict[str, Any] = {}
    if kind not in PeriodKind.values:
        raise ValidationError({"kind": _("Choose a valid kind of period.")})
    if kind not in fresh.period_kinds:
        errors["kind"] = _("This regime has no %(kind)s periods.") % {"kind": PeriodKind(kind).label}
    if not _is_int(year) or not 2000 <= year <= 2100:
        errors["year"] = _("The year must be between 2000 and 2100.")
    if err := period_rules.check_number(kind, number):
        errors["number"] = err
    label, err = _text(label, 150)
    if err:
        errors["label"] = err
    _raise(errors)

    default_start: dt.date | None = None
    default_end: dt.date | None = None
    try:
        default_start, default_end = period_rules.default_cutoff(kind, year, number, fresh.cutoffs)
    except ValueError:
        pass
    default_due = period_rules.default_deadline(fresh, kind, year, number)
    start = starts_on if starts_on is not None else default_start
    end = ends_on if ends_on is not None else default_end
    due = due_on if due_on is not None else default_due
    if start is None:
        errors["starts_on"] = _("Give the first day of the data for this period.")
    if end is None:
        errors["ends_on"] = _("Give the last day of the data for this period.")
    if due is None:
        errors["due_on"] = _("Give the deadline: neither the regime nor its plan sets one for this period.")
    _raise(errors)
    assert start is not None and end is not None and due is not None  # noqa: S101 — narrowed by the checks above  # nosec B101
    moved_end = None
    if ends_on is None and due_on is None and _date_error(due) == "" and due < end and due > start:
        moved_end, end = end, due - dt.timedelta(days=1)
    _check_dates(start, end, due, errors)
    _raise(errors)
    if Period.objects.filter(regime=fresh, kind=kind, year=year, number=number).exists():
        raise ValidationError({"number": _("This regime already has the period %(label)s.") % {
            "label": period_rules.period_label(kind, year, number)}})
    period = Period(
        regime=fresh, kind=kind, year=year, number=number, label=label or period_rules.period_label(kind, year, number),
        starts_on=start, ends_on=end, due_on=due,
    )
    try:
        with transaction.atomic():
            period.save()
    except IntegrityError:
        raise ValidationError({"number": _("This regime already has the period %(label)s.") % {
            "label": period.label}}) from None
    counts = sync_expected(period=period)
    summary = {**_period_summary(period), "expected": counts}
    if moved_end is not None:
        summary["cutoff_moved"] = {"from": moved_end, "to": end,
                                   "why": "the deadline comes before the end of the default data cut-off"}
    audit.record("reports.period.open", actor=actor, obj=period, org_unit=fresh.owner, summary=summary)
    return period


def _lock_period(period: Period) -> Period:
    return (
        Period.objects.select_for_update(of=("self",)).select_related("regime__owner", "regime__scope_root")
        .get(pk=period.pk)
    )


@transaction.atomic
def update_period(
    *, actor: Any, period: Period, expected_version: int, starts_on: dt.date, ends_on: dt.date, due_on: dt.date,
    label: str,
) -> Period:
    """Move a period's dates; lateness is recomputed, and a new cut-off end re-counts the expected units."""
    version = _check_version(expected_version)
    fresh = _lock_period(period)
    _require_regime_manager(actor, fresh.regime)
    if fresh.lock_version != version:
        raise ConcurrentEditError(_period_conflict())
    errors: dict[str, Any] = {}
    for field, value in (("starts_on", starts_on), ("ends_on", ends_on), ("due_on", due_on)):
        if value is None:
            errors[field] = _("This field is required.")
    label, err = _text(label, 150, required=True)
    if err:
        errors["label"] = err
    _raise(errors)
    _check_dates(starts_on, ends_on, due_on, errors)
    _raise(errors)
    before = _period_summary(fresh)
    _conditional_update(Period, fresh, version, _period_conflict(),
                        starts_on=starts_on, ends_on=ends_on, due_on=due_on, label=label)
    period.lock_version = fresh.lock_version
    changed: dict[str, Any] = {k: [before[k], v] for k, v in _period_summary(fresh).items() if before[k] != v}
    if before["due_on"] != due_on:
        changed["late"] = _recompute_lateness(fresh)
    if before["ends_on"] != ends_on:
        changed["expected"] = sync_expected(period=fresh)
    if changed:
        _bump_data_version(fresh.pk)
    audit.record("reports.period.update", actor=actor, obj=fresh, org_unit=fresh.regime.owner, summary=changed)
    return fresh


def _recompute_lateness(period: Period) -> int:
    """After a deadline moves: late means first submitted after the (new) deadline, local time."""
    late: list[int] = []
    on_time: list[int] = []
    rows = Submission.objects.filter(period=period, first_submitted_at__isnull=False).values_list(
        "pk", "first_submitted_at", "is_late")
    for pk, first, was_late in rows:
        now_late = timezone.localdate(first) > period.due_on
        if now_late != was_late:
            (late if now_late else on_time).append(pk)
    for ids, flag in ((late, True), (on_time, False)):
        for chunk in _chunks(ids):
            Submission.objects.filter(pk__in=chunk).update(is_late=flag)
    return len(late) + len(on_time)


@transaction.atomic
def close_period(*, actor: Any, period: Period) -> Period:
    """No report of the period can be filled or submitted after this; reviewing may go on."""
    fresh = _lock_period(period)
    _require_regime_manager(actor, fresh.regime)
    if fresh.status == PeriodStatus.CLOSED:
        raise ValidationError({NON_FIELD_ERRORS: _("This period is already closed.")})
    _conditional_update(Period, fresh, fresh.lock_version, _period_conflict(), status=PeriodStatus.CLOSED)
    period.status, period.lock_version = fresh.status, fresh.lock_version
    audit.record("reports.period.close", actor=actor, obj=fresh, org_unit=fresh.regime.owner,
                 summary={"label": fresh.label})
    return fresh



def _insert_not_started(period: Period, units: list[tuple[int, int]]) -> int:
    """Insert not-started reports for (unit id, anchor id) pairs in one statement.

    ``bulk_create`` builds a model instance and adapts every field of every row: for the 100,000
    units of a national period that is tens of seconds. Here the values every new report shares
    are prepared once, from the model's own fields (so defaults and column names stay the
    model's), and the pairs go in as one array (PostgreSQL ``unnest``) or one JSON document
    (SQLite ``json_each``).
    """
    if not units:
        return 0
    template = Submission(period=period, org_unit_id=0, anchor_id=0)
    fields = [f for f in Submission._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    varying = {"org_unit_id": "u", "anchor_id": "a"}
    shared = [
        f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields if f.attname not in varying
    ]
    vendor = connection.vendor
    select: list[str] = []
    for f in fields:
        if f.attname in varying:
            select.append(f"x.{varying[f.attname]}")
        elif vendor == "postgresql":
            select.append(f"CAST(%s AS {f.db_type(connection)})")
        else:
            select.append("%s")
    head = "INSERT INTO {} ({}) SELECT {} FROM ".format(  # noqa: S608 — names from the model, values are parameters  # nosec B608
        qn(Submission._meta.db_table), ", ".join(qn(str(f.column)) for f in fields), ", ".join(select),
    )
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(head + "unnest(%s::bigint[], %s::bigint[]) AS x(u, a)",
                           [*shared, [u for u, _a in units], [a for _u, a in units]])
        elif vendor == "sqlite":
            cursor.execute(
                head + "(SELECT json_extract(value, '$[0]') AS u, json_extract(value, '$[1]') AS a "  # constants; values are parameters  # nosec B608
                "FROM json_each(%s)) AS x", [*shared, json.dumps(units)],
            )
        else:  # pragma: no cover - the two databases the platform runs on are handled above
            Submission.objects.bulk_create(
                [Submission(period=period, org_unit_id=u, anchor_id=a) for u, a in units], batch_size=2000)
    return len(units)


@transaction.atomic
def sync_expected(*, period: Period, on: dt.date | None = None) -> dict[str, int]:
    """Make the period's reports match the units expected to report on ``on`` (default: the cut-off end).

    Expected: the units of the regime's scope whose kind reports, current that day, except the
    consolidating unit itself. A missing report is created not started; a unit no longer expected
    loses its report if nothing was written in it, and otherwise keeps it with ``expected=False``
    (its figures still count, it never counts towards a rate, so no rate exceeds 100 %).
    Idempotent, and a handful of queries whatever the number of units.
    """
    day = on or period.ends_on
    regime = ReportingRegime.objects.select_related("scope_root").get(pk=period.regime_id)
    root = regime.scope_root
    kind_ids = list(regime.reporter_kinds.values_list("pk", flat=True))
    units = dict(
        OrgUnit.objects.subtree_of(root).filter(kind_id__in=kind_ids)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .exclude(pk=regime.owner_id)
        .values_list("pk", "path")
    )
    existing = list(Submission.objects.filter(period=period).values_list("pk", "org_unit_id", "status", "expected"))
    have = {unit_id for _pk, unit_id, _s, _e in existing}

    missing = [(pk, path) for pk, path in units.items() if pk not in have]
    created = 0
    if missing:
        admin_q = Q(pk__in=ancestor_ids(root.path)) | subtree_q([root.path])
        admin_ids = set(OrgUnit.objects.filter(admin_q, kind__is_administrative=True).values_list("pk", flat=True))
        created = _insert_not_started(period, [(pk, anchor_id_for(path, admin_ids)) for pk, path in missing])

    gone_untouched: list[int] = []  # nothing written: the report goes
    gone_drafts: list[int] = []  # drafts: go if empty, else kept as unexpected
    gone_kept: list[int] = []  # something written or counted: kept, no longer expected
    back: list[int] = []  # expected again (a unit reopened, a date moved back)
    for pk, unit_id, status, expected in existing:
        if unit_id in units:
            if not expected:
                back.append(pk)
        elif status == SubmissionStatus.NOT_STARTED:
            gone_untouched.append(pk)
        elif status == SubmissionStatus.DRAFT:
            gone_drafts.append(pk)
        elif expected:
            gone_kept.append(pk)
    was_expected = {pk for pk, _u, _s, e in existing if e}
    for chunk in _chunks(gone_drafts):
        for pk, values, answers in Submission.objects.filter(pk__in=chunk).values_list("pk", "values", "answers"):
            if not values and not answers:
                gone_untouched.append(pk)
            elif pk in was_expected:
                gone_kept.append(pk)
    for chunk in _chunks(gone_untouched):
        Submission.objects.filter(pk__in=chunk).delete()
    for ids, flag in ((gone_kept, False), (back, True)):
        for chunk in _chunks(ids):
            Submission.objects.filter(pk__in=chunk).update(expected=flag)

    counts = {"expected": len(units), "created": created, "removed": len(gone_untouched),
              "unexpected": len(gone_kept), "expected_again": len(back)}
    if created or gone_untouched or gone_kept or back:
        _bump_data_version(period.pk)
        audit.record("reports.period.sync_expected", obj=period, org_unit=regime.owner,
                     summary={**counts, "on": day})
    return counts
