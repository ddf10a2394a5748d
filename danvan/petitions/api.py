"""/api/v1/petitions: the legal-deadline calculator, for other systems and officials' tools.

It reads rule data only (nothing about any case or unit), so any authenticated caller may use it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from danvan.api.errors import AUTH_ERRORS, error_responses

from .api_mediation import router as mediation_router
from .api_reception import router as reception_router
from .deadlines import compute_deadlines

router = Router(tags=["petitions"])
router.add_router("/reception", reception_router)
router.add_router("/mediations", mediation_router)


class DeadlineParams(Schema):
    kind: Literal["complaint", "denunciation", "recommendation", "feedback"] = Field(
        description="Kind of petition."
    )
    received: dt.date = Field(description="Day the petition was received (YYYY-MM-DD); not in the future.")
    accepted: dt.date | None = Field(
        None, description="Day it was accepted (YYYY-MM-DD); needed for `resolution_due`; not before `received`."
    )
    round: int = Field(1, ge=1, le=2, description="Complaint round: 1 or 2 (2 only for complaints).")
    complex: bool = Field(
        False, description="Complex case: longer complaint resolution; for a denunciation, verification at several places."
    )
    remote: bool = Field(False, description="Remote or hard-to-reach area (complaints).")
    extensions: int = Field(
        0, ge=0, le=9, description="Extension decisions of a denunciation's resolution (at most the legal maximum)."
    )


class DeadlinesOut(Schema):
    acceptance_due: dt.date | None = Field(description="Last day to accept (or refuse) the petition; null if not applicable.")
    forward_due: dt.date | None = Field(description="Last day to forward it when outside competence; null if not applicable.")
    feedback_due: dt.date | None = Field(description="Last day to reply to the citizen; null if not applicable.")
    resolution_due: dt.date | None = Field(
        description="Last day to resolve it, counted from `accepted`; null without an accepted date or if not applicable."
    )
    rule_version: dt.date = Field(description="The effective date of the rule set used.")


@router.get(
    "/deadlines", response={200: DeadlinesOut, **error_responses(*AUTH_ERRORS, 422)},
    summary="Legal deadlines of a petition", operation_id="petitions_deadlines",
)
def deadlines(request: HttpRequest, params: Query[DeadlineParams]) -> DeadlinesOut:
    """The deadlines the law sets for a petition, under the rules in force on its received / accepted
    dates, counted on the national working-day calendar. Input the law rules out (a date in the
    future, accepted before received, a second round for a denunciation, too many extensions)
    answers 422 with the field."""
    result = compute_deadlines(**params.model_dump())
    return DeadlinesOut(
        acceptance_due=result.acceptance_due, forward_due=result.forward_due, feedback_due=result.feedback_due,
        resolution_due=result.resolution_due, rule_version=dt.date.fromisoformat(result.rule_version),
    )
