"""Request and response shapes of /api/v1/oversight (the operations are in ``api.py``).

Names carry their area (``Dissemination…``, ``Inspection…``, ``Oversight…``) because ninja names a
component after its class and every app's schemas share one OpenAPI document. An action's ``late`` is
computed for the day it is asked, never stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from danvan.api.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
)
from danvan.api.schemas import UnitBriefOut as OversightUnitOut

NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last page."
MAX_VERSION = 2**31 - 1
MAX_DOCUMENTS = 50
MAX_PLAN_UNITS = 500

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION, description="The record's `lock_version` as read; stale → 409.")]
Year = Annotated[int, Field(ge=2000, le=2100)]
Participants = Annotated[int, Field(ge=0, le=10_000_000)]
InspectionKindCode = Literal["inspection", "self"]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- shared output


class OversightDocumentOut(Schema):
    id: int = Field(description="The document's id in the legal registry.")
    citation: str = Field(description="Its number and symbol as cited (e.g. 33/CT-TTg).")
    title: str = Field(description="Its summary.")


class OversightDeleteParams(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why it is deleted (required, audited).")


# --------------------------------------------------------------------------- dissemination


class DisseminationOut(Schema):
    id: int = Field(description="The session's id.")
    unit: OversightUnitOut = Field(description="The unit that held it.")
    title: str = Field(description="Its title.")
    held_on: dt.date = Field(description="Its date.")
    documents: list[OversightDocumentOut] = Field(description="The documents studied.")
    participants: int = Field(description="How many took part.")
    form: str = Field(description="Its form (conference, online, in the unit's meeting…).")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class DisseminationDetailOut(DisseminationOut):
    notes: str = Field(description="Notes.")


class DisseminationPage(Schema):
    items: list[DisseminationOut] = Field(description="Sessions, latest held first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class DisseminationFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    document: int | None = Field(None, ge=1, le=MAX_ID, description="Only sessions on this document.")
    year: Year | None = Field(None, description="Only those held in this year.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class DisseminationIn(_Input):
    org_unit: Id = Field(description="The unit holding it; the caller needs admin, head or officer role there.")
    title: str = Field(max_length=255, description="Its title (required).")
    held_on: dt.date = Field(description="Its date; not in the future.")
    documents: list[Id] = Field(min_length=1, max_length=MAX_DOCUMENTS,
                                description="Ids of the documents studied (legal registry; at least one).")
    participants: Participants = Field(description="How many took part.")
    form: str = Field("", max_length=255, description="Its form.")
    notes: str = Field("", max_length=10000, description="Notes.")


class DisseminationPatchIn(_Input):
    expected_version: Version
    title: str | None = Field(None, max_length=255, description="Its title.")
    held_on: dt.date | None = Field(None, description="Its date.")
    documents: list[Id] | None = Field(None, min_length=1, max_length=MAX_DOCUMENTS,
                                       description="Ids of the documents studied (replaces the list).")
    participants: Participants | None = Field(None, description="How many took part.")
    form: str | None = Field(None, max_length=255, description="Its form.")
    notes: str | None = Field(None, max_length=10000, description="Notes.")


class DisseminationCoverageParams(Schema):
    document: int = Field(ge=1, le=MAX_ID, description="The document of the legal registry (required).")
    unit: int | None = Field(None, ge=1, le=MAX_ID,
                             description="The unit whose subtree is counted (default: the caller's first unit).")
    missing_limit: int = Field(DEFAULT_LIMIT, ge=0, le=MAX_LIMIT,
                               description="At most this many units without a session are listed.")


class DisseminationCoverageOut(Schema):
    unit: OversightUnitOut = Field(description="The unit whose subtree is counted.")
    document: OversightDocumentOut = Field(description="The document.")
    units_with_session: int = Field(description="Units of the subtree with a session on the document.")
    units: int = Field(description="Units of the subtree expected to disseminate it.")
    share: float | None = Field(description="units_with_session / units in percent; null when there is no unit.")
    missing: list[OversightUnitOut] = Field(description="Units without a session, in the tree's order "
                                            "(at most `missing_limit`).")


# --------------------------------------------------------------------------- inspection plans


class InspectionPlanOut(Schema):
    id: int = Field(description="The plan's id.")
    unit: OversightUnitOut = Field(description="The inspecting unit.")
    kind: InspectionKindCode = Field(description="inspection (of other units) or self (self-inspection).")
    year: int = Field(description="Its year.")
    title: str = Field(description="Its title.")
    starts_on: dt.date = Field(description="From.")
    ends_on: dt.date = Field(description="Until.")
    lock_version: int = Field(description="Its version.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class InspectionOut(Schema):
    id: int = Field(description="The inspection's id.")
    plan_id: int | None = Field(description="The plan it was done under, if any.")
    inspector: OversightUnitOut = Field(description="The inspecting unit.")
    unit: OversightUnitOut = Field(description="The unit inspected.")
    starts_on: dt.date = Field(description="From.")
    ends_on: dt.date = Field(description="Until.")
    actions: int = Field(description="Follow-up actions required.")
    late_actions: int = Field(description="Actions not done by their deadline (today), or done after it.")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class InspectionPlanDetailOut(InspectionPlanOut):
    content: str = Field(description="What will be inspected.")
    units: list[OversightUnitOut] = Field(description="Units to inspect.")
    inspections: list[InspectionOut] = Field(description="Inspections done under it, latest first.")


class InspectionPlanPage(Schema):
    items: list[InspectionPlanOut] = Field(description="Plans, latest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class InspectionPlanFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only plans of this unit's subtree.")
    kind: InspectionKindCode | None = Field(None, description="Only this kind.")
    year: Year | None = Field(None, description="Only this year.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class InspectionPlanIn(_Input):
    org_unit: Id = Field(description="The inspecting unit; the caller needs admin, head or officer role there.")
    kind: InspectionKindCode = Field(description="inspection or self.")
    year: Year = Field(description="Its year.")
    title: str = Field(max_length=255, description="Its title (required).")
    starts_on: dt.date = Field(description="From.")
    ends_on: dt.date = Field(description="Until; not before `starts_on`.")
    content: str = Field("", max_length=20000, description="What will be inspected.")
    units: list[Id] = Field(default_factory=list, max_length=MAX_PLAN_UNITS,
                            description="Units to inspect (for a self-inspection, the unit itself).")


# --------------------------------------------------------------------------- inspections and actions


class FollowUpActionOut(Schema):
    id: int = Field(description="The action's id.")
    inspection_id: int = Field(description="The inspection that required it.")
    text: str = Field(description="What is required.")
    owner_unit: OversightUnitOut = Field(description="The unit responsible.")
    due_on: dt.date = Field(description="Deadline.")
    done_on: dt.date | None = Field(description="Day it was done; null while not done.")
    result: str = Field(description="Its result.")
    late: bool = Field(description="Not done by its deadline (today), or done after it.")
    lock_version: int = Field(description="Pass back as `expected_version` to report it done; a stale one → 409.")


class InspectionDetailOut(InspectionOut):
    findings: str = Field(description="What was found.")
    conclusion: str = Field(description="The conclusion.")
    follow_up: list[FollowUpActionOut] = Field(description="Follow-up actions, soonest due first.")


class InspectionPage(Schema):
    items: list[InspectionOut] = Field(description="Inspections, latest started first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class InspectionFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID,
                             description="Only those made by, or of, this unit's subtree (within the caller's).")
    plan: int | None = Field(None, ge=1, le=MAX_ID, description="Only those under this plan.")
    year: Year | None = Field(None, description="Only those started in this year.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class InspectionIn(_Input):
    inspector: Id = Field(description="The inspecting unit; the caller needs admin, head or officer role there.")
    org_unit: Id = Field(description="The unit inspected.")
    starts_on: dt.date = Field(description="From.")
    ends_on: dt.date = Field(description="Until; not before `starts_on`.")
    findings: str = Field("", max_length=20000, description="What was found.")
    conclusion: str = Field("", max_length=10000, description="The conclusion.")
    plan: Id | None = Field(None, description="The plan it is done under (of the inspecting unit).")


class InspectionPatchIn(_Input):
    expected_version: Version
    starts_on: dt.date | None = Field(None, description="From.")
    ends_on: dt.date | None = Field(None, description="Until.")
    findings: str | None = Field(None, max_length=20000, description="What was found.")
    conclusion: str | None = Field(None, max_length=10000, description="The conclusion.")


class FollowUpActionIn(_Input):
    text: str = Field(max_length=5000, description="What is required (required).")
    owner_unit: Id = Field(description="The unit responsible.")
    due_on: dt.date = Field(description="Deadline; not before the inspection.")


class ActionDoneIn(_Input):
    expected_version: Version
    done_on: dt.date = Field(description="Day it was done; not in the future.")
    result: str = Field(max_length=5000, description="Its result (required).")


class ActionPage(Schema):
    items: list[FollowUpActionOut] = Field(description="Actions, soonest due first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class ActionFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only those owned by this unit's subtree.")
    late: bool | None = Field(None, description="true: only late ones (not done and past due, or done late).")
    open: bool | None = Field(None, description="true: only those not done yet; false: only those done.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)
