"""/api/v1/surveys: the surveys of the caller's units, their index, responses entered by other systems.

Thin over ``services`` (create, publish, close), ``responses`` (every saved response, with its index
masks), ``tokens``, ``index`` and ``queries``. A survey the caller may not see answers 404 exactly
like one that does not exist; a role that may not act is 403; a stale ``expected_version`` is 409
(nothing saved); bad answers are 422 with one message per question key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from danvan.accounts.models import User
from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import MAX_ID, decode_cursor, encode_cursor, is_dated_key
from danvan.api.units import unit_filter
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .api_schemas import (
    GroupBy,
    SurveyChoiceOut,
    SurveyDetailOut,
    SurveyFilters,
    SurveyIn,
    SurveyIndexElementOut,
    SurveyIndexGroupOut,
    SurveyIndexOut,
    SurveyIndexParams,
    SurveyPage,
    SurveyQuestionOut,
    SurveyResponseFilters,
    SurveyResponseIn,
    SurveyResponseOut,
    SurveyResponsePage,
    SurveySectionOut,
    SurveySummaryOut,
    SurveyTokensIn,
    SurveyTokensOut,
    SurveyUnitIndexParams,
    SurveyUnitOut,
    SurveyVersionIn,
    SurveyVersionOut,
)
from .models import Desk, Question, Response, Section, Service, Survey, SurveyToken, SurveyVersion
from .responses import options

router = Router(tags=["surveys"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)
IDEMPOTENCY_MAX = 80

SurveyId = Annotated[int, Path(description="The survey's id; 404 if it does not exist or the caller cannot see it.")]


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _visible(request: HttpRequest) -> QuerySet[Survey]:
    return Survey.objects.filter(deleted_at__isnull=True).visible_to(caller(request))


def _survey(request: HttpRequest, survey_id: int) -> Survey:
    s = (_visible(request).select_related("org_unit", "service").filter(pk=survey_id).first()
         if 1 <= survey_id <= MAX_ID else None)
    if s is None:
        raise Http404
    return s


def _require(request: HttpRequest, perm: str, obj: Any) -> None:
    if not caller(request).has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _unit_out(unit: OrgUnit) -> SurveyUnitOut:
    return SurveyUnitOut(id=unit.pk, name=unit.name, code=unit.code or "")


def _current_numbers(surveys: Iterable[Survey]) -> dict[int, int]:
    """The number of each survey's latest published version, in one query for a whole page."""
    ids = [s.pk for s in surveys]
    numbers: dict[int, int] = {}
    for survey_id, number in (SurveyVersion.objects.filter(survey_id__in=ids, published_at__isnull=False)
                              .order_by("survey_id", "number").values_list("survey_id", "number")):
        numbers[survey_id] = number
    return numbers


def _summary(s: Survey, current: int | None) -> dict[str, Any]:
    return {
        "id": s.pk, "title": s.title, "unit": _unit_out(s.org_unit), "public_code": s.public_code,
        "subject": s.subject, "access": s.access, "service": s.service.code if s.service is not None else None,
        "status": s.status, "opens_on": s.opens_on, "closes_on": s.closes_on, "template": s.template,
        "current_version": current, "lock_version": s.lock_version, "created_at": s.created_at,
    }


def _version_out(version: SurveyVersion) -> SurveyVersionOut:
    sections = (Section.objects.filter(version=version).order_by("order")
                .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order"))))
    return SurveyVersionOut(
        number=version.number, published_at=version.published_at, satisfied_threshold=version.satisfied_threshold,
        element_rule=version.element_rule,  # type: ignore[arg-type]
        sections=[SurveySectionOut(
            title=sec.title, element_key=sec.element_key, weight=float(sec.weight),
            questions=[SurveyQuestionOut(
                key=q.key, text=q.text, help_text=q.help_text, kind=q.kind, aspect=q.aspect,  # type: ignore[arg-type]
                criterion=q.criterion, required=q.required,
                choices=[SurveyChoiceOut(value=v, label=label) for v, label in options(q)],
                max_length=q.max_length,
            ) for q in sec.questions.all()],
        ) for sec in sections],
    )


def detail_out(s: Survey) -> SurveyDetailOut:
    """The survey with the version respondents answer now (or, in draft, the one being edited)."""
    from . import queries

    current = queries.current_version(s)
    version = current or SurveyVersion.objects.filter(survey=s).order_by("-number").first()
    return SurveyDetailOut(**_summary(s, current.number if current else None), description=s.description,
                           version=_version_out(version) if version is not None else None)


# =========================================================================== surveys


_is_list_key = partial(is_dated_key, parse=dt.datetime.fromisoformat)





@router.get("", response={200: SurveyPage, **LIST_ERRORS}, summary="List surveys", operation_id="surveys_list")
def list_surveys(request: HttpRequest, params: Query[SurveyFilters]) -> SurveyPage:
    """Surveys of the caller's units (deleted ones left out), latest created first, optionally only `unit`'s
    subtree or one `status`. Keyset-paged: pass `next_cursor` back as `cursor`. A `unit` outside the caller's
    units is 404."""
    after = decode_cursor(params.cursor, _is_list_key)
    qs = _visible(request).select_related("org_unit", "service")
    unit = unit_filter(request, params.unit)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    if params.status:
        qs = qs.filter(status=params.status)
    if after is not None:
        at = dt.datetime.fromisoformat(after[0])
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=after[1]))
    rows = list(qs.order_by("-created_at", "-pk")[: params.limit + 1])
    page, more = rows[: params.limit], len(rows) > params.limit
    numbers = _current_numbers(page)
    return SurveyPage(
        items=[SurveySummaryOut(**_summary(s, numbers.get(s.pk))) for s in page],
        next_cursor=encode_cursor([page[-1].created_at.isoformat(), page[-1].pk]) if more else None,
    )


@router.get(
    "/index", response={200: SurveyIndexOut, **LIST_ERRORS}, summary="Satisfaction index of a unit",
    operation_id="surveys_unit_index",
)
def unit_index(request: HttpRequest, params: Query[SurveyUnitIndexParams]) -> SurveyIndexOut:
    """The satisfaction index over every survey of `unit`'s subtree (aggregated up the tree), for responses
    from `from` to `to` (default: the last twelve months up to today). A unit outside the caller's is 404."""
    from . import index

    unit = unit_filter(request, params.unit)
    assert unit is not None  # noqa: S101 - unit is a required parameter  # nosec B101
    date_to = params.date_to or timezone.localdate()
    date_from = params.date_from or (date_to - dt.timedelta(days=364))
    _check_dates(date_from, date_to)
    return index_out(index.unit_index(unit, date_from, date_to), None)


@router.get(
    "/{int:survey_id}", response={200: SurveyDetailOut, **READ_ERRORS}, summary="One survey",
    operation_id="surveys_detail",
)
def survey_detail(request: HttpRequest, survey_id: SurveyId) -> SurveyDetailOut:
    """The survey with the sections and questions of its current published version (in draft: the version
    being edited). The keys of the questions are the keys of a response's `answers`."""
    return detail_out(_survey(request, survey_id))


def _service_by_code(field: str, code: str | None) -> Service | None:
    if code is None:
        return None
    found = Service.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise _invalid(field, _("Unknown service code."))
    return found


@router.post("", response={201: SurveyDetailOut, **WRITE_ERRORS}, summary="Create a survey",
             operation_id="surveys_create")
def create_survey(request: HttpRequest, payload: SurveyIn) -> Status:
    """Creates a draft survey of `org_unit` (admin, head or officer there, else 403), empty or filled from the
    SIPAS template (`template: "sipas"`). Publish it to open it. An end date before the start date, an unknown
    service code or a missing title answer 422 naming the field."""
    from . import services

    user = caller(request)
    unit = OrgUnit.objects.visible_to(user).filter(pk=payload.org_unit).first()
    if unit is None:
        raise _invalid("org_unit", _("Choose a unit."))
    _require(request, "surveys.change_survey", unit)
    if payload.opens_on and payload.closes_on and payload.closes_on < payload.opens_on:
        raise _invalid("closes_on", _("The end date cannot be before the start date."))
    survey = services.create_survey(
        actor=user, org_unit=unit, title=payload.title, description=payload.description, subject=payload.subject,
        access=payload.access, service=_service_by_code("service", payload.service), opens_on=payload.opens_on,
        closes_on=payload.closes_on, template=payload.template,
    )
    return Status(201, detail_out(_survey(request, survey.pk)))


def _status_change(request: HttpRequest, survey_id: int, payload: SurveyVersionIn, action: str) -> SurveyDetailOut:
    from . import services

    s = _survey(request, survey_id)
    _require(request, "surveys.change_survey", s)
    getattr(services, action)(actor=caller(request), survey=s, expected_version=payload.expected_version)
    return detail_out(_survey(request, survey_id))


@router.post(
    "/{int:survey_id}/publish", response={200: SurveyDetailOut, **WRITE_ERRORS}, summary="Publish a survey",
    operation_id="surveys_publish",
)
def publish(request: HttpRequest, survey_id: SurveyId, payload: SurveyVersionIn) -> SurveyDetailOut:
    """Opens the survey with its latest version (which must have at least one question, else 422). A stale
    `expected_version` is 409: someone changed the survey since it was read; nothing saved."""
    return _status_change(request, survey_id, payload, "publish")


@router.post(
    "/{int:survey_id}/close", response={200: SurveyDetailOut, **WRITE_ERRORS}, summary="Close a survey",
    operation_id="surveys_close",
)
def close(request: HttpRequest, survey_id: SurveyId, payload: SurveyVersionIn) -> SurveyDetailOut:
    """Stops accepting responses; the responses and the index stay. A stale `expected_version` is 409."""
    return _status_change(request, survey_id, payload, "close")


# =========================================================================== the index


def _check_dates(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_to < date_from:
        raise _invalid("to", _("The end date cannot be before the start date."))


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _pct(value: Any) -> float | None:
    if value is None:
        return None
    return round(float(value), 1) if isinstance(value, int | float | Decimal) else None


def _elements_out(elements: Iterable[Any]) -> list[SurveyIndexElementOut]:
    return [SurveyIndexElementOut(
        key=str(_get(e, "key", "")), title=str(_get(e, "title", "")), answered=int(_get(e, "answered", 0) or 0),
        satisfied=int(_get(e, "satisfied", 0) or 0), share=_pct(_get(e, "share")),
    ) for e in elements or ()]


def index_out(result: Any, by: GroupBy | None) -> SurveyIndexOut:
    """``index.IndexResult`` as the API shows it (per element, overall, the formula, the groups)."""
    groups = []
    for g in _get(result, "rows", None) or ():
        key = _get(g, "key", "")
        groups.append(SurveyIndexGroupOut(
            key="" if key is None else (key.strftime("%Y-%m") if isinstance(key, dt.date) else str(key)),
            label=str(_get(g, "label", "") or ""), respondents=int(_get(g, "respondents", 0) or 0),
            elements=_elements_out(_get(g, "elements", ())), overall=_pct(_get(g, "overall")),
        ))
    return SurveyIndexOut(
        respondents=int(_get(result, "respondents", 0) or 0), elements=_elements_out(_get(result, "elements", ())),
        overall=_pct(_get(result, "overall")), formula=str(_get(result, "formula", "") or ""), by=by, groups=groups,
    )


def _responses_between(s: Survey, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet[Response]:
    qs = Response.objects.filter(survey=s)
    if date_from:
        qs = qs.filter(submitted_on__gte=date_from)
    if date_to:
        qs = qs.filter(submitted_on__lte=date_to)
    return qs


@router.get(
    "/{int:survey_id}/index", response={200: SurveyIndexOut, **LIST_ERRORS}, summary="Satisfaction index of a survey",
    operation_id="surveys_index",
)
def survey_index(request: HttpRequest, survey_id: SurveyId, params: Query[SurveyIndexParams]) -> SurveyIndexOut:
    """Per element of the index, the share of respondents satisfied or very satisfied, and the overall index
    with its formula in words; with `by`, the same per unit, service, desk, officer or month. Voided responses
    are left out. An end date before the start date is 422."""
    from . import index

    s = _survey(request, survey_id)
    _require(request, "surveys.view_results", s)
    _check_dates(params.date_from, params.date_to)
    result = index.compute(responses_qs=_responses_between(s, params.date_from, params.date_to), by=params.by)
    return index_out(result, params.by)


# =========================================================================== responses


def _response_row(r: Response) -> dict[str, Any]:
    return {
        "id": r.pk, "version": r.version.number, "unit": {"id": r.org_unit_id, "name": r.org_unit.name,
                                                          "code": r.org_unit.code or ""},
        "service": r.service.code if r.service is not None else None, "desk_id": r.desk_id, "officer_id": r.officer_id,
        "channel": r.channel, "submitted_at": r.submitted_at, "submitted_on": r.submitted_on,
        "answers": r.answers if isinstance(r.answers, dict) else {}, "voided": r.voided_at is not None,
        "voided_at": r.voided_at,
    }


def _response_out(r: Response) -> SurveyResponseOut:
    return SurveyResponseOut(**_response_row(r))


RESPONSE_FIELDS = ("id", "version__number", "org_unit__name", "org_unit__code", "service__code", "desk_id",
                   "officer_id", "channel", "submitted_at", "submitted_on", "answers", "voided_at", "org_unit_id",
                   "service_id", "version_id")


@router.get(
    "/{int:survey_id}/responses", response={200: SurveyResponsePage, **LIST_ERRORS}, summary="List responses",
    operation_id="surveys_responses",
)
def list_responses(request: HttpRequest, survey_id: SurveyId, params: Query[SurveyResponseFilters]
                   ) -> SurveyResponsePage:
    """The survey's responses, latest first, with their answers and what they are about; never anything about
    who answered. Keyset-paged: pass `next_cursor` back as `cursor`."""
    s = _survey(request, survey_id)
    _require(request, "surveys.view_results", s)
    _check_dates(params.date_from, params.date_to)
    after = decode_cursor(params.cursor, _is_list_key)
    qs = (_responses_between(s, params.date_from, params.date_to)
          .select_related("version", "org_unit", "service").only(*RESPONSE_FIELDS))
    if params.voided is not None:
        qs = qs.filter(voided_at__isnull=not params.voided)
    if after is not None:
        at = dt.datetime.fromisoformat(after[0])
        qs = qs.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=after[1]))
    rows = list(qs.order_by("-submitted_at", "-pk")[: params.limit + 1])
    page, more = rows[: params.limit], len(rows) > params.limit
    return SurveyResponsePage(
        items=[_response_out(r) for r in page],
        next_cursor=encode_cursor([page[-1].submitted_at.isoformat(), page[-1].pk]) if more else None,
    )


def _target_unit(s: Survey, unit_id: int | None, field: str = "org_unit") -> OrgUnit:
    """The unit a response or code is about: the survey's own, or one of its subtree."""
    if unit_id is None:
        return s.org_unit
    unit = OrgUnit.objects.subtree_of(s.org_unit).filter(pk=unit_id).first()
    if unit is None:
        raise _invalid(field, _("Choose a unit of the survey's unit or below it."))
    return unit


def _about(s: Survey, payload: Any) -> dict[str, Any]:
    """unit, service, desk, officer of a response or a code, each checked against the survey."""
    unit = _target_unit(s, payload.org_unit)
    desk = None
    if payload.desk is not None:
        desk = Desk.objects.filter(pk=payload.desk, org_unit=unit, is_active=True).first()
        if desk is None:
            raise _invalid("desk", _("Choose a desk of this unit."))
    officer = None
    if payload.officer is not None:
        officer = User.objects.filter(pk=payload.officer, is_active=True).first()
        if officer is None:
            raise _invalid("officer", _("Choose an active user."))
    service = _service_by_code("service", payload.service) if payload.service is not None else s.service
    return {"org_unit": unit, "service": service, "desk": desk, "officer": officer}


def _idempotency_key(request: HttpRequest, payload: SurveyResponseIn) -> str:
    header_key = request.headers.get("Idempotency-Key", "")
    if header_key and payload.idempotency_key and header_key != payload.idempotency_key:
        raise _invalid("idempotency_key", _("The Idempotency-Key header and the field differ."))
    key = payload.idempotency_key or header_key
    if len(key) > IDEMPOTENCY_MAX:
        raise _invalid("idempotency_key", _("Enter at most %(max)s characters.") % {"max": IDEMPOTENCY_MAX})
    return key


@router.post(
    "/{int:survey_id}/responses", response={201: SurveyResponseOut, 200: SurveyResponseOut, **WRITE_ERRORS},
    summary="Record a response", operation_id="surveys_response_record",
)
def record_response(request: HttpRequest, survey_id: SurveyId, payload: SurveyResponseIn) -> Status:
    """Records a completed questionnaire from another system (`api`) or a paper questionnaire typed in by an
    officer (`paper`): needs a role that may record responses on the survey's unit (else 403). The survey must be
    open. With an `Idempotency-Key` header (or `idempotency_key`) a retry returns the response already recorded
    (200) instead of a second one (201). Answers that do not fit the questions (missing, out of 1–5, unknown
    choice, too long, wrong type) answer 422 with one error per question key, field `answers.<key>`."""
    from . import responses

    s = _survey(request, survey_id)
    user = caller(request)
    _require(request, "surveys.record_response", s)
    key = _idempotency_key(request, payload)
    about = _about(s, payload)
    existing = Response.objects.filter(survey=s, idempotency_key=key).only("pk").first() if key else None
    if existing is not None:
        pk, replayed = existing.pk, True
    else:
        try:
            created = responses.submit_response(
                survey=s, answers=payload.answers, channel=payload.channel, idempotency_key=key, recorded_by=user,
                **about,
            )
        except ValidationError as exc:
            raise _relabel_answers(exc) from exc
        pk, replayed = created.pk, bool(getattr(created, "replayed", False))
    row = Response.objects.select_related("version", "org_unit", "service").get(pk=pk)
    return Status(200 if replayed else 201, _response_out(row))


NOT_QUESTIONS = frozenset({"__all__", "org_unit", "service", "desk", "officer", "survey", "version", "token",
                           "scan_session", "idempotency_key", "channel", "answers"})


def _relabel_answers(exc: ValidationError) -> ValidationError:
    """A question key's error becomes ``answers.<key>``, so a client can put it next to its question."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({
        (k if k in NOT_QUESTIONS else f"answers.{k}"): v
        for k, v in exc.error_dict.items()
    })


@router.post(
    "/{int:survey_id}/tokens", response={201: SurveyTokensOut, **WRITE_ERRORS}, summary="Issue one-time codes",
    operation_id="surveys_tokens_issue",
)
def issue_tokens(request: HttpRequest, survey_id: SurveyId, payload: SurveyTokensIn) -> Status:
    """Issues `count` one-time codes to hand out at the desk (printed on receipts): each allows one response.
    The codes are in this answer only; the server keeps their hashes. Needs a role that may record responses."""
    from . import tokens

    s = _survey(request, survey_id)
    user = caller(request)
    _require(request, "surveys.record_response", s)
    about = _about(s, payload)
    codes = tokens.issue_tokens(actor=user, survey=s, count=payload.count, valid_days=payload.valid_days, **about)
    expires = (SurveyToken.objects.filter(survey=s, issued_by=user).order_by("-pk")
               .values_list("expires_at", flat=True).first())
    return Status(201, SurveyTokensOut(codes=list(codes), expires_at=expires))
