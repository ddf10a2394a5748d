"""Legal deadlines as data: each period with the dates between which the law set it.

Laws change (the complaint acceptance period went from 10 to 7 working days on 1 July 2026), and a
case is computed under the rule in force on the day that matters, so a rule is never edited in
place: a new row with its own ``effective_from`` supersedes the old one, which keeps applying to
older cases. ``danvan.petitions.deadlines`` reads these rows; nothing else hard-codes a period.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from danvan.core.models import TimeStampedModel


class RuleKey(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance")
    FORWARD = "forward", _("Forwarding")
    NOTIFICATION = "notification", _("Notification")
    FEEDBACK = "feedback", _("Reply to the citizen")
    RESOLUTION = "resolution", _("Resolution")
    FILING_LIMIT = "filing_limit", _("Filing limit")


class RuleKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    DENUNCIATION = "denunciation", _("Denunciation")
    RECOMMENDATION = "recommendation", _("Recommendation")
    FEEDBACK = "feedback", _("Feedback")
    ANY = "any", _("Any kind")


class Counting(models.TextChoices):
    WORKING_DAYS = "working_days", _("Working days")
    CALENDAR_DAYS = "calendar_days", _("Calendar days")


class DeadlineRule(TimeStampedModel):
    """One legal period for one kind of petition (and round), in force from ``effective_from``."""

    key = models.CharField(_("period"), max_length=20, choices=RuleKey.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    round = models.PositiveSmallIntegerField(
        _("round"), null=True, blank=True, help_text=_("1 or 2 for complaints; empty when the round does not matter.")
    )
    counting = models.CharField(_("counting"), max_length=20, choices=Counting.choices)
    days = models.PositiveSmallIntegerField(_("days"))
    complex_days = models.PositiveSmallIntegerField(_("days when complex"), null=True, blank=True)
    remote_days = models.PositiveSmallIntegerField(_("days in a remote area"), null=True, blank=True)
    remote_complex_days = models.PositiveSmallIntegerField(
        _("days when complex in a remote area"), null=True, blank=True
    )
    extension_days = models.PositiveSmallIntegerField(_("days per extension"), null=True, blank=True)
    max_extensions = models.PositiveSmallIntegerField(_("maximum extensions"), default=0)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True, help_text=_("Last day; empty if still in force."))
    legal_basis = models.CharField(_("legal basis"), max_length=255)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["key", "kind", "round", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "kind", "round", "effective_from"], name="petitions_rule_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="petitions_rule_effective_order",
            ),
            models.CheckConstraint(condition=Q(round__isnull=True) | Q(round__in=[1, 2]), name="petitions_rule_round"),
        ]

    def __str__(self) -> str:
        return f"{self.key}/{self.kind}/{self.round or '-'} {self.effective_from:%d/%m/%Y}: {self.days}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _forget_rules()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        result = super().delete(*args, **kwargs)
        _forget_rules()
        return result


def _forget_rules() -> None:
    """Clear now (later reads in this transaction) and again on commit (reads made meanwhile)."""
    from . import deadlines

    deadlines.clear_cache()
    transaction.on_commit(deadlines.clear_cache)
