"""Request and response shapes of /api/v1/practices (the operations are in ``api.py``).

Names carry their area (``Practice…``, ``Programme…``) because ninja names a component after its class
and every app's schemas share one OpenAPI document. Scores travel as numbers (two decimals at most);
a step's ``late`` is computed for the day it is asked, never stored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
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
from danvan.api.schemas import StoredFileOut as PracticeAttachmentOut
from danvan.api.schemas import UnitBriefOut as PracticeUnitOut

NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last page."
MAX_VERSION = 2**31 - 1
MAX_SCORES = 100

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION, description="The record's `lock_version` as read; stale → 409.")]
Year = Annotated[int, Field(ge=2000, le=2100)]
FieldCode = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Score = Annotated[Decimal, Field(max_digits=6, decimal_places=2)]
RegisteredByCode = Literal["collective", "individual"]
PracticeStatusCode = Literal["registered", "in_progress", "interim_reviewed", "final_reviewed", "stopped"]
LevelCode = Literal["commune", "province", "national"]
UpdateKindCode = Literal["progress", "interim_review", "final_review"]
ProgrammeStatusCode = Literal["draft", "running", "evaluated"]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- shared output


class PracticeDeleteParams(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why it is deleted (required, audited).")


class PracticeFieldOut(Schema):
    code: str = Field(description="The field's code, what a practice's `field` takes.")
    name: str = Field(description="Its name.")


class PracticeFieldList(Schema):
    items: list[PracticeFieldOut] = Field(description="Fields of practice in use, in their order.")


# --------------------------------------------------------------------------- practices


class PracticeOut(Schema):
    id: int = Field(description="The practice's id.")
    unit: PracticeUnitOut = Field(description="The unit that registered it.")
    year: int = Field(description="The year it is registered for.")
    name: str = Field(description="Its name.")
    field: str = Field(description="The code of its field.")
    field_name: str = Field(description="The name of its field.")
    registered_by: RegisteredByCode = Field(description="collective (the unit) or individual.")
    person_name: str = Field(description="The person, for a practice registered by an individual.")
    place: str = Field(description="Where it is carried out.")
    starts_on: dt.date = Field(description="First day.")
    ends_on: dt.date | None = Field(description="Last day, if set.")
    responsible_person: str = Field(description="The person responsible.")
    target_id: int | None = Field(description="The plan target it serves, if any.")
    ethnic_remote: bool = Field(description="Carried out in an ethnic-minority or remote area.")
    status: PracticeStatusCode = Field(
        description="registered, in_progress, interim_reviewed, final_reviewed or stopped."
    )
    recognition_level: LevelCode | None = Field(description="commune, province or national; null if not recognised.")
    recognised_on: dt.date | None = Field(description="Day it was recognised.")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was registered.")


class PracticeUpdateOut(Schema):
    id: int = Field(description="The update's id.")
    kind: UpdateKindCode = Field(description="progress, interim_review or final_review.")
    on: dt.date = Field(description="Its date.")
    text: str = Field(description="What was done and its results.")
    attachments: list[PracticeAttachmentOut] = Field(description="Its evidence files' metadata.")


class ScoreOut(Schema):
    criterion_id: int = Field(description="The criterion's id.")
    criterion: str = Field(description="The criterion.")
    score: float = Field(description="The score given.")
    max_score: float = Field(description="The criterion's maximum score.")


class EvaluationOut(Schema):
    id: int = Field(description="The evaluation's id.")
    council_unit: PracticeUnitOut = Field(description="The unit whose council evaluated it.")
    criteria_set_id: int = Field(description="The set of criteria used.")
    evaluated_on: dt.date = Field(description="Day of the evaluation.")
    total: float = Field(description="Total score.")
    max_total: float = Field(description="Maximum total of the set.")
    level: LevelCode | None = Field(description="Recognition level given; null: not recognised.")
    notes: str = Field(description="The council's remarks.")
    scores: list[ScoreOut] = Field(description="The score of each criterion, in the set's order.")


class ReplicationOut(Schema):
    id: int = Field(description="The replication's id.")
    practice_id: int = Field(description="The practice adopted.")
    unit: PracticeUnitOut = Field(description="The unit that adopted it.")
    adopted_on: dt.date = Field(description="Day it was adopted.")
    notes: str = Field(description="How it was adapted.")


class CommendationOut(Schema):
    id: int = Field(description="The commendation's id.")
    awarding_unit: PracticeUnitOut = Field(description="The unit that awarded it.")
    year: int = Field(description="The year it is for.")
    level: LevelCode = Field(description="commune, province or national.")
    recipient_kind: RegisteredByCode = Field(description="collective or individual.")
    recipient_name: str = Field(description="The collective or person commended.")
    unit: PracticeUnitOut = Field(description="The recipient's unit.")
    practice_id: int | None = Field(description="The practice it is for, if any.")
    form: str = Field(description="The form of commendation.")
    decision_ref: str = Field(description="The decision's number.")
    awarded_on: dt.date = Field(description="Day it was awarded.")


class PracticeDetailOut(PracticeOut):
    goals: str = Field(description="Its goals.")
    updates: list[PracticeUpdateOut] = Field(description="Progress updates and reviews, oldest first.")
    evaluations: list[EvaluationOut] = Field(description="Council evaluations, latest first.")
    replications: list[ReplicationOut] = Field(description="Units that adopted it (where it spread), oldest first.")
    commendations: list[CommendationOut] = Field(description="Commendations for it.")
    attachments: list[PracticeAttachmentOut] = Field(description="Its own files' metadata.")


class PracticePage(Schema):
    items: list[PracticeOut] = Field(description="Practices, latest registered first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class PracticeFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    year: Year | None = Field(None, description="Only this year.")
    field: FieldCode | None = Field(None, description="Only this field (its code).")
    status: PracticeStatusCode | None = Field(None, description="Only this status.")
    level: LevelCode | None = Field(None, description="Only those recognised at this level.")
    ethnic_remote: bool | None = Field(None, description="true: only those in ethnic-minority or remote areas.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class PracticeIn(_Input):
    org_unit: Id = Field(description="The unit registering it; the caller needs admin, head or officer role there.")
    year: Year = Field(description="The year it is registered for; the same name twice in a unit and year → 422.")
    name: str = Field(max_length=255, description="Its name (required).")
    field: FieldCode = Field(description="The code of its field (see `/practices/fields`).")
    goals: str = Field(max_length=10000, description="Its goals (required).")
    starts_on: dt.date = Field(description="First day.")
    ends_on: dt.date | None = Field(None, description="Last day; not before `starts_on`.")
    responsible_person: str = Field(max_length=200, description="The person responsible (required).")
    registered_by: RegisteredByCode = Field("collective", description="collective (the unit) or individual.")
    person_name: str = Field("", max_length=200, description="The person, for a practice registered by an individual.")
    place: str = Field("", max_length=255, description="Where it is carried out.")
    target: Id | None = Field(None, description="The plan target it serves (a target of a plan the caller sees).")
    ethnic_remote: bool = Field(False, description="Carried out in an ethnic-minority or remote area.")


class PracticePatchIn(_Input):
    expected_version: Version
    name: str | None = Field(None, max_length=255, description="Its name.")
    field: FieldCode | None = Field(None, description="The code of its field.")
    goals: str | None = Field(None, max_length=10000, description="Its goals.")
    starts_on: dt.date | None = Field(None, description="First day.")
    ends_on: dt.date | None = Field(None, description="Last day (null clears it).")
    responsible_person: str | None = Field(None, max_length=200, description="The person responsible.")
    registered_by: RegisteredByCode | None = Field(None, description="collective or individual.")
    person_name: str | None = Field(None, max_length=200, description="The person.")
    place: str | None = Field(None, max_length=255, description="Where it is carried out.")
    target: Id | None = Field(None, description="The plan target it serves (null clears it).")
    ethnic_remote: bool | None = Field(None, description="Carried out in an ethnic-minority or remote area.")


class PracticeUpdateIn(_Input):
    kind: UpdateKindCode = Field("progress", description="progress, interim_review or final_review (reviews move "
                                 "the status).")
    on: dt.date = Field(description="Its date.")
    text: str = Field(max_length=20000, description="What was done and its results (required).")


class PracticeStopIn(_Input):
    expected_version: Version
    reason: str = Field(max_length=2000, description="Why it stopped (required, audited).")


class ScoreIn(_Input):
    criterion: Id = Field(description="A criterion of the set.")
    score: Score = Field(description="Between 0 and the criterion's maximum.")


class EvaluationIn(_Input):
    council_unit: Id = Field(description="The unit whose council evaluates: the practice's unit or one above it; "
                             "the caller needs admin, head or officer role there.")
    criteria_set: Id = Field(description="The set of criteria used (see `/practices/criteria-sets`).")
    evaluated_on: dt.date = Field(description="Day of the evaluation.")
    scores: list[ScoreIn] = Field(max_length=MAX_SCORES, description="One score per criterion of the set.")
    level: LevelCode | None = Field(None, description="Recognition level; needs a total of at least the set's "
                                    "pass score.")
    notes: str = Field("", max_length=10000, description="The council's remarks.")


class ReplicationIn(_Input):
    org_unit: Id = Field(description="The adopting unit (not the practice's own); the caller needs admin, head or "
                         "officer role there.")
    adopted_on: dt.date = Field(description="Day it was adopted.")
    notes: str = Field("", max_length=5000, description="How it was adapted.")


class RegistrationParams(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="The unit whose subtree is counted (default: the "
                             "caller's first unit).")
    year: Year | None = Field(None, description="The year (default: this year).")
    min_count: int = Field(1, ge=1, le=10, description="Practices a unit must have registered to count.")


class RegistrationOut(Schema):
    unit: PracticeUnitOut = Field(description="The unit whose subtree is counted.")
    year: int = Field(description="The year.")
    registered_units: int = Field(description="Units of the subtree that registered at least `min_count` practices.")
    units: int = Field(description="Units of the subtree expected to register.")
    share: float | None = Field(description="registered_units / units in percent; null when there is no unit.")


# --------------------------------------------------------------------------- commendations


class CommendationPage(Schema):
    items: list[CommendationOut] = Field(description="Commendations, latest awarded first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class CommendationFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID,
                             description="Only those of recipients in this unit's subtree (within the caller's).")
    year: Year | None = Field(None, description="Only this year.")
    level: LevelCode | None = Field(None, description="Only this level.")
    recipient_kind: RegisteredByCode | None = Field(None, description="Only collectives or only individuals.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class CommendationIn(_Input):
    awarding_unit: Id = Field(description="The unit awarding it; the caller needs admin or head role there.")
    year: Year = Field(description="The year it is for.")
    level: LevelCode = Field(description="commune, province or national.")
    recipient_kind: RegisteredByCode = Field(description="collective or individual.")
    recipient_name: str = Field(max_length=255, description="The collective or person commended (required).")
    org_unit: Id = Field(description="The recipient's unit.")
    awarded_on: dt.date = Field(description="Day it was awarded.")
    practice: Id | None = Field(None, description="The practice it is for, if any.")
    form: str = Field("", max_length=255, description="The form of commendation.")
    decision_ref: str = Field("", max_length=100, description="The decision's number.")


# --------------------------------------------------------------------------- criteria sets


class CriterionOut(Schema):
    id: int = Field(description="The criterion's id (what a score's `criterion` takes).")
    name: str = Field(description="The criterion.")
    max_score: float = Field(description="Its maximum score.")
    order: int = Field(description="Its place in the set.")


class CriteriaSetOut(Schema):
    id: int = Field(description="The set's id.")
    name: str = Field(description="Its name.")
    owner: PracticeUnitOut | None = Field(description="The unit that set it; null for the national default.")
    pass_score: float = Field(description="Total needed to be recognised.")
    max_total: float = Field(description="Sum of the criteria's maximum scores.")
    criteria: list[CriterionOut] = Field(description="Its criteria, in order.")


class CriteriaSetList(Schema):
    items: list[CriteriaSetOut] = Field(description="Sets in use the caller may evaluate with: the national "
                                        "default and those of the caller's units and the units above them.")


# --------------------------------------------------------------------------- programmes


class ProgrammeOut(Schema):
    id: int = Field(description="The programme's id.")
    unit: PracticeUnitOut = Field(description="The unit running it.")
    name: str = Field(description="Its name.")
    starts_on: dt.date = Field(description="First day.")
    ends_on: dt.date = Field(description="Last day.")
    plan_id: int | None = Field(description="The plan it belongs to, if any.")
    survey_id: int | None = Field(description="The linked satisfaction survey, if any.")
    status: ProgrammeStatusCode = Field(description="draft, running or evaluated.")
    evaluated_on: dt.date | None = Field(description="Day of the final evaluation.")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class SteeringMemberOut(Schema):
    id: int = Field(description="The member's id.")
    full_name: str = Field(description="Full name.")
    position: str = Field(description="Position.")
    role: str = Field(description="Role in the board (head, deputy head, member…).")
    duties: str = Field(description="Duties.")
    order: int = Field(description="Place in the board's list.")


class ProgrammeStepOut(Schema):
    id: int = Field(description="The step's id.")
    order: int = Field(description="Its place in the programme.")
    title: str = Field(description="The step.")
    starts_on: dt.date | None = Field(description="From (for a date range).")
    ends_on: dt.date = Field(description="By.")
    owner: str = Field(description="Who does it.")
    done_on: dt.date | None = Field(description="Day it was done; null while not done.")
    note: str = Field(description="Its result.")
    late: bool = Field(description="Not done by its end date (today), or done after it.")


class ProgrammeCriterionOut(Schema):
    id: int = Field(description="The criterion's id.")
    order: int = Field(description="Its place.")
    name: str = Field(description="The criterion.")
    met: bool | None = Field(description="Met, not met, or null: not assessed yet.")
    evidence: str = Field(description="The evidence.")


class ProgrammeDetailOut(ProgrammeOut):
    description: str = Field(description="Purpose and requirements.")
    final_evaluation: str = Field(description="The final evaluation and lessons.")
    steering: list[SteeringMemberOut] = Field(description="The steering board.")
    steps: list[ProgrammeStepOut] = Field(description="Steps, in order.")
    late_steps: int = Field(description="How many steps are late today.")
    criteria: list[ProgrammeCriterionOut] = Field(description="Criteria, in order.")
    attachments: list[PracticeAttachmentOut] = Field(description="Its files' metadata.")


class ProgrammePage(Schema):
    items: list[ProgrammeOut] = Field(description="Programmes, latest started first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class ProgrammeFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    status: ProgrammeStatusCode | None = Field(None, description="Only this status.")
    year: Year | None = Field(None, description="Only those running at some time in this year.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class ProgrammeIn(_Input):
    org_unit: Id = Field(description="The unit running it; the caller needs admin, head or officer role there.")
    name: str = Field(max_length=255, description="Its name (required).")
    starts_on: dt.date = Field(description="First day.")
    ends_on: dt.date = Field(description="Last day; not before `starts_on`.")
    description: str = Field("", max_length=20000, description="Purpose and requirements.")
    plan: Id | None = Field(None, description="The plan it belongs to (one the caller sees).")
    survey: Id | None = Field(None, description="The linked satisfaction survey (one the caller sees).")


class ProgrammePatchIn(_Input):
    expected_version: Version
    name: str | None = Field(None, max_length=255, description="Its name.")
    starts_on: dt.date | None = Field(None, description="First day.")
    ends_on: dt.date | None = Field(None, description="Last day.")
    description: str | None = Field(None, max_length=20000, description="Purpose and requirements.")
    plan: Id | None = Field(None, description="The plan (null clears it).")
    survey: Id | None = Field(None, description="The satisfaction survey (null clears it).")
    status: Literal["draft", "running"] | None = Field(None, description="draft or running (started by hand).")


class SteeringMemberIn(_Input):
    full_name: str = Field(max_length=200, description="Full name (required).")
    position: str = Field("", max_length=255, description="Position.")
    role: str = Field("", max_length=100, description="Role in the board.")
    duties: str = Field("", max_length=5000, description="Duties.")


class ProgrammeStepIn(_Input):
    title: str = Field(max_length=500, description="The step (required).")
    ends_on: dt.date = Field(description="By; not before `starts_on`.")
    starts_on: dt.date | None = Field(None, description="From, for a date range.")
    owner: str = Field("", max_length=255, description="Who does it.")
    order: int | None = Field(None, ge=0, le=32767, description="Its place (default: after the others).")


class StepDoneIn(_Input):
    done_on: dt.date = Field(description="Day it was done.")
    note: str = Field("", max_length=5000, description="Its result.")


class ProgrammeCriterionIn(_Input):
    name: str = Field(max_length=500, description="The criterion (required; the same one twice is refused).")
    order: int | None = Field(None, ge=0, le=32767, description="Its place (default: after the others).")


class CriterionAssessIn(_Input):
    met: bool | None = Field(description="Met, not met, or null: not assessed yet.")
    evidence: str = Field("", max_length=5000, description="The evidence (needed to say it is met).")


class ProgrammeEvaluateIn(_Input):
    expected_version: Version
    final_evaluation: str = Field(max_length=20000, description="The final evaluation and lessons (required).")
    evaluated_on: dt.date = Field(description="Day of the evaluation.")
