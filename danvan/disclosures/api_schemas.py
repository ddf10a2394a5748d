"""Request and response shapes of /api/v1/grassroots (the operations are in ``api.py``).

Names carry their area (``Disclosure…``, ``Decision…``, ``Board…``) because ninja names a component
after its class and every app's schemas share one OpenAPI document. Board members' user accounts are
never shown (only whether one is linked): the API gives names and positions, which are public anyway.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from danvan.api.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
)
from danvan.api.schemas import StoredFileOut as GrassrootsAttachmentOut
from danvan.api.schemas import UnitBriefOut as GrassrootsUnitOut

NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last page."
MAX_VERSION = 2**31 - 1
MAX_COUNT = 10_000_000

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION, description="The record's `lock_version` as read; stale → 409.")]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
CategoryCode = Annotated[str, StringConstraints(min_length=1, max_length=40)]
FormCode = Literal["posting", "website", "loudspeaker", "village_head", "letter", "meeting", "press",
                   "mass_organisation", "social_network"]
DisclosureStatusCode = Literal["draft", "published", "withdrawn"]
ProblemCode = Literal["late", "short_posting", "loudspeaker"]
MatterCode = Literal["contribution", "community_fund", "convention", "village_head", "board_members", "other"]
ThresholdCode = Literal["two_thirds", "majority"]
DecisionFormCode = Literal["meeting", "ballot", "online"]
SendingCode = Literal["sent", "sent_late", "pending", "overdue"]
ConsultationMatterCode = Literal["socio_economic_plan", "land_use", "project", "boundaries", "democracy_regulation",
                                 "obligations", "other"]
ConsultationStatusCode = Literal["draft", "open", "closed", "published"]
ConsultationForm = Literal["meeting", "opinion_form", "mailbox", "website", "social_network", "village"]
BoardKindCode = Literal["inspection", "investment"]
PositionCode = Literal["head", "deputy", "member"]
PeriodCode = Literal["quarter", "half_year", "year"]
SupervisionKindCode = Literal["supervision", "critique"]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- shared output


# --------------------------------------------------------------------------- disclosures


class DisclosureCategoryOut(Schema):
    code: str = Field(description="The category's code, as `category` takes it.")
    article_point: str = Field(description="Where Law 10/2022 lists it, e.g. Art. 11.2.")
    name: str = Field(description="Its name.")
    min_posting_days: int = Field(description="Consecutive days a posting must stay up.")
    permanent: bool = Field(description="Posted permanently (no end date).")
    loudspeaker_days: int = Field(description="Consecutive days it must be broadcast on the loudspeakers; 0 if not.")


class DisclosureCategoryList(Schema):
    items: list[DisclosureCategoryOut] = Field(description="The categories in use, in the law's order.")


class DisclosureProblemOut(Schema):
    code: ProblemCode = Field(
        description="late: disclosed (or still draft) after `due_on`; short_posting: posted shorter than the "
        "category's minimum; loudspeaker: not broadcast for the days the category needs."
    )
    message: str = Field(description="The problem in words, in Vietnamese.")
    severity: str = Field(description="How serious it is (e.g. warning, error).")


class DisclosureOut(Schema):
    id: int = Field(description="The disclosure's id.")
    unit: GrassrootsUnitOut = Field(description="The unit disclosing it.")
    category: str = Field(description="The category's code.")
    category_name: str = Field(description="The category's name.")
    title: str = Field(description="Its title.")
    decision_ref: str = Field(description="The number of the decision or document disclosed; may be empty.")
    decided_on: dt.date | None = Field(description="Date of the decision.")
    due_on: dt.date | None = Field(description="Disclose by: 5 working days after `decided_on`.")
    disclosed_on: dt.date | None = Field(description="First day posted; null in draft.")
    posting_ends_on: dt.date | None = Field(description="Last day posted; null when permanent or not yet set.")
    permanent: bool = Field(description="Posted permanently.")
    forms: list[str] = Field(description="The forms of disclosure used (posting, website, loudspeaker, …).")
    place: str = Field(description="Where it is posted.")
    loudspeaker_days: int = Field(description="Days it was broadcast on the loudspeakers.")
    status: DisclosureStatusCode = Field(description="draft, published or withdrawn.")
    is_public: bool = Field(description="Shown on the public portal while posted.")
    published_at: dt.datetime | None = Field(description="When it was published.")
    problems: list[ProblemCode] = Field(description="The law's checks it fails today (see the detail for words).")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class DisclosureDetailOut(DisclosureOut):
    content: str = Field(description="The information disclosed.")
    problem_details: list[DisclosureProblemOut] = Field(description="Each failed check with its message.")
    attachments: list[GrassrootsAttachmentOut] = Field(description="Its files' metadata.")


class DisclosurePage(Schema):
    items: list[DisclosureOut] = Field(description="Disclosures, latest recorded first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class DisclosureFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    category: CategoryCode | None = Field(None, description="Only this category's code.")
    status: DisclosureStatusCode | None = Field(None, description="Only this status.")
    year: int | None = Field(None, ge=2000, le=2100, description="Only those decided (or, without a decision "
                             "date, recorded) in this year.")
    problem: ProblemCode | None = Field(None, description="Only those failing this check today.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class DisclosureIn(_Input):
    org_unit: Id = Field(description="The unit disclosing it; the caller needs admin, head or officer role there.")
    category: CategoryCode = Field(description="The category's code (see `GET /grassroots/categories`).")
    title: str = Field(max_length=255, description="Its title (required).")
    content: str = Field("", max_length=20000, description="The information disclosed.")
    decision_ref: str = Field("", max_length=100, description="Number of the decision or document.")
    decided_on: dt.date | None = Field(None, description="Date of the decision: it is due 5 working days later.")
    disclosed_on: dt.date | None = Field(None, description="First day posted.")
    posting_ends_on: dt.date | None = Field(None, description="Last day posted; not before `disclosed_on`.")
    forms: list[FormCode] = Field(default_factory=list, max_length=9, description="Forms of disclosure used.")
    place: str = Field("", max_length=255, description="Where it is posted.")
    loudspeaker_days: int = Field(0, ge=0, le=366, description="Days broadcast on the loudspeakers.")
    is_public: bool = Field(True, description="Show it on the public portal while posted.")


class DisclosurePatchIn(_Input):
    expected_version: Version
    category: CategoryCode | None = Field(None, description="The category's code.")
    title: str | None = Field(None, max_length=255, description="Its title.")
    content: str | None = Field(None, max_length=20000, description="The information disclosed.")
    decision_ref: str | None = Field(None, max_length=100, description="Number of the decision or document.")
    decided_on: dt.date | None = Field(None, description="Date of the decision.")
    disclosed_on: dt.date | None = Field(None, description="First day posted.")
    posting_ends_on: dt.date | None = Field(None, description="Last day posted.")
    forms: list[FormCode] | None = Field(None, max_length=9, description="Forms of disclosure used.")
    place: str | None = Field(None, max_length=255, description="Where it is posted.")
    loudspeaker_days: int | None = Field(None, ge=0, le=366, description="Days broadcast on the loudspeakers.")
    is_public: bool | None = Field(None, description="Show it on the public portal.")


class DisclosurePublishIn(_Input):
    expected_version: Version
    disclosed_on: dt.date | None = Field(None, description="First day posted (default today).")


class GrassrootsVersionIn(_Input):
    expected_version: Version


class GrassrootsWithdrawIn(_Input):
    expected_version: Version
    reason: str = Field(max_length=500, description="Why it is withdrawn (required, audited).")


class GrassrootsDeleteParams(Schema):
    reason: str = Field(max_length=500, description="Why it is deleted (required, audited).")


# --------------------------------------------------------------------------- quarterly lists


class QuarterlyListOut(Schema):
    id: int = Field(description="The list's id.")
    unit: GrassrootsUnitOut = Field(description="The commune that posted it.")
    year: int = Field(description="Its year.")
    quarter: int = Field(description="Its quarter, 1–4.")
    posted_on: dt.date = Field(description="The day it was posted.")
    items: int = Field(description="Disclosures it lists.")


class QuarterlyListPage(Schema):
    items: list[QuarterlyListOut] = Field(description="Lists, latest posted first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class QuarterlyListFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    year: int | None = Field(None, ge=2000, le=2100, description="Only this year.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class QuarterlyListIn(_Input):
    org_unit: Id = Field(description="The commune posting it.")
    year: int = Field(ge=2000, le=2100, description="The year.")
    quarter: int = Field(ge=1, le=4, description="The quarter, 1–4: an ended or the current one.")
    posted_on: dt.date | None = Field(None, description="The day it was posted (default today).")


class QuarterOut(Schema):
    year: int = Field(description="The year.")
    quarter: int = Field(description="The quarter, 1–4.")


class QuarterlyMissingOut(Schema):
    unit: GrassrootsUnitOut = Field(description="The commune.")
    missing: list[QuarterOut] = Field(description="Ended quarters of this and last year without a posted list.")


class GrassrootsUnitParams(Schema):
    unit: int = Field(ge=1, le=MAX_ID, description="The commune (within the caller's units).")


# --------------------------------------------------------------------------- residents' decisions


class DecisionOut(Schema):
    id: int = Field(description="The decision's id.")
    unit: GrassrootsUnitOut = Field(description="The village (or unit) whose residents decided.")
    matter: MatterCode = Field(description="What was decided (Art. 15).")
    title: str = Field(description="Its title.")
    form: DecisionFormCode = Field(description="meeting, ballot or online.")
    held_on: dt.date = Field(description="Day of the meeting or the vote.")
    decided_on: dt.date = Field(description="Day the result was recorded.")
    households_total: int = Field(description="Households in the village.")
    households_participating: int = Field(description="Households taking part.")
    votes_for: int = Field(description="Households for.")
    votes_against: int = Field(description="Households against.")
    threshold: ThresholdCode = Field(description="The majority the matter needs: two_thirds or majority of households.")
    needed: int = Field(description="Households for that the threshold needs.")
    quorum_met: bool = Field(description="More than half of the households took part.")
    share_for: float = Field(description="Households for, in percent of all households.")
    passed: bool = Field(description="The quorum is met and `votes_for` reaches `needed`.")
    send_due_on: dt.date | None = Field(description="Send the result to the commune by (5 working days).")
    sent_to_commune_on: dt.date | None = Field(description="Day it was sent to the commune; null if not yet.")
    sending: SendingCode = Field(
        description="sent (on time), sent_late, pending (not sent, still in time) or overdue (not sent, late)."
    )
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class DecisionDetailOut(DecisionOut):
    content: str = Field(description="The content decided.")
    attachments: list[GrassrootsAttachmentOut] = Field(description="Its files' metadata.")


class DecisionPage(Schema):
    items: list[DecisionOut] = Field(description="Decisions, latest held first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class DecisionFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    matter: MatterCode | None = Field(None, description="Only this matter.")
    passed: bool | None = Field(None, description="true: only passed; false: only failed.")
    year: int | None = Field(None, ge=2000, le=2100, description="Only those held in this year.")
    sending: SendingCode | None = Field(None, description="Only those whose sending to the commune stands so.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class DecisionIn(_Input):
    org_unit: Id = Field(description="The village (or unit); the caller needs admin, head or officer role there.")
    matter: MatterCode = Field(description="What is decided; sets the majority needed.")
    title: str = Field(max_length=255, description="Its title (required).")
    form: DecisionFormCode = Field("meeting", description="How residents decided.")
    held_on: dt.date = Field(description="Day of the meeting or the vote; not in the future.")
    decided_on: dt.date = Field(description="Day the result was recorded; not before `held_on`.")
    households_total: Count = Field(description="Households in the village.")
    households_participating: Count = Field(description="Households taking part; at most `households_total`.")
    votes_for: Count = Field(description="Households for.")
    votes_against: Count = Field(description="Households against; for + against ≤ participating.")
    content: str = Field("", max_length=10000, description="The content decided.")
    sent_to_commune_on: dt.date | None = Field(None, description="Day the result was sent to the commune.")


class DecisionPatchIn(_Input):
    expected_version: Version
    matter: MatterCode | None = Field(None, description="What is decided.")
    title: str | None = Field(None, max_length=255, description="Its title.")
    form: DecisionFormCode | None = Field(None, description="How residents decided.")
    held_on: dt.date | None = Field(None, description="Day of the meeting or the vote.")
    decided_on: dt.date | None = Field(None, description="Day the result was recorded.")
    households_total: Count | None = Field(None, description="Households in the village.")
    households_participating: Count | None = Field(None, description="Households taking part.")
    votes_for: Count | None = Field(None, description="Households for.")
    votes_against: Count | None = Field(None, description="Households against.")
    content: str | None = Field(None, max_length=10000, description="The content decided.")


class DecisionSentIn(_Input):
    expected_version: Version
    sent_on: dt.date = Field(description="Day the result was sent to the commune; not before `held_on`.")


# --------------------------------------------------------------------------- consultations


class ConsultationOut(Schema):
    id: int = Field(description="The consultation's id.")
    unit: GrassrootsUnitOut = Field(description="The unit consulting.")
    matter: ConsultationMatterCode = Field(description="What residents are consulted on (Art. 25).")
    title: str = Field(description="Its title.")
    forms: list[str] = Field(description="Forms of consultation used.")
    opens_on: dt.date = Field(description="First day opinions are taken.")
    closes_on: dt.date = Field(description="Last day opinions are taken.")
    opinions_received: int = Field(description="Opinions received.")
    result_published_on: dt.date | None = Field(description="Day the result was published.")
    status: ConsultationStatusCode = Field(description="draft, open, closed or published.")
    is_public: bool = Field(description="Shown on the public portal.")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class ConsultationDetailOut(ConsultationOut):
    draft: str = Field(description="The draft or its summary.")
    opinions_summary: str = Field(description="Summary of the opinions received.")
    taken_into_account: str = Field(description="How the opinions were taken into account.")
    attachments: list[GrassrootsAttachmentOut] = Field(description="Its files' metadata.")


class ConsultationPage(Schema):
    items: list[ConsultationOut] = Field(description="Consultations, latest opened first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class ConsultationFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    matter: ConsultationMatterCode | None = Field(None, description="Only this matter.")
    status: ConsultationStatusCode | None = Field(None, description="Only this status.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class ConsultationIn(_Input):
    org_unit: Id = Field(description="The unit consulting; the caller needs admin, head or officer role there.")
    matter: ConsultationMatterCode = Field(description="What residents are consulted on.")
    title: str = Field(max_length=255, description="Its title (required).")
    opens_on: dt.date = Field(description="First day opinions are taken.")
    closes_on: dt.date = Field(description="Last day opinions are taken; not before `opens_on`.")
    draft: str = Field("", max_length=20000, description="The draft or its summary.")
    forms: list[ConsultationForm] = Field(default_factory=list, max_length=10, description="Forms of consultation.")
    is_public: bool = Field(True, description="Show it on the public portal.")


class ConsultationPatchIn(_Input):
    expected_version: Version
    matter: ConsultationMatterCode | None = Field(None, description="What residents are consulted on.")
    title: str | None = Field(None, max_length=255, description="Its title.")
    opens_on: dt.date | None = Field(None, description="First day opinions are taken.")
    closes_on: dt.date | None = Field(None, description="Last day opinions are taken.")
    draft: str | None = Field(None, max_length=20000, description="The draft or its summary.")
    forms: list[ConsultationForm] | None = Field(None, max_length=10, description="Forms of consultation.")
    is_public: bool | None = Field(None, description="Show it on the public portal.")
    opinions_received: Count | None = Field(None, description="Opinions received (once closed).")
    opinions_summary: str | None = Field(None, max_length=10000, description="Summary of the opinions (once closed).")
    taken_into_account: str | None = Field(None, max_length=10000,
                                           description="How the opinions were taken into account (once closed).")


class ConsultationCloseIn(_Input):
    expected_version: Version
    opinions_received: Count = Field(description="Opinions received.")
    opinions_summary: str = Field("", max_length=10000, description="Summary of the opinions.")


class ConsultationResultIn(_Input):
    expected_version: Version
    taken_into_account: str = Field(max_length=10000, description="How the opinions were taken into account.")
    result_published_on: dt.date | None = Field(None, description="Day the result is published (default today).")


# --------------------------------------------------------------------------- people's boards


class BoardOut(Schema):
    id: int = Field(description="The board's id.")
    unit: GrassrootsUnitOut = Field(description="The commune it belongs to.")
    kind: BoardKindCode = Field(description="inspection or investment (community investment supervision).")
    name: str = Field(description="Its name.")
    term_starts_on: dt.date = Field(description="First day of its term.")
    term_ends_on: dt.date = Field(description="Last day of its term.")
    project: str = Field(description="The project supervised (investment boards).")
    project_investor: str = Field(description="The project's investor.")
    active_members: int = Field(description="Members who have not left.")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class BoardMemberOut(Schema):
    id: int = Field(description="The membership's id.")
    full_name: str = Field(description="The member's name.")
    position: PositionCode = Field(description="head, deputy or member.")
    village_id: int | None = Field(description="The village the member lives in, if recorded.")
    has_account: bool = Field(description="Linked to a user account (checked not to be a commune official).")
    joined_on: dt.date = Field(description="Day the member joined.")
    left_on: dt.date | None = Field(description="Day the member left; null while a member.")


class BoardWorkPlanOut(Schema):
    id: int = Field(description="The work plan's id.")
    period: PeriodCode = Field(description="quarter, half_year or year.")
    year: int = Field(description="Its year.")
    number: int = Field(description="Quarter 1–4, half-year 1–2, or 1 for the year.")
    content: str = Field(description="What the board plans to do.")
    approved_on: dt.date | None = Field(description="Day it was approved.")


class FindingOut(Schema):
    id: int = Field(description="The finding's id.")
    board_id: int = Field(description="The board that made it.")
    found_on: dt.date = Field(description="Its date.")
    subject: str = Field(description="What was inspected or supervised.")
    findings: str = Field(description="What the board found.")
    recommendations: str = Field(description="What it recommends.")
    recommends_suspension: bool = Field(description="It recommends suspending the project.")
    addressed_to: GrassrootsUnitOut = Field(description="The unit that must respond.")
    response_due_on: dt.date | None = Field(description="Respond by.")
    response: str = Field(description="The government's response; empty until given.")
    responded_on: dt.date | None = Field(description="Day it responded.")
    late_reason: str = Field(description="Why the response came after `response_due_on`.")
    overdue: bool = Field(description="No response and `response_due_on` has passed.")
    lock_version: int = Field(description="Pass back as `expected_version` to respond; a stale one → 409.")


class FindingDetailOut(FindingOut):
    attachments: list[GrassrootsAttachmentOut] = Field(description="Its files' metadata.")


class BoardDetailOut(BoardOut):
    members: list[BoardMemberOut] = Field(description="Members, current and past.")
    work_plans: list[BoardWorkPlanOut] = Field(description="Work plans, latest year first.")
    findings: list[FindingOut] = Field(description="Findings, latest first.")
    warnings: list[str] = Field(description="What the board lacks (too few members, no plan this quarter), in words.")


class BoardPage(Schema):
    items: list[BoardOut] = Field(description="Boards, latest term first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class BoardFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    kind: BoardKindCode | None = Field(None, description="Only this kind.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class BoardIn(_Input):
    org_unit: Id = Field(description="The commune; the caller needs admin, head or officer role there.")
    kind: BoardKindCode = Field(description="inspection or investment.")
    name: str = Field(max_length=255, description="Its name (required).")
    term_starts_on: dt.date = Field(description="First day of its term.")
    term_ends_on: dt.date = Field(description="Last day of its term; not before the start.")
    project: str = Field("", max_length=255, description="The project supervised (required for investment).")
    project_investor: str = Field("", max_length=255, description="The project's investor.")


class BoardPatchIn(_Input):
    expected_version: Version
    kind: BoardKindCode | None = Field(None, description="inspection or investment.")
    name: str | None = Field(None, max_length=255, description="Its name.")
    term_starts_on: dt.date | None = Field(None, description="First day of its term.")
    term_ends_on: dt.date | None = Field(None, description="Last day of its term.")
    project: str | None = Field(None, max_length=255, description="The project supervised.")
    project_investor: str | None = Field(None, max_length=255, description="The project's investor.")


class BoardMemberIn(_Input):
    full_name: str = Field(max_length=200, description="The member's name (required).")
    position: PositionCode = Field("member", description="head (one at a time), deputy or member.")
    joined_on: dt.date = Field(description="Day the member joined.")
    village: Id | None = Field(None, description="The member's village, in the board's unit.")
    user: Id | None = Field(None, description="The member's user account, if any: refused for a commune official.")


class BoardMemberEndIn(_Input):
    left_on: dt.date = Field(description="Day the member left; not before joining.")


class BoardWorkPlanIn(_Input):
    period: PeriodCode = Field(description="quarter, half_year or year.")
    year: int = Field(ge=2000, le=2100, description="Its year.")
    number: int = Field(1, ge=1, le=4, description="Quarter 1–4, half-year 1–2, 1 for the year.")
    content: str = Field(max_length=20000, description="What the board plans to do (required).")
    approved_on: dt.date | None = Field(None, description="Day it was approved.")


class FindingIn(_Input):
    found_on: dt.date = Field(description="Its date.")
    subject: str = Field(max_length=255, description="What was inspected or supervised (required).")
    findings: str = Field(max_length=20000, description="What the board found (required).")
    recommendations: str = Field("", max_length=10000, description="What it recommends.")
    recommends_suspension: bool = Field(False, description="It recommends suspending the project.")
    addressed_to: Id = Field(description="The unit that must respond (its officials are notified).")
    response_due_on: dt.date | None = Field(None, description="Respond by; not before `found_on`.")


class GrassrootsRespondIn(_Input):
    expected_version: Version
    response: str = Field(max_length=10000, description="The government's response (required).")
    responded_on: dt.date = Field(description="Day it responded; not in the future, not before the record's date.")
    late_reason: str = Field("", max_length=2000, description="Required when responding after the due date.")


# --------------------------------------------------------------------------- Front supervision


class SupervisionOut(Schema):
    id: int = Field(description="The supervision's id.")
    unit: GrassrootsUnitOut = Field(description="The unit supervised (which must respond).")
    front_unit: GrassrootsUnitOut | None = Field(description="The Front body that made it, if recorded.")
    by_name: str = Field(description="The organisation that made it.")
    kind: SupervisionKindCode = Field(description="supervision or critique (social critique).")
    subject: str = Field(description="What was supervised or critiqued.")
    starts_on: dt.date = Field(description="First day.")
    ends_on: dt.date | None = Field(description="Last day.")
    findings: str = Field(description="What was found.")
    recommendations: str = Field(description="What is recommended.")
    response_due_on: dt.date | None = Field(description="Respond by.")
    response: str = Field(description="The government's response; empty until given.")
    responded_on: dt.date | None = Field(description="Day it responded.")
    late_reason: str = Field(description="Why the response came after `response_due_on`.")
    overdue: bool = Field(description="No response and `response_due_on` has passed.")
    is_public: bool = Field(description="Shown on the public portal.")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class SupervisionDetailOut(SupervisionOut):
    attachments: list[GrassrootsAttachmentOut] = Field(description="Its files' metadata.")


class SupervisionPage(Schema):
    items: list[SupervisionOut] = Field(description="Supervisions, latest started first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class SupervisionFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID,
                             description="Only those about, or made by, this unit's subtree (within the caller's).")
    kind: SupervisionKindCode | None = Field(None, description="Only this kind.")
    overdue: bool | None = Field(None, description="true: only those whose response is overdue.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class SupervisionIn(_Input):
    org_unit: Id = Field(description="The unit supervised (for a Front body: in the area it supervises).")
    front_unit: Id | None = Field(None, description="The Front body making it; the caller needs the Front "
                                  "supervisor (or admin) role there, or on the unit supervised without one.")
    by_name: str = Field(max_length=255, description="The organisation making it (required).")
    kind: SupervisionKindCode = Field(description="supervision or critique.")
    subject: str = Field(max_length=255, description="What is supervised (required).")
    starts_on: dt.date = Field(description="First day.")
    ends_on: dt.date | None = Field(None, description="Last day; not before `starts_on`.")
    findings: str = Field("", max_length=20000, description="What was found.")
    recommendations: str = Field("", max_length=10000, description="What is recommended.")
    response_due_on: dt.date | None = Field(None, description="Respond by.")
    is_public: bool = Field(False, description="Show it on the public portal.")


class SupervisionPatchIn(_Input):
    expected_version: Version
    by_name: str | None = Field(None, max_length=255, description="The organisation making it.")
    kind: SupervisionKindCode | None = Field(None, description="supervision or critique.")
    subject: str | None = Field(None, max_length=255, description="What is supervised.")
    starts_on: dt.date | None = Field(None, description="First day.")
    ends_on: dt.date | None = Field(None, description="Last day.")
    findings: str | None = Field(None, max_length=20000, description="What was found.")
    recommendations: str | None = Field(None, max_length=10000, description="What is recommended.")
    response_due_on: dt.date | None = Field(None, description="Respond by.")
    is_public: bool | None = Field(None, description="Show it on the public portal.")
