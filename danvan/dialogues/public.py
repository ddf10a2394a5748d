"""What the public may read of dialogues and commitments: each read one bounded query, no personal data.

A dialogue is public when it is marked for the portal, not deleted and not cancelled (a planned one is
an announcement). A commitment is public when it and its dialogue are. What is shown of a commitment is
what was promised, by which unit (never the person responsible: the owner is a unit), by when, its
state and the result; of a dialogue, its kind, date, place, who chaired it, how many took part and the
topics — not the minutes, which name the citizens who spoke.

The state of a commitment is the officials' one (``queries.state`` / ``queries.state_q``): done on time,
done late, dropped, overdue, due within ``DUE_SOON_DAYS`` days, on track. ``state`` here answers it for
a row read with ``values()`` (the public reads fetch columns, not model instances); a test holds the two
to the same answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.disclosures.public import one_row, scalar
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from .models import OPEN_STATUSES, Commitment, CommitmentStatus, Dialogue, DialogueKind, DialogueStatus
from .queries import DUE_SOON_DAYS, STATES, state_q

__all__ = ["DUE_SOON_DAYS", "STATES", "STATE_LABELS", "Summary", "state", "state_q"]

SECTION_DIALOGUES = 5
SECTION_ROWS = 40
DIALOGUE_COMMITMENTS_MAX = 300
PAGE_SIZE = 50
MAX_PAGE = 1000

STATE_LABELS = {
    "done_on_time": _("Done on time"),
    "done_late": _("Done late"),
    "dropped": _("Cannot be done"),
    "overdue": _("Overdue"),
    "due_soon": _("Due soon"),
    "on_track": _("In progress, on time"),
}


def state(status: str, due_on: dt.date | None, done_on: dt.date | None, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if status == CommitmentStatus.DONE:
        return "done_late" if due_on and done_on and done_on > due_on else "done_on_time"
    if status == CommitmentStatus.DROPPED:
        return "dropped"
    if due_on is None:
        return "on_track"
    if due_on < today:
        return "overdue"
    if due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "on_track"


def _label(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    row["state"] = state(row["status"], row["due_on"], row["done_on"], today)
    row["state_label"] = STATE_LABELS[row["state"]]
    return row


def public_dialogues() -> QuerySet[Dialogue]:
    return Dialogue.objects.filter(is_public=True, deleted_at__isnull=True).exclude(status=DialogueStatus.CANCELLED)


def public_commitments() -> QuerySet[Commitment]:
    return Commitment.objects.filter(is_public=True, deleted_at__isnull=True, dialogue__is_public=True,
                                     dialogue__deleted_at__isnull=True).exclude(
        dialogue__status=DialogueStatus.CANCELLED)


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class Summary:
    made: int
    done: int
    kept_on_time: int
    overdue: int
    open: int
    dropped: int

    @property
    def kept_share(self) -> float | None:
        """Share of the commitments that fell due (or were done) kept on time; None before any did."""
        settled = self.done + self.overdue + self.dropped
        return round(100 * self.kept_on_time / settled, 1) if settled else None


def summarise(qs: QuerySet[Commitment], today: dt.date | None = None) -> Summary:
    """One aggregate query over the commitments given."""
    today = today or timezone.localdate()
    row = qs.aggregate(
        made=Count("pk"), done=Count("pk", filter=Q(status=CommitmentStatus.DONE)),
        kept=Count("pk", filter=state_q("done_on_time", today)),
        overdue=Count("pk", filter=state_q("overdue", today)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        dropped=Count("pk", filter=Q(status=CommitmentStatus.DROPPED)))
    return Summary(row["made"], row["done"], row["kept"], row["overdue"], row["open"], row["dropped"])


def unit_summary(unit: OrgUnit, today: dt.date | None = None) -> Summary:
    """The public commitments the unit made at its dialogues or must keep itself."""
    return summarise(public_commitments().filter(Q(dialogue__org_unit_id=unit.pk) | Q(owner_unit_id=unit.pk)),
                     today)


# --------------------------------------------------------------------------- the unit page's section


def recent_with_commitments(unit: OrgUnit, today: dt.date | None = None,
                            dialogues: int = SECTION_DIALOGUES) -> tuple[list[dict[str, Any]], bool]:
    """The unit's latest public dialogues, each with its public commitments, in one query.

    The second value says whether some commitments were left out (at most ``SECTION_ROWS`` rows)."""
    today = today or timezone.localdate()
    recent = public_dialogues().filter(org_unit_id=unit.pk).order_by("-held_on", "-pk").values("pk")[:dialogues]
    rows = list(
        Dialogue.objects.filter(pk__in=recent)
        .annotate(pc=FilteredRelation("commitments", condition=Q(commitments__is_public=True,
                                                                 commitments__deleted_at__isnull=True)))
        .order_by("-held_on", "-pk", "pc__number", "pc__pk")
        .values("pk", "title", "kind", "held_on", "status", "pc__pk", "pc__number", "pc__text", "pc__due_on",
                "pc__status", "pc__done_on", "pc__owner_unit__name")[:SECTION_ROWS + 1])
    cut = len(rows) > SECTION_ROWS
    kinds = dict(DialogueKind.choices)
    out: list[dict[str, Any]] = []
    for r in rows[:SECTION_ROWS]:
        if not out or out[-1]["pk"] != r["pk"]:
            out.append({"pk": r["pk"], "title": r["title"], "kind_label": kinds.get(r["kind"], r["kind"]),
                        "held_on": r["held_on"], "status": r["status"], "commitments": []})
        if r["pc__pk"] is not None:
            out[-1]["commitments"].append(_label({
                "pk": r["pc__pk"], "number": r["pc__number"], "text": r["pc__text"], "due_on": r["pc__due_on"],
                "status": r["pc__status"], "done_on": r["pc__done_on"], "owner": r["pc__owner_unit__name"]}, today))
    return out, cut


# --------------------------------------------------------------------------- pages


def dialogue_or_none(pk: int) -> Dialogue | None:
    return (public_dialogues().select_related("org_unit")
            .only("pk", "title", "kind", "held_on", "starts_at", "place", "chaired_by", "participants",
                  "participant_groups", "topics", "status", "previous_id", "org_unit__id", "org_unit__name",
                  "org_unit__valid_to")
            .filter(pk=pk).first())


_COMMITMENT_FIELDS = ("pk", "number", "text", "due_on", "status", "done_on", "evidence", "owner_unit__name",
                      "owner_unit_id")


def dialogue_commitments(dialogue: Dialogue, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The dialogue's public commitments in their order, with their states (one query, bounded)."""
    today = today or timezone.localdate()
    rows = (Commitment.objects.filter(dialogue_id=dialogue.pk, is_public=True, deleted_at__isnull=True)
            .order_by("number", "pk").values(*_COMMITMENT_FIELDS)[:DIALOGUE_COMMITMENTS_MAX])
    return [_label(r, today) for r in rows]


def reported_back_here(dialogue: Dialogue, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The public commitments of earlier dialogues reported back at this one (one query, bounded)."""
    today = today or timezone.localdate()
    rows = (public_commitments().filter(reported_at_id=dialogue.pk)
            .order_by("dialogue__held_on", "dialogue_id", "number", "pk")
            .values(*_COMMITMENT_FIELDS, "dialogue_id", "dialogue__title", "dialogue__held_on")
            [:DIALOGUE_COMMITMENTS_MAX])
    return [_label(r, today) for r in rows]


def unit_commitments(unit: OrgUnit, state_name: str = "", page: int = 1,
                     today: dt.date | None = None) -> tuple[list[dict[str, Any]], bool]:
    """The public commitments the unit made or must keep, a page at a time, the soonest due first."""
    today = today or timezone.localdate()
    page = max(1, min(page, MAX_PAGE))
    start = (page - 1) * PAGE_SIZE
    qs = public_commitments().filter(Q(dialogue__org_unit_id=unit.pk) | Q(owner_unit_id=unit.pk))
    if state_name in STATES:
        qs = qs.filter(state_q(state_name, today))
    rows = list(qs.order_by("due_on", "pk")
                .values(*_COMMITMENT_FIELDS, "dialogue_id", "dialogue__title", "dialogue__held_on",
                        "dialogue__org_unit__name")[start:start + PAGE_SIZE + 1])
    return [_label(r, today) for r in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


def unit_dialogues(unit: OrgUnit, page: int = 1) -> tuple[list[dict[str, Any]], bool]:
    """The unit's public dialogues, newest first, with the number of their public commitments (one query)."""
    page = max(1, min(page, MAX_PAGE))
    start = (page - 1) * PAGE_SIZE
    rows: list[dict[str, Any]] = [dict(r) for r in public_dialogues().filter(org_unit_id=unit.pk)
                .annotate(n=Count("commitments", filter=Q(commitments__is_public=True,
                                                          commitments__deleted_at__isnull=True)))
                .order_by("-held_on", "-pk")
                .values("pk", "title", "kind", "held_on", "status", "place", "n")[start:start + PAGE_SIZE + 1]]
    kinds = dict(DialogueKind.choices)
    for r in rows:
        r["kind_label"] = kinds.get(r["kind"], r["kind"])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


# --------------------------------------------------------------------------- figures (open data, report)


def subtree_figures(unit: OrgUnit, date_from: dt.date, date_to: dt.date, exclude_paths: list[str] | None = None,
                    today: dt.date | None = None) -> dict[str, int | None]:
    """Counts of the dialogues the subtree held in the range and of the commitments made there (one query).

    All records count, public or not: these are totals, never rows. ``commitments_kept`` are the ones made
    in the range and done by their due date (and by ``date_to``); ``commitments_overdue`` are those made up to
    ``date_to`` still not done on ``date_to`` (or today, if earlier) past their due date. ``participants`` is
    None when dialogues were held but none has its number of participants.
    """
    as_of = min(date_to, today or timezone.localdate())

    def scoped(qs: QuerySet[Any], prefix: str) -> QuerySet[Any]:
        qs = qs.filter(subtree_q([unit.path], prefix=prefix))
        return qs.exclude(subtree_q(exclude_paths, prefix=prefix)) if exclude_paths else qs

    held = scoped(Dialogue.objects.filter(deleted_at__isnull=True, status=DialogueStatus.HELD,
                                          held_on__gte=date_from, held_on__lte=date_to), "org_unit__")
    commitments = scoped(Commitment.objects.filter(deleted_at__isnull=True, dialogue__deleted_at__isnull=True,
                                                   dialogue__held_on__lte=date_to)
                         .exclude(dialogue__status=DialogueStatus.CANCELLED), "dialogue__org_unit__")
    made = commitments.filter(dialogue__held_on__gte=date_from)
    not_done_then = Q(status__in=OPEN_STATUSES) | Q(status=CommitmentStatus.DONE, done_on__gt=as_of)
    row = one_row(unit, {
        "held": scalar(held), "front_held": scalar(held.filter(kind=DialogueKind.FRONT)),
        "people": scalar(held, "SUM", "participants"), "counted": scalar(held, "COUNT", "participants"),
        "commitments_made": scalar(made),
        "commitments_kept": scalar(made.filter(status=CommitmentStatus.DONE, done_on__lte=F("due_on"))
                                   .filter(done_on__lte=date_to)),
        "commitments_overdue": scalar(commitments.filter(not_done_then, due_on__lt=as_of)),
    })
    people, counted = row.pop("people"), row.pop("counted")
    row["participants"] = people if counted or not row["held"] else None
    return row
