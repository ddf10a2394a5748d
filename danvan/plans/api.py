"""/api/v1/plans: plans scoped to the caller, their drafting, workflow, cascade, import and Word output.

Thin over ``services`` (every write) and ``queries`` (every read): a plan the caller may not see
answers 404 exactly like one that does not exist; the services decide who may change what
(403), that an issued plan is locked (409) and that a stale ``lock_version`` loses (409, nothing
saved). Field names of the API's errors are those of the request body (``lead_unit_id``), not
the services' keyword arguments.

Import is idempotent per caller: send an ``Idempotency-Key`` header (or an ``idempotency_key``
form field) and a retried upload answers 200 with the plan the first request created. The key is
kept for 24 hours in Django's cache (the database cache by default, Redis when configured),
keyed by user and a hash of the key, so it needs no table of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path as FilePath
from pathlib import PurePath
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Path, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
    MAX_SEARCH_LENGTH,
    decode_cursor,
    encode_cursor,
)
from danvan.core.text import strip_diacritics
from danvan.legal.api import LegalDocumentOut, document_out
from danvan.legal.models import LegalDocument
from danvan.orgs.models import OrgKind, OrgUnit
from danvan.orgs.scope import scope_of

from . import queries, services
from . import rules as plan_rules
from .models import Assignment, Plan, PlanDeadline, PlanSection, PlanStatus, Target, Task

router = Router(tags=["plans"])

MAX_TEXT = 10_000
MAX_LIST = 200
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMPORT_MAX_BYTES = 10 * 1024 * 1024
IDEMPOTENCY_SECONDS = 24 * 3600
# While the first request runs; short, so that a crashed request does not block its key for a day.
PENDING_SECONDS = 5 * 60
_PENDING = "pending"

PlanKindCode = Literal["annual", "thematic", "multi_year"]
PlanStatusCode = Literal["draft", "issued", "closed"]
AuthorityCode = Literal["", "TM.", "KT.", "Q.", "TL.", "TUQ."]
TaskStatusCode = Literal["not_started", "in_progress", "done", "cancelled"]
MeasurementCode = Literal["entered", "share_of_units", "indicator"]
TargetStatusCode = Literal["not_measured", "on_track", "at_risk", "met", "missed"]
RoleCode = Literal["lead", "co-operating", "other"]
DeadlineKindCode = Literal["half_year_report", "annual_report", "subordinate_plans", "other"]
ObligationState = Literal["issued", "issued_late", "pending", "overdue"]

PlanId = Annotated[int, Path(description="The plan's id; 404 if it does not exist or the caller cannot see it.")]
PartId = Annotated[int, Path(description="The part's id; 404 unless it belongs to this plan.")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# The services name their arguments; the API names the body's fields.
PLAN_FIELDS = {"expected_version": "lock_version", "issuer": "issuer_id", "parent_plan": "derive_from"}
SECTION_FIELDS = {"expected_version": "lock_version", "parent": "parent_id"}
TASK_FIELDS = {
    "expected_version": "lock_version", "section": "section_id", "parent_task": "parent_task_id",
    "lead_unit": "lead_unit_id",
}
TARGET_FIELDS = {"expected_version": "lock_version", "parent_target": "parent_target_id"}
ASSIGNMENT_FIELDS = {"expected_version": "lock_version", "unit": "unit_id", "task": "task_id", "co_units": "co_unit_ids"}
DEADLINE_FIELDS = {"expected_version": "lock_version"}


# --------------------------------------------------------------------------- output


class PlanSummaryOut(Schema):
    id: int = Field(description="The plan's id.")
    issuer_id: int = Field(description="The issuing unit's id.")
    issuer_name: str = Field(description="The issuing unit's name.")
    doc_type: str = Field(description="Document type, `KH` for a plan.")
    number: int | None = Field(description="Number given at issue; null for a draft.")
    symbol: str = Field(description="Symbol, e.g. “KH-UBND”.")
    reference: str = Field(description="Number and symbol as printed, e.g. “05/KH-UBND”; “…/KH-UBND” for a draft.")
    issued_on: dt.date | None = Field(description="Date of issue; null for a draft.")
    title: str = Field(description="Title.")
    year: int = Field(description="Implementation year (the first, for a multi-year plan).")
    end_year: int | None = Field(description="Last year of a multi-year plan.")
    kind: str = Field(description="annual, thematic or multi_year.")
    status: str = Field(description="draft (editable), issued (locked) or closed.")
    version: int = Field(description="1 for the original; each amendment adds one.")
    amends_id: int | None = Field(description="The plan this one amends.")
    parent_plan_id: int | None = Field(description="The plan of the level above this one was derived from.")
    updated_at: dt.datetime = Field(description="Last change.")


class PlanPage(Schema):
    items: list[PlanSummaryOut] = Field(description="Plans, newest year first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class TaskOut(Schema):
    id: int = Field(description="The task's id.")
    section_id: int | None = Field(description="The section it belongs to; null for a task outside any section.")
    text: str = Field(description="What is to be done.")
    order: int = Field(description="Position within its section.")
    parent_task_id: int | None = Field(description="The task of the level above's plan this one implements.")
    lead_unit_id: int | None = Field(description="The unit that leads it.")
    lead_unit_name: str | None = Field(description="That unit's name.")
    due_on: dt.date | None = Field(description="Deadline.")
    status: str = Field(description="not_started, in_progress, done or cancelled.")
    progress: int = Field(description="Progress in percent, 0 to 100.")


class SectionOut(Schema):
    id: int = Field(description="The section's id.")
    parent_id: int | None = Field(description="The enclosing section; null at the top level.")
    depth: int = Field(description="0 at the top level (“I.”), 1 below it (“1.”), and so on.")
    number: str = Field(description="Number as printed: “I”, “1”, “a”; may be empty.")
    title: str = Field(description="Heading.")
    order: int = Field(description="Position among its siblings.")
    tasks: list[TaskOut] = Field(description="Its tasks, in order.")


class TargetOut(Schema):
    id: int = Field(description="The target's id.")
    text: str = Field(description="The target as written.")
    value: float | None = Field(description="The value to reach, e.g. 95.")
    unit: str = Field(description="Unit of measure: “%”, or what is counted.")
    scope_kinds: list[str] = Field(description="Kinds of unit in scope (codes).")
    measurement: str = Field(description="entered, share_of_units or indicator.")
    indicator_code: str = Field(description="The report indicator measuring it, for `indicator`.")
    current_value: float | None = Field(description="The value measured so far.")
    measured_at: dt.datetime | None = Field(description="When it was last measured.")
    status: str = Field(description="not_measured, on_track, at_risk, met or missed.")
    parent_target_id: int | None = Field(description="The target of the level above's plan this one implements.")
    order: int = Field(description="Position in the plan.")


class AssignmentOut(Schema):
    id: int = Field(description="The assignment's id.")
    task_id: int | None = Field(description="The task it is about, if one.")
    unit_id: int | None = Field(description="The unit, when it matches one of the tree.")
    unit_name: str = Field(description="The unit as written in the plan.")
    role: str = Field(description="lead, co-operating or other.")
    co_unit_ids: list[int] = Field(description="Co-operating units.")
    duties: str = Field(description="What the unit must do.")
    due_on: dt.date | None = Field(description="Deadline.")
    order: int = Field(description="Position in the plan.")


class DeadlineOut(Schema):
    id: int = Field(description="The deadline's id.")
    kind: str = Field(description="half_year_report, annual_report, subordinate_plans or other.")
    text: str = Field(description="The duty, e.g. “Báo cáo 6 tháng”.")
    due_on: dt.date = Field(description="Due date.")


class PlanPermissionsOut(Schema):
    change: bool = Field(description="May edit the draft (header and parts).")
    delete: bool = Field(description="May delete the draft.")
    issue: bool = Field(description="May issue it (head or admin of the issuer).")
    close: bool = Field(description="May close the issued plan.")
    amend: bool = Field(description="May start an amendment of the issued plan.")
    derive: bool = Field(description="May derive a subordinate unit's plan from it.")
    view_cascade: bool = Field(description="May follow the subordinate plans (obligations, coverage).")


class PlanDetailOut(PlanSummaryOut):
    issuing_body: str = Field(description="Issuing body as printed, e.g. “ỦY BAN NHÂN DÂN XÃ BÌNH LƯ”.")
    parent_body: str = Field(description="The line above it, e.g. “ỦY BAN NHÂN DÂN TỈNH LAI CHÂU”; may be empty.")
    number_year: int | None = Field(description="The year the number belongs to (numbers restart each 1 January).")
    place: str = Field(description="Place as printed before the date.")
    copied_from_id: int | None = Field(description="The plan this draft was copied from.")
    lock_version: int = Field(description="Send back with every change; a change made by someone else since → 409.")
    preamble: str = Field(description="Opening paragraph (the legal bases as written).")
    legal_bases: list[LegalDocumentOut] = Field(description="Documents the plan is based on, in order.")
    purposes: list[str] = Field(description="Purposes (Mục đích), one item each.")
    requirements: list[str] = Field(description="Requirements (Yêu cầu), one item each.")
    targets: list[TargetOut] = Field(description="Targets, in order.")
    sections: list[SectionOut] = Field(description="Content sections in document order (each before its subsections).")
    unsectioned_tasks: list[TaskOut] = Field(description="Tasks that belong to no section.")
    assignments: list[AssignmentOut] = Field(description="Tổ chức thực hiện: who does what, by when.")
    deadlines: list[DeadlineOut] = Field(description="Dated duties (reports, subordinate plans), by date.")
    recipients: list[str] = Field(description="Nơi nhận, one item each.")
    signer_name: str = Field(description="Signer's name.")
    signer_position: str = Field(description="Signer's position, e.g. “CHỦ TỊCH”.")
    signer_authority: str = Field(description="TM., KT., Q., TL., TUQ. or empty (the head signs).")
    requires_subordinate_plans: bool = Field(description="Issuing it obliges the units below to issue their own plans.")
    subordinate_due_on: dt.date | None = Field(description="Date by which they must.")
    subordinate_kinds: list[str] = Field(description="Kinds of unit that must (codes).")
    created_at: dt.datetime = Field(description="When the plan was created.")
    permissions: PlanPermissionsOut = Field(description="What the caller may do with it now.")


class SectionWriteOut(SectionOut):
    plan_lock_version: int = Field(description="The plan's `lock_version` after the change.")


class TaskWriteOut(TaskOut):
    plan_lock_version: int = Field(description="The plan's `lock_version` after the change.")


class TargetWriteOut(TargetOut):
    plan_lock_version: int = Field(description="The plan's `lock_version` after the change.")


class AssignmentWriteOut(AssignmentOut):
    plan_lock_version: int = Field(description="The plan's `lock_version` after the change.")


class DeadlineWriteOut(DeadlineOut):
    plan_lock_version: int = Field(description="The plan's `lock_version` after the change.")


class LegalBasesOut(Schema):
    legal_bases: list[LegalDocumentOut] = Field(description="Documents the plan is based on, in order.")
    lock_version: int = Field(description="The plan's `lock_version` after the change.")


class ObligationCountsOut(Schema):
    expected: int = Field(description="Units that must issue a plan.")
    fulfilled: int = Field(description="Units that have (on time or late).")
    issued: int = Field(description="Issued on time.")
    issued_late: int = Field(description="Issued after the due date.")
    pending: int = Field(description="Not issued, not yet due.")
    overdue: int = Field(description="Not issued, due date passed.")


class ObligationOut(Schema):
    id: int = Field(description="The obligation's id.")
    unit_id: int = Field(description="The unit that must issue a plan.")
    unit_name: str = Field(description="Its name.")
    due_on: dt.date = Field(description="Due date.")
    fulfilled_by_id: int | None = Field(description="The plan it issued, if any.")
    fulfilled_on: dt.date | None = Field(description="When.")
    days_late: int = Field(description="Days after the due date (so far, when still missing); 0 when on time.")


class ObligationPageOut(Schema):
    counts: ObligationCountsOut = Field(description="The whole cascade at a glance.")
    state: ObligationState = Field(description="The state listed in `items`.")
    items: list[ObligationOut] = Field(description="Units in that state, in tree order.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class CoverageRowOut(Schema):
    task_id: int = Field(description="A task of this plan.")
    text: str = Field(description="Its text.")
    section_id: int | None = Field(description="Its section.")
    linked_plans: int = Field(description="Issued subordinate plans with a task linked to it.")
    linked_units: int = Field(description="Units whose plans carry it.")
    gaps: int = Field(description="Units with a plan that does not carry it.")


class CoverageOut(Schema):
    units_in_scope: int = Field(description="Units that must (or did) issue a plan derived from this one.")
    units_with_plan: int = Field(description="Of those, units with an issued plan.")
    units_without_plan: int = Field(description="Units still without a plan.")
    items: list[CoverageRowOut] = Field(description="One row per task of the plan, in order.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class UnitRefOut(Schema):
    id: int = Field(description="The unit's id.")
    name: str = Field(description="Its name.")


class UnitRefPage(Schema):
    items: list[UnitRefOut] = Field(description="Units in tree order.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ParsedReferenceOut(Schema):
    type: str | None = Field(description="Document type as written, e.g. “Chỉ thị”.")
    number: str | None = Field(description="Number, e.g. “33”, “10/2022”.")
    symbol: str | None = Field(description="Symbol, e.g. “CT-TTg”.")
    date: str | None = Field(description="Date of issue, YYYY-MM-DD.")
    issuer: str | None = Field(description="Issuing body as written.")


class ParsedTargetOut(Schema):
    text: str | None = Field(description="The target as written.")
    value: int | float | None = Field(description="Its value, e.g. 95.")
    unit: str | None = Field(description="Unit, e.g. “%”.")


class ParsedSectionOut(Schema):
    number: str | None = Field(description="Number as printed.")
    title: str | None = Field(description="Heading.")
    tasks: list[str] = Field(description="Its tasks.")


class ParsedAssignmentOut(Schema):
    unit: str | None = Field(description="The unit as written.")
    role: str | None = Field(description="lead, co-operating or other.")
    duties: str | None = Field(description="What it must do.")


class ParsedDeadlineOut(Schema):
    text: str | None = Field(description="The clause with the deadline.")
    due: str | None = Field(description="YYYY-MM-DD; null when the date is unreadable or impossible (31/02).")


class ParsedSignerOut(Schema):
    name: str | None = Field(description="Signer's name.")
    position: str | None = Field(description="Signer's position.")
    authority: str | None = Field(description="TM., KT., Q., TL., TUQ. or null.")


class ParsedPlanOut(Schema):
    doc_type: str | None = Field(description="Document type from the symbol, e.g. “KH”.")
    number: str | None = Field(description="Number; null when left blank (“Số: /KH-UBND”).")
    symbol: str | None = Field(description="Symbol, e.g. “KH-UBND”.")
    issuer: str | None = Field(description="Issuing body as written.")
    place: str | None = Field(description="Place before the date.")
    issued_on: str | None = Field(description="YYYY-MM-DD, YYYY-MM or YYYY as far as it can be read.")
    title: str | None = Field(description="Title.")
    year: int | None = Field(description="Implementation year.")
    references: list[ParsedReferenceOut] = Field(description="Documents cited, each once.")
    purposes: list[str] = Field(description="Purposes.")
    requirements: list[str] = Field(description="Requirements.")
    targets: list[ParsedTargetOut] = Field(description="Targets with their values.")
    sections: list[ParsedSectionOut] = Field(description="Numbered items of the content part, with their tasks.")
    assignments: list[ParsedAssignmentOut] = Field(description="From “Tổ chức thực hiện”.")
    deadlines: list[ParsedDeadlineOut] = Field(description="Dated duties found in the text.")
    recipients: list[str] = Field(description="Nơi nhận.")
    signer: ParsedSignerOut | None = Field(description="The signature block, if found.")


# --------------------------------------------------------------------------- input


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class PlanFieldsIn(_Input):
    title: str | None = Field(None, max_length=500, description="Title (required for a new plan from scratch).")
    year: int | None = Field(None, ge=2000, le=2100, description="Implementation year.")
    end_year: int | None = Field(None, ge=2000, le=2100, description="Last year of a multi-year plan.")
    kind: PlanKindCode | None = Field(None, description="annual, thematic or multi_year.")
    issuing_body: str | None = Field(None, max_length=255, description="Issuing body as printed.")
    parent_body: str | None = Field(None, max_length=255, description="The line above it.")
    symbol: str | None = Field(None, max_length=40, description="Symbol, e.g. “KH-UBND”.")
    place: str | None = Field(None, max_length=100, description="Place as printed before the date.")
    preamble: str | None = Field(None, max_length=MAX_TEXT, description="Opening paragraph.")
    purposes: list[Annotated[str, Field(max_length=MAX_TEXT)]] | None = Field(
        None, max_length=MAX_LIST, description="Purposes, one item each."
    )
    requirements: list[Annotated[str, Field(max_length=MAX_TEXT)]] | None = Field(
        None, max_length=MAX_LIST, description="Requirements, one item each."
    )
    recipients: list[Annotated[str, Field(max_length=500)]] | None = Field(
        None, max_length=MAX_LIST, description="Nơi nhận, one item each."
    )
    signer_name: str | None = Field(None, max_length=150, description="Signer's name.")
    signer_position: str | None = Field(None, max_length=150, description="Signer's position.")
    signer_authority: AuthorityCode | None = Field(None, description="TM., KT., Q., TL., TUQ. or empty.")
    requires_subordinate_plans: bool | None = Field(None, description="Units below must issue their own plans.")
    subordinate_due_on: dt.date | None = Field(None, description="Date by which they must (not before the plan's date).")
    subordinate_kinds: list[Annotated[str, Field(max_length=40)]] | None = Field(
        None, max_length=50, description="Kinds of unit that must (codes, e.g. `commune`)."
    )
    legal_basis_ids: list[Id] | None = Field(
        None, max_length=MAX_LIST, description="Ids of registry documents the plan is based on, in order."
    )


class PlanCreateIn(PlanFieldsIn):
    issuer_id: Id | None = Field(
        None, description="The issuing unit (an editing role on it is needed). Required unless copying a plan."
    )
    copy_from: Id | None = Field(
        None, description="Copy this plan (usually last year's) with its years and dates moved to `year`."
    )
    derive_from: Id | None = Field(
        None, description="Start from this issued plan of the level above, its tasks and targets linked to the originals."
    )


class PlanPatchIn(PlanFieldsIn):
    lock_version: int = Field(ge=1, le=2**31 - 1, description="The plan's `lock_version` as read; a stale one → 409.")


class LockIn(_Input):
    # Required (issue #9): an edit without the version it was based on could silently overwrite a
    # colleague's concurrent edit of the same plan.
    lock_version: int = Field(
        ge=1, le=2**31 - 1, description="The plan's `lock_version` as read; a stale one → 409.",
    )


class IssueIn(_Input):
    lock_version: int = Field(ge=1, le=2**31 - 1, description="The plan's `lock_version` as read.")
    issued_on: dt.date = Field(description="Date of issue (not in the future, not after any deadline of the plan).")
    number: int | None = Field(
        None, ge=1, le=99_999, description="The number; omit to take the issuer's next one for the year. A used one → 422."
    )


class SectionIn(LockIn):
    title: str = Field(max_length=500, description="Heading.")
    number: str = Field("", max_length=10, description="Number as printed: “I”, “1”, “a”.")
    parent_id: Id | None = Field(None, description="The enclosing section, of the same plan.")


class SectionPatchIn(LockIn):
    title: str | None = Field(None, max_length=500, description="Heading.")
    number: str | None = Field(None, max_length=10, description="Number as printed.")
    parent_id: Id | None = Field(None, description="The enclosing section; null for the top level.")
    order: int | None = Field(None, ge=0, le=100_000, description="Position among its siblings.")


class TaskIn(LockIn):
    text: str = Field(max_length=MAX_TEXT, description="What is to be done.")
    section_id: Id | None = Field(None, description="Its section, of the same plan.")
    parent_task_id: Id | None = Field(None, description="The task of the level above's plan it implements.")
    lead_unit_id: Id | None = Field(None, description="The lead unit, inside the issuer's part of the tree.")
    due_on: dt.date | None = Field(None, description="Deadline (not before the plan's date).")


class TaskPatchIn(LockIn):
    text: str | None = Field(None, max_length=MAX_TEXT, description="What is to be done.")
    section_id: Id | None = Field(None, description="Its section; null for none.")
    parent_task_id: Id | None = Field(None, description="The task of the level above it implements; null for none.")
    lead_unit_id: Id | None = Field(None, description="The lead unit; null for none.")
    due_on: dt.date | None = Field(None, description="Deadline; null for none.")
    order: int | None = Field(None, ge=0, le=100_000, description="Position within its section.")


class ProgressIn(_Input):
    status: TaskStatusCode = Field(description="not_started, in_progress, done or cancelled.")
    progress: int = Field(ge=0, le=100, description="Percent done; `done` counts as 100.")
    note: str = Field("", max_length=500, description="What was done.")


class TargetIn(LockIn):
    text: str = Field(max_length=MAX_TEXT, description="The target as written.")
    value: float | None = Field(None, ge=-1e9, le=1e9, description="The value to reach.")
    unit: str = Field("", max_length=30, description="Unit of measure.")
    measurement: MeasurementCode = Field("entered", description="How it is measured.")
    indicator_code: str = Field("", max_length=50, description="The indicator, for `indicator`.")
    scope_kinds: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=50, description="Kinds of unit in scope (codes)."
    )
    parent_target_id: Id | None = Field(None, description="The target of the level above's plan it implements.")


class TargetPatchIn(LockIn):
    text: str | None = Field(None, max_length=MAX_TEXT, description="The target as written.")
    value: float | None = Field(None, ge=-1e9, le=1e9, description="The value to reach; null for none.")
    unit: str | None = Field(None, max_length=30, description="Unit of measure.")
    measurement: MeasurementCode | None = Field(None, description="How it is measured.")
    indicator_code: str | None = Field(None, max_length=50, description="The indicator, for `indicator`.")
    scope_kinds: list[Annotated[str, Field(max_length=40)]] | None = Field(
        None, max_length=50, description="Kinds of unit in scope (codes)."
    )
    parent_target_id: Id | None = Field(None, description="The target of the level above it implements; null for none.")
    order: int | None = Field(None, ge=0, le=100_000, description="Position in the plan.")


class TargetValueIn(_Input):
    current_value: float | None = Field(ge=-1e9, le=1e9, description="The value measured now; null to clear it.")
    status: TargetStatusCode | None = Field(None, description="Omit to derive it from the value (met or on track).")


class AssignmentIn(LockIn):
    unit_name: str = Field("", max_length=255, description="The unit as written; defaults to the chosen unit's name.")
    unit_id: Id | None = Field(None, description="The unit, inside the issuer's part of the tree.")
    role: RoleCode = Field("lead", description="lead, co-operating or other.")
    co_unit_ids: list[Id] = Field(default_factory=list, max_length=MAX_LIST, description="Co-operating units.")
    duties: str = Field("", max_length=MAX_TEXT, description="What the unit must do.")
    due_on: dt.date | None = Field(None, description="Deadline (not before the plan's date).")
    task_id: Id | None = Field(None, description="The task it is about, of the same plan.")


class AssignmentPatchIn(LockIn):
    unit_name: str | None = Field(None, max_length=255, description="The unit as written.")
    unit_id: Id | None = Field(None, description="The unit; null for none.")
    role: RoleCode | None = Field(None, description="lead, co-operating or other.")
    co_unit_ids: list[Id] | None = Field(None, max_length=MAX_LIST, description="Co-operating units.")
    duties: str | None = Field(None, max_length=MAX_TEXT, description="What the unit must do.")
    due_on: dt.date | None = Field(None, description="Deadline; null for none.")
    task_id: Id | None = Field(None, description="The task it is about; null for none.")
    order: int | None = Field(None, ge=0, le=100_000, description="Position in the plan.")


class DeadlineIn(LockIn):
    text: str = Field(max_length=500, description="The duty, e.g. “Báo cáo 6 tháng”.")
    due_on: dt.date = Field(description="Due date (not before the plan's date).")
    kind: DeadlineKindCode = Field("other", description="half_year_report, annual_report, subordinate_plans or other.")


class DeadlinePatchIn(LockIn):
    text: str | None = Field(None, max_length=500, description="The duty, e.g. “Báo cáo 6 tháng”.")
    due_on: dt.date | None = Field(None, description="Due date (not before the plan's date).")
    kind: DeadlineKindCode | None = Field(None, description="half_year_report, annual_report, subordinate_plans or other.")


class LegalBasesIn(_Input):
    lock_version: int = Field(ge=1, le=2**31 - 1, description="The plan's `lock_version` as read; a stale one → 409.")
    document_ids: list[Id] = Field(
        max_length=MAX_LIST, description="Ids of registry documents the plan is based on, in order (replaces the list)."
    )


class PlanFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Only plans of this implementation year.")
    status: PlanStatusCode | None = Field(None, description="Only plans in this state.")
    kind: PlanKindCode | None = Field(None, description="Only plans of this kind.")
    issuer: int | None = Field(None, ge=1, le=MAX_ID, description="Only plans issued by this unit.")
    under: int | None = Field(
        None, ge=1, le=MAX_ID,
        description="Only plans issued by this unit or a unit below it; 404 if the caller cannot see the unit.",
    )
    q: str | None = Field(None, max_length=MAX_SEARCH_LENGTH, description="Words of the title, ignoring case.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class PageParams(Schema):
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class ObligationParams(PageParams):
    state: ObligationState = Field("overdue", description="Which units to list: issued (on time), issued_late, "
                                   "pending (not yet due) or overdue.")


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


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _visible(request: HttpRequest) -> QuerySet[Plan]:
    return queries.plans_visible_to(caller(request))


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    """The plan if the caller may read it; 404 otherwise, exactly like a plan that does not exist."""
    plan = (
        _visible(request).select_related("issuer").filter(pk=plan_id).first() if 1 <= plan_id <= MAX_ID else None
    )
    if plan is None or not caller(request).has_perm("plans.view_plan", plan):
        raise Http404
    return plan


def _part(model: type[Any], plan: Plan, part_id: int) -> Any:
    obj = model.objects.filter(plan=plan, pk=part_id).first() if 1 <= part_id <= MAX_ID else None
    if obj is None:
        raise Http404
    obj.plan = plan
    return obj


def _unit(request: HttpRequest, field: str, unit_id: int | None) -> OrgUnit | None:
    """A unit the caller can see; one outside their units does not exist for them."""
    if unit_id is None:
        return None
    unit = OrgUnit.objects.visible_to(caller(request)).filter(pk=unit_id).first()
    if unit is None:
        raise _invalid(field, _("Choose a unit."))
    return unit


def _units(request: HttpRequest, field: str, ids: Sequence[int]) -> list[OrgUnit]:
    found = {u.pk: u for u in OrgUnit.objects.visible_to(caller(request)).filter(pk__in=set(ids))}
    if len(found) != len(set(ids)):
        raise _invalid(field, _("Choose a unit."))
    return [found[i] for i in dict.fromkeys(ids)]


def _kinds(field: str, codes: Sequence[str] | None) -> list[OrgKind]:
    found = {k.code: k for k in OrgKind.objects.filter(code__in=set(codes or ()))}
    unknown = sorted(set(codes or ()) - set(found))
    if unknown:
        raise _invalid(field, _("Unknown kind of unit: %(codes)s.") % {"codes": ", ".join(unknown)[:200]})
    return [found[c] for c in dict.fromkeys(codes or ())]


def _documents(ids: Sequence[int], field: str = "legal_basis_ids") -> list[LegalDocument]:
    found = {d.pk: d for d in LegalDocument.objects.filter(pk__in=set(ids))}
    if len(found) != len(set(ids)):
        raise _invalid(field, _("Choose documents of the legal registry."))
    return [found[i] for i in dict.fromkeys(ids)]


def _section(plan: Plan, field: str, section_id: int | None) -> PlanSection | None:
    if section_id is None:
        return None
    section = PlanSection.objects.filter(plan=plan, pk=section_id).first()
    if section is None:
        raise _invalid(field, _("The section must belong to the same plan."))
    return section


def _linked(model: type[Any], plan: Plan, field: str, pk: int | None, message: str) -> Any:
    """A task or target of the plan this one derives from (the only ones it may be linked to)."""
    if pk is None:
        return None
    obj = model.objects.filter(plan_id=plan.parent_plan_id, pk=pk).first() if plan.parent_plan_id else None
    if obj is None:
        raise _invalid(field, message)
    return obj


def _parent_task(plan: Plan, pk: int | None) -> Task | None:
    return _linked(Task, plan, "parent_task_id", pk,
                   _("The linked task must come from the plan of the level above this plan derives from."))


def _parent_target(plan: Plan, pk: int | None) -> Target | None:
    return _linked(Target, plan, "parent_target_id", pk,
                   _("The linked target must come from the plan of the level above this plan derives from."))


def _own_task(plan: Plan, pk: int | None) -> Task | None:
    if pk is None:
        return None
    task = Task.objects.filter(plan=plan, pk=pk).first()
    if task is None:
        raise _invalid("task_id", _("The task must belong to the same plan."))
    return task


def _not_in_state(request: HttpRequest, plan: Plan, status: str, message: str) -> None:
    """409 for an editor of the issuer asking for a step the plan's state does not allow; others get the 403."""
    if plan.status != status and plan_rules.edits_for_issuer.test(caller(request), plan):
        raise HttpError(409, message)


# --------------------------------------------------------------------------- serialisation


def summary_out(p: Plan) -> PlanSummaryOut:
    return PlanSummaryOut(
        id=p.pk, issuer_id=p.issuer_id, issuer_name=p.issuer.name, doc_type=p.doc_type, number=p.number,
        symbol=p.symbol, reference=p.reference, issued_on=p.issued_on, title=p.title, year=p.year,
        end_year=p.end_year, kind=p.kind, status=p.status, version=p.version, amends_id=p.amends_id,
        parent_plan_id=p.parent_plan_id, updated_at=p.updated_at,
    )


def task_out(t: Task) -> TaskOut:
    return TaskOut(
        id=t.pk, section_id=t.section_id, text=t.text, order=t.order, parent_task_id=t.parent_task_id,
        lead_unit_id=t.lead_unit_id, lead_unit_name=t.lead_unit.name if t.lead_unit is not None else None,
        due_on=t.due_on, status=t.status, progress=t.progress,
    )


def target_out(t: Target, kinds: list[str]) -> TargetOut:
    return TargetOut(
        id=t.pk, text=t.text, value=_num(t.value), unit=t.unit, scope_kinds=kinds, measurement=t.measurement,
        indicator_code=t.indicator_code, current_value=_num(t.current_value), measured_at=t.measured_at,
        status=t.status, parent_target_id=t.parent_target_id, order=t.order,
    )


def assignment_out(a: Assignment, co_ids: list[int]) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk, task_id=a.task_id, unit_id=a.unit_id, unit_name=a.unit_name, role=a.role, co_unit_ids=co_ids,
        duties=a.duties, due_on=a.due_on, order=a.order,
    )


def deadline_out(d: PlanDeadline) -> DeadlineOut:
    return DeadlineOut(id=d.pk, kind=d.kind, text=d.text, due_on=d.due_on)


def section_out(s: PlanSection, depth: int, tasks: list[TaskOut]) -> SectionOut:
    return SectionOut(id=s.pk, parent_id=s.parent_id, depth=depth, number=s.number, title=s.title, order=s.order,
                      tasks=tasks)


def _permissions(user: Any, plan: Plan) -> PlanPermissionsOut:
    def can(perm: str) -> bool:
        return bool(user.has_perm(f"plans.{perm}", plan))

    return PlanPermissionsOut(
        change=can("change_plan"), delete=can("delete_plan"), issue=can("issue_plan"), close=can("close_plan"),
        amend=can("amend_plan"), derive=can("derive_plan"), view_cascade=can("view_cascade"),
    )


def detail_out(request: HttpRequest, plan: Plan) -> PlanDetailOut:
    """The whole plan in a fixed number of queries, whatever the number of its parts."""
    bases = [document_out(link.document) for link in plan.basis_links.select_related("document").order_by("order", "pk")]
    sub_kinds = sorted(plan.subordinate_kinds.values_list("code", flat=True))
    sections = list(PlanSection.objects.filter(plan=plan).order_by("order", "pk"))
    tasks = list(Task.objects.filter(plan=plan).select_related("lead_unit").order_by("order", "pk"))
    targets = list(
        Target.objects.filter(plan=plan).prefetch_related(Prefetch("scope_kinds", queryset=OrgKind.objects.only("code")))
        .order_by("order", "pk")
    )
    assignments = list(
        Assignment.objects.filter(plan=plan)
        .prefetch_related(Prefetch("co_units", queryset=OrgUnit.objects.only("pk")))
        .order_by("order", "pk")
    )
    deadlines = list(PlanDeadline.objects.filter(plan=plan).order_by("due_on", "pk"))

    by_section: dict[int | None, list[TaskOut]] = defaultdict(list)
    known = {s.pk for s in sections}
    for t in tasks:
        by_section[t.section_id if t.section_id in known else None].append(task_out(t))
    children: dict[int | None, list[PlanSection]] = defaultdict(list)
    for s in sections:
        children[s.parent_id if s.parent_id in known else None].append(s)
    rows: list[SectionOut] = []
    seen: set[int] = set()
    stack: list[tuple[PlanSection, int]] = [(s, 0) for s in reversed(children[None])]
    while stack:  # depth first, each section before its subsections
        s, depth = stack.pop()
        if s.pk in seen:
            continue
        seen.add(s.pk)
        rows.append(section_out(s, depth, by_section.get(s.pk, [])))
        stack.extend((c, depth + 1) for c in reversed(children.get(s.pk, [])))
    rows.extend(section_out(s, 0, by_section.get(s.pk, [])) for s in sections if s.pk not in seen)  # a cycle

    return PlanDetailOut(
        **summary_out(plan).model_dump(),
        issuing_body=plan.issuing_body, parent_body=plan.parent_body, number_year=plan.number_year, place=plan.place,
        copied_from_id=plan.copied_from_id, lock_version=plan.lock_version, preamble=plan.preamble,
        legal_bases=bases, purposes=list(plan.purposes or []), requirements=list(plan.requirements or []),
        targets=[target_out(t, sorted(k.code for k in t.scope_kinds.all())) for t in targets],
        sections=rows, unsectioned_tasks=by_section.get(None, []),
        assignments=[assignment_out(a, sorted(u.pk for u in a.co_units.all())) for a in assignments],
        deadlines=[deadline_out(d) for d in deadlines], recipients=list(plan.recipients or []),
        signer_name=plan.signer_name, signer_position=plan.signer_position, signer_authority=plan.signer_authority,
        requires_subordinate_plans=plan.requires_subordinate_plans, subordinate_due_on=plan.subordinate_due_on,
        subordinate_kinds=sub_kinds, created_at=plan.created_at, permissions=_permissions(caller(request), plan),
    )


def _fresh_detail(request: HttpRequest, plan_id: int) -> PlanDetailOut:
    plan = Plan.objects.select_related("issuer").get(pk=plan_id)
    return detail_out(request, plan)


def _plan_kwargs(payload: PlanFieldsIn, *, skip: Sequence[str] = ()) -> dict[str, Any]:
    """The header fields the caller sent, as ``create_plan``/``update_plan`` keywords (legal bases apart)."""
    fields = payload.model_dump(exclude_unset=True, exclude={"legal_basis_ids", *skip})
    if "subordinate_kinds" in fields:
        fields["subordinate_kinds"] = _kinds("subordinate_kinds", fields["subordinate_kinds"])
    for name in ("purposes", "requirements", "recipients"):
        if name in fields and fields[name] is None:
            fields[name] = []
    if "requires_subordinate_plans" in fields and fields["requires_subordinate_plans"] is None:
        fields["requires_subordinate_plans"] = False
    if "signer_authority" in fields and fields["signer_authority"] is None:
        fields["signer_authority"] = ""
    if "kind" in fields and fields["kind"] is None:
        fields.pop("kind")
    return fields


# --------------------------------------------------------------------------- list and create


READ_ERRORS = error_responses(*AUTH_ERRORS, 404)
LIST_ERRORS = error_responses(*AUTH_ERRORS, 404, 422)
WRITE_ERRORS = error_responses(*AUTH_ERRORS, 400, 404, 409, 422)


def _is_plan_cursor(value: Any) -> bool:
    return (
        isinstance(value, list) and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_ID for v in value)
    )


def _under(request: HttpRequest, unit_id: int) -> OrgUnit:
    """A unit the caller acts for, or one above theirs (whose issued plans they read); 404 otherwise."""
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    scope = scope_of(caller(request))
    if unit is None or not (scope.covers(unit.path) or any(g.path.startswith(unit.path) for g in scope.grants)):
        raise Http404
    return unit


@router.get("", response={200: PlanPage, **LIST_ERRORS}, summary="List plans", operation_id="plans_list")
def list_plans(request: HttpRequest, filters: Query[PlanFilters]) -> PlanPage:
    """Plans the caller may see, newest year first, one page at a time. Filters combine with AND.

    The caller sees every plan of their units (drafts included) and the issued plans of the units
    above them, which they implement; nothing of other provinces.
    """
    after = decode_cursor(filters.cursor, _is_plan_cursor)
    qs = _visible(request).select_related("issuer")
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.issuer is not None:
        qs = qs.filter(issuer_id=filters.issuer)
    if filters.under is not None:
        qs = qs.filter(issuer__in=OrgUnit.objects.subtree_of(_under(request, filters.under)))
    if filters.q:
        for word in filters.q.split()[:12]:
            qs = qs.filter(title__icontains=word)
    if after is not None:
        year, pk = after
        qs = qs.filter(Q(year__lt=year) | Q(year=year, pk__lt=pk))
    rows = list(qs.order_by("-year", "-pk")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return PlanPage(
        items=[summary_out(p) for p in rows], next_cursor=encode_cursor([rows[-1].year, rows[-1].pk]) if more else None
    )


@router.post(
    "", response={201: PlanDetailOut, **error_responses(*AUTH_ERRORS, 400, 409, 422)},
    summary="Create a draft plan", operation_id="plans_create",
)
def create_plan(request: HttpRequest, payload: PlanCreateIn) -> Status:
    """A new draft: from scratch (`issuer_id`, `title`, `year`), from a copy of another plan (`copy_from`,
    `year`, optionally another `issuer_id`) or derived from the issued plan of the level above
    (`derive_from`, `issuer_id`). Header fields sent with a copy or a derivation are applied to the new draft.

    The caller needs an editing role (admin, head, officer) on the issuing unit.
    """
    user = caller(request)
    if payload.copy_from is not None and payload.derive_from is not None:
        raise _invalid("derive_from", _("Copy a plan or derive one, not both."))
    issuer = _unit(request, "issuer_id", payload.issuer_id)
    fields = _plan_kwargs(payload, skip=("issuer_id", "copy_from", "derive_from"))
    documents = _documents(payload.legal_basis_ids) if payload.legal_basis_ids is not None else None
    with transaction.atomic(), _fields(PLAN_FIELDS):
        if payload.copy_from is not None or payload.derive_from is not None:
            field, source_id = (
                ("copy_from", payload.copy_from) if payload.copy_from is not None else ("derive_from", payload.derive_from)
            )
            source = _visible(request).filter(pk=source_id).first() if source_id is not None else None
            if source is None or not user.has_perm("plans.view_plan", source):
                raise _invalid(field, _("No plan with this id is visible to you."))
            if field == "copy_from":
                if payload.year is None:
                    raise _invalid("year", _("Give the year of the new plan."))
                plan = services.copy_plan_for_year(actor=user, source=source, year=payload.year, issuer=issuer)
                fields.pop("year", None)
            else:
                if issuer is None:
                    raise _invalid("issuer_id", _("Choose the unit that will issue the new plan."))
                plan = services.derive_plan(actor=user, parent_plan=source, issuer=issuer)
            if fields:
                plan = services.update_plan(actor=user, plan=plan, expected_version=plan.lock_version, **fields)
        else:
            errors = {}
            if issuer is None:
                errors["issuer_id"] = _("This field is required.")
            if not payload.title:
                errors["title"] = _("This field is required.")
            if payload.year is None:
                errors["year"] = _("This field is required.")
            if errors or issuer is None:
                raise ValidationError(errors)
            plan = services.create_plan(actor=user, issuer=issuer, **fields)
        if documents is not None:
            services.set_legal_bases(actor=user, plan=plan, documents=documents, expected_version=plan.lock_version)
    return Status(201, _fresh_detail(request, plan.pk))


# --------------------------------------------------------------------------- parse and import


def _upload_limit() -> int:
    from .parsing import MAX_BYTES

    return min(int(getattr(settings, "DANVAN_PLAN_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)), MAX_BYTES)


def _read_upload(upload: UploadedFile) -> str:
    """The document's text; 415 for a type we do not read, 413 over the limit, 422 for what cannot be read."""
    from .parsing import ReadError
    from .parsing.readers import SUFFIXES, read_text

    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise HttpError(415, _("Unsupported file type %(suffix)s: use .txt, .docx or .pdf.") % {"suffix": suffix or "?"})
    limit = _upload_limit()
    if upload.size is not None and upload.size > limit:
        raise HttpError(413, _("The file is too large (%(size)s); the limit is %(limit)s.") % {
            "size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
    if not upload.size:
        raise _invalid("file", _("The file is empty."))
    with tempfile.TemporaryDirectory(prefix="danvan-plan-") as tmp:
        path = FilePath(tmp) / f"upload{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            return read_text(path)
        except ReadError as exc:
            raise _invalid("file", str(exc)) from exc


UPLOAD_ERRORS = error_responses(*AUTH_ERRORS, 413, 415, 422)
UploadFile = Annotated[UploadedFile, File(description="The plan document: .txt, .docx, or .pdf with a text layer.")]


@router.post(
    "/parse", response={200: ParsedPlanOut, **UPLOAD_ERRORS}, summary="Read a plan document",
    operation_id="plans_parse",
)
def parse_document(request: HttpRequest, file: UploadFile) -> dict[str, Any]:
    """What the importer reads from a plan document, in exactly the shape of `danvan plans parse --json`; nothing is saved.

    Values that cannot be read are null (or empty lists), never invented. A scanned PDF without a
    text layer answers 422 (run OCR first); an unsupported type 415; a file over the limit 413.
    """
    from .parsing import parse_plan

    return parse_plan(_read_upload(file))


def _idempotency_cache_key(user: Any, key: str) -> str:
    return f"danvan:api:plans-import:{user.pk}:{hashlib.sha256(key.encode()).hexdigest()}"


@router.post(
    "/import", response={200: PlanDetailOut, 201: PlanDetailOut, **error_responses(*AUTH_ERRORS, 409, 413, 415, 422)},
    summary="Import a plan document as a draft", operation_id="plans_import",
)
def import_document(
    request: HttpRequest,
    file: UploadFile,
    issuer_id: Annotated[int, Form(ge=1, le=MAX_ID, description="The unit that issues the plan (an editing role on it).")],
    idempotency_key: Annotated[
        str | None, Form(max_length=200, description="Same as the `Idempotency-Key` header, for clients that cannot send headers.")
    ] = None,
    idempotency_header: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key", max_length=200,
            description="Any unique string; repeating a request with the same key within 24 hours "
            "answers 200 with the plan the first one created instead of creating another.",
        ),
    ] = None,
) -> Status:
    """Reads the document and creates a draft plan from it for review (201); legal bases go to the registry.

    With an idempotency key (per caller, kept 24 hours), a retried request answers 200 with the plan
    already created; while the first request is still running, 409.
    """
    user = caller(request)
    issuer = _unit(request, "issuer_id", issuer_id)
    if issuer is None:  # the form field is required; for the type checker
        raise _invalid("issuer_id", _("This field is required."))
    key = (idempotency_header or idempotency_key or "").strip()
    cache_key = _idempotency_cache_key(user, key) if key else ""
    if cache_key:
        done = _replay(request, cache_key)
        if done is not None:
            return Status(200, done)
    from .parsing import parse_plan_detailed

    parsed = parse_plan_detailed(_read_upload(file))
    if cache_key and not cache.add(cache_key, _PENDING, PENDING_SECONDS):
        done = _replay(request, cache_key)
        if done is not None:
            return Status(200, done)
        raise HttpError(409, _("A request with this idempotency key is still being processed; try again in a moment."))
    try:
        with _fields(PLAN_FIELDS):
            plan = services.create_plan_from_import(
                actor=user, issuer=issuer, parsed=parsed.public(), detailed=parsed.detailed()
            )
    except BaseException:
        if cache_key:
            cache.delete(cache_key)
        raise
    if cache_key:
        cache.set(cache_key, plan.pk, IDEMPOTENCY_SECONDS)
    return Status(201, _fresh_detail(request, plan.pk))


def _replay(request: HttpRequest, cache_key: str) -> PlanDetailOut | None:
    """The plan a previous request with this key created, or None when the key is new or still running."""
    value = cache.get(cache_key)
    if value is None or value == _PENDING:
        if value == _PENDING:
            raise HttpError(409, _("A request with this idempotency key is still being processed; try again in a moment."))
        return None
    plan = _visible(request).select_related("issuer").filter(pk=value).first()
    if plan is None:
        raise HttpError(409, _("This idempotency key was already used for a plan that no longer exists; use a new key."))
    return detail_out(request, plan)


# --------------------------------------------------------------------------- one plan


@router.get("/{int:plan_id}", response={200: PlanDetailOut, **READ_ERRORS}, summary="One plan", operation_id="plans_detail")
def plan_detail(request: HttpRequest, plan_id: PlanId) -> PlanDetailOut:
    """The whole plan: header, legal bases, purposes, requirements, targets, sections with their tasks,
    assignments, deadlines, recipients, signer, status, version and `lock_version`."""
    return detail_out(request, _plan(request, plan_id))


@router.patch(
    "/{int:plan_id}", response={200: PlanDetailOut, **WRITE_ERRORS}, summary="Change a draft's header",
    operation_id="plans_update",
)
def update_plan(request: HttpRequest, plan_id: PlanId, payload: PlanPatchIn) -> PlanDetailOut:
    """Changes the fields sent, others stay. `lock_version` must be the one read: if someone saved the plan since,
    409 and nothing is saved. An issued plan is locked (409): amend it instead."""
    user = caller(request)
    plan = _plan(request, plan_id)
    fields = _plan_kwargs(payload, skip=("lock_version",))
    documents = _documents(payload.legal_basis_ids) if payload.legal_basis_ids is not None else None
    with transaction.atomic(), _fields(PLAN_FIELDS):
        plan = services.update_plan(actor=user, plan=plan, expected_version=payload.lock_version, **fields)
        if documents is not None:
            services.set_legal_bases(actor=user, plan=plan, documents=documents, expected_version=plan.lock_version)
    return _fresh_detail(request, plan.pk)


@router.delete(
    "/{int:plan_id}", response={204: None, **error_responses(*AUTH_ERRORS, 404, 409)}, summary="Delete a draft",
    operation_id="plans_delete",
)
def delete_plan(request: HttpRequest, plan_id: PlanId) -> HttpResponse:
    """Removes a draft from every list (kept in the audit log). An issued plan cannot be deleted (409)."""
    services.delete_plan(actor=caller(request), plan=_plan(request, plan_id))
    return HttpResponse(status=204)


@router.post(
    "/{int:plan_id}/issue", response={200: PlanDetailOut, **WRITE_ERRORS}, summary="Issue a plan",
    operation_id="plans_issue",
)
def issue_plan(request: HttpRequest, plan_id: PlanId, payload: IssueIn) -> PlanDetailOut:
    """Numbers, dates and locks the draft (head or admin of the issuer). Without `number` the issuer's next number
    of the year is taken; a number already used is refused (422 on `number`). A plan requiring subordinate plans
    creates the obligation for every unit in scope."""
    plan = _plan(request, plan_id)
    with _fields(PLAN_FIELDS):
        plan = services.issue_plan(
            actor=caller(request), plan=plan, expected_version=payload.lock_version, issued_on=payload.issued_on,
            number=payload.number,
        )
    return _fresh_detail(request, plan.pk)


@router.post(
    "/{int:plan_id}/close", response={200: PlanDetailOut, **WRITE_ERRORS}, summary="Close an issued plan",
    operation_id="plans_close",
)
def close_plan(request: HttpRequest, plan_id: PlanId) -> PlanDetailOut:
    """Marks an issued plan as finished (head or admin of the issuer). A draft or a closed plan answers 409."""
    plan = _plan(request, plan_id)
    _not_in_state(request, plan, PlanStatus.ISSUED, _("Only an issued plan can be closed."))
    plan = services.close_plan(actor=caller(request), plan=plan)
    return _fresh_detail(request, plan.pk)


@router.post(
    "/{int:plan_id}/amend", response={201: PlanDetailOut, **WRITE_ERRORS}, summary="Amend an issued plan",
    operation_id="plans_amend",
)
def amend_plan(request: HttpRequest, plan_id: PlanId) -> Status:
    """Starts a new draft version of an issued plan (the original stays in force until the amendment is issued).
    A draft or closed plan, or one with a draft amendment already, answers 409."""
    plan = _plan(request, plan_id)
    _not_in_state(request, plan, PlanStatus.ISSUED, _("Only an issued plan can be amended."))
    try:
        new = services.amend_plan(actor=caller(request), plan=plan)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict") or set(exc.error_dict) != {"__all__"}:
            raise
        raise HttpError(409, " ".join(exc.messages)) from exc
    return Status(201, _fresh_detail(request, new.pk))


@router.get(
    "/{int:plan_id}/export.docx", response={200: None, **READ_ERRORS}, summary="The plan as a Word document",
    operation_id="plans_export_docx",
    openapi_extra={"responses": {200: {
        "description": "The plan in the Decree 30/2020 layout.",
        "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}},
    }}},
)
def export_docx(request: HttpRequest, plan_id: PlanId) -> HttpResponse:
    """The plan as a .docx in the layout of Decree 30/2020 (A4, Times New Roman, national title, signature
    block, Nơi nhận), a draft as well as an issued plan."""
    from .export import export_plan_docx

    plan = _plan(request, plan_id)
    response = HttpResponse(export_plan_docx(plan), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(plan)}"'
    return response


def export_filename(plan: Plan) -> str:
    """E.g. KH-05-2026-xa-Binh-Lu.docx: ASCII, safe in every mail and file system."""
    words = re.findall(r"[A-Za-z0-9]+", strip_diacritics(plan.issuer.name))
    parts = [plan.doc_type or "KH", f"{plan.number:02d}" if plan.number else "", str(plan.number_year or plan.year)]
    name = "-".join(p for p in [*parts, *words] if p)
    return re.sub(r"[^A-Za-z0-9.-]+", "-", name)[:120] + ".docx"


# --------------------------------------------------------------------------- cascade


def _cascade_plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = _plan(request, plan_id)
    if not caller(request).has_perm("plans.view_cascade", plan):
        raise HttpError(403, _("Only the issuing unit follows the plans of the units below it."))
    return plan


def _is_path(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 255 and value.isdigit()


@router.get(
    "/{int:plan_id}/obligations", response={200: ObligationPageOut, **LIST_ERRORS},
    summary="Who has issued their own plan", operation_id="plans_obligations",
)
def obligations(request: HttpRequest, plan_id: PlanId, params: Query[ObligationParams]) -> ObligationPageOut:
    """The counts of the cascade and one page of the units in `state`, in tree order. Only for the issuing unit's
    side (403 for units below, which see the plan but not the others' progress)."""
    plan = _cascade_plan(request, plan_id)
    after = decode_cursor(params.cursor, _is_path)
    summary = queries.obligation_summary(plan, limit=params.limit)
    page = summary[params.state] if after is None else queries.obligations_page(
        plan, params.state, after=after, limit=params.limit, today=summary["today"]
    )
    return ObligationPageOut(
        counts=ObligationCountsOut(**summary["counts"]),
        state=params.state,
        items=[
            ObligationOut(
                id=r.obligation_id, unit_id=r.unit_id, unit_name=r.unit_name, due_on=r.due_on,
                fulfilled_by_id=r.fulfilled_by_id, fulfilled_on=r.fulfilled_on, days_late=r.days_late,
            )
            for r in page.items
        ],
        next_cursor=encode_cursor(page.next_after) if page.next_after else None,
    )


def _is_task_cursor(value: Any) -> bool:
    """``queries.coverage_matrix``'s own position token: digits (a task id, or "order:id")."""
    return isinstance(value, str) and re.fullmatch(r"\d{1,19}(?::\d{1,19})?", value) is not None


@router.get(
    "/{int:plan_id}/coverage", response={200: CoverageOut, **LIST_ERRORS},
    summary="Which subordinate plans carry each task", operation_id="plans_coverage",
)
def coverage(request: HttpRequest, plan_id: PlanId, params: Query[PageParams]) -> CoverageOut:
    """For each task of the plan (a page of them): how many issued subordinate plans carry a task linked to it,
    and how many units with a plan miss it (`gaps`)."""
    plan = _cascade_plan(request, plan_id)
    after = decode_cursor(params.cursor, _is_task_cursor)
    matrix = queries.coverage_matrix(plan, after=after, limit=params.limit)
    return CoverageOut(
        units_in_scope=matrix.units_in_scope, units_with_plan=matrix.units_with_plan,
        units_without_plan=matrix.units_without_plan,
        items=[
            CoverageRowOut(task_id=r.task_id, text=r.text, section_id=r.section_id, linked_plans=r.linked_plans,
                           linked_units=r.linked_units, gaps=r.gaps)
            for r in matrix.rows
        ],
        next_cursor=encode_cursor(matrix.next_after) if matrix.next_after else None,
    )


@router.get(
    "/{int:plan_id}/coverage/{int:part_id}/gaps", response={200: UnitRefPage, **LIST_ERRORS},
    summary="Units whose plan misses a task", operation_id="plans_coverage_gaps",
)
def coverage_gaps(request: HttpRequest, plan_id: PlanId, part_id: PartId, params: Query[PageParams]) -> UnitRefPage:
    """The units (in tree order) whose issued plan derived from this one has no task linked to the task `part_id`:
    the gaps of the coverage matrix. Units with no plan at all are the `pending` and `overdue` obligations."""
    plan = _cascade_plan(request, plan_id)
    task = _part(Task, plan, part_id)
    page = queries.coverage_gaps(plan, task, after=decode_cursor(params.cursor, _is_path), limit=params.limit)
    return UnitRefPage(
        items=[UnitRefOut(id=u.unit_id, name=u.name) for u in page.items],
        next_cursor=encode_cursor(page.next_after) if page.next_after else None,
    )


# --------------------------------------------------------------------------- parts of a draft


@router.post(
    "/{int:plan_id}/sections", response={201: SectionWriteOut, **WRITE_ERRORS}, summary="Add a section",
    operation_id="plans_sections_create", tags=["plan parts"],
)
def add_section(request: HttpRequest, plan_id: PlanId, payload: SectionIn) -> Status:
    """Adds a section at the end of its parent (or of the top level). Drafts only (409 once issued)."""
    plan = _plan(request, plan_id)
    parent = _section(plan, "parent_id", payload.parent_id)
    with _fields(SECTION_FIELDS):
        s = services.add_section(actor=caller(request), plan=plan, title=payload.title, number=payload.number,
                                 parent=parent, expected_version=payload.lock_version)
    depth = 0
    node = parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return Status(201, SectionWriteOut(**section_out(s, depth, []).model_dump(), plan_lock_version=plan.lock_version))


@router.patch(
    "/{int:plan_id}/sections/{int:part_id}", response={200: SectionWriteOut, **WRITE_ERRORS},
    summary="Change a section", operation_id="plans_sections_update", tags=["plan parts"],
)
def update_section(request: HttpRequest, plan_id: PlanId, part_id: PartId, payload: SectionPatchIn) -> SectionWriteOut:
    """Changes the fields sent. Moving a section inside itself is refused (422 on `parent_id`)."""
    plan = _plan(request, plan_id)
    section = _part(PlanSection, plan, part_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"lock_version"})
    if "parent_id" in fields:
        fields["parent"] = _section(plan, "parent_id", fields.pop("parent_id"))
    with _fields(SECTION_FIELDS):
        s = services.update_section(actor=caller(request), section=section, expected_version=payload.lock_version, **fields)
    tasks = [task_out(t) for t in Task.objects.filter(section=s).select_related("lead_unit").order_by("order", "pk")]
    depth = 0
    node = s.parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return SectionWriteOut(**section_out(s, depth, tasks).model_dump(), plan_lock_version=plan.lock_version)


@router.delete(
    "/{int:plan_id}/sections/{int:part_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a section",
    operation_id="plans_sections_delete", tags=["plan parts"],
)
def delete_section(request: HttpRequest, plan_id: PlanId, part_id: PartId, params: Query[LockIn]) -> HttpResponse:
    """Deletes the section with its subsections and their tasks. The plan's `lock_version` goes up by one."""
    plan = _plan(request, plan_id)
    with _fields(SECTION_FIELDS):
        services.delete_section(actor=caller(request), section=_part(PlanSection, plan, part_id),
                                expected_version=params.lock_version)
    return HttpResponse(status=204)


@router.post(
    "/{int:plan_id}/tasks", response={201: TaskWriteOut, **WRITE_ERRORS}, summary="Add a task",
    operation_id="plans_tasks_create", tags=["plan parts"],
)
def add_task(request: HttpRequest, plan_id: PlanId, payload: TaskIn) -> Status:
    """Adds a task at the end of its section. The lead unit must be inside the issuer's part of the tree
    (422 on `lead_unit_id`); the deadline not before the plan's date."""
    plan = _plan(request, plan_id)
    with _fields(TASK_FIELDS):
        t = services.add_task(
            actor=caller(request), plan=plan, text=payload.text, section=_section(plan, "section_id", payload.section_id),
            parent_task=_parent_task(plan, payload.parent_task_id),
            lead_unit=_unit(request, "lead_unit_id", payload.lead_unit_id), due_on=payload.due_on,
            expected_version=payload.lock_version,
        )
    return Status(201, TaskWriteOut(**task_out(t).model_dump(), plan_lock_version=plan.lock_version))


@router.patch(
    "/{int:plan_id}/tasks/{int:part_id}", response={200: TaskWriteOut, **WRITE_ERRORS}, summary="Change a task",
    operation_id="plans_tasks_update", tags=["plan parts"],
)
def update_task(request: HttpRequest, plan_id: PlanId, part_id: PartId, payload: TaskPatchIn) -> TaskWriteOut:
    """Changes the fields sent of a draft's task. Progress on an issued plan goes to `…/progress`."""
    plan = _plan(request, plan_id)
    task = _part(Task, plan, part_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"lock_version"})
    if "section_id" in fields:
        fields["section"] = _section(plan, "section_id", fields.pop("section_id"))
    if "parent_task_id" in fields:
        fields["parent_task"] = _parent_task(plan, fields.pop("parent_task_id"))
    if "lead_unit_id" in fields:
        fields["lead_unit"] = _unit(request, "lead_unit_id", fields.pop("lead_unit_id"))
    with _fields(TASK_FIELDS):
        t = services.update_task(actor=caller(request), task=task, expected_version=payload.lock_version, **fields)
    t = Task.objects.select_related("lead_unit").get(pk=t.pk)
    return TaskWriteOut(**task_out(t).model_dump(), plan_lock_version=plan.lock_version)


@router.delete(
    "/{int:plan_id}/tasks/{int:part_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a task",
    operation_id="plans_tasks_delete", tags=["plan parts"],
)
def delete_task(request: HttpRequest, plan_id: PlanId, part_id: PartId, params: Query[LockIn]) -> HttpResponse:
    """Deletes a task of a draft. The plan's `lock_version` goes up by one."""
    plan = _plan(request, plan_id)
    with _fields(TASK_FIELDS):
        services.delete_task(actor=caller(request), task=_part(Task, plan, part_id), expected_version=params.lock_version)
    return HttpResponse(status=204)


@router.post(
    "/{int:plan_id}/tasks/{int:part_id}/progress", response={200: TaskOut, **WRITE_ERRORS},
    summary="Record a task's progress", operation_id="plans_tasks_progress", tags=["plan parts"],
)
def task_progress(request: HttpRequest, plan_id: PlanId, part_id: PartId, payload: ProgressIn) -> TaskOut:
    """Execution, not drafting: the issuer's editors or the task's lead unit record status and progress while the
    plan runs (also once issued; 409 once closed)."""
    plan = _plan(request, plan_id)
    task = _part(Task, plan, part_id)
    t = services.record_task_progress(
        actor=caller(request), task=task, status=payload.status, progress=payload.progress, note=payload.note
    )
    return task_out(Task.objects.select_related("lead_unit").get(pk=t.pk))


@router.post(
    "/{int:plan_id}/targets", response={201: TargetWriteOut, **WRITE_ERRORS}, summary="Add a target",
    operation_id="plans_targets_create", tags=["plan parts"],
)
def add_target(request: HttpRequest, plan_id: PlanId, payload: TargetIn) -> Status:
    """Adds a measurable target at the end of the list."""
    plan = _plan(request, plan_id)
    with _fields(TARGET_FIELDS):
        t = services.add_target(
            actor=caller(request), plan=plan, text=payload.text, value=payload.value, unit=payload.unit,
            measurement=payload.measurement, indicator_code=payload.indicator_code,
            scope_kinds=_kinds("scope_kinds", payload.scope_kinds),
            parent_target=_parent_target(plan, payload.parent_target_id), expected_version=payload.lock_version,
        )
    return Status(201, _target_write(t, plan))


def _target_write(t: Target, plan: Plan) -> TargetWriteOut:
    kinds = sorted(t.scope_kinds.values_list("code", flat=True))
    return TargetWriteOut(**target_out(t, kinds).model_dump(), plan_lock_version=plan.lock_version)


@router.patch(
    "/{int:plan_id}/targets/{int:part_id}", response={200: TargetWriteOut, **WRITE_ERRORS},
    summary="Change a target", operation_id="plans_targets_update", tags=["plan parts"],
)
def update_target(request: HttpRequest, plan_id: PlanId, part_id: PartId, payload: TargetPatchIn) -> TargetWriteOut:
    """Changes the fields sent of a draft's target. The measured value goes to `…/value`."""
    plan = _plan(request, plan_id)
    target = _part(Target, plan, part_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"lock_version"})
    if "scope_kinds" in fields:
        fields["scope_kinds"] = _kinds("scope_kinds", fields["scope_kinds"])
    if "parent_target_id" in fields:
        fields["parent_target"] = _parent_target(plan, fields.pop("parent_target_id"))
    for name in ("unit", "indicator_code"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    if "measurement" in fields and fields["measurement"] is None:
        fields.pop("measurement")
    with _fields(TARGET_FIELDS):
        t = services.update_target(actor=caller(request), target=target, expected_version=payload.lock_version, **fields)
    return _target_write(t, plan)


@router.delete(
    "/{int:plan_id}/targets/{int:part_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a target",
    operation_id="plans_targets_delete", tags=["plan parts"],
)
def delete_target(request: HttpRequest, plan_id: PlanId, part_id: PartId, params: Query[LockIn]) -> HttpResponse:
    """Deletes a target of a draft. The plan's `lock_version` goes up by one."""
    plan = _plan(request, plan_id)
    with _fields(TARGET_FIELDS):
        services.delete_target(actor=caller(request), target=_part(Target, plan, part_id),
                               expected_version=params.lock_version)
    return HttpResponse(status=204)


@router.post(
    "/{int:plan_id}/targets/{int:part_id}/value", response={200: TargetOut, **WRITE_ERRORS},
    summary="Record a target's current value", operation_id="plans_targets_value", tags=["plan parts"],
)
def target_value(request: HttpRequest, plan_id: PlanId, part_id: PartId, payload: TargetValueIn) -> TargetOut:
    """The value measured now, while the plan runs (editors of the issuer; 409 once closed)."""
    plan = _plan(request, plan_id)
    t = services.record_target_value(
        actor=caller(request), target=_part(Target, plan, part_id), current_value=payload.current_value,
        status=payload.status,
    )
    return target_out(t, sorted(t.scope_kinds.values_list("code", flat=True)))


@router.post(
    "/{int:plan_id}/assignments", response={201: AssignmentWriteOut, **WRITE_ERRORS}, summary="Add an assignment",
    operation_id="plans_assignments_create", tags=["plan parts"],
)
def add_assignment(request: HttpRequest, plan_id: PlanId, payload: AssignmentIn) -> Status:
    """Adds a line of “Tổ chức thực hiện”. Units must be inside the issuer's part of the tree (422 naming the field)."""
    plan = _plan(request, plan_id)
    with _fields(ASSIGNMENT_FIELDS):
        a = services.add_assignment(
            actor=caller(request), plan=plan, unit_name=payload.unit_name, role=payload.role,
            unit=_unit(request, "unit_id", payload.unit_id), duties=payload.duties, due_on=payload.due_on,
            task=_own_task(plan, payload.task_id), co_units=_units(request, "co_unit_ids", payload.co_unit_ids),
            expected_version=payload.lock_version,
        )
    return Status(201, _assignment_write(a, plan))


def _assignment_write(a: Assignment, plan: Plan) -> AssignmentWriteOut:
    co = sorted(a.co_units.values_list("pk", flat=True))
    return AssignmentWriteOut(**assignment_out(a, co).model_dump(), plan_lock_version=plan.lock_version)


@router.patch(
    "/{int:plan_id}/assignments/{int:part_id}", response={200: AssignmentWriteOut, **WRITE_ERRORS},
    summary="Change an assignment", operation_id="plans_assignments_update", tags=["plan parts"],
)
def update_assignment(
    request: HttpRequest, plan_id: PlanId, part_id: PartId, payload: AssignmentPatchIn
) -> AssignmentWriteOut:
    """Changes the fields sent of a draft's assignment."""
    plan = _plan(request, plan_id)
    assignment = _part(Assignment, plan, part_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"lock_version"})
    if "unit_id" in fields:
        fields["unit"] = _unit(request, "unit_id", fields.pop("unit_id"))
    if "co_unit_ids" in fields:
        fields["co_units"] = _units(request, "co_unit_ids", fields.pop("co_unit_ids") or [])
    if "task_id" in fields:
        fields["task"] = _own_task(plan, fields.pop("task_id"))
    for name in ("unit_name", "duties"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    if "role" in fields and fields["role"] is None:
        fields.pop("role")
    with _fields(ASSIGNMENT_FIELDS):
        a = services.update_assignment(
            actor=caller(request), assignment=assignment, expected_version=payload.lock_version, **fields
        )
    return _assignment_write(a, plan)


@router.delete(
    "/{int:plan_id}/assignments/{int:part_id}", response={204: None, **WRITE_ERRORS}, summary="Delete an assignment",
    operation_id="plans_assignments_delete", tags=["plan parts"],
)
def delete_assignment(request: HttpRequest, plan_id: PlanId, part_id: PartId, params: Query[LockIn]) -> HttpResponse:
    """Deletes an assignment of a draft. The plan's `lock_version` goes up by one."""
    plan = _plan(request, plan_id)
    with _fields(ASSIGNMENT_FIELDS):
        services.delete_assignment(actor=caller(request), assignment=_part(Assignment, plan, part_id),
                                   expected_version=params.lock_version)
    return HttpResponse(status=204)


@router.post(
    "/{int:plan_id}/deadlines", response={201: DeadlineWriteOut, **WRITE_ERRORS}, summary="Add a deadline",
    operation_id="plans_deadlines_create", tags=["plan parts"],
)
def add_deadline(request: HttpRequest, plan_id: PlanId, payload: DeadlineIn) -> Status:
    """Adds a dated duty such as “6-month report before 05/6”; not before the plan's date."""
    plan = _plan(request, plan_id)
    with _fields(DEADLINE_FIELDS):
        d = services.add_deadline(actor=caller(request), plan=plan, text=payload.text, due_on=payload.due_on,
                                  kind=payload.kind, expected_version=payload.lock_version)
    return Status(201, DeadlineWriteOut(**deadline_out(d).model_dump(), plan_lock_version=plan.lock_version))


@router.delete(
    "/{int:plan_id}/deadlines/{int:part_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a deadline",
    operation_id="plans_deadlines_delete", tags=["plan parts"],
)
def delete_deadline(request: HttpRequest, plan_id: PlanId, part_id: PartId, params: Query[LockIn]) -> HttpResponse:
    """Deletes a deadline of a draft. The plan's `lock_version` goes up by one."""
    plan = _plan(request, plan_id)
    with _fields(DEADLINE_FIELDS):
        services.delete_deadline(actor=caller(request), deadline=_part(PlanDeadline, plan, part_id),
                                 expected_version=params.lock_version)
    return HttpResponse(status=204)


@router.patch(
    "/{int:plan_id}/deadlines/{int:part_id}", response={200: DeadlineWriteOut, **WRITE_ERRORS},
    summary="Change a deadline", operation_id="plans_deadlines_update", tags=["plan parts"],
)
def update_deadline(request: HttpRequest, plan_id: PlanId, part_id: PartId, payload: DeadlinePatchIn) -> DeadlineWriteOut:
    """Changes the fields sent of a draft's deadline; the date stays not before the plan's date."""
    plan = _plan(request, plan_id)
    deadline = _part(PlanDeadline, plan, part_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"lock_version"})
    if "text" in fields and fields["text"] is None:
        fields["text"] = ""
    if "kind" in fields and fields["kind"] is None:
        fields.pop("kind")
    with _fields(DEADLINE_FIELDS):
        d = services.update_deadline(actor=caller(request), deadline=deadline, expected_version=payload.lock_version,
                                     **fields)
    return DeadlineWriteOut(**deadline_out(d).model_dump(), plan_lock_version=plan.lock_version)


@router.put(
    "/{int:plan_id}/legal-bases", response={200: LegalBasesOut, **WRITE_ERRORS}, summary="Set a draft's legal bases",
    operation_id="plans_legal_bases_set", tags=["plan parts"],
)
def set_legal_bases(request: HttpRequest, plan_id: PlanId, payload: LegalBasesIn) -> LegalBasesOut:
    """Replaces the list of documents the draft is based on, in the order sent (a repeated id counts once).
    Every id must be a registry document (422 on `document_ids`); a stale `lock_version` → 409, nothing saved."""
    plan = _plan(request, plan_id)
    documents = _documents(payload.document_ids, "document_ids")
    with _fields(DEADLINE_FIELDS):
        services.set_legal_bases(actor=caller(request), plan=plan, documents=documents,
                                 expected_version=payload.lock_version)
    links = plan.basis_links.select_related("document").order_by("order", "pk")
    return LegalBasesOut(legal_bases=[document_out(link.document) for link in links], lock_version=plan.lock_version)
