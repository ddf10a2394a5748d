"""Legal deadlines as data: each period with the dates between which the law set it.

Laws change (the complaint acceptance period went from 10 to 7 working days on 1 July 2026), and a
case is computed under the rule in force on the day that matters, so a rule is never edited in
place: a new row with its own ``effective_from`` supersedes the old one, which keeps applying to
older cases. ``danvan.petitions.deadlines`` reads these rows; nothing else hard-codes a period.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from danvan.core.models import TimeStampedModel
from danvan.orgs.queries import UnitScopedQuerySet


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


# --------------------------------------------------------------------------- petitions (issue #5)


class PetitionKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    DENUNCIATION = "denunciation", _("Denunciation")
    RECOMMENDATION = "recommendation", _("Recommendation")
    FEEDBACK = "feedback", _("Feedback")
    MIXED = "mixed", _("Mixed content")


class Channel(models.TextChoices):
    RECEPTION = "reception", _("At a citizen reception")
    DIRECT = "direct", _("Handed in at the office")
    POST = "post", _("By post")
    ONLINE = "online", _("On the public site")
    FORWARDED = "forwarded", _("Forwarded by another body")


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    CLASSIFIED = "classified", _("Classified")
    ACCEPTED = "accepted", pgettext_lazy("petition status", "Accepted for resolution")
    FORWARDED = "forwarded", _("Forwarded")
    GUIDED = "guided", _("Filer guided")
    FILED_AWAY = "filed_away", _("Filed away")
    VERIFYING = "verifying", _("Under verification")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", pgettext_lazy("petition status", "Closed")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which the case is still being worked on (a deadline runs, it is on the work list).
OPEN_STATUSES = (
    PetitionStatus.RECEIVED, PetitionStatus.CLASSIFIED, PetitionStatus.ACCEPTED, PetitionStatus.VERIFYING,
)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld in full")
    PARTLY = "partly", _("Partly upheld")
    REJECTED = "rejected", _("Rejected")


class PetitionField(models.Model):
    """The field a petition is about (land, compensation and site clearance, social policy, …): a table."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")

    def __str__(self) -> str:
        return self.name


class PetitionQuerySet(UnitScopedQuerySet):
    unit_field = "org_unit"

    def alive(self) -> PetitionQuerySet:
        return self.filter(deleted_at__isnull=True)


class Petition(TimeStampedModel):
    """A petition (đơn, thư) as the unit handling it holds it: numbered on arrival, then worked through.

    For a denunciation the filer's identity is never stored here: it lives encrypted in
    ``FilerIdentity``, readable only by the case's handlers; ``filer_name`` stays empty.
    """

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="petitions", verbose_name=_("handling unit")
    )
    number = models.PositiveIntegerField(_("number"))
    number_year = models.PositiveSmallIntegerField(_("numbering year"))
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("received through"), max_length=12, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=15, choices=PetitionKind.choices)
    field = models.ForeignKey(
        PetitionField, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("field")
    )
    round = models.PositiveSmallIntegerField(_("round"), null=True, blank=True)
    first_round = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="second_rounds",
        verbose_name=_("first-round complaint"),
    )
    summary = models.CharField(_("summary"), max_length=500)
    content = models.TextField(_("content"), blank=True)
    filer_name = models.CharField(_("filer"), max_length=200, blank=True)
    filer_address = models.CharField(_("filer's address"), max_length=300, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    signers = models.PositiveSmallIntegerField(_("number of signers"), default=1)
    forwarded_by = models.CharField(_("forwarded by"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PetitionStatus.choices, default=PetitionStatus.RECEIVED)
    is_complex = models.BooleanField(_("complex"), default=False)
    complex_criteria = models.JSONField(_("why it is complex"), default=list, blank=True)
    is_remote = models.BooleanField(_("remote area"), default=False)
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    forwarded_to = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("forwarded to")
    )
    forwarded_to_name = models.CharField(_("forwarded to (as written)"), max_length=255, blank=True)
    decision_number = models.CharField(_("decision or conclusion number"), max_length=50, blank=True)
    decision_on = models.DateField(_("decision date"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    next_due = models.DateField(_("next deadline"), null=True, blank=True)
    next_due_key = models.CharField(_("next deadline for"), max_length=20, blank=True)
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    suspended_days = models.PositiveIntegerField(_("days suspended"), default=0)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "number_year", "number"], name="petitions_number_unique"),
            models.UniqueConstraint(
                fields=["org_unit", "idempotency_key"], condition=~Q(idempotency_key=""),
                name="petitions_idempotency_unique",
            ),
            models.CheckConstraint(condition=Q(round__isnull=True) | Q(round__in=[1, 2]), name="petitions_round"),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("received_on")),
                name="petitions_accepted_after_received",
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "status", "next_due"], name="petitions_worklist_idx"),
            models.Index(fields=["status", "next_due"], name="petitions_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.number_year}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PetitionEvent(models.Model):
    """One step of a case: who moved it, when, from which state to which, why, with which notice."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=12, choices=PetitionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=PetitionStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    notice_number = models.CharField(_("notice number"), max_length=50, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.from_status}→{self.to_status}"


class FilerIdentity(models.Model):
    """A denunciation filer's identity, encrypted (Fernet); see danvan.petitions.identity for who reads it."""

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="identity")
    ciphertext = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("filer's identity (encrypted)")
        verbose_name_plural = _("filers' identities (encrypted)")

    def __str__(self) -> str:
        return f"identity of {self.petition_id}"  # never the content


class CaseHandler(models.Model):
    """A user assigned to handle a case: the only people who may reveal a whistleblower's identity."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="handlers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case handler")
        verbose_name_plural = _("case handlers")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "user"], condition=Q(revoked_at__isnull=True), name="petitions_handler_unique_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} ← {self.user_id}"
