"""/api/v1/reports: forms, regimes, periods, each unit's report, and the figures totalled up the tree.

Thin over ``services`` (every write), ``queries`` (every scoped read) and ``aggregation``: a
regime, period or report the caller may not see answers 404 exactly like one that does not exist;
the services decide who may change what (403) and that a stale ``lock_version`` loses (409,
nothing saved). A step the report's state does not allow (submitting an accepted report,
accepting a draft) is 409 for those who could otherwise take it, so another system can tell "not
now" from "never". Figures are validated by the form itself, so an error names the indicator's
code as its field, exactly as the browser form does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import MAX_ID, decode_cursor, encode_cursor
from danvan.orgs.models import OrgKind, OrgUnit
from danvan.orgs.scope import scope_of, subtree_q, visible_q

from . import aggregation, queries, services
from .api_schemas import (
    AggregateNodeOut,
    AggregatesOut,
    CellOut,
    CompletenessOut,
    CompletenessReportOut,
    CrossRuleOut,
    CutoffOut,
    FormDetailOut,
    FormPage,
    FormSectionOut,
    FormSummaryOut,
    IndicatorOut,
    PageParams,
    PeriodDetailOut,
    PeriodIn,
    PeriodOut,
    QuestionOut,
    RegimeDetailOut,
    RegimeIn,
    RegimePage,
    RegimeSummaryOut,
    ReopenIn,
    ReturnIn,
    RevisionOut,
    SubmissionDetailOut,
    SubmissionFilters,
    SubmissionLockIn,
    SubmissionPage,
    SubmissionPermissionsOut,
    SubmissionSummaryOut,
    UnitParams,
    ValuesIn,
)
from .models import (
    FormStatus,
    Period,
    PeriodStatus,
    ReportForm,
    ReportingRegime,
    Submission,
    SubmissionRevision,
    SubmissionStatus,
)
from .rules import EDITORS, SIGNERS, reviewer_path

router = Router(tags=["reports"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 400, 404, 409, 422)

FormId = Annotated[int, Path(description="The form version's id; 404 if it does not exist or the caller cannot see it.")]
RegimeId = Annotated[int, Path(description="The regime's id; 404 if it does not exist or the caller cannot see it.")]
PeriodId = Annotated[int, Path(description="The period's id; 404 if it does not exist or the caller cannot see it.")]
SubmissionId = Annotated[
    int, Path(description="The report's id; 404 if it does not exist or the caller cannot see it.")
]

# The services name their arguments; the API names the body's fields.
REGIME_FIELDS = {
    "owner": "owner_id", "form": "form_id", "scope_root": "scope_root_id", "plan": "plan_id",
    "expected_version": "lock_version",
}
SUBMISSION_FIELDS = {"expected_version": "lock_version"}


# --------------------------------------------------------------------------- helpers


@contextmanager
def _fields(mapping: dict[str, str]) -> Iterator[None]:
    """Re-label a service's field errors with the request's field names."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict") or not set(exc.error_dict) & set(mapping):
            raise
        raise type(exc)({mapping.get(k, k): v for k, v in exc.error_dict.items()}) from exc


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _in_range(pk: int) -> bool:
    return 1 <= pk <= MAX_ID


def _name(user: Any) -> str | None:
    return None if user is None else str(user)


def _is_pair(kinds: tuple[type, type]) -> Any:
    def check(value: Any) -> bool:
        return (
            isinstance(value, list) and len(value) == 2
            and all(isinstance(v, k) and not isinstance(v, bool) for v, k in zip(value, kinds, strict=True))
        )

    return check


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


def _page(rows: list[Any], limit: int) -> tuple[list[Any], bool]:
    return rows[:limit], len(rows) > limit


def _visible_unit(request: HttpRequest, unit_id: int) -> OrgUnit:
    """A unit the caller acts for, or one above theirs (they read what is below it in their part); 404 otherwise."""
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    scope = scope_of(caller(request))
    if unit is None or not (scope.covers(unit.path) or any(g.path.startswith(unit.path) for g in scope.grants)):
        raise Http404
    return unit


def _choose_unit(request: HttpRequest, field: str, unit_id: int) -> OrgUnit:
    """A unit of the caller's part of the tree for a body field; one outside it does not exist for them."""
    unit = OrgUnit.objects.visible_to(caller(request)).filter(pk=unit_id).first()
    if unit is None:
        raise _invalid(field, _("Choose a unit."))
    return unit


# --------------------------------------------------------------------------- forms


def _forms(request: HttpRequest) -> QuerySet[ReportForm]:
    """Published forms, and every version owned by one of the caller's units (drafts included)."""
    q = visible_q(caller(request), prefix="owner__")
    forms = ReportForm.objects.all()
    return forms if q is None else forms.filter(Q(status=FormStatus.PUBLISHED) | q)


def form_summary(f: ReportForm) -> FormSummaryOut:
    return FormSummaryOut(
        id=f.pk, code=f.code, version=f.version, name=f.name, description=f.description, status=f.status,
        owner_id=f.owner_id, owner_name=f.owner.name if f.owner is not None else None, published_at=f.published_at,
    )


@router.get("/forms", response={200: FormPage, **LIST_ERRORS}, summary="List report forms", operation_id="reports_forms")
def list_forms(request: HttpRequest, params: Query[PageParams]) -> FormPage:
    """Published report forms, and the forms (any state) owned by the caller's units; by code, newest version
    first."""
    after = decode_cursor(params.cursor, _is_pair((str, int)))
    qs = _forms(request).select_related("owner")
    if after is not None:
        code, version = after
        qs = qs.filter(Q(code__gt=code) | Q(code=code, version__lt=version))
    rows, more = _page(list(qs.order_by("code", "-version")[: params.limit + 1]), params.limit)
    return FormPage(
        items=[form_summary(f) for f in rows],
        next_cursor=encode_cursor([rows[-1].code, rows[-1].version]) if more else None,
    )


@router.get(
    "/forms/{int:form_id}", response={200: FormDetailOut, **READ_ERRORS}, summary="One report form",
    operation_id="reports_form_detail",
)
def form_detail(request: HttpRequest, form_id: FormId) -> FormDetailOut:
    """The form version with its sections, indicators (types, limits, aggregation rules), cross-indicator
    rules and narrative questions: everything needed to fill a report offline."""
    form = _forms(request).select_related("owner").filter(pk=form_id).first() if _in_range(form_id) else None
    if form is None:
        raise Http404
    return FormDetailOut(
        **form_summary(form).model_dump(),
        sections=[FormSectionOut(id=s.pk, number=s.number, title=s.title, order=s.order) for s in form.sections.all()],
        indicators=[
            IndicatorOut(
                id=i.pk, code=i.code, name=i.name, unit=i.unit, value_type=i.value_type, aggregation=i.aggregation,
                numerator_code=i.numerator_code, denominator_code=i.denominator_code, required=i.required,
                min_value=i.min_value, max_value=i.max_value, prefill_source=i.prefill_source, help_text=i.help_text,
                section_id=i.section_id, order=i.order,
            )
            for i in form.indicators.all()
        ],
        rules=[
            CrossRuleOut(id=r.pk, left=list(r.left), operator=r.operator, right=list(r.right), message=r.message)
            for r in form.rules.all()
        ],
        questions=[
            QuestionOut(
                id=q.pk, code=q.code, text=q.text, help_text=q.help_text, required=q.required,
                max_length=q.max_length, section_id=q.section_id, order=q.order,
            )
            for q in form.questions.all()
        ],
    )


# --------------------------------------------------------------------------- regimes and periods


def _regimes(request: HttpRequest) -> QuerySet[ReportingRegime]:
    return queries.visible_regimes(caller(request)).select_related("owner", "scope_root", "form")


def _regime(request: HttpRequest, regime_id: int) -> ReportingRegime:
    regime = _regimes(request).filter(pk=regime_id).first() if _in_range(regime_id) else None
    if regime is None or not caller(request).has_perm("reports.view_regime", regime):
        raise Http404
    return regime


def period_out(p: Period) -> PeriodOut:
    return PeriodOut(
        id=p.pk, regime_id=p.regime_id, kind=p.kind, year=p.year, number=p.number, label=p.label,
        starts_on=p.starts_on, ends_on=p.ends_on, due_on=p.due_on, status=p.status, data_version=p.data_version,
        lock_version=p.lock_version,
    )


def period_detail_out(p: Period) -> PeriodDetailOut:
    r = p.regime
    return PeriodDetailOut(
        **period_out(p).model_dump(), regime_name=r.name, owner_id=r.owner_id, scope_root_id=r.scope_root_id,
        form_id=r.form_id,
    )


def regime_summary(r: ReportingRegime, kinds: list[str]) -> RegimeSummaryOut:
    return RegimeSummaryOut(
        id=r.pk, name=r.name, owner_id=r.owner_id, owner_name=r.owner.name, scope_root_id=r.scope_root_id,
        scope_root_name=r.scope_root.name, form_id=r.form_id, form_code=r.form.code, form_version=r.form.version,
        plan_id=r.plan_id, reporter_kinds=kinds, period_kinds=list(r.period_kinds or []), status=r.status,
        created_at=r.created_at,
    )


def _kind_codes(r: ReportingRegime) -> list[str]:
    return sorted(k.code for k in r.reporter_kinds.all())


def regime_detail(r: ReportingRegime) -> RegimeDetailOut:
    cutoffs = {
        kind: CutoffOut(start=str(v.get("start", "")), end=str(v.get("end", "")))
        for kind, v in (r.cutoffs or {}).items() if isinstance(v, dict)
    }
    return RegimeDetailOut(
        **regime_summary(r, _kind_codes(r)).model_dump(), cutoffs=cutoffs,
        deadlines={k: str(v) for k, v in (r.deadlines or {}).items()}, lock_version=r.lock_version,
        periods=[period_out(p) for p in r.periods.order_by("-year", "-due_on", "-pk")],
    )


@router.get(
    "/regimes", response={200: RegimePage, **LIST_ERRORS}, summary="List reporting regimes",
    operation_id="reports_regimes",
)
def list_regimes(request: HttpRequest, params: Query[PageParams]) -> RegimePage:
    """Regimes the caller reads: those of their units, and those their units report under; newest first."""
    after = decode_cursor(params.cursor, _is_id)
    qs = _regimes(request).prefetch_related("reporter_kinds")
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows, more = _page(list(qs.order_by("-pk")[: params.limit + 1]), params.limit)
    return RegimePage(
        items=[regime_summary(r, _kind_codes(r)) for r in rows], next_cursor=encode_cursor(rows[-1].pk) if more else None
    )


@router.post(
    "/regimes", response={201: RegimeDetailOut, **WRITE_ERRORS}, summary="Create a reporting regime",
    operation_id="reports_regime_create",
)
def create_regime(request: HttpRequest, payload: RegimeIn) -> Status:
    """Who reports what to the consolidating unit `owner_id`, and how periods are cut. The caller needs an editing
    role (admin, head, officer) on that unit. Cut-offs follow Decree 09/2019 unless given."""
    from danvan.plans.queries import plans_visible_to

    user = caller(request)
    owner = _choose_unit(request, "owner_id", payload.owner_id)
    scope_root = _choose_unit(request, "scope_root_id", payload.scope_root_id) if payload.scope_root_id else None
    form = _forms(request).filter(pk=payload.form_id).first()
    if form is None:
        raise _invalid("form_id", _("No report form with this id is visible to you."))
    plan = None
    if payload.plan_id is not None:
        plan = plans_visible_to(user).filter(pk=payload.plan_id).first()
        if plan is None:
            raise _invalid("plan_id", _("No plan with this id is visible to you."))
    kinds = list(OrgKind.objects.filter(code__in=set(payload.reporter_kinds)))
    unknown = sorted(set(payload.reporter_kinds) - {k.code for k in kinds})
    if unknown:
        raise _invalid("reporter_kinds", _("Unknown kind of unit: %(codes)s.") % {"codes": ", ".join(unknown)})
    with _fields(REGIME_FIELDS):
        regime = services.create_regime(
            actor=user, owner=owner, name=payload.name, form=form, reporter_kinds=kinds,
            period_kinds=list(payload.period_kinds), scope_root=scope_root, plan=plan,
            cutoffs={str(k): v.model_dump() for k, v in payload.cutoffs.items()} if payload.cutoffs else None,
            deadlines={str(k): v for k, v in payload.deadlines.items()} if payload.deadlines else None,
        )
    return Status(201, regime_detail(_regime(request, regime.pk)))


@router.get(
    "/regimes/{int:regime_id}", response={200: RegimeDetailOut, **READ_ERRORS}, summary="One reporting regime",
    operation_id="reports_regime_detail",
)
def regime_detail_view(request: HttpRequest, regime_id: RegimeId) -> RegimeDetailOut:
    """The regime with its cut-offs, deadlines and periods."""
    return regime_detail(_regime(request, regime_id))


@router.post(
    "/regimes/{int:regime_id}/periods", response={201: PeriodDetailOut, **WRITE_ERRORS}, summary="Open a period",
    operation_id="reports_period_open",
)
def open_period(request: HttpRequest, regime_id: RegimeId, payload: PeriodIn) -> Status:
    """Opens a reporting round and creates a not-started report for every unit expected to report. Dates left
    out come from the regime (Decree 09/2019 cut-offs, its or its plan's deadlines). A deadline before the
    data cut-off is refused (422 on `due_on`); the same period twice is refused (422)."""
    regime = _regime(request, regime_id)
    with _fields(REGIME_FIELDS):
        period = services.open_period(
            actor=caller(request), regime=regime, kind=payload.kind, year=payload.year, number=payload.number,
            starts_on=payload.starts_on, ends_on=payload.ends_on, due_on=payload.due_on, label=payload.label,
        )
    return Status(201, period_detail_out(_period(request, period.pk)))


def _period(request: HttpRequest, period_id: int) -> Period:
    period = (
        Period.objects.select_related("regime__owner", "regime__scope_root", "regime__form")
        .filter(pk=period_id, regime__deleted_at__isnull=True).first()
        if _in_range(period_id) else None
    )
    if period is None or not caller(request).has_perm("reports.view_regime", period.regime):
        raise Http404
    return period


@router.get(
    "/periods/{int:period_id}", response={200: PeriodDetailOut, **READ_ERRORS}, summary="One reporting period",
    operation_id="reports_period_detail",
)
def period_detail(request: HttpRequest, period_id: PeriodId) -> PeriodDetailOut:
    """The period's dates (data from, data until, deadline), status and `data_version`."""
    return period_detail_out(_period(request, period_id))


# --------------------------------------------------------------------------- submissions


def submission_summary(s: Submission) -> SubmissionSummaryOut:
    return SubmissionSummaryOut(
        id=s.pk, period_id=s.period_id, period_label=s.period.label, org_unit_id=s.org_unit_id,
        org_unit_name=s.org_unit.name, anchor_id=s.anchor_id, expected=s.expected, status=s.status,
        is_late=s.is_late, submitted_at=s.submitted_at, reviewed_at=s.reviewed_at, lock_version=s.lock_version,
        updated_at=s.updated_at,
    )


@router.get(
    "/submissions", response={200: SubmissionPage, **LIST_ERRORS}, summary="List reports",
    operation_id="reports_submissions",
)
def list_submissions(request: HttpRequest, filters: Query[SubmissionFilters]) -> SubmissionPage:
    """Reports of the caller's units and the units below them, newest period first, then in tree order.
    Filters combine with AND."""
    after = decode_cursor(filters.cursor, _is_pair((int, str)))
    qs = queries.visible_submissions(caller(request)).select_related("org_unit", "period")
    if filters.period is not None:
        qs = qs.filter(period_id=filters.period)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.unit is not None:
        qs = qs.filter(subtree_q([_visible_unit(request, filters.unit).path], prefix="org_unit__"))
    if after is not None:
        period_id, path = after
        qs = qs.filter(Q(period_id__lt=period_id) | Q(period_id=period_id, org_unit__path__gt=path))
    rows, more = _page(list(qs.order_by("-period_id", "org_unit__path")[: filters.limit + 1]), filters.limit)
    return SubmissionPage(
        items=[submission_summary(s) for s in rows],
        next_cursor=encode_cursor([rows[-1].period_id, rows[-1].org_unit.path]) if more else None,
    )


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    submission = (
        queries.visible_submissions(caller(request))
        .select_related(
            "org_unit", "period__regime__owner", "period__regime__scope_root", "submitted_by", "reviewed_by"
        )
        .filter(pk=submission_id).first()
        if _in_range(submission_id) else None
    )
    if submission is None or not caller(request).has_perm("reports.view_submission", submission):
        raise Http404
    return submission


def submission_detail(request: HttpRequest, s: Submission) -> SubmissionDetailOut:
    user = caller(request)
    revisions = SubmissionRevision.objects.filter(submission=s).select_related("actor").order_by("at", "pk")
    return SubmissionDetailOut(
        **submission_summary(s).model_dump(), period=period_out(s.period), form_id=s.period.regime.form_id,
        values=dict(s.values or {}), answers={k: str(v) for k, v in (s.answers or {}).items()},
        prefilled=dict(s.prefilled or {}), corrections={k: str(v) for k, v in (s.corrections or {}).items()},
        first_submitted_at=s.first_submitted_at, submitted_by_name=_name(s.submitted_by),
        reviewed_by_name=_name(s.reviewed_by), review_comment=s.review_comment,
        revisions=[
            RevisionOut(at=r.at, action=r.action, status=r.status, actor_name=_name(r.actor), comment=r.comment)
            for r in revisions
        ],
        permissions=SubmissionPermissionsOut(
            fill=user.has_perm("reports.fill_submission", s), review=user.has_perm("reports.review_submission", s),
            reopen=user.has_perm("reports.reopen_submission", s),
        ),
    )


@router.get(
    "/submissions/{int:submission_id}", response={200: SubmissionDetailOut, **READ_ERRORS}, summary="One report",
    operation_id="reports_submission_detail",
)
def submission_detail_view(request: HttpRequest, submission_id: SubmissionId) -> SubmissionDetailOut:
    """The report's figures, answers, pre-filled figures and reasons for corrections, its status, lateness,
    `lock_version`, the history of its changes and what the caller may do with it."""
    return submission_detail(request, _submission(request, submission_id))


def _fresh(request: HttpRequest, submission_id: int) -> SubmissionDetailOut:
    return submission_detail(request, _submission(request, submission_id))


def _conflict_unless(request: HttpRequest, allowed: bool, covers_path: str, roles: frozenset[str], message: str) -> None:
    """409 when the caller could take this step but the report's state does not allow it; others get the 403."""
    if not allowed and covers_path and scope_of(caller(request)).covers(covers_path, roles):
        raise HttpError(409, message)


def _fillable(request: HttpRequest, s: Submission) -> None:
    if s.period.status != PeriodStatus.OPEN:
        message = _("The period is closed: its reports can no longer be changed.")
    else:
        message = _("This report was submitted or accepted: it can no longer be changed.")
    _conflict_unless(request, s.is_editable and s.period.status == PeriodStatus.OPEN, s.org_unit.path, EDITORS, message)


@router.put(
    "/submissions/{int:submission_id}/values", response={200: SubmissionDetailOut, **WRITE_ERRORS},
    summary="Save a report's figures", operation_id="reports_submission_values",
)
def save_values(request: HttpRequest, submission_id: SubmissionId, payload: ValuesIn) -> SubmissionDetailOut:
    """Saves figures into the report's working copy: `values` by indicator code, `answers` by question code, and
    `reasons` for figures that differ from the pre-filled ones. Only the codes sent change (a slow link may send
    one cell at a time); null or empty text clears one. Each figure is checked against its indicator (type,
    limits); a wrong one answers 422 with the indicator's code as `field`, and nothing is saved. Requires an
    editing role on the reporting unit while the report is not submitted and the period is open (else 409).
    A stale `lock_version` answers 409: someone saved the report since; nothing is saved."""
    s = _submission(request, submission_id)
    _fillable(request, s)
    with _fields(SUBMISSION_FIELDS):
        services.save_draft(
            actor=caller(request), submission=s, values=dict(payload.values), answers=dict(payload.answers),
            reasons=dict(payload.reasons), expected_version=payload.lock_version,
        )
    return _fresh(request, s.pk)


@router.post(
    "/submissions/{int:submission_id}/submit", response={200: SubmissionDetailOut, **WRITE_ERRORS},
    summary="Submit a report", operation_id="reports_submission_submit",
)
def submit(request: HttpRequest, submission_id: SubmissionId, payload: SubmissionLockIn) -> SubmissionDetailOut:
    """Sends the saved report to the level above. Required figures and answers and the form's cross-indicator
    rules are checked (422, each error on its code). A first submission after the deadline is flagged late."""
    s = _submission(request, submission_id)
    if not services.is_repeat_submit(actor=caller(request), submission=s, expected_version=payload.lock_version):
        _fillable(request, s)
    with _fields(SUBMISSION_FIELDS):
        services.submit_report(actor=caller(request), submission=s, expected_version=payload.lock_version)
    return _fresh(request, s.pk)


def _reviewable(request: HttpRequest, s: Submission, status: str, roles: frozenset[str], message: str) -> None:
    _conflict_unless(request, s.status == status, reviewer_path(s), roles, message)


@router.post(
    "/submissions/{int:submission_id}/return", response={200: SubmissionDetailOut, **WRITE_ERRORS},
    summary="Return a report for correction", operation_id="reports_submission_return",
)
def return_report(request: HttpRequest, submission_id: SubmissionId, payload: ReturnIn) -> SubmissionDetailOut:
    """Sends a submitted report back to its unit with `comment` (required). Its figures stop counting until it is
    submitted again. Requires an editing role on the level above the reporting unit."""
    s = _submission(request, submission_id)
    _reviewable(request, s, SubmissionStatus.SUBMITTED, EDITORS, _("Only a submitted report can be returned."))
    with _fields(SUBMISSION_FIELDS):
        services.return_report(
            actor=caller(request), submission=s, comment=payload.comment, expected_version=payload.lock_version
        )
    return _fresh(request, s.pk)


@router.post(
    "/submissions/{int:submission_id}/accept", response={200: SubmissionDetailOut, **WRITE_ERRORS},
    summary="Accept a report", operation_id="reports_submission_accept",
)
def accept(request: HttpRequest, submission_id: SubmissionId, payload: SubmissionLockIn) -> SubmissionDetailOut:
    """Accepts a submitted report, which locks it. Requires an editing role on the level above the reporting unit."""
    s = _submission(request, submission_id)
    _reviewable(request, s, SubmissionStatus.SUBMITTED, EDITORS, _("Only a submitted report can be accepted."))
    with _fields(SUBMISSION_FIELDS):
        services.accept_report(actor=caller(request), submission=s, expected_version=payload.lock_version)
    return _fresh(request, s.pk)


@router.post(
    "/submissions/{int:submission_id}/reopen", response={200: SubmissionDetailOut, **WRITE_ERRORS},
    summary="Reopen an accepted report", operation_id="reports_submission_reopen",
)
def reopen(request: HttpRequest, submission_id: SubmissionId, payload: ReopenIn) -> SubmissionDetailOut:
    """Unlocks an accepted report so its unit can correct it, with `reason` (required). Its figures stop counting
    until it is submitted again. Requires the head or admin role on the level above the reporting unit."""
    s = _submission(request, submission_id)
    _reviewable(request, s, SubmissionStatus.ACCEPTED, SIGNERS, _("Only an accepted report can be reopened."))
    with _fields(SUBMISSION_FIELDS):
        services.reopen_report(
            actor=caller(request), submission=s, reason=payload.reason, expected_version=payload.lock_version
        )
    return _fresh(request, s.pk)


# --------------------------------------------------------------------------- aggregates


def _aggregate_root(request: HttpRequest, period: Period, unit_id: int | None) -> OrgUnit:
    """The unit asked for if the caller covers it inside the period's scope; by default the scope root, or the
    caller's highest unit in it. Any other unit answers 404, like one that does not exist."""
    scope = scope_of(caller(request))
    root = period.regime.scope_root
    if unit_id is None:
        if scope.covers(root.path):
            return root
        inside = sorted((g for g in scope.grants if g.path.startswith(root.path)), key=lambda g: (len(g.path), g.path))
        if not inside:
            raise Http404
        unit_id = inside[0].unit_id
    unit = OrgUnit.objects.select_related("kind").filter(pk=unit_id).first()
    if unit is None or not unit.path.startswith(root.path) or not scope.covers(unit.path):
        raise Http404
    return unit


def _node_out(agg: Any, node: Any, indicators: list[Any]) -> AggregateNodeOut:
    values = {}
    for ind in indicators:
        cell = node.cells.get(ind.id)
        values[ind.code] = CellOut(
            value=agg.value(node.unit_id, ind.code), sum=float(cell.sum) if cell else 0.0, count=cell.count if cell else 0
        )
    return AggregateNodeOut(
        unit_id=node.unit_id, name=node.name, kind=node.kind_name, parent_id=node.parent_id, depth=node.depth,
        values=values,
    )


def _aggregate(request: HttpRequest, period_id: int, unit_id: int | None) -> tuple[Period, Any, Any]:
    period = _period(request, period_id)
    unit = _aggregate_root(request, period, unit_id)
    agg = aggregation.aggregate_period(period, root=unit)
    node = agg.nodes.get(unit.pk)
    if node is None:  # a unit that is not a level of the tree (a village, a department) totals nothing
        raise Http404
    return period, agg, node


@router.get(
    "/periods/{int:period_id}/aggregates", response={200: AggregatesOut, **LIST_ERRORS},
    summary="Figures totalled up the tree", operation_id="reports_period_aggregates",
)
def aggregates(request: HttpRequest, period_id: PeriodId, params: Query[UnitParams]) -> AggregatesOut:
    """For the unit and each administrative unit directly below it: per numeric indicator, the figure by its
    aggregation rule (sum, average, min, max, share answering yes, ratio) over the submitted and accepted
    reports of its subtree, with their sum and count."""
    period, agg, node = _aggregate(request, period_id, params.unit)
    indicators = list(agg.spec.numeric_indicators)
    return AggregatesOut(
        period_id=period.pk, data_version=period.data_version, unit=_node_out(agg, node, indicators),
        children=[_node_out(agg, child, indicators) for child in agg.children(node.unit_id)],
    )


def _completeness_out(node: Any) -> CompletenessOut:
    c = node.completeness
    return CompletenessOut(
        unit_id=node.unit_id, name=node.name, kind=node.kind_name, parent_id=node.parent_id, depth=node.depth,
        expected=c.expected, received=c.received, on_time=c.on_time, late=c.late, missing=c.missing, extra=c.extra,
        rate=c.rate, timeliness=c.timeliness,
    )


@router.get(
    "/periods/{int:period_id}/completeness", response={200: CompletenessReportOut, **LIST_ERRORS},
    summary="Reports expected, received, on time and late", operation_id="reports_period_completeness",
)
def completeness(request: HttpRequest, period_id: PeriodId, params: Query[UnitParams]) -> CompletenessReportOut:
    """For the unit and each administrative unit directly below it: reports expected, received (submitted or
    accepted), on time, late, missing, and extra (from units closed during the period, which never push a rate
    above 100%), with the reporting rate and timeliness as fractions."""
    period, agg, node = _aggregate(request, period_id, params.unit)
    return CompletenessReportOut(
        period_id=period.pk, due_on=period.due_on, unit=_completeness_out(node),
        children=[_completeness_out(child) for child in agg.children(node.unit_id)],
    )
