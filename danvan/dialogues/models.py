"""Dialogues between leaders and citizens, and the promises made there.

Every promise a head makes at a dialogue, a voter meeting or an interpellation becomes a
``Commitment`` with an owner unit and a due date, so that it can be reminded, shown to the public,
counted in the reports ("commitments kept on time") and reported back at the next dialogue. A
commitment is kept on time when it is done on or before its due date; ``done_on`` is stored, so the
count is one filter.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from danvan.core.models import StoredFile, TimeStampedModel
from danvan.orgs.queries import UnitScopedQuerySet
from danvan.orgs.scope import visible_q


class DialogueKind(models.TextChoices):
    CITIZENS = "citizens", _("Dialogue of the head with citizens")
    BUSINESSES = "businesses", _("Dialogue of the head with businesses")
    FRONT = "front", _("Dialogue of the commune committee with the Fatherland Front")
    VOTERS = "voters", _("Voter meeting")
    INTERPELLATION = "interpellation", _("Council interpellation session")
    OTHER = "other", _("Other dialogue")


class DialogueStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Dialogue(TimeStampedModel):
    """A meeting where leaders hear citizens (or voters, businesses, the Front) and answer them."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="dialogues",
                                 verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=16, choices=DialogueKind.choices)
    title = models.CharField(_("title"), max_length=255)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    chaired_by = models.CharField(_("chaired by"), max_length=255, blank=True,
                                  help_text=_("Name and position of who chaired it."))
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    participant_groups = models.CharField(_("who took part"), max_length=500, blank=True)
    topics = models.TextField(_("topics"), blank=True, max_length=10000)
    minutes = models.TextField(_("minutes"), blank=True, max_length=50000)
    status = models.CharField(_("status"), max_length=10, choices=DialogueStatus.choices,
                              default=DialogueStatus.PLANNED)
    is_public = models.BooleanField(_("shown on the public portal"), default=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("previous dialogue"),
                                 help_text=_("Its commitments are reported back at this one."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        indexes = [models.Index(fields=["org_unit", "held_on"], name="dialogues_unit_date_idx")]

    def __str__(self) -> str:
        return self.title


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Not yet done")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Cannot be done (explained)")


OPEN_STATUSES = (CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)


class CommitmentQuerySet(UnitScopedQuerySet):
    """Commitments are seen by whoever sees the dialogue's unit or the owner unit."""

    unit_field = "dialogue__org_unit"

    def visible_to(self, user: Any, roles: frozenset[str] | set[str] | None = None) -> models.QuerySet:
        host = visible_q(user, prefix="dialogue__org_unit__", roles=roles)
        if host is None:
            return self
        owner = visible_q(user, prefix="owner_unit__", roles=roles)
        return self.filter(host | owner if owner is not None else host)

    def live(self) -> CommitmentQuerySet:
        return self.filter(deleted_at__isnull=True, dialogue__deleted_at__isnull=True)

    def kept_on_time(self) -> CommitmentQuerySet:
        return self.filter(status=CommitmentStatus.DONE, done_on__lte=F("due_on"))


class Commitment(TimeStampedModel):
    """A promise made at a dialogue: what, by which unit, by when; its progress and evidence."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="commitments",
                                 verbose_name=_("dialogue"))
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    text = models.TextField(_("commitment"), max_length=2000)
    owner_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="commitments",
                                   verbose_name=_("owner unit"))
    owner_person = models.CharField(_("person responsible"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("result and evidence"), blank=True, max_length=10000)
    is_public = models.BooleanField(_("shown on the public portal"), default=True)
    reported_at = models.ForeignKey(Dialogue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("reported back at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["dialogue", "number", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(condition=~Q(status="done") | Q(done_on__isnull=False),
                                   name="dialogues_commitment_done_date"),
        ]
        indexes = [
            models.Index(fields=["owner_unit", "status", "due_on"], name="dialogues_commit_owner_idx"),
            models.Index(fields=["status", "due_on"], name="dialogues_commit_due_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class CommitmentUpdate(models.Model):
    """A step of a commitment's progress, kept in order (the history the next dialogue reads)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates",
                                   verbose_name=_("commitment"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    status = models.CharField(_("status"), max_length=12, choices=CommitmentStatus.choices)
    note = models.TextField(_("note"), blank=True, max_length=5000)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("commitment update")
        verbose_name_plural = _("commitment updates")

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.status}"


class Attachment(StoredFile):
    """A file of a dialogue (minutes, photos) or a commitment's evidence."""

    dialogue = models.ForeignKey(Dialogue, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="attachments")
    commitment = models.ForeignKey(Commitment, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="attachments")

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(condition=Q(dialogue__isnull=True) ^ Q(commitment__isnull=True),
                                   name="dialogues_attachment_one_owner"),
        ]
