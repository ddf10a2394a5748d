"""/api/v1/grassroots: disclosures, quarterly lists, residents' decisions, consultations, people's boards
and the Fatherland Front's supervision, for other systems.

Thin over the services (``services``, ``decisions``, ``consultations``, ``boards``, ``supervision``),
which check every rule and permission; reads go through their ``*_for(user)`` queries. A record the
caller may not see answers 404 exactly like one that does not exist; a role that may not act is 403;
a stale ``expected_version`` is 409 (nothing saved); bad input is 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import partial
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status

from danvan.accounts.models import User
from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import MAX_ID, decode_cursor, encode_cursor, is_dated_key
from danvan.api.units import unit_filter
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .api_schemas import (
    BoardDetailOut,
    BoardFilters,
    BoardIn,
    BoardMemberEndIn,
    BoardMemberIn,
    BoardMemberOut,
    BoardOut,
    BoardPage,
    BoardPatchIn,
    BoardWorkPlanIn,
    BoardWorkPlanOut,
    ConsultationCloseIn,
    ConsultationDetailOut,
    ConsultationFilters,
    ConsultationIn,
    ConsultationOut,
    ConsultationPage,
    ConsultationPatchIn,
    ConsultationResultIn,
    DecisionDetailOut,
    DecisionFilters,
    DecisionIn,
    DecisionOut,
    DecisionPage,
    DecisionPatchIn,
    DecisionSentIn,
    DisclosureCategoryList,
    DisclosureCategoryOut,
    DisclosureDetailOut,
    DisclosureFilters,
    DisclosureIn,
    DisclosureOut,
    DisclosurePage,
    DisclosurePatchIn,
    DisclosureProblemOut,
    DisclosurePublishIn,
    FindingDetailOut,
    FindingIn,
    FindingOut,
    GrassrootsAttachmentOut,
    GrassrootsDeleteParams,
    GrassrootsRespondIn,
    GrassrootsUnitOut,
    GrassrootsUnitParams,
    GrassrootsVersionIn,
    GrassrootsWithdrawIn,
    QuarterlyListFilters,
    QuarterlyListIn,
    QuarterlyListOut,
    QuarterlyListPage,
    QuarterlyMissingOut,
    QuarterOut,
    SupervisionDetailOut,
    SupervisionFilters,
    SupervisionIn,
    SupervisionOut,
    SupervisionPage,
    SupervisionPatchIn,
)
from .models import (
    Attachment,
    BoardFinding,
    BoardMember,
    Consultation,
    Disclosure,
    DisclosureCategory,
    FrontSupervision,
    PeopleBoard,
    QuarterlyList,
    ResidentDecision,
)

router = Router(tags=["grassroots"])

READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)
DELETE_ERRORS = error_responses(*AUTH_ERRORS, 404, 409, 422)

DisclosureId = Annotated[int, Path(description="The disclosure's id; 404 if it does not exist or is not visible.")]
DecisionId = Annotated[int, Path(description="The decision's id; 404 if it does not exist or is not visible.")]
ConsultationId = Annotated[int, Path(description="The consultation's id; 404 if it does not exist or is not visible.")]
BoardId = Annotated[int, Path(description="The board's id; 404 if it does not exist or is not visible.")]
MemberId = Annotated[int, Path(description="The membership's id, of this board.")]
FindingId = Annotated[int, Path(description="The finding's id; 404 if it does not exist or is not visible.")]
SupervisionId = Annotated[int, Path(description="The supervision's id; 404 if it does not exist or is not visible.")]

_date_key = partial(is_dated_key, parse=dt.date.fromisoformat)
_time_key = partial(is_dated_key, parse=dt.datetime.fromisoformat)


# =========================================================================== shared helpers


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _require(request: HttpRequest, perm: str, obj: Any) -> None:
    if not caller(request).has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _one(qs: QuerySet, pk: int) -> Any:
    """The row with this id among those the caller sees, or 404 (an id out of range is 404 too)."""
    found = qs.filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if found is None:
        raise Http404
    return found


def _unit_in_scope(request: HttpRequest, unit_id: int, field: str = "org_unit") -> OrgUnit:
    """A unit of the caller's part of the tree, for creating a record in it (else 422 on the field)."""
    unit = OrgUnit.objects.visible_to(caller(request)).filter(pk=unit_id).first()
    if unit is None:
        raise _invalid(field, _("Choose a unit."))
    return unit


def _current_unit(unit_id: int | None, field: str) -> OrgUnit | None:
    """Any unit in use (a finding or a commitment may be addressed outside the caller's tree)."""
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id, valid_to__isnull=True).first()
    if unit is None:
        raise _invalid(field, _("Choose a unit in use."))
    return unit


def _unit_out(unit: OrgUnit) -> GrassrootsUnitOut:
    return GrassrootsUnitOut(id=unit.pk, name=unit.name, code=unit.code or "")


def _changes(payload: Schema, *, required: Iterable[str] = (), convert: dict[str, Callable[[Any], Any]] | None = None
             ) -> dict[str, Any]:
    """The fields a PATCH sent (``expected_version`` aside); null for a field that cannot be empty is 422."""
    convert = convert or {}
    out: dict[str, Any] = {}
    for name in sorted(payload.model_fields_set - {"expected_version"}):
        value = getattr(payload, name)
        if value is None and name in required:
            raise _invalid(name, _("This field is required."))
        out[name] = convert[name](value) if name in convert and value is not None else value
    return out


def _page(qs: QuerySet, params: Any, field: str, *, dated: bool = True) -> tuple[list[Any], str | None]:
    """A keyset page, newest first on (``field``, id); ``dated``: a date field, else a date-time."""
    after = decode_cursor(params.cursor, _date_key if dated else _time_key)
    if after is not None:
        at = dt.date.fromisoformat(after[0]) if dated else dt.datetime.fromisoformat(after[0])
        qs = qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": after[1]}))
    rows = list(qs.order_by(f"-{field}", "-pk")[: params.limit + 1])
    page, more = rows[: params.limit], len(rows) > params.limit
    nxt = encode_cursor([getattr(page[-1], field).isoformat(), page[-1].pk]) if more else None
    return page, nxt


def _in_unit(request: HttpRequest, qs: QuerySet, unit_id: int | None, prefix: str = "org_unit__") -> QuerySet:
    unit = unit_filter(request, unit_id)
    return qs if unit is None else qs.filter(subtree_q([unit.path], prefix=prefix))


def _attachments(obj: Model) -> list[GrassrootsAttachmentOut]:
    rows = Attachment.objects.filter(**{_OWNER_FIELD[type(obj)]: obj, "deleted_at__isnull": True})
    return [GrassrootsAttachmentOut(id=a.pk, name=a.original_name, content_type=a.content_type, size=a.size,
                                    uploaded_at=a.uploaded_at) for a in rows.order_by("uploaded_at", "pk")]


_OWNER_FIELD: dict[type[Model], str] = {
    Disclosure: "disclosure", ResidentDecision: "decision", Consultation: "consultation", BoardFinding: "finding",
    FrontSupervision: "supervision",
}


# =========================================================================== disclosures


def _disclosures(request: HttpRequest) -> QuerySet[Disclosure]:
    from . import queries

    return queries.disclosures_for(caller(request)).filter(deleted_at__isnull=True).select_related(
        "org_unit", "category")


def _disclosure(request: HttpRequest, pk: int) -> Disclosure:
    return _one(_disclosures(request), pk)


def _category(code: str, field: str = "category") -> DisclosureCategory:
    found = DisclosureCategory.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise _invalid(field, _("Choose a category in use."))
    return found


def _disclosure_row(d: Disclosure, problems: list[Any]) -> dict[str, Any]:
    return {
        "id": d.pk, "unit": _unit_out(d.org_unit), "category": d.category.code, "category_name": d.category.name,
        "title": d.title, "decision_ref": d.decision_ref, "decided_on": d.decided_on, "due_on": d.due_on,
        "disclosed_on": d.disclosed_on, "posting_ends_on": d.posting_ends_on, "permanent": d.permanent,
        "forms": list(d.forms or []), "place": d.place, "loudspeaker_days": d.loudspeaker_days, "status": d.status,
        "is_public": d.is_public, "published_at": d.published_at, "problems": [p.code for p in problems],
        "lock_version": d.lock_version, "created_at": d.created_at,
    }


def _disclosure_detail(request: HttpRequest, pk: int) -> DisclosureDetailOut:
    from . import checks

    d = _disclosure(request, pk)
    problems = checks.problems(d)
    return DisclosureDetailOut(
        **_disclosure_row(d, problems), content=d.content,
        problem_details=[DisclosureProblemOut(code=p.code, message=str(p.message),  # type: ignore[arg-type]
                                              severity=str(p.severity)) for p in problems],
        attachments=_attachments(d),
    )


@router.get("/categories", response={200: DisclosureCategoryList, **error_responses(*AUTH_ERRORS)},
            summary="Disclosure categories", operation_id="grassroots_categories")
def categories(request: HttpRequest) -> DisclosureCategoryList:
    """The kinds of information a commune must disclose (Law 10/2022, Art. 11), with the minimum posting
    period and the loudspeaker days each needs. `code` is what a disclosure's `category` takes."""
    return DisclosureCategoryList(items=[DisclosureCategoryOut(
        code=c.code, article_point=c.article_point, name=c.name, min_posting_days=c.min_posting_days,
        permanent=c.permanent, loudspeaker_days=c.loudspeaker_days,
    ) for c in DisclosureCategory.objects.filter(is_active=True).order_by("order", "code")])


@router.get("/disclosures", response={200: DisclosurePage, **LIST_ERRORS}, summary="List disclosures",
            operation_id="grassroots_disclosures_list")
def list_disclosures(request: HttpRequest, params: Query[DisclosureFilters]) -> DisclosurePage:
    """Disclosures of the caller's units (deleted ones left out), latest recorded first, each with the law's
    checks it fails today (`problems`). Filters: `unit` subtree, `category` code, `status`, `year` of the
    decision, `problem` (a check failed today). Keyset-paged: pass `next_cursor` back as `cursor`. A `unit` outside the caller's is 404."""
    from . import checks

    qs = _in_unit(request, _disclosures(request), params.unit)
    if params.category:
        qs = qs.filter(category__code=params.category)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.year:
        qs = qs.filter(Q(decided_on__year=params.year) | Q(decided_on__isnull=True, created_at__year=params.year))
    today = timezone.localdate()
    if params.problem:
        qs = qs.filter(checks.problem_q(params.problem, today))
    page, nxt = _page(qs, params, "created_at", dated=False)
    return DisclosurePage(items=[DisclosureOut(**_disclosure_row(d, checks.problems(d, today=today)))
                                 for d in page], next_cursor=nxt)


@router.get("/disclosures/{int:disclosure_id}", response={200: DisclosureDetailOut, **READ_ERRORS},
            summary="One disclosure", operation_id="grassroots_disclosures_detail")
def disclosure_detail(request: HttpRequest, disclosure_id: DisclosureId) -> DisclosureDetailOut:
    """The disclosure with its content, each failed check in words, and its files' metadata."""
    return _disclosure_detail(request, disclosure_id)


@router.post("/disclosures", response={201: DisclosureDetailOut, **WRITE_ERRORS}, summary="Record a disclosure",
             operation_id="grassroots_disclosures_create")
def create_disclosure(request: HttpRequest, payload: DisclosureIn) -> Status:
    """Records a disclosure of `org_unit` in draft (admin, head or officer there, else 403); its due date is
    computed from `decided_on`. Publish it to post it. The same title and decision date twice in a unit, a
    posting end before its start or an unknown category answer 422 naming the field."""
    from . import services

    user = caller(request)
    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "disclosures.change", unit)
    d = services.create_disclosure(
        actor=user, org_unit=unit, category=_category(payload.category), title=payload.title,
        content=payload.content, decision_ref=payload.decision_ref, decided_on=payload.decided_on,
        disclosed_on=payload.disclosed_on, posting_ends_on=payload.posting_ends_on, forms=list(payload.forms),
        place=payload.place, loudspeaker_days=payload.loudspeaker_days, is_public=payload.is_public,
    )
    return Status(201, _disclosure_detail(request, d.pk))


@router.patch("/disclosures/{int:disclosure_id}", response={200: DisclosureDetailOut, **WRITE_ERRORS},
              summary="Change a disclosure", operation_id="grassroots_disclosures_update")
def update_disclosure(request: HttpRequest, disclosure_id: DisclosureId, payload: DisclosurePatchIn
                      ) -> DisclosureDetailOut:
    """Changes the fields sent, others stay (null clears a date). A stale `expected_version` is 409: someone
    saved it since it was read; nothing saved. A withdrawn disclosure cannot be changed (422)."""
    from . import services

    d = _disclosure(request, disclosure_id)
    _require(request, "disclosures.change", d)
    fields = _changes(payload, required=("category", "title", "content", "decision_ref", "forms", "place",
                                         "loudspeaker_days", "is_public"),
                      convert={"category": _category, "forms": list})
    services.update_disclosure(actor=caller(request), disclosure=d, expected_version=payload.expected_version,
                               **fields)
    return _disclosure_detail(request, d.pk)


@router.post("/disclosures/{int:disclosure_id}/publish", response={200: DisclosureDetailOut, **WRITE_ERRORS},
             summary="Publish a disclosure", operation_id="grassroots_disclosures_publish")
def publish_disclosure(request: HttpRequest, disclosure_id: DisclosureId, payload: DisclosurePublishIn
                       ) -> DisclosureDetailOut:
    """Posts a draft from `disclosed_on` (default today, not in the future); without an end date the posting
    runs for the category's minimum (or permanently). Only a draft can be published (422)."""
    from . import services

    d = _disclosure(request, disclosure_id)
    _require(request, "disclosures.change", d)
    services.publish_disclosure(actor=caller(request), disclosure=d, expected_version=payload.expected_version,
                                disclosed_on=payload.disclosed_on)
    return _disclosure_detail(request, d.pk)


@router.post("/disclosures/{int:disclosure_id}/withdraw", response={200: DisclosureDetailOut, **WRITE_ERRORS},
             summary="Withdraw a disclosure", operation_id="grassroots_disclosures_withdraw")
def withdraw_disclosure(request: HttpRequest, disclosure_id: DisclosureId, payload: GrassrootsWithdrawIn
                        ) -> DisclosureDetailOut:
    """Takes a published disclosure down (it leaves the portal; the record stays), with the reason (audited)."""
    from . import services

    d = _disclosure(request, disclosure_id)
    _require(request, "disclosures.change", d)
    services.withdraw_disclosure(actor=caller(request), disclosure=d, expected_version=payload.expected_version,
                                 reason=payload.reason)
    return _disclosure_detail(request, d.pk)


@router.delete("/disclosures/{int:disclosure_id}", response={204: None, **DELETE_ERRORS},
               summary="Delete a disclosure", operation_id="grassroots_disclosures_delete")
def delete_disclosure(request: HttpRequest, disclosure_id: DisclosureId, params: Query[GrassrootsDeleteParams]
                      ) -> HttpResponse:
    """Removes a disclosure entered by mistake from every list (admin or head; kept in the audit log with
    `reason`)."""
    from . import services

    d = _disclosure(request, disclosure_id)
    _require(request, "disclosures.delete", d)
    services.delete_disclosure(actor=caller(request), disclosure=d, reason=params.reason)
    return HttpResponse(status=204)


# =========================================================================== quarterly lists


def _quarterly_out(q: QuarterlyList) -> QuarterlyListOut:
    return QuarterlyListOut(id=q.pk, unit=_unit_out(q.org_unit), year=q.year, quarter=q.quarter,
                            posted_on=q.posted_on, items=q.items)


@router.get("/quarterly-lists", response={200: QuarterlyListPage, **LIST_ERRORS},
            summary="Posted quarterly lists", operation_id="grassroots_quarterly_list")
def list_quarterly(request: HttpRequest, params: Query[QuarterlyListFilters]) -> QuarterlyListPage:
    """The quarterly lists of disclosures posted by the caller's units, latest posted first."""
    qs = _in_unit(request, QuarterlyList.objects.visible_to(caller(request)).select_related("org_unit"),
                  params.unit)
    if params.year:
        qs = qs.filter(year=params.year)
    page, nxt = _page(qs, params, "posted_on")
    return QuarterlyListPage(items=[_quarterly_out(q) for q in page], next_cursor=nxt)


@router.post("/quarterly-lists", response={201: QuarterlyListOut, **WRITE_ERRORS},
             summary="Post a quarterly list", operation_id="grassroots_quarterly_post")
def post_quarterly(request: HttpRequest, payload: QuarterlyListIn) -> Status:
    """Records that `org_unit` posted the list of what it disclosed in the quarter (an ended or the current
    one). A quarter already posted, or one in the future, answers 422."""
    from . import services

    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "disclosures.change", unit)
    q = services.post_quarterly_list(actor=caller(request), org_unit=unit, year=payload.year,
                                     quarter=payload.quarter, posted_on=payload.posted_on)
    return Status(201, _quarterly_out(QuarterlyList.objects.select_related("org_unit").get(pk=q.pk)))


@router.get("/quarterly-missing", response={200: QuarterlyMissingOut, **LIST_ERRORS},
            summary="Quarterly lists not posted", operation_id="grassroots_quarterly_missing")
def quarterly_missing(request: HttpRequest, params: Query[GrassrootsUnitParams]) -> QuarterlyMissingOut:
    """The ended quarters of this and last year for which `unit` has posted no list. A unit outside the
    caller's is 404."""
    from . import checks

    unit = unit_filter(request, params.unit)
    assert unit is not None  # noqa: S101 - unit is a required parameter  # nosec B101
    return QuarterlyMissingOut(unit=_unit_out(unit), missing=[
        QuarterOut(year=y, quarter=q) for y, q in checks.quarterly_missing(unit)])


# =========================================================================== residents' decisions


def _decisions(request: HttpRequest) -> QuerySet[ResidentDecision]:
    from . import decisions

    return decisions.decisions_for(caller(request)).select_related("org_unit")


def _decision_row(d: ResidentDecision, today: dt.date) -> dict[str, Any]:
    from . import decisions

    o = decisions.outcome_of(d)
    return {
        "id": d.pk, "unit": _unit_out(d.org_unit), "matter": d.matter, "title": d.title, "form": d.form,
        "held_on": d.held_on, "decided_on": d.decided_on, "households_total": d.households_total,
        "households_participating": d.households_participating, "votes_for": d.votes_for,
        "votes_against": d.votes_against, "threshold": o.threshold, "needed": o.needed, "quorum_met": o.quorum_met,
        "share_for": float(o.share_for), "passed": d.passed, "send_due_on": d.send_due_on,
        "sent_to_commune_on": d.sent_to_commune_on, "sending": decisions.send_state(d, today),
        "lock_version": d.lock_version, "created_at": d.created_at,
    }


def _decision_detail(request: HttpRequest, pk: int) -> DecisionDetailOut:
    d = _one(_decisions(request), pk)
    return DecisionDetailOut(**_decision_row(d, timezone.localdate()), content=d.content,
                             attachments=_attachments(d))


@router.get("/decisions", response={200: DecisionPage, **LIST_ERRORS}, summary="List residents' decisions",
            operation_id="grassroots_decisions_list")
def list_decisions(request: HttpRequest, params: Query[DecisionFilters]) -> DecisionPage:
    """Decisions residents took in the caller's units, latest held first, each with the majority applied and
    whether its result reached the commune in time. Keyset-paged: pass `next_cursor` back as `cursor`."""
    from . import decisions

    unit = unit_filter(request, params.unit)
    page = decisions.decisions_page(caller(request), unit=unit, matter=params.matter, passed=params.passed,
                                    sending=params.sending, year=params.year, after=params.cursor,
                                    limit=params.limit)
    today = timezone.localdate()
    return DecisionPage(items=[DecisionOut(**_decision_row(d, today)) for d in page.items], next_cursor=page.next)


@router.get("/decisions/{int:decision_id}", response={200: DecisionDetailOut, **READ_ERRORS},
            summary="One residents' decision", operation_id="grassroots_decisions_detail")
def decision_detail(request: HttpRequest, decision_id: DecisionId) -> DecisionDetailOut:
    """The decision with its votes, the majority applied, the content decided and its files' metadata."""
    return _decision_detail(request, decision_id)


@router.post("/decisions", response={201: DecisionDetailOut, **WRITE_ERRORS}, summary="Record a decision",
             operation_id="grassroots_decisions_create")
def create_decision(request: HttpRequest, payload: DecisionIn) -> Status:
    """Records what the residents of `org_unit` decided; the majority the matter needs, the result and the
    day to send it to the commune are computed. More votes than households taking part, more households
    taking part than in the village, a result recorded before the meeting, or a meeting in the future answer
    422 naming the field."""
    from . import decisions

    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "disclosures.change", unit)
    d = decisions.record_decision(actor=caller(request), org_unit=unit,
                                  **payload.model_dump(exclude={"org_unit"}))
    return Status(201, _decision_detail(request, d.pk))


@router.patch("/decisions/{int:decision_id}", response={200: DecisionDetailOut, **WRITE_ERRORS},
              summary="Correct a decision", operation_id="grassroots_decisions_update")
def update_decision(request: HttpRequest, decision_id: DecisionId, payload: DecisionPatchIn) -> DecisionDetailOut:
    """Changes the fields sent; every rule is checked again on the whole record and the result recomputed.
    A stale `expected_version` is 409 (nothing saved)."""
    from . import decisions

    d = _one(_decisions(request), decision_id)
    _require(request, "disclosures.change", d)
    fields = _changes(payload, required=set(DecisionPatchIn.model_fields) - {"expected_version"})
    decisions.update_decision(actor=caller(request), decision=d, expected_version=payload.expected_version,
                              **fields)
    return _decision_detail(request, d.pk)


@router.post("/decisions/{int:decision_id}/sent", response={200: DecisionDetailOut, **WRITE_ERRORS},
             summary="Record the sending to the commune", operation_id="grassroots_decisions_sent")
def decision_sent(request: HttpRequest, decision_id: DecisionId, payload: DecisionSentIn) -> DecisionDetailOut:
    """Records the day the result was sent to the commune (late is recorded, not refused). Already sent, a day
    in the future or before the meeting answer 422."""
    from . import decisions

    d = _one(_decisions(request), decision_id)
    _require(request, "disclosures.change", d)
    decisions.mark_sent(actor=caller(request), decision=d, expected_version=payload.expected_version,
                        sent_on=payload.sent_on)
    return _decision_detail(request, d.pk)


@router.delete("/decisions/{int:decision_id}", response={204: None, **DELETE_ERRORS}, summary="Delete a decision",
               operation_id="grassroots_decisions_delete")
def delete_decision(request: HttpRequest, decision_id: DecisionId, params: Query[GrassrootsDeleteParams]
                    ) -> HttpResponse:
    """Removes a decision entered by mistake from every list and count (admin or head; audited with `reason`)."""
    from . import decisions

    d = _one(_decisions(request), decision_id)
    _require(request, "disclosures.delete", d)
    decisions.delete_decision(actor=caller(request), decision=d, reason=params.reason)
    return HttpResponse(status=204)


# =========================================================================== consultations


def _consultations(request: HttpRequest) -> QuerySet[Consultation]:
    from . import consultations

    return consultations.consultations_for(caller(request)).filter(deleted_at__isnull=True).select_related(
        "org_unit")


def _consultation_row(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.pk, "unit": _unit_out(c.org_unit), "matter": c.matter, "title": c.title,
        "forms": list(c.forms or []), "opens_on": c.opens_on, "closes_on": c.closes_on,
        "opinions_received": c.opinions_received, "result_published_on": c.result_published_on,
        "status": c.status, "is_public": c.is_public, "lock_version": c.lock_version, "created_at": c.created_at,
    }


def _consultation_detail(request: HttpRequest, pk: int) -> ConsultationDetailOut:
    c = _one(_consultations(request), pk)
    return ConsultationDetailOut(**_consultation_row(c), draft=c.draft, opinions_summary=c.opinions_summary,
                                 taken_into_account=c.taken_into_account, attachments=_attachments(c))


@router.get("/consultations", response={200: ConsultationPage, **LIST_ERRORS}, summary="List consultations",
            operation_id="grassroots_consultations_list")
def list_consultations(request: HttpRequest, params: Query[ConsultationFilters]) -> ConsultationPage:
    """Consultations of residents by the caller's units, latest opened first. Keyset-paged."""
    qs = _in_unit(request, _consultations(request), params.unit)
    if params.matter:
        qs = qs.filter(matter=params.matter)
    if params.status:
        qs = qs.filter(status=params.status)
    page, nxt = _page(qs, params, "opens_on")
    return ConsultationPage(items=[ConsultationOut(**_consultation_row(c)) for c in page], next_cursor=nxt)


@router.get("/consultations/{int:consultation_id}", response={200: ConsultationDetailOut, **READ_ERRORS},
            summary="One consultation", operation_id="grassroots_consultations_detail")
def consultation_detail(request: HttpRequest, consultation_id: ConsultationId) -> ConsultationDetailOut:
    """The consultation with its draft, the opinions received and how they were taken into account."""
    return _consultation_detail(request, consultation_id)


@router.post("/consultations", response={201: ConsultationDetailOut, **WRITE_ERRORS},
             summary="Record a consultation", operation_id="grassroots_consultations_create")
def create_consultation(request: HttpRequest, payload: ConsultationIn) -> Status:
    """Records a consultation of residents by `org_unit` in draft. A period ending before it starts answers
    422 on `closes_on`."""
    from . import consultations

    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "disclosures.change", unit)
    data = payload.model_dump(exclude={"org_unit"})
    data["forms"] = list(data["forms"])
    c = consultations.create_consultation(actor=caller(request), org_unit=unit, **data)
    return Status(201, _consultation_detail(request, c.pk))


@router.patch("/consultations/{int:consultation_id}", response={200: ConsultationDetailOut, **WRITE_ERRORS},
              summary="Change a consultation", operation_id="grassroots_consultations_update")
def update_consultation(request: HttpRequest, consultation_id: ConsultationId, payload: ConsultationPatchIn
                        ) -> ConsultationDetailOut:
    """Changes the fields sent; others stay. A stale `expected_version` is 409 (nothing saved)."""
    from . import consultations

    c = _one(_consultations(request), consultation_id)
    _require(request, "disclosures.change", c)
    fields = _changes(payload, required=set(ConsultationPatchIn.model_fields) - {"expected_version"},
                      convert={"forms": list})
    consultations.update_consultation(actor=caller(request), consultation=c,
                                      expected_version=payload.expected_version, **fields)
    return _consultation_detail(request, c.pk)


def _consultation_step(request: HttpRequest, pk: int, action: str, **kwargs: Any) -> ConsultationDetailOut:
    from . import consultations

    c = _one(_consultations(request), pk)
    _require(request, "disclosures.change", c)
    getattr(consultations, action)(actor=caller(request), consultation=c, **kwargs)
    return _consultation_detail(request, c.pk)


@router.post("/consultations/{int:consultation_id}/open", response={200: ConsultationDetailOut, **WRITE_ERRORS},
             summary="Open a consultation", operation_id="grassroots_consultations_open")
def open_consultation(request: HttpRequest, consultation_id: ConsultationId, payload: GrassrootsVersionIn
                      ) -> ConsultationDetailOut:
    """Opens a draft for opinions. A step its status does not allow answers 422."""
    return _consultation_step(request, consultation_id, "open_consultation",
                              expected_version=payload.expected_version)


@router.post("/consultations/{int:consultation_id}/close", response={200: ConsultationDetailOut, **WRITE_ERRORS},
             summary="Close a consultation", operation_id="grassroots_consultations_close")
def close_consultation(request: HttpRequest, consultation_id: ConsultationId, payload: ConsultationCloseIn
                       ) -> ConsultationDetailOut:
    """Stops taking opinions and records how many were received, with their summary."""
    return _consultation_step(request, consultation_id, "close_consultation",
                              expected_version=payload.expected_version,
                              opinions_received=payload.opinions_received, opinions_summary=payload.opinions_summary)


@router.post("/consultations/{int:consultation_id}/publish", response={200: ConsultationDetailOut, **WRITE_ERRORS},
             summary="Publish a consultation's result", operation_id="grassroots_consultations_publish")
def publish_consultation(request: HttpRequest, consultation_id: ConsultationId, payload: ConsultationResultIn
                         ) -> ConsultationDetailOut:
    """Publishes how the opinions were taken into account (default today, not before the period closed)."""
    return _consultation_step(request, consultation_id, "publish_result",
                              expected_version=payload.expected_version,
                              taken_into_account=payload.taken_into_account,
                              result_published_on=payload.result_published_on)


@router.delete("/consultations/{int:consultation_id}", response={204: None, **DELETE_ERRORS},
               summary="Delete a consultation", operation_id="grassroots_consultations_delete")
def delete_consultation(request: HttpRequest, consultation_id: ConsultationId,
                        params: Query[GrassrootsDeleteParams]) -> HttpResponse:
    """Removes a consultation entered by mistake (admin or head; audited with `reason`)."""
    from . import consultations

    c = _one(_consultations(request), consultation_id)
    _require(request, "disclosures.delete", c)
    consultations.delete_consultation(actor=caller(request), consultation=c, reason=params.reason)
    return HttpResponse(status=204)


# =========================================================================== people's boards


def _boards(request: HttpRequest) -> QuerySet[PeopleBoard]:
    from . import boards

    return boards.boards_for(caller(request)).select_related("org_unit").annotate(
        active_count=Count("members", filter=Q(members__left_on__isnull=True)))


def _board_row(b: PeopleBoard) -> dict[str, Any]:
    return {
        "id": b.pk, "unit": _unit_out(b.org_unit), "kind": b.kind, "name": b.name,
        "term_starts_on": b.term_starts_on, "term_ends_on": b.term_ends_on, "project": b.project,
        "project_investor": b.project_investor, "active_members": b.active_count,  # type: ignore[attr-defined]
        "lock_version": b.lock_version, "created_at": b.created_at,
    }


def _finding_row(f: BoardFinding, today: dt.date) -> dict[str, Any]:
    return {
        "id": f.pk, "board_id": f.board_id, "found_on": f.found_on, "subject": f.subject, "findings": f.findings,
        "recommendations": f.recommendations, "recommends_suspension": f.recommends_suspension,
        "addressed_to": _unit_out(f.addressed_to), "response_due_on": f.response_due_on, "response": f.response,
        "responded_on": f.responded_on, "late_reason": f.late_reason,
        "overdue": f.responded_on is None and f.response_due_on is not None and f.response_due_on < today,
        "lock_version": f.lock_version,
    }


def _board_detail(request: HttpRequest, pk: int) -> BoardDetailOut:
    from . import boards

    b = _one(_boards(request).prefetch_related(
        Prefetch("members", queryset=BoardMember.objects.order_by("left_on", "position", "full_name", "pk")),
        Prefetch("findings", queryset=BoardFinding.objects.filter(deleted_at__isnull=True)
                 .select_related("addressed_to").order_by("-found_on", "-pk")),
    ), pk)
    today = timezone.localdate()
    return BoardDetailOut(
        **_board_row(b),
        members=[BoardMemberOut(id=m.pk, full_name=m.full_name, position=m.position,  # type: ignore[arg-type]
                                village_id=m.village_id, has_account=m.user_id is not None, joined_on=m.joined_on,
                                left_on=m.left_on) for m in b.members.all()],
        work_plans=[BoardWorkPlanOut(id=w.pk, period=w.period, year=w.year,  # type: ignore[arg-type]
                                     number=w.number, content=w.content, approved_on=w.approved_on)
                    for w in b.work_plans.order_by("-year", "period", "number", "pk")],
        findings=[FindingOut(**_finding_row(f, today)) for f in b.findings.all()],
        warnings=[str(w) for w in boards.warnings(b)],
    )


@router.get("/boards", response={200: BoardPage, **LIST_ERRORS}, summary="List people's boards",
            operation_id="grassroots_boards_list")
def list_boards(request: HttpRequest, params: Query[BoardFilters]) -> BoardPage:
    """People's inspection boards and community investment supervision boards of the caller's units, latest
    term first, with their number of active members. Keyset-paged."""
    qs = _in_unit(request, _boards(request), params.unit)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    page, nxt = _page(qs, params, "term_starts_on")
    return BoardPage(items=[BoardOut(**_board_row(b)) for b in page], next_cursor=nxt)


@router.get("/boards/{int:board_id}", response={200: BoardDetailOut, **READ_ERRORS}, summary="One board",
            operation_id="grassroots_boards_detail")
def board_detail(request: HttpRequest, board_id: BoardId) -> BoardDetailOut:
    """The board with its members (current and past), work plans, findings and what it lacks (`warnings`)."""
    return _board_detail(request, board_id)


@router.post("/boards", response={201: BoardDetailOut, **WRITE_ERRORS}, summary="Record a board",
             operation_id="grassroots_boards_create")
def create_board(request: HttpRequest, payload: BoardIn) -> Status:
    """Records a board of `org_unit` (admin, head or officer there). An investment board needs its `project`;
    a term ending before it starts answers 422."""
    from . import boards

    unit = _unit_in_scope(request, payload.org_unit)
    _require(request, "disclosures.change", unit)
    b = boards.create_board(actor=caller(request), org_unit=unit, **payload.model_dump(exclude={"org_unit"}))
    return Status(201, _board_detail(request, b.pk))


@router.patch("/boards/{int:board_id}", response={200: BoardDetailOut, **WRITE_ERRORS}, summary="Change a board",
              operation_id="grassroots_boards_update")
def update_board(request: HttpRequest, board_id: BoardId, payload: BoardPatchIn) -> BoardDetailOut:
    """Changes the fields sent; others stay. A stale `expected_version` is 409 (nothing saved)."""
    from . import boards

    b = _one(_boards(request), board_id)
    _require(request, "disclosures.change", b)
    fields = _changes(payload, required=set(BoardPatchIn.model_fields) - {"expected_version"})
    boards.update_board(actor=caller(request), board=b, expected_version=payload.expected_version, **fields)
    return _board_detail(request, b.pk)


@router.delete("/boards/{int:board_id}", response={204: None, **DELETE_ERRORS}, summary="Delete a board",
               operation_id="grassroots_boards_delete")
def delete_board(request: HttpRequest, board_id: BoardId, params: Query[GrassrootsDeleteParams]) -> HttpResponse:
    """Removes a board entered by mistake (admin or head; audited with `reason`)."""
    from . import boards

    b = _one(_boards(request), board_id)
    _require(request, "disclosures.delete", b)
    boards.delete_board(actor=caller(request), board=b, reason=params.reason)
    return HttpResponse(status=204)


@router.post("/boards/{int:board_id}/members", response={201: BoardDetailOut, **WRITE_ERRORS},
             summary="Add a board member", operation_id="grassroots_boards_member_add")
def add_member(request: HttpRequest, board_id: BoardId, payload: BoardMemberIn) -> Status:
    """Adds an elected member. Refused (422): a `user` who is an official of the commune or its villages
    (Art. 36.2), a second head, the same name twice, a joining day outside the term."""
    from . import boards

    b = _one(_boards(request), board_id)
    _require(request, "disclosures.change", b)
    village = None
    if payload.village is not None:
        village = OrgUnit.objects.subtree_of(b.org_unit).filter(pk=payload.village, valid_to__isnull=True).first()
        if village is None:
            raise _invalid("village", _("Choose a village of the board's unit."))
    user = None
    if payload.user is not None:
        user = User.objects.filter(pk=payload.user, is_active=True).first()
        if user is None:
            raise _invalid("user", _("Choose an active user."))
    boards.add_member(actor=caller(request), board=b, full_name=payload.full_name, position=payload.position,
                      joined_on=payload.joined_on, village=village, user=user)
    return Status(201, _board_detail(request, b.pk))


@router.post("/boards/{int:board_id}/members/{int:member_id}/end", response={200: BoardDetailOut, **WRITE_ERRORS},
             summary="End a membership", operation_id="grassroots_boards_member_end")
def end_member(request: HttpRequest, board_id: BoardId, member_id: MemberId, payload: BoardMemberEndIn
               ) -> BoardDetailOut:
    """Records the day a member left the board (not in the future, not before joining)."""
    from . import boards

    b = _one(_boards(request), board_id)
    member = _one(BoardMember.objects.filter(board=b), member_id)
    _require(request, "disclosures.change", b)
    boards.end_membership(actor=caller(request), member=member, left_on=payload.left_on)
    return _board_detail(request, b.pk)


@router.post("/boards/{int:board_id}/work-plans", response={201: BoardDetailOut, **WRITE_ERRORS},
             summary="Add a work plan", operation_id="grassroots_boards_workplan_add")
def add_work_plan(request: HttpRequest, board_id: BoardId, payload: BoardWorkPlanIn) -> Status:
    """Adds the board's work plan for a quarter, a half-year or the year; one per period (a second is 422)."""
    from . import boards

    b = _one(_boards(request), board_id)
    _require(request, "disclosures.change", b)
    boards.add_work_plan(actor=caller(request), board=b, **payload.model_dump())
    return Status(201, _board_detail(request, b.pk))


def _findings(request: HttpRequest) -> QuerySet[BoardFinding]:
    from . import boards

    return boards.findings_for(caller(request)).select_related("board__org_unit", "addressed_to")


def _finding_detail(request: HttpRequest, pk: int) -> FindingDetailOut:
    f = _one(_findings(request), pk)
    return FindingDetailOut(**_finding_row(f, timezone.localdate()), attachments=_attachments(f))


@router.post("/boards/{int:board_id}/findings", response={201: FindingDetailOut, **WRITE_ERRORS},
             summary="Record a finding", operation_id="grassroots_boards_finding_add")
def add_finding(request: HttpRequest, board_id: BoardId, payload: FindingIn) -> Status:
    """Records what the board found and recommended; the officials of `addressed_to` are notified to respond
    by `response_due_on`. Only an investment board may recommend suspending its project (422)."""
    from . import boards

    b = _one(_boards(request), board_id)
    _require(request, "disclosures.change", b)
    data = payload.model_dump()
    data["addressed_to"] = _current_unit(payload.addressed_to, "addressed_to")
    f = boards.record_finding(actor=caller(request), board=b, **data)
    return Status(201, _finding_detail(request, f.pk))


@router.get("/findings/{int:finding_id}", response={200: FindingDetailOut, **READ_ERRORS},
            summary="One board finding", operation_id="grassroots_findings_detail")
def finding_detail(request: HttpRequest, finding_id: FindingId) -> FindingDetailOut:
    """A board's finding with the government's response; seen by the board's units and the unit addressed."""
    return _finding_detail(request, finding_id)


@router.post("/findings/{int:finding_id}/respond", response={200: FindingDetailOut, **WRITE_ERRORS},
             summary="Respond to a finding", operation_id="grassroots_findings_respond")
def respond_finding(request: HttpRequest, finding_id: FindingId, payload: GrassrootsRespondIn) -> FindingDetailOut:
    """The response of the unit addressed (its admin, head or officer; else 403). A response after the due
    date needs `late_reason` (422 without); a day in the future or before the finding is 422."""
    from . import boards

    f = _one(_findings(request), finding_id)
    _require(request, "disclosures.respond", f)
    boards.respond_to_finding(actor=caller(request), finding=f, expected_version=payload.expected_version,
                              response=payload.response, responded_on=payload.responded_on,
                              late_reason=payload.late_reason)
    return _finding_detail(request, f.pk)


# =========================================================================== Front supervision


def _supervisions(request: HttpRequest) -> QuerySet[FrontSupervision]:
    from . import supervision

    return supervision.supervisions_for(caller(request)).filter(deleted_at__isnull=True).select_related(
        "org_unit", "front_unit")


def _supervision_row(s: FrontSupervision, today: dt.date) -> dict[str, Any]:
    return {
        "id": s.pk, "unit": _unit_out(s.org_unit),
        "front_unit": _unit_out(s.front_unit) if s.front_unit is not None else None, "by_name": s.by_name,
        "kind": s.kind, "subject": s.subject, "starts_on": s.starts_on, "ends_on": s.ends_on,
        "findings": s.findings, "recommendations": s.recommendations, "response_due_on": s.response_due_on,
        "response": s.response, "responded_on": s.responded_on, "late_reason": s.late_reason,
        "overdue": s.responded_on is None and s.response_due_on is not None and s.response_due_on < today,
        "is_public": s.is_public, "lock_version": s.lock_version, "created_at": s.created_at,
    }


def _supervision_detail(request: HttpRequest, pk: int) -> SupervisionDetailOut:
    s = _one(_supervisions(request), pk)
    return SupervisionDetailOut(**_supervision_row(s, timezone.localdate()), attachments=_attachments(s))


@router.get("/supervisions", response={200: SupervisionPage, **LIST_ERRORS},
            summary="List Front supervisions", operation_id="grassroots_supervisions_list")
def list_supervisions(request: HttpRequest, params: Query[SupervisionFilters]) -> SupervisionPage:
    """Supervisions and social critiques by the Fatherland Front about, or made by, the caller's units, latest
    first; `overdue=true` keeps those whose response is late. Keyset-paged."""
    qs = _supervisions(request)
    unit = unit_filter(request, params.unit)
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__") | subtree_q([unit.path], prefix="front_unit__"))
    if params.kind:
        qs = qs.filter(kind=params.kind)
    today = timezone.localdate()
    if params.overdue is not None:
        late = Q(responded_on__isnull=True, response_due_on__lt=today)
        qs = qs.filter(late) if params.overdue else qs.exclude(late)
    page, nxt = _page(qs, params, "starts_on")
    return SupervisionPage(items=[SupervisionOut(**_supervision_row(s, today)) for s in page], next_cursor=nxt)


@router.get("/supervisions/{int:supervision_id}", response={200: SupervisionDetailOut, **READ_ERRORS},
            summary="One Front supervision", operation_id="grassroots_supervisions_detail")
def supervision_detail(request: HttpRequest, supervision_id: SupervisionId) -> SupervisionDetailOut:
    """The supervision or critique with its findings, recommendations and the government's response."""
    return _supervision_detail(request, supervision_id)


@router.post("/supervisions", response={201: SupervisionDetailOut, **WRITE_ERRORS},
             summary="Record a Front supervision", operation_id="grassroots_supervisions_create")
def create_supervision(request: HttpRequest, payload: SupervisionIn) -> Status:
    """Records a supervision or critique of `org_unit`: a Front supervisor (or admin) of `front_unit`, or of
    the unit supervised when no Front body is given (else 403). The unit's officials are notified."""
    from . import supervision

    user = caller(request)
    unit = _current_unit(payload.org_unit, "org_unit")
    assert unit is not None  # noqa: S101 - org_unit is required  # nosec B101
    front = _current_unit(payload.front_unit, "front_unit")
    _require(request, "disclosures.change_supervision", front or unit)
    data = payload.model_dump(exclude={"org_unit", "front_unit"})
    s = supervision.record_supervision(actor=user, org_unit=unit, front_unit=front, **data)
    return Status(201, _supervision_detail(request, s.pk))


@router.patch("/supervisions/{int:supervision_id}", response={200: SupervisionDetailOut, **WRITE_ERRORS},
              summary="Change a Front supervision", operation_id="grassroots_supervisions_update")
def update_supervision(request: HttpRequest, supervision_id: SupervisionId, payload: SupervisionPatchIn
                       ) -> SupervisionDetailOut:
    """Changes the fields sent (Front supervisors of its body); others stay. Stale `expected_version`: 409."""
    from . import supervision

    s = _one(_supervisions(request), supervision_id)
    _require(request, "disclosures.change_supervision", s)
    fields = _changes(payload, required=("by_name", "kind", "subject", "starts_on", "findings", "recommendations",
                                         "is_public"))
    supervision.update_supervision(actor=caller(request), supervision=s, expected_version=payload.expected_version,
                                   **fields)
    return _supervision_detail(request, s.pk)


@router.post("/supervisions/{int:supervision_id}/respond", response={200: SupervisionDetailOut, **WRITE_ERRORS},
             summary="Respond to a Front supervision", operation_id="grassroots_supervisions_respond")
def respond_supervision(request: HttpRequest, supervision_id: SupervisionId, payload: GrassrootsRespondIn
                        ) -> SupervisionDetailOut:
    """The response of the unit supervised (its admin, head or officer; else 403). A response after the due
    date needs `late_reason` (422 without)."""
    from . import supervision

    s = _one(_supervisions(request), supervision_id)
    _require(request, "disclosures.respond", s)
    supervision.respond_to_supervision(actor=caller(request), supervision=s,
                                       expected_version=payload.expected_version, response=payload.response,
                                       responded_on=payload.responded_on, late_reason=payload.late_reason)
    return _supervision_detail(request, s.pk)


@router.delete("/supervisions/{int:supervision_id}", response={204: None, **DELETE_ERRORS},
               summary="Delete a Front supervision", operation_id="grassroots_supervisions_delete")
def delete_supervision(request: HttpRequest, supervision_id: SupervisionId,
                       params: Query[GrassrootsDeleteParams]) -> HttpResponse:
    """Removes a supervision entered by mistake (Front supervisors of its body; audited with `reason`)."""
    from . import supervision

    s = _one(_supervisions(request), supervision_id)
    _require(request, "disclosures.change_supervision", s)
    supervision.delete_supervision(actor=caller(request), supervision=s, reason=params.reason)
    return HttpResponse(status=204)
