"""Request and response shapes of /api/v1/reports (the operations are in ``api.py``).

A report's figures travel as a JSON object keyed by indicator code. On input each figure is taken
as sent (any JSON value) and judged by the form's own validation, so a wrong type, a negative
count or text in a number field is reported on the indicator's code, exactly as the browser form
reports it, rather than as a schema error on a nested path.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints, WithJsonSchema

from danvan.api.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
)

NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last page."
MAX_CODES = 500
MAX_ANSWER = 100_000
MAX_VERSION = 2**31 - 1

_SCALAR = {"anyOf": [{"type": "integer"}, {"type": "number"}, {"type": "boolean"}, {"type": "string"}, {"type": "null"}]}
# Output: JSON numbers stay integers when whole, booleans stay booleans.
ValueOut = Annotated[int | float | bool | str | None, WithJsonSchema(_SCALAR)]
# Input: any JSON value; the form's validation rejects what does not fit the indicator.
ValueIn = Annotated[Any, WithJsonSchema({**_SCALAR, "description": "A number, true/false, text, or null to clear."})]
Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

ValueTypeCode = Literal["count", "percentage", "boolean", "money", "text"]
AggregationCode = Literal["sum", "average", "min", "max", "share_yes", "ratio", "none"]
PeriodKindCode = Literal["monthly", "quarterly", "half_year", "nine_months", "annual", "ad_hoc"]
SubmissionStatusCode = Literal["not_started", "draft", "submitted", "returned", "accepted"]
MonthDay = Annotated[str, StringConstraints(pattern=r"^\d{2}-\d{2}$")]


# --------------------------------------------------------------------------- forms


class FormSummaryOut(Schema):
    id: int = Field(description="The form version's id.")
    code: str = Field(description="The form's code, the same for all its versions.")
    version: int = Field(description="Version number; a published version never changes.")
    name: str = Field(description="Name.")
    description: str = Field(description="What the form is for.")
    status: str = Field(description="draft, published or retired.")
    owner_id: int | None = Field(description="The unit that owns it; null for a form shared by the whole country.")
    owner_name: str | None = Field(description="That unit's name.")
    published_at: dt.datetime | None = Field(description="When it was published.")


class FormPage(Schema):
    items: list[FormSummaryOut] = Field(description="Forms by code, newest version first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class FormSectionOut(Schema):
    id: int = Field(description="The section's id.")
    number: str = Field(description="Number as printed, e.g. “I”.")
    title: str = Field(description="Heading.")
    order: int = Field(description="Position in the form.")


class IndicatorOut(Schema):
    id: int = Field(description="The indicator's id.")
    code: str = Field(description="Code; the key of the figure in a report's `values`.")
    name: str = Field(description="Name.")
    unit: str = Field(description="Unit of measure, e.g. “buổi”, “%”.")
    value_type: str = Field(description="count, percentage, boolean, money or text.")
    aggregation: str = Field(description="How it adds up the tree: sum, average, min, max, share_yes, ratio or none.")
    numerator_code: str = Field(description="For a ratio: the indicator above the line.")
    denominator_code: str = Field(description="For a ratio: the indicator below the line.")
    required: bool = Field(description="A report cannot be submitted without it.")
    min_value: float | None = Field(description="Smallest value accepted.")
    max_value: float | None = Field(description="Largest value accepted.")
    prefill_source: str = Field(description="The module that pre-fills it; empty when entered by hand.")
    help_text: str = Field(description="Guidance for the person filling it.")
    section_id: int | None = Field(description="Its section.")
    order: int = Field(description="Position in the form.")


class CrossRuleOut(Schema):
    id: int = Field(description="The rule's id.")
    left: list[str] = Field(description="Indicator codes added up on the left side.")
    operator: str = Field(description="lte, lt, gte, gt or eq.")
    right: list[str] = Field(description="Indicator codes added up on the right side.")
    message: str = Field(description="What is shown when the rule is broken.")


class QuestionOut(Schema):
    id: int = Field(description="The question's id.")
    code: str = Field(description="Code; the key of the answer in a report's `answers`.")
    text: str = Field(description="The question.")
    help_text: str = Field(description="Guidance.")
    required: bool = Field(description="A report cannot be submitted without an answer.")
    max_length: int = Field(description="Longest answer accepted, in characters.")
    section_id: int | None = Field(description="Its section.")
    order: int = Field(description="Position in the form.")


class FormDetailOut(FormSummaryOut):
    sections: list[FormSectionOut] = Field(description="Sections in order.")
    indicators: list[IndicatorOut] = Field(description="Indicators in order.")
    rules: list[CrossRuleOut] = Field(description="Rules across indicators checked on submission.")
    questions: list[QuestionOut] = Field(description="Narrative questions in order.")


# --------------------------------------------------------------------------- regimes and periods


class PeriodOut(Schema):
    id: int = Field(description="The period's id.")
    regime_id: int = Field(description="Its reporting regime.")
    kind: str = Field(description="monthly, quarterly, half_year, nine_months, annual or ad_hoc.")
    year: int = Field(description="Year.")
    number: int = Field(description="Month or quarter number; 1 for the other kinds.")
    label: str = Field(description="Label, e.g. “6 tháng đầu năm 2026”.")
    starts_on: dt.date = Field(description="First day of data.")
    ends_on: dt.date = Field(description="Last day of data (the cut-off).")
    due_on: dt.date = Field(description="Submission deadline; a report first submitted after it is late.")
    status: str = Field(description="open (reports can be filled) or closed.")
    data_version: int = Field(description="Changes whenever a counted figure of the period changes.")
    lock_version: int = Field(description="The period's version, for changes to its dates.")


class PeriodDetailOut(PeriodOut):
    regime_name: str = Field(description="The regime's name.")
    owner_id: int = Field(description="The consolidating unit.")
    scope_root_id: int = Field(description="Reporting units are under this unit.")
    form_id: int = Field(description="The form reports are filled in.")


class RegimeSummaryOut(Schema):
    id: int = Field(description="The regime's id.")
    name: str = Field(description="Name.")
    owner_id: int = Field(description="The consolidating unit.")
    owner_name: str = Field(description="Its name.")
    scope_root_id: int = Field(description="Reporting units are under this unit.")
    scope_root_name: str = Field(description="Its name.")
    form_id: int = Field(description="The report form version.")
    form_code: str = Field(description="Its code.")
    form_version: int = Field(description="Its version.")
    plan_id: int | None = Field(description="The plan the regime implements, if any.")
    reporter_kinds: list[str] = Field(description="Kinds of unit that report (codes).")
    period_kinds: list[str] = Field(description="Frequencies, e.g. half_year and annual.")
    status: str = Field(description="active or closed.")
    created_at: dt.datetime = Field(description="When it was created.")


class RegimePage(Schema):
    items: list[RegimeSummaryOut] = Field(description="Regimes, newest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class CutoffOut(Schema):
    start: str = Field(description="First day of data, MM-DD.")
    end: str = Field(description="Last day of data, MM-DD.")


class RegimeDetailOut(RegimeSummaryOut):
    cutoffs: dict[str, CutoffOut] = Field(description="Per period kind, its data cut-off; Decree 09/2019 when absent.")
    deadlines: dict[str, str] = Field(description="Per period kind, the deadline as MM-DD; from the plan when absent.")
    lock_version: int = Field(description="The regime's version.")
    periods: list[PeriodOut] = Field(description="Its periods, newest first.")


# --------------------------------------------------------------------------- submissions


class SubmissionSummaryOut(Schema):
    id: int = Field(description="The report's id.")
    period_id: int = Field(description="Its period.")
    period_label: str = Field(description="The period's label.")
    org_unit_id: int = Field(description="The reporting unit.")
    org_unit_name: str = Field(description="Its name.")
    anchor_id: int = Field(description="The administrative unit its figures are counted under.")
    expected: bool = Field(description="False for a unit that closed during the period but had reported.")
    status: str = Field(description="not_started, draft, submitted, returned or accepted.")
    is_late: bool = Field(description="First submitted after the deadline.")
    submitted_at: dt.datetime | None = Field(description="Last submission.")
    reviewed_at: dt.datetime | None = Field(description="Last return or acceptance.")
    lock_version: int = Field(description="Send back with every change; a change made by someone else since → 409.")
    updated_at: dt.datetime = Field(description="Last change.")


class SubmissionPage(Schema):
    items: list[SubmissionSummaryOut] = Field(description="Reports, newest period first, then in tree order.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class RevisionOut(Schema):
    at: dt.datetime = Field(description="When.")
    action: str = Field(description="saved, prefilled, imported, submitted, returned, accepted or reopened.")
    status: str = Field(description="The report's status after it.")
    actor_name: str | None = Field(description="Who; null for the system.")
    comment: str = Field(description="Comment or reason given.")


class SubmissionPermissionsOut(Schema):
    fill: bool = Field(description="May save figures and submit.")
    review: bool = Field(description="May return or accept it.")
    reopen: bool = Field(description="May reopen it after acceptance.")


class SubmissionDetailOut(SubmissionSummaryOut):
    period: PeriodOut = Field(description="The period.")
    form_id: int = Field(description="The form it is filled in.")
    values: dict[str, ValueOut] = Field(description="Figures by indicator code (a missing code has no figure).")
    answers: dict[str, str] = Field(description="Narrative answers by question code.")
    prefilled: dict[str, ValueOut] = Field(description="What other modules held when it was pre-filled, by code.")
    corrections: dict[str, str] = Field(description="Why a figure differs from the pre-filled one, by code.")
    first_submitted_at: dt.datetime | None = Field(description="First submission (decides lateness).")
    submitted_by_name: str | None = Field(description="Who submitted it last.")
    reviewed_by_name: str | None = Field(description="Who returned or accepted it last.")
    review_comment: str = Field(description="The reviewer's comments.")
    revisions: list[RevisionOut] = Field(description="Every change, oldest first (figures omitted).")
    permissions: SubmissionPermissionsOut = Field(description="What the caller may do with it now.")


# --------------------------------------------------------------------------- aggregates


class CellOut(Schema):
    value: float | None = Field(description="The figure by the indicator's aggregation rule; null without data.")
    sum: float = Field(description="Sum of the counted figures.")
    count: int = Field(description="Number of counted figures.")


class AggregateNodeOut(Schema):
    unit_id: int = Field(description="The unit.")
    name: str = Field(description="Its name.")
    kind: str = Field(description="Its kind's name.")
    parent_id: int | None = Field(description="The unit above it.")
    depth: int = Field(description="Depth in the tree (0 for a province).")
    values: dict[str, CellOut] = Field(description="Per numeric indicator code, its totals under this unit.")


class AggregatesOut(Schema):
    period_id: int = Field(description="The period.")
    data_version: int = Field(description="The period's `data_version` the figures were computed at.")
    unit: AggregateNodeOut = Field(description="The unit asked for (its whole subtree).")
    children: list[AggregateNodeOut] = Field(description="Each administrative unit directly below it.")


class CompletenessOut(Schema):
    unit_id: int = Field(description="The unit.")
    name: str = Field(description="Its name.")
    kind: str = Field(description="Its kind's name.")
    parent_id: int | None = Field(description="The unit above it.")
    depth: int = Field(description="Depth in the tree.")
    expected: int = Field(description="Reports expected from units in its subtree.")
    received: int = Field(description="Of those, submitted or accepted.")
    on_time: int = Field(description="Received by the deadline.")
    late: int = Field(description="Received after the deadline.")
    missing: int = Field(description="Expected but not received.")
    extra: int = Field(description="Received from units no longer expected (closed during the period).")
    rate: float | None = Field(description="received / expected, 0 to 1; null when none is expected.")
    timeliness: float | None = Field(description="on_time / expected, 0 to 1; null when none is expected.")


class CompletenessReportOut(Schema):
    period_id: int = Field(description="The period.")
    due_on: dt.date = Field(description="The period's deadline.")
    unit: CompletenessOut = Field(description="The unit asked for (its whole subtree).")
    children: list[CompletenessOut] = Field(description="Each administrative unit directly below it.")


# --------------------------------------------------------------------------- input


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class CutoffIn(_Input):
    start: MonthDay = Field(description="First day of data, MM-DD.")
    end: MonthDay = Field(description="Last day of data, MM-DD.")


class RegimeIn(_Input):
    name: str = Field(min_length=1, max_length=255, description="Name.")
    owner_id: Id = Field(description="The consolidating unit (an editing role on it is needed).")
    form_id: Id = Field(description="A published report form version.")
    reporter_kinds: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        min_length=1, max_length=50, description="Kinds of unit that report (codes, e.g. `commune`)."
    )
    period_kinds: list[PeriodKindCode] = Field(min_length=1, max_length=6, description="Frequencies.")
    scope_root_id: Id | None = Field(None, description="Reporting units are under this unit; the owner when omitted.")
    plan_id: Id | None = Field(None, description="The plan the regime implements.")
    cutoffs: dict[PeriodKindCode, CutoffIn] | None = Field(
        None, description="Per period kind, the data cut-off; Decree 09/2019 for kinds left out."
    )
    deadlines: dict[PeriodKindCode, MonthDay] | None = Field(
        None, description="Per period kind, the deadline as MM-DD; from the plan for kinds left out."
    )


class PeriodIn(_Input):
    kind: PeriodKindCode = Field(description="One of the regime's frequencies.")
    year: int = Field(ge=2000, le=2100, description="Year.")
    number: int = Field(1, ge=1, le=12, description="Month or quarter number; 1 for the other kinds.")
    starts_on: dt.date | None = Field(None, description="First day of data; from the regime's cut-off when omitted.")
    ends_on: dt.date | None = Field(None, description="Last day of data; from the regime's cut-off when omitted.")
    due_on: dt.date | None = Field(
        None, description="Deadline, not before `ends_on`; from the regime or its plan when omitted."
    )
    label: str = Field("", max_length=150, description="Label; generated when empty.")


class SubmissionLockIn(_Input):
    lock_version: int = Field(ge=1, le=MAX_VERSION, description="The report's `lock_version` as read; a stale one → 409.")


class ValuesIn(SubmissionLockIn):
    values: dict[Code, ValueIn] = Field(
        default_factory=dict, max_length=MAX_CODES,
        description="Figures by indicator code: a number, true/false, text for a text indicator, or null to clear. "
        "Codes not sent keep their figure.",
    )
    answers: dict[Code, Annotated[str, StringConstraints(max_length=MAX_ANSWER)]] = Field(
        default_factory=dict, max_length=MAX_CODES,
        description="Narrative answers by question code; empty text clears one, codes not sent keep theirs.",
    )
    reasons: dict[Code, Annotated[str, StringConstraints(max_length=1000)]] = Field(
        default_factory=dict, max_length=MAX_CODES,
        description="Why a figure differs from the pre-filled one, by indicator code.",
    )


class ReturnIn(SubmissionLockIn):
    comment: str = Field(max_length=5000, description="What must be corrected.")


class ReopenIn(SubmissionLockIn):
    reason: str = Field(max_length=5000, description="Why the accepted report is reopened.")


# --------------------------------------------------------------------------- query parameters


class PageParams(Schema):
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class SubmissionFilters(PageParams):
    period: int | None = Field(None, ge=1, le=MAX_ID, description="Only reports of this period.")
    status: SubmissionStatusCode | None = Field(None, description="Only reports in this state.")
    unit: int | None = Field(
        None, ge=1, le=MAX_ID,
        description="Only reports of this unit and the units below it; 404 if the caller cannot see the unit.",
    )


class UnitParams(Schema):
    unit: int | None = Field(
        None, ge=1, le=MAX_ID,
        description="The unit to total; the period's reporting scope when the caller sees it, else the caller's "
        "highest unit in it. 404 for a unit the caller cannot see or outside the period's scope.",
    )
