"""Request and response shapes of /api/v1/dialogues (the operations are in ``api.py``).

A commitment's ``state`` is computed (``queries.state``), never stored: it changes at midnight without
a write, so every answer computes it for the day it is asked.
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
from danvan.api.schemas import StoredFileOut as DialogueAttachmentOut
from danvan.api.schemas import UnitBriefOut as DialogueUnitOut

NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last page."
MAX_VERSION = 2**31 - 1
MAX_REPORT_BACK = 500

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION, description="The record's `lock_version` as read; stale → 409.")]
KindCode = Literal["citizens", "businesses", "front", "voters", "interpellation", "other"]
DialogueStatusCode = Literal["planned", "held", "cancelled"]
CommitmentStatusCode = Literal["open", "in_progress", "done", "dropped"]
StateCode = Literal["done_on_time", "done_late", "dropped", "overdue", "due_soon", "on_track"]
Participants = Annotated[int, Field(ge=0, le=1_000_000)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- output


class DialogueRefOut(Schema):
    id: int = Field(description="The dialogue's id.")
    title: str = Field(description="Its title.")
    kind: KindCode = Field(description="The kind of dialogue.")
    held_on: dt.date = Field(description="Its date.")
    unit: DialogueUnitOut = Field(description="The unit that held it (and made the promise).")


class DialogueOut(Schema):
    id: int = Field(description="The dialogue's id.")
    unit: DialogueUnitOut = Field(description="The unit holding it.")
    kind: KindCode = Field(
        description="citizens, businesses, front (commune committee with the Fatherland Front: at least one a "
        "year), voters, interpellation or other."
    )
    title: str = Field(description="Its title.")
    held_on: dt.date = Field(description="Its date.")
    starts_at: dt.time | None = Field(description="Its time.")
    place: str = Field(description="Where.")
    chaired_by: str = Field(description="Who chaired it.")
    participants: int | None = Field(description="How many took part; null if not recorded.")
    participant_groups: str = Field(description="Who took part (groups).")
    status: DialogueStatusCode = Field(description="planned, held or cancelled.")
    is_public: bool = Field(description="Shown on the public portal with its public commitments.")
    previous_id: int | None = Field(description="The dialogue whose commitments are reported back at this one.")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")
    created_at: dt.datetime = Field(description="When it was recorded.")


class DialoguePage(Schema):
    items: list[DialogueOut] = Field(description="Dialogues, latest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class CommitmentOut(Schema):
    id: int = Field(description="The commitment's id.")
    dialogue: DialogueRefOut = Field(description="The dialogue where it was made.")
    number: int = Field(description="Its number in the dialogue's list.")
    text: str = Field(description="What was promised.")
    owner_unit: DialogueUnitOut = Field(description="The unit that must keep it.")
    owner_person: str = Field(description="The person responsible; may be empty.")
    due_on: dt.date = Field(description="Due date.")
    status: CommitmentStatusCode = Field(description="open, in_progress, done or dropped (explained).")
    state: StateCode = Field(
        description="Today: done_on_time, done_late, dropped, overdue, due_soon (within 7 days) or on_track."
    )
    done_on: dt.date | None = Field(description="Day it was done.")
    evidence: str = Field(description="The result and its evidence.")
    is_public: bool = Field(description="Shown on the public portal.")
    reported_at_id: int | None = Field(description="The dialogue where it was reported back; null if not yet.")
    lock_version: int = Field(description="Pass back as `expected_version` to change it; a stale one → 409.")


class CommitmentUpdateOut(Schema):
    at: dt.datetime = Field(description="When the progress was reported.")
    by: str | None = Field(description="Who reported it; null for the system.")
    status: CommitmentStatusCode = Field(description="The status reported.")
    note: str = Field(description="What was reported.")


class CommitmentDetailOut(CommitmentOut):
    updates: list[CommitmentUpdateOut] = Field(description="Its progress reports, oldest first.")
    attachments: list[DialogueAttachmentOut] = Field(description="Its evidence files' metadata.")


class CommitmentPage(Schema):
    items: list[CommitmentOut] = Field(description="Commitments, soonest due first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class CommitmentSummaryOut(Schema):
    made: int = Field(description="Commitments made.")
    done: int = Field(description="Done.")
    kept_on_time: int = Field(description="Done on or before their due date.")
    overdue: int = Field(description="Not done and past their due date.")
    open: int = Field(description="Not done yet (overdue included).")


class DialogueDetailOut(DialogueOut):
    topics: str = Field(description="The topics raised.")
    minutes: str = Field(description="The minutes.")
    commitments: list[CommitmentOut] = Field(description="Commitments made at it, in order.")
    summary: CommitmentSummaryOut = Field(description="Counts of its commitments.")
    to_report_back: list[CommitmentOut] = Field(
        description="Commitments to report back here: the previous dialogue's, or else the unit's earlier open ones."
    )
    attachments: list[DialogueAttachmentOut] = Field(description="Its files' metadata.")


class ReportBackOut(Schema):
    reported: int = Field(description="Commitments marked as reported back at this dialogue.")


class FrontDialogueMissingOut(Schema):
    year: int = Field(description="The year checked.")
    items: list[DialogueUnitOut] = Field(description="Communes of the caller's units with no Front dialogue held.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


# --------------------------------------------------------------------------- input


class DialogueFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    kind: KindCode | None = Field(None, description="Only this kind.")
    status: DialogueStatusCode | None = Field(None, description="Only this status.")
    year: int | None = Field(None, ge=2000, le=2100, description="Only those dated in this year.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class CommitmentFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID,
                             description="Only those made in, or owned by, this unit's subtree (within the caller's).")
    dialogue: int | None = Field(None, ge=1, le=MAX_ID, description="Only those made at this dialogue.")
    state: StateCode | None = Field(None, description="Only those in this state today.")
    status: CommitmentStatusCode | None = Field(None, description="Only this status.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class FrontDialogueParams(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="The year (default: this year).")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only communes in this unit's subtree.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class DialogueIn(_Input):
    org_unit: Id = Field(description="The unit holding it; the caller needs admin, head or officer role there.")
    kind: KindCode = Field(description="The kind of dialogue.")
    title: str = Field(max_length=255, description="Its title (required).")
    held_on: dt.date = Field(description="Its date: planned if in the future, else held.")
    starts_at: dt.time | None = Field(None, description="Its time.")
    place: str = Field("", max_length=255, description="Where.")
    chaired_by: str = Field("", max_length=255, description="Name and position of who chaired it.")
    participants: Participants | None = Field(None, description="How many took part.")
    participant_groups: str = Field("", max_length=500, description="Who took part (groups).")
    topics: str = Field("", max_length=10000, description="The topics raised.")
    minutes: str = Field("", max_length=50000, description="The minutes.")
    is_public: bool = Field(True, description="Show it on the public portal.")
    previous: Id | None = Field(None, description="An earlier dialogue of the same unit whose commitments are "
                                "reported back here.")


class DialoguePatchIn(_Input):
    expected_version: Version
    kind: KindCode | None = Field(None, description="The kind of dialogue.")
    title: str | None = Field(None, max_length=255, description="Its title.")
    held_on: dt.date | None = Field(None, description="Its date.")
    starts_at: dt.time | None = Field(None, description="Its time (null clears it).")
    place: str | None = Field(None, max_length=255, description="Where.")
    chaired_by: str | None = Field(None, max_length=255, description="Who chaired it.")
    participants: Participants | None = Field(None, description="How many took part (null clears it).")
    participant_groups: str | None = Field(None, max_length=500, description="Who took part (groups).")
    topics: str | None = Field(None, max_length=10000, description="The topics raised.")
    minutes: str | None = Field(None, max_length=50000, description="The minutes.")
    is_public: bool | None = Field(None, description="Show it on the public portal.")
    previous: Id | None = Field(None, description="The earlier dialogue reported back here (null clears it).")


class DialogueHeldIn(_Input):
    expected_version: Version
    participants: Participants = Field(description="How many took part.")
    minutes: str = Field("", max_length=50000, description="The minutes, if written.")


class DialogueCancelIn(_Input):
    expected_version: Version
    reason: str = Field(max_length=500, description="Why it will not take place (required, audited).")


class DialogueDeleteParams(Schema):
    reason: str = Field(max_length=500, description="Why it is deleted (required, audited).")


class CommitmentIn(_Input):
    text: str = Field(max_length=2000, description="What was promised (required; the same text twice is refused).")
    owner_unit: Id | None = Field(
        None, description="The unit that must keep it (required): the dialogue's unit, one under it, or one the caller "
        "works for."
    )
    due_on: dt.date = Field(description="Due date; not before the dialogue.")
    owner_person: str = Field("", max_length=200, description="The person responsible.")
    is_public: bool = Field(True, description="Show it on the public portal.")


class CommitmentPatchIn(_Input):
    expected_version: Version
    text: str | None = Field(None, max_length=2000, description="What was promised.")
    owner_unit: Id | None = Field(None, description="The unit that must keep it.")
    due_on: dt.date | None = Field(None, description="Due date (a finished commitment's stays).")
    owner_person: str | None = Field(None, max_length=200, description="The person responsible.")
    is_public: bool | None = Field(None, description="Show it on the public portal.")


class CommitmentProgressIn(_Input):
    expected_version: Version
    status: CommitmentStatusCode = Field(description="The status now.")
    note: str = Field("", max_length=5000, description="What changed (required to drop it).")
    done_on: dt.date | None = Field(None, description="Day it was done (required for done; not in the future).")
    evidence: str = Field("", max_length=10000, description="The result and its evidence (required for done).")


class ReportBackIn(_Input):
    commitment_ids: list[Id] = Field(min_length=1, max_length=MAX_REPORT_BACK,
                                     description="Commitments of earlier dialogues of the unit, reported back here.")
