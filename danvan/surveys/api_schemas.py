"""Request and response shapes of /api/v1/surveys (the operations are in ``api.py``).

No response shape has a place for ``client_hash``, ``scan_session`` or the raw one-time codes'
hashes: a response is about a unit, a service, a desk or an officer, never about who answered.
The only place a one-time code appears is ``SurveyTokensOut``, once, when it is issued.
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

from .tokens import MAX_COUNT as MAX_TOKENS
from .tokens import MAX_VALID_DAYS

NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last page."
MAX_VERSION = 2**31 - 1


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ServiceCode = Annotated[str, StringConstraints(min_length=1, max_length=60)]
SubjectCode = Literal["unit", "service", "desk", "officer"]
AccessCode = Literal["link", "token"]
StatusCode = Literal["draft", "open", "closed"]
GroupBy = Literal["org_unit", "service", "desk", "officer", "month"]
Answer = int | str | list[str]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- output


class SurveyUnitOut(Schema):
    id: int = Field(description="The unit's id.")
    name: str = Field(description="Its name.")
    code: str = Field(description="Its official code; empty if it has none.")


class SurveySummaryOut(Schema):
    id: int = Field(description="The survey's id.")
    title: str = Field(description="Its title.")
    unit: SurveyUnitOut = Field(description="The unit running it.")
    public_code: str = Field(description="The code of its public address `/public/surveys/{public_code}/`.")
    subject: SubjectCode = Field(description="What it measures: the unit, a service, a one-stop desk or an officer.")
    access: AccessCode = Field(description="`link`: anyone with the link or QR code; `token`: only with a one-time code.")
    service: str | None = Field(description="The fixed service's code; null lets the respondent choose.")
    status: StatusCode = Field(description="draft, open or closed.")
    opens_on: dt.date | None = Field(description="First day it accepts responses; null: from publication.")
    closes_on: dt.date | None = Field(description="Last day it accepts responses; null: until closed.")
    template: str = Field(description="The template it was made from (`sipas`), or empty.")
    current_version: int | None = Field(description="Number of the published version answered now; null in draft.")
    lock_version: int = Field(description="Pass back as `expected_version` to publish or close; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was created.")


class SurveyPage(Schema):
    items: list[SurveySummaryOut] = Field(description="Surveys, latest created first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class SurveyChoiceOut(Schema):
    value: str = Field(description="What an answer sends (and stores) for this choice.")
    label: str = Field(description="What the respondent reads.")


class SurveyQuestionOut(Schema):
    key: str = Field(description="Stable key across versions; the key of the answer in `answers`.")
    text: str = Field(description="The question as asked.")
    help_text: str = Field(description="An explanation shown under it; may be empty.")
    kind: Literal["likert", "choice", "multi", "text"] = Field(
        description="likert: an integer 1–5; choice: one of `choices`; multi: a list of `choices`; text: free text."
    )
    aspect: str = Field(description="assessment, satisfaction, expectation, or empty; only satisfaction answers make the index.")
    criterion: str = Field(description="Code of the criterion asked (e.g. 1.2 in SIPAS); may be empty.")
    required: bool = Field(description="An answer is required.")
    choices: list[SurveyChoiceOut] = Field(description="The choices of a choice or multi question; empty otherwise.")
    max_length: int = Field(description="Longest text answer, in characters.")


class SurveySectionOut(Schema):
    title: str = Field(description="The section's title.")
    element_key: str = Field(description="The index element it measures (e.g. `access`); empty if none.")
    weight: float = Field(description="Its weight in a weighted overall index.")
    questions: list[SurveyQuestionOut] = Field(description="Its questions, in order.")


class SurveyVersionOut(Schema):
    number: int = Field(description="The version's number; responses keep the version they answered.")
    published_at: dt.datetime | None = Field(description="When it was published.")
    satisfied_threshold: int = Field(description="Likert answer from which a respondent counts as satisfied (1–5).")
    element_rule: Literal["mean", "all"] = Field(
        description="mean: the mean of an element's satisfaction answers reaches the threshold; all: every one does."
    )
    sections: list[SurveySectionOut] = Field(description="The sections, in order.")


class SurveyDetailOut(SurveySummaryOut):
    description: str = Field(description="The introduction shown to respondents.")
    version: SurveyVersionOut | None = Field(
        description="The current published version with its questions; in draft, the version being edited."
    )


class SurveyIndexElementOut(Schema):
    key: str = Field(description="The element's key (e.g. `access`).")
    title: str = Field(description="Its title.")
    answered: int = Field(description="Respondents who answered at least one of its satisfaction questions.")
    satisfied: int = Field(description="Of those, respondents satisfied under the version's rule.")
    share: float | None = Field(description="satisfied / answered, in percent (one decimal); null with no answer.")


class SurveyIndexGroupOut(Schema):
    key: str = Field(description="The group: a unit, service, desk or officer id, or a month `YYYY-MM`; empty for none.")
    label: str = Field(description="The group's name as shown to people.")
    respondents: int = Field(description="Responses counted in the group (voided ones excluded).")
    elements: list[SurveyIndexElementOut] = Field(description="Per element of the index.")
    overall: float | None = Field(description="The group's overall index in percent; null with no answer.")


class SurveyIndexOut(Schema):
    respondents: int = Field(description="Responses counted (voided ones excluded).")
    elements: list[SurveyIndexElementOut] = Field(description="Per element of the index, over every group.")
    overall: float | None = Field(description="The overall index in percent; null with no answer.")
    formula: str = Field(description="How the index is computed, in words (shown next to the figure).")
    by: GroupBy | None = Field(description="What `groups` are grouped by; null for none.")
    groups: list[SurveyIndexGroupOut] = Field(description="One entry per group when `by` is given; empty otherwise.")


class SurveyResponseOut(Schema):
    id: int = Field(description="The response's id.")
    version: int = Field(description="Number of the version it answered.")
    unit: SurveyUnitOut = Field(description="The unit it is about.")
    service: str | None = Field(description="The service's code, if any.")
    desk_id: int | None = Field(description="The one-stop desk's id, if any.")
    officer_id: int | None = Field(description="The officer's user id, if any.")
    channel: Literal["web", "paper", "api"] = Field(description="web, paper (entered by an officer) or api.")
    submitted_at: dt.datetime = Field(description="When it was submitted (or entered).")
    submitted_on: dt.date = Field(description="Its local day, which periods group by.")
    answers: dict[str, Answer] = Field(description="Answer per question key: an integer, a text or a list of choices.")
    voided: bool = Field(description="Voided by an officer: kept, but left out of the index.")
    voided_at: dt.datetime | None = Field(description="When it was voided.")


class SurveyResponsePage(Schema):
    items: list[SurveyResponseOut] = Field(description="Responses, latest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class SurveyTokensOut(Schema):
    codes: list[str] = Field(description="The one-time codes, shown this once: only their hashes are kept.")
    expires_at: dt.datetime | None = Field(description="When they stop being valid.")


# --------------------------------------------------------------------------- input


class SurveyFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    status: StatusCode | None = Field(None, description="Only this status.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class SurveyIn(_Input):
    org_unit: Id = Field(description="The unit running it; the caller needs admin, head or officer role there.")
    title: str = Field(max_length=255, description="Its title (required).")
    description: str = Field("", max_length=4000, description="The introduction shown to respondents.")
    subject: SubjectCode = Field("unit", description="What it measures.")
    access: AccessCode = Field("link", description="Who may answer.")
    service: ServiceCode | None = Field(None, description="A fixed service's code (see the service catalogue).")
    opens_on: dt.date | None = Field(None, description="First day it accepts responses.")
    closes_on: dt.date | None = Field(None, description="Last day it accepts responses; not before `opens_on`.")
    template: Literal["", "sipas"] = Field(
        "", description="`sipas`: start from the SIPAS questionnaire (five elements, 22 criteria); empty: no question."
    )


class SurveyVersionIn(_Input):
    expected_version: int = Field(ge=1, le=MAX_VERSION, description="The survey's `lock_version` as read.")


class SurveyIndexParams(Schema):
    by: GroupBy | None = Field(None, description="Group by unit, service, desk, officer or month.")
    date_from: dt.date | None = Field(None, alias="from", description="Responses on or after this day.")
    date_to: dt.date | None = Field(None, alias="to", description="Responses on or before this day.")


class SurveyUnitIndexParams(Schema):
    unit: int = Field(ge=1, le=MAX_ID, description="The unit: every survey of its subtree counts.")
    date_from: dt.date | None = Field(None, alias="from", description="Responses on or after this day.")
    date_to: dt.date | None = Field(None, alias="to", description="Responses on or before this day.")


class SurveyResponseFilters(Schema):
    date_from: dt.date | None = Field(None, alias="from", description="Submitted on or after this day.")
    date_to: dt.date | None = Field(None, alias="to", description="Submitted on or before this day.")
    voided: bool | None = Field(None, description="true: only voided; false: only counted; omitted: both.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class SurveyResponseIn(_Input):
    answers: dict[str, Answer] = Field(
        description="Answer per question key: an integer 1–5 (likert), a choice, a list of choices (multi) or text."
    )
    channel: Literal["api", "paper"] = Field(
        "api", description="api: from another system; paper: a paper questionnaire entered by an officer."
    )
    org_unit: Id | None = Field(None, description="The unit it is about, in the survey's subtree (default: the survey's).")
    service: ServiceCode | None = Field(None, description="The service's code (default: the survey's fixed service).")
    desk: Id | None = Field(None, description="The one-stop desk's id, of that unit.")
    officer: Id | None = Field(None, description="The officer's user id, for a survey about officers.")
    idempotency_key: str | None = Field(
        None, max_length=80, description="Same as the `Idempotency-Key` header: a retry returns the same response."
    )


class SurveyTokensIn(_Input):
    count: int = Field(ge=1, le=MAX_TOKENS, description=f"How many codes, 1 to {MAX_TOKENS}.")
    org_unit: Id | None = Field(None, description="The unit the codes are handed out at (default: the survey's).")
    service: ServiceCode | None = Field(None, description="The service the codes are about, if any.")
    desk: Id | None = Field(None, description="The desk handing them out, if any.")
    officer: Id | None = Field(None, description="The officer they are about, if any.")
    valid_days: int = Field(30, ge=1, le=MAX_VALID_DAYS, description="Days the codes stay valid.")
