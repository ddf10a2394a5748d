"""The petition workflow as data: which action moves a case from which states to which, who may, with what.

Circular 05/2021 and the complaint and denunciation laws (DOMAIN.md §3–5) describe the steps;
this table is the one place that says which are allowed, so the service, the permission rules,
the pages (which buttons to show) and the API (which actions exist) all read it instead of
repeating the rules. ``danvan.petitions.services.transition`` applies an action; ``rules.py``
turns each row's roles into a ``petitions.<action>_petition`` permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from danvan.orgs.roles import Role

from .models import OPEN_STATUSES, PetitionKind, PetitionStatus

S = PetitionStatus
K = PetitionKind

# Who does which part of the work (a role on a unit holds on its whole subtree; an administrator does everything).
INTAKE_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.OFFICER, Role.ADMIN})
HANDLING_ROLES = frozenset({Role.CASE_HANDLER, Role.OFFICER, Role.HEAD, Role.ADMIN})
SIGNING_ROLES = frozenset({Role.HEAD, Role.ADMIN})
# Roles that may be assigned as a case's handler (and so may reveal a whistleblower's identity).
ASSIGNABLE_ROLES = HANDLING_ROLES

# A case that is still being worked on, including one waiting while suspended or withdrawn from.
WITHDRAWABLE = frozenset({*OPEN_STATUSES, S.SUSPENDED})


class FilingGround(models.TextChoices):
    """The only grounds on which a petition may be filed away (Circular 05/2021 Art. 6, Art. 11)."""

    INELIGIBLE = "ineligible", _("Does not meet the conditions for handling")
    OUT_OF_TIME = "out_of_time", _("Filed after the time limit")
    FINALLY_DECIDED = "finally_decided", _("Already finally decided, no new facts")
    ILLEGIBLE = "illegible", _("Illegible or content unclear")
    DUPLICATE = "duplicate", _("Duplicate of a petition already handled")
    ANONYMOUS_DENUNCIATION = "anonymous_denunciation", _("Anonymous denunciation")


class ComplexCriterion(models.TextChoices):
    """Why a complaint is complex (Decree 155/2026, new Art. 3a): recorded in writing in the case file."""

    SEVERAL_SITES = "several_sites", _("Verification at two or more places")
    SEVERAL_CONTENTS = "several_contents", _("Two or more contents")
    MANY_FILERS = "many_filers", _("Many complainants")
    FOREIGN_ELEMENT = "foreign_element", _("A foreign element")
    SEVERAL_AGENCIES = "several_agencies", _("Several agencies involved")
    AGENCIES_DISAGREE = "agencies_disagree", _("The agencies involved disagree")
    CONTRADICTORY_EVIDENCE = "contradictory_evidence", _("Contradictory evidence")


class Competence(models.TextChoices):
    OWN = "own", _("Within this unit's competence")
    OTHER = "other", _("Within another body's competence")


@dataclass(frozen=True)
class Action:
    """One row of the table.

    ``target`` None means the new state depends on the case (resume returns to the state before the
    suspension, reopen to the state asked for, extend keeps the state). ``required`` and ``optional``
    name the data the action takes; anything else is refused. ``kinds`` limits the action to some
    kinds of petition (None: every kind).
    """

    name: str
    label: Any  # a lazy translation
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    kinds: frozenset[str] | None = None

    def allows_state(self, status: str) -> bool:
        return status in self.sources

    def allows_kind(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


def _a(name: str, label: Any, sources: set[str] | frozenset[str], target: str | None, roles: frozenset[str],
       required: tuple[str, ...] = (), optional: tuple[str, ...] = (), kinds: set[str] | None = None) -> Action:
    return Action(name, label, frozenset(sources), target, roles, required, optional,
                  frozenset(kinds) if kinds is not None else None)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _a("classify", _("Classify"), {S.RECEIVED}, S.CLASSIFIED, INTAKE_ROLES,
           required=("kind", "field", "eligible", "competence"),
           optional=("is_complex", "complex_criteria", "is_remote", "reason")),
        _a("accept", _("Accept for resolution"), {S.CLASSIFIED}, S.ACCEPTED, HANDLING_ROLES,
           required=("accepted_on",), optional=("reason",), kinds={K.COMPLAINT, K.DENUNCIATION}),
        _a("forward", _("Forward"), {S.CLASSIFIED}, S.FORWARDED, INTAKE_ROLES,
           optional=("to_unit", "to_name", "reason")),
        _a("guide", _("Guide the filer"), {S.CLASSIFIED}, S.GUIDED, INTAKE_ROLES, required=("reason",)),
        _a("file_away", _("File away"), {S.CLASSIFIED}, S.FILED_AWAY, INTAKE_ROLES,
           required=("ground",), optional=("reason",)),
        _a("start_verification", _("Start verification"), {S.ACCEPTED}, S.VERIFYING, HANDLING_ROLES,
           optional=("reason",)),
        _a("extend", _("Extend the resolution time"), {S.ACCEPTED, S.VERIFYING}, None, HANDLING_ROLES,
           required=("reason",), optional=("decision_number",), kinds={K.DENUNCIATION}),
        _a("resolve", _("Resolve"), {S.ACCEPTED, S.VERIFYING}, S.RESOLVED, HANDLING_ROLES,
           required=("decision_number", "decision_on", "outcome"), optional=("reason",)),
        # Recommendations and feedback are not "accepted for resolution": the unit answers them.
        _a("reply", _("Reply to the citizen"), {S.CLASSIFIED}, S.RESOLVED, HANDLING_ROLES,
           required=("reason",), optional=("decision_number", "decision_on"),
           kinds={K.RECOMMENDATION, K.FEEDBACK}),
        _a("close", _("Close"), {S.RESOLVED, S.FORWARDED, S.GUIDED, S.FILED_AWAY}, S.CLOSED, SIGNING_ROLES,
           optional=("reason",)),
        _a("suspend", _("Suspend"), {S.ACCEPTED, S.VERIFYING}, S.SUSPENDED, HANDLING_ROLES,
           required=("reason",), optional=("suspended_on",)),
        _a("resume", _("Resume"), {S.SUSPENDED}, None, HANDLING_ROLES, optional=("resumed_on", "reason")),
        _a("withdraw", _("Record a withdrawal"), WITHDRAWABLE, S.WITHDRAWN, INTAKE_ROLES | HANDLING_ROLES,
           required=("reason",)),
        _a("reopen", _("Reopen"), {S.CLOSED, S.RESOLVED, S.FILED_AWAY}, None, SIGNING_ROLES,
           required=("to", "reason")),
    )
}

# Where a reopened case may go back to.
REOPEN_TARGETS = (S.ACCEPTED, S.CLASSIFIED)
# Actions whose result is the same state they started from.
SAME_STATE = frozenset({"extend"})


def action(name: str) -> Action | None:
    return ACTIONS.get(name)


def actions_from(status: str, kind: str) -> list[Action]:
    """The actions the state and kind allow (permission is checked separately, in rules.py)."""
    return [a for a in ACTIONS.values() if a.allows_state(status) and a.allows_kind(kind)]
