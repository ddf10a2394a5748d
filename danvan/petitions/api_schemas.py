"""Request and response shapes of /api/v1/petitions (the operations are in ``api.py``).

No shape here has a place for a denunciation filer's identity except ``IdentityOut``, which only
the reveal operation returns: the schema itself keeps the identity out of lists and details.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from danvan.api.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
    MAX_SEARCH_LENGTH,
)

NEXT_CURSOR = "Pass as `after` (work list) or `cursor` (list) for the next page; null on the last page."
MAX_VERSION = 2**31 - 1

KindCode = Literal["complaint", "denunciation", "recommendation", "feedback", "mixed"]
ChannelCode = Literal["reception", "direct", "post", "online", "forwarded"]
StatusCode = Literal[
    "received", "classified", "accepted", "forwarded", "guided", "filed_away", "verifying", "resolved", "closed",
    "suspended", "withdrawn",
]
# The actions of workflow.ACTIONS, spelt out for the type checker (a test keeps the two equal).
ActionCode = Literal[
    "classify", "accept", "forward", "guide", "file_away", "start_verification", "extend", "resolve", "reply",
    "close", "suspend", "resume", "withdraw", "reopen",
]
DeadlineStateCode = Literal["green", "amber", "red"]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
FieldCode = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- shared pieces


class PetitionUnitOut(Schema):
    id: int = Field(description="The handling unit's id.")
    name: str = Field(description="Its name.")
    code: str = Field(description="Its official code; empty if it has none.")


class FlagsOut(Schema):
    prolonged: bool = Field(description="Open longer than the unit's threshold for its kind.")
    over_level: bool = Field(description="Reached this level while a lower level had not yet decided the matter.")
    mass: bool = Field(description="Five or more signers (a mass petition).")


class PetitionSummaryOut(Schema):
    id: int = Field(description="The petition's id.")
    number: int = Field(description="Its number in the unit's register for the year.")
    year: int = Field(description="The numbering year (the year it was received).")
    unit: PetitionUnitOut = Field(description="The unit handling it.")
    kind: str = Field(description="complaint, denunciation, recommendation, feedback or mixed.")
    field: str | None = Field(description="The field's code (land, environment, …); null before classification.")
    status: str = Field(description="The workflow state.")
    summary: str = Field(description="The officer's summary of the content.")
    received_on: dt.date = Field(description="Day received.")
    next_due: dt.date | None = Field(description="The next legal deadline; null when none runs.")
    next_due_key: str = Field(description="Which period `next_due` ends: acceptance, forward, feedback or resolution.")
    deadline_state: DeadlineStateCode = Field(
        description="green; amber within 3 working days of `next_due`; red once it has passed."
    )
    flags: FlagsOut = Field(description="Prolonged, over-level and mass flags.")
    lock_version: int = Field(description="Pass back as `expected_version` to move the case; a stale one → 409.")


class WorklistPage(Schema):
    items: list[PetitionSummaryOut] = Field(description="Open cases, soonest deadline first.")
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class PetitionPage(Schema):
    items: list[PetitionSummaryOut] = Field(description="Petitions, latest received first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class EventOut(Schema):
    id: int = Field(description="The step's id.")
    at: dt.datetime = Field(description="When it was recorded.")
    action: str = Field(description="The workflow action (receive, classify, accept, …).")
    actor: str | None = Field(description="Who took the step; null for the system.")
    from_status: str = Field(description="State before; empty for the intake.")
    to_status: str = Field(description="State after.")
    reason: str = Field(description="Why, as written; always empty for a denunciation (it may identify the filer).")
    data: dict[str, Any] = Field(description="The step's recorded data (dates, decision number, ground, …).")
    notice_number: str = Field(description="Number of the notice issued at this step; empty if none.")


class HandlerOut(Schema):
    user_id: int = Field(description="The assigned user's id.")
    name: str = Field(description="Their name.")
    assigned_at: dt.datetime = Field(description="When they were assigned.")


class NoticeOut(Schema):
    id: int = Field(description="The notice's id.")
    kind: str = Field(description="acceptance, forward, guidance, refusal, not_accepted, extension or result.")
    number: int = Field(description="Number in the unit's register of this kind for the year.")
    year: int = Field(description="Numbering year.")
    issued_on: dt.date = Field(description="Day issued.")


class AttachmentOut(Schema):
    id: int = Field(description="The attachment's id.")
    identifies_filer: bool = Field(
        description="It identifies a denunciation's filer; then its name, type and size are shown only to handlers."
    )
    name: str | None = Field(description="Original file name; null when hidden.")
    content_type: str | None = Field(description="Media type; null when hidden.")
    size: int | None = Field(description="Size in bytes; null when hidden.")
    uploaded_at: dt.datetime | None = Field(description="When uploaded; null when hidden.")


class PetitionDetailOut(PetitionSummaryOut):
    channel: str = Field(description="How it was received.")
    content: str = Field(description="The content as recorded.")
    filer_name: str = Field(description="The filer's name; always empty for a denunciation (protected identity).")
    filer_address: str = Field(description="The filer's address; always empty for a denunciation.")
    anonymous: bool = Field(description="Filed without a name.")
    signers: int = Field(description="Number of signers.")
    forwarded_by: str = Field(description="The body that forwarded it here; empty otherwise.")
    round: int | None = Field(description="Complaint round (1 or 2); null for other kinds.")
    first_round_id: int | None = Field(description="For a second-round complaint: the first-round complaint.")
    is_complex: bool = Field(description="Recorded as complex.")
    complex_criteria: list[str] = Field(description="Why it is complex.")
    is_remote: bool = Field(description="Remote or hard-to-reach area.")
    extensions: int = Field(description="Extension decisions (denunciations).")
    accepted_on: dt.date | None = Field(description="Day accepted for resolution.")
    forwarded_to_id: int | None = Field(description="The unit it was forwarded to, if one of ours.")
    forwarded_to_name: str = Field(description="The body it was forwarded to, as written.")
    decision_number: str = Field(description="Number of the decision or conclusion.")
    decision_on: dt.date | None = Field(description="Date of the decision or conclusion.")
    outcome: str = Field(description="upheld, partly or rejected; empty until resolved.")
    duplicate_of_id: int | None = Field(description="The original this petition duplicates.")
    prolonged_since: dt.date | None = Field(description="Day it was flagged prolonged.")
    allowed_actions: list[str] = Field(description="Workflow actions the caller may take now.")
    can_reveal_identity: bool = Field(description="The caller is an assigned handler who may reveal the identity.")
    events: list[EventOut] = Field(description="Every step, oldest first.")
    handlers: list[HandlerOut] = Field(description="Users currently assigned to handle it.")
    notices: list[NoticeOut] = Field(description="Notices issued for it.")
    attachments: list[AttachmentOut] = Field(description="Attached files (metadata only).")


class IdentityOut(Schema):
    name: str | None = Field(description="Filer's name.")
    address: str | None = Field(description="Filer's address.")
    id_number: str | None = Field(description="Filer's ID number.")
    phone: str | None = Field(description="Filer's phone.")
    email: str | None = Field(description="Filer's e-mail.")
    note: str | None = Field(description="Note on the filer.")


class DuplicateOut(Schema):
    petition: PetitionSummaryOut = Field(description="The candidate original.")
    score: float = Field(description="Similarity from 0 to 1.")
    same_filer: bool = Field(description="Filed by the same person (matched on a keyed hash, never the name).")


class DuplicateList(Schema):
    items: list[DuplicateOut] = Field(description="Candidates, best first.")


# --------------------------------------------------------------------------- input


class WorklistParams(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)
    after: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description="The `next` of the previous page.")


class PetitionFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree (within the caller's).")
    kind: KindCode | None = Field(None, description="Only this kind.")
    status: StatusCode | None = Field(None, description="Only this state.")
    field: FieldCode | None = Field(None, description="Only this field (its code).")
    received_from: dt.date | None = Field(None, description="Received on or after this day.")
    received_to: dt.date | None = Field(None, description="Received on or before this day.")
    q: str | None = Field(
        None, max_length=MAX_SEARCH_LENGTH, description="Words of the summary or content; marks and case ignored."
    )
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class DuplicateParams(Schema):
    summary: str = Field(min_length=1, max_length=500, description="The new petition's summary.")
    content: str = Field("", max_length=5000, description="Its content, if any.")
    filer_name: str = Field("", max_length=200, description="The filer's name, if any.")
    filer_address: str = Field("", max_length=300, description="The filer's address, if any.")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="The unit receiving it (default: all the caller's).")
    limit: int = Field(10, ge=1, le=50, description="Candidates at most.")


class IdentityIn(_Input):
    name: str | None = Field(None, max_length=200, description="Filer's name.")
    address: str | None = Field(None, max_length=300, description="Filer's address.")
    id_number: str | None = Field(None, max_length=20, description="Filer's ID number.")
    phone: str | None = Field(None, max_length=30, description="Filer's phone.")
    email: str | None = Field(None, max_length=254, description="Filer's e-mail.")
    note: str | None = Field(None, max_length=1000, description="Note on the filer (e.g. where the original is filed).")


class PetitionIn(_Input):
    org_unit: Id = Field(description="The receiving unit's id; the caller needs an intake role there.")
    received_on: dt.date = Field(description="Day received; not in the future.")
    channel: ChannelCode = Field(description="How it was received.")
    kind: KindCode = Field(description="Kind of petition.")
    field: FieldCode | None = Field(None, description="The field's code, if already known.")
    summary: str = Field(max_length=500, description="Summary of the content (required).")
    content: str = Field("", max_length=50_000, description="The content.")
    filer_name: str = Field("", max_length=200, description="Filer's name (not for a denunciation).")
    filer_address: str = Field("", max_length=300, description="Filer's address (not for a denunciation).")
    anonymous: bool = Field(False, description="Filed without a name (never for a complaint).")
    signers: int = Field(1, ge=1, le=32767, description="Number of signers; 5 or more is a mass petition.")
    forwarded_by: str = Field("", max_length=255, description="The body that forwarded it (channel `forwarded`).")
    round: int | None = Field(None, ge=1, le=2, description="Complaint round.")
    first_round: Id | None = Field(None, description="For a second-round complaint: the first-round complaint's id.")
    identity: IdentityIn | None = Field(
        None, description="A denunciation's filer (stored encrypted; never returned except by a reveal)."
    )
    idempotency_key: str | None = Field(
        None, max_length=100, description="Same as the `Idempotency-Key` header: a retry returns the same petition."
    )


class TransitionIn(_Input):
    action: ActionCode = Field(description="The workflow action.")
    expected_version: int = Field(ge=1, le=MAX_VERSION, description="The petition's `lock_version` as read.")
    reason: str | None = Field(None, max_length=2000, description="Why (required by some actions).")
    kind: KindCode | None = Field(None, description="classify: the kind.")
    field: FieldCode | None = Field(None, description="classify: the field's code.")
    eligible: bool | None = Field(None, description="classify: meets the conditions for handling.")
    competence: Literal["own", "other"] | None = Field(None, description="classify: whose competence.")
    is_complex: bool | None = Field(None, description="classify: complex case.")
    complex_criteria: list[str] | None = Field(None, max_length=20, description="classify: why it is complex.")
    is_remote: bool | None = Field(None, description="classify: remote area.")
    accepted_on: dt.date | None = Field(None, description="accept: day accepted; not before the received day.")
    to_unit: Id | None = Field(None, description="forward: the unit it goes to.")
    to_name: str | None = Field(None, max_length=255, description="forward: the body it goes to, as written.")
    ground: str | None = Field(None, max_length=40, description="file_away: the ground.")
    decision_number: str | None = Field(None, max_length=50, description="resolve/extend/reply: decision number.")
    decision_on: dt.date | None = Field(None, description="resolve/reply: decision date.")
    outcome: Literal["upheld", "partly", "rejected"] | None = Field(None, description="resolve: outcome.")
    suspended_on: dt.date | None = Field(None, description="suspend: from which day.")
    resumed_on: dt.date | None = Field(None, description="resume: from which day.")
    to: Literal["accepted", "classified"] | None = Field(None, description="reopen: back to which state.")


class HandlerIn(_Input):
    user_id: Id = Field(description="The user to assign; needs a handling role on the case's unit.")


class RevealIn(_Input):
    reason: str = Field(max_length=500, description="Why the identity is needed (at least 10 characters; audited).")


class DuplicateOfIn(_Input):
    original: Id = Field(description="The original petition's id.")
