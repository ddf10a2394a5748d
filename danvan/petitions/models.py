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
    RETENTION = "retention", _("Retention of filed-away petitions")


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
# Still waiting for its level's decision: open, or suspended (time not counted, still pending).
PENDING_STATUSES = (*OPEN_STATUSES, PetitionStatus.SUSPENDED)


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
    # Duplicates and over-level cases (danvan.petitions.duplicates): the content without marks, and a
    # keyed hash of the filer (never the filer), so matching needs neither the identity nor its key.
    search_text = models.TextField(editable=False, blank=True, default="")
    filer_key = models.CharField(max_length=64, editable=False, blank=True, default="", db_index=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    over_level = models.BooleanField(_("over-level"), default=False)
    over_level_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("still open at the lower level as"),
    )
    prolonged_since = models.DateField(_("prolonged since"), null=True, blank=True)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    visit = models.ForeignKey(
        "ReceptionVisit", null=True, blank=True, on_delete=models.SET_NULL, related_name="petitions",
        verbose_name=_("reception visit"),
    )
    # The public site: a citizen checks an online recommendation with the code and a secret (hashed).
    tracking_code = models.CharField(_("tracking code"), max_length=20, null=True, blank=True, unique=True)
    tracking_secret_hash = models.CharField(max_length=128, blank=True, default="", editable=False)
    published_at = models.DateTimeField(_("result published at"), null=True, blank=True)
    public_summary = models.TextField(_("published result"), blank=True)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Retention (danvan.petitions.retention): once destroyed by a decision, only a tombstone stays.
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True, editable=False)
    destruction = models.ForeignKey(
        "DestructionDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="petitions",
        editable=False, verbose_name=_("destruction decision"),
    )

    objects = PetitionQuerySet.as_manager()

    # Not stored: set by ``services.receive_petition`` on the petition it returns, True when an
    # idempotency key found one already recorded (a retry), so callers answer 200 instead of 201.
    replayed = False
    # Also set there on a new petition: its ``receive`` event and the notice that step issued, if any.
    receive_event: PetitionEvent | None = None
    receive_notice: Notice | None = None

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
            models.Index(fields=["org_unit", "received_on"], name="petitions_unit_received_idx"),
            # Broad work lists (a province, the nation) read the open cases in deadline order (queries.worklist).
            models.Index(
                fields=["next_due", "id"], name="petitions_open_due_idx",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES], deleted_at__isnull=True),
            ),
            # The daily scan (tasks.scan) reads only what it has still to do: open cases not yet told
            # about their current deadline, and pending cases not yet flagged prolonged. A case leaves
            # these indexes once handled, so a day's scan costs that day's cases, not the whole table.
            models.Index(
                fields=["next_due", "id"], name="petitions_to_notify_idx",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES], deleted_at__isnull=True)
                & (Q(overdue_notified_on__isnull=True) | Q(overdue_notified_on__lt=F("next_due"))),
            ),
            models.Index(
                fields=["kind", "received_on"], name="petitions_to_prolong_idx",
                condition=Q(status__in=[*(s.value for s in OPEN_STATUSES), "suspended"], deleted_at__isnull=True,
                            prolonged_since__isnull=True),
            ),
            # The public results page reads the newest published results: a few among millions of cases.
            models.Index(
                fields=["-published_at", "-id"], name="petitions_published_idx",
                condition=Q(published_at__isnull=False, deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.number_year}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class DestructionDecision(TimeStampedModel):
    """A decision to destroy filed-away petitions whose retention period has passed (DOMAIN.md §5).

    Destruction is a legal act by a person: the decision is recorded with its number, date, signer
    and basis, and the petitions it destroyed point at it (their tombstones).
    """

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="destruction_decisions", verbose_name=_("unit")
    )
    number = models.CharField(_("number and symbol"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    decided_on = models.DateField(_("decided on"))
    signer_name = models.CharField(_("signed by"), max_length=200)
    signer_title = models.CharField(_("signer's title"), max_length=200)
    basis = models.TextField(_("reason and legal basis"))
    petition_numbers = models.JSONField(_("petitions destroyed"), default=list, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = UnitScopedQuerySet.as_manager()

    # Not stored: set by ``retention.do_destroy``, True when the same decision was submitted again.
    replayed = False

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("destruction decision")
        verbose_name_plural = _("destruction decisions")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year", "number"], name="petitions_destruction_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number


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


# --------------------------------------------------------------------------- citizen reception


class ReceptionPer(models.TextChoices):
    WEEK = "week", _("a week")
    MONTH = "month", _("a month")


class ReceptionRule(TimeStampedModel):
    """How many days a head of a kind of unit must receive citizens, in force from a date.

    The law sets it per level (province ≥ 1 day a month, commune ≥ 1 day a week, agencies ≥ 1 day a
    month) and the 2026 amendment may change it, so it is data with effective dates, never code.
    """

    unit_kind = models.ForeignKey(
        "orgs.OrgKind", on_delete=models.PROTECT, related_name="+", verbose_name=_("kind of unit")
    )
    min_days = models.PositiveSmallIntegerField(_("minimum days"))
    per = models.CharField(_("per"), max_length=5, choices=ReceptionPer.choices)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255)

    class Meta:
        ordering = ["unit_kind__rank", "effective_from"]
        verbose_name = _("reception rule")
        verbose_name_plural = _("reception rules")
        constraints = [
            models.UniqueConstraint(fields=["unit_kind", "effective_from"], name="petitions_reception_rule_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="petitions_reception_rule_order",
            ),
            models.CheckConstraint(condition=Q(min_days__gte=1), name="petitions_reception_rule_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_kind_id}: {self.min_days}/{self.per} from {self.effective_from:%d/%m/%Y}"


class ReceptionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class ReceptionSession(TimeStampedModel):
    """A scheduled reception: a head's reception day or an officer's regular reception, in person or online.

    Heads' sessions count towards the reception rule; published sessions appear on the public site.
    """

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="reception_sessions", verbose_name=_("unit")
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("from"), null=True, blank=True)
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    by_head = models.BooleanField(_("received by the head"), default=False)
    host_name = models.CharField(_("received by"), max_length=200)
    host_title = models.CharField(_("title"), max_length=200, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("user receiving"),
    )
    mode = models.CharField(_("form"), max_length=10, choices=ReceptionMode.choices, default=ReceptionMode.IN_PERSON)
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    recording_ref = models.CharField(_("recording"), max_length=300, blank=True,
                                     help_text=_("Where the recording of an online session is kept."))
    published = models.BooleanField(_("published on the public site"), default=True)
    note = models.TextField(_("note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "starts_at", "pk"]
        verbose_name = _("reception session")
        verbose_name_plural = _("reception sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="petitions_session_time_order",
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "date"], name="petitions_session_unit_date")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.date:%d/%m/%Y}"


class VisitHandling(models.TextChoices):
    ACCEPTED = "accepted", _("Petition received for handling")
    GUIDED = "guided", _("Citizen guided")
    FORWARDED = "forwarded", _("Forwarded")
    RECORDED = "recorded", _("Content recorded and answered")
    REFUSED = "refused", _("Reception refused")


class RefusalGround(models.TextChoices):
    """The only grounds on which a reception may be refused (Law 42/2013 Art. 9; Decree 154/2026 Art. 4)."""

    INCAPACITATED = "incapacitated", _("Drunk, under stimulants, or mentally ill so as to lose awareness")
    DISRUPTIVE = "disruptive", _("Threatening, insulting or disrupting the reception")
    ALREADY_RESOLVED = "already_resolved", _("Already resolved correctly, reviewed, and repeated without new facts")
    OTHER_LEGAL = "other_legal", _("Another ground the law lists")


class ReceptionVisit(TimeStampedModel):
    """One line of the reception book (form 03/TCD), numbered per unit per year.

    For a denunciation the visitor's name, address and ID are not kept here in clear: they go to
    ``identity_ciphertext`` (the same keys as ``FilerIdentity``) and the petition created from the
    visit takes them over, so the book never shows a whistleblower to anyone but the handlers.
    """

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="reception_visits", verbose_name=_("unit")
    )
    session = models.ForeignKey(
        ReceptionSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits",
        verbose_name=_("reception session"),
    )
    book_year = models.PositiveSmallIntegerField(_("book year"))
    number = models.PositiveIntegerField(_("number"))
    visited_on = models.DateField(_("date"))
    visitor_name = models.CharField(_("full name"), max_length=200, blank=True)
    visitor_address = models.CharField(_("address"), max_length=300, blank=True)
    id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    identity_ciphertext = models.TextField(blank=True, default="", editable=False)
    summary = models.TextField(_("summary of content"))
    kind = models.CharField(_("kind"), max_length=15, choices=PetitionKind.choices)
    people_count = models.PositiveSmallIntegerField(_("people with the same content"), default=1)
    prior_bodies = models.CharField(_("bodies that already handled it"), max_length=500, blank=True)
    has_written_petition = models.BooleanField(_("brought a written petition"), default=True)
    content_signed = models.BooleanField(
        _("content recorded and signed by the citizen"), default=False,
        help_text=_("For a citizen without a written petition: the content is written down and signed."),
    )
    handling = models.CharField(_("handling"), max_length=10, choices=VisitHandling.choices)
    forwarded_to_name = models.CharField(_("forwarded to"), max_length=255, blank=True)
    forward_document_number = models.CharField(_("forwarding document number"), max_length=50, blank=True)
    refusal_ground = models.CharField(_("ground for refusal"), max_length=20, choices=RefusalGround.choices, blank=True)
    refusal_reason = models.TextField(_("reason explained"), blank=True)
    follow_up = models.TextField(_("follow-up of the result"), blank=True)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    # A delegation of this many people or more is a mass delegation (đoàn đông người).
    MASS_THRESHOLD = 5

    class Meta:
        ordering = ["-visited_on", "-number"]
        verbose_name = _("reception book entry")
        verbose_name_plural = _("reception book entries")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "book_year", "number"], name="petitions_visit_number_unique"),
            models.UniqueConstraint(
                fields=["org_unit", "idempotency_key"], condition=~Q(idempotency_key=""),
                name="petitions_visit_idempotency_unique",
            ),
            models.CheckConstraint(condition=Q(people_count__gte=1), name="petitions_visit_people_positive"),
            models.CheckConstraint(
                condition=~Q(handling="refused") | ~Q(refusal_ground=""), name="petitions_visit_refusal_ground",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.book_year}"

    @property
    def is_mass(self) -> bool:
        return self.people_count >= self.MASS_THRESHOLD


# --------------------------------------------------------------------------- attachments and notices


class Attachment(models.Model):
    """A file of a petition or a visit, kept outside the web root and served only through a permission check.

    A denunciation's files that identify the filer (handwriting scans) are stored encrypted and
    count as part of the identity: only the handlers can download them.
    """

    petition = models.ForeignKey(Petition, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    visit = models.ForeignKey(
        ReceptionVisit, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="petitions/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    identifies_filer = models.BooleanField(_("identifies the filer"), default=False)
    encrypted = models.BooleanField(default=False, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(petition__isnull=False) | Q(visit__isnull=False), name="petitions_attachment_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"attachment {self.pk}"


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Notice of acceptance")
    FORWARD = "forward", _("Forwarding slip")
    GUIDANCE = "guidance", _("Guidance to the filer")
    REFUSAL = "refusal", _("Notice of refusal")
    NOT_ACCEPTED = "not_accepted", _("Notice of non-acceptance")
    EXTENSION = "extension", _("Extension decision")
    RESULT = "result", _("Notice of the result")


class Notice(models.Model):
    """A numbered notice the law calls for at a step of a case (or a reception refusal), written as DOCX.

    Numbers run per unit, kind and year. The document is rebuilt from this row and the case on
    each download, so a fixed typo in a unit's name never leaves a stale file behind.
    """

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    petition = models.ForeignKey(Petition, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    visit = models.ForeignKey(ReceptionVisit, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    event = models.ForeignKey(PetitionEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices")
    kind = models.CharField(_("kind"), max_length=15, choices=NoticeKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    issued_on = models.DateField(_("issued on"))
    data = models.JSONField(default=dict, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "kind", "year", "number"], name="petitions_notice_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}/{self.year}"


# --------------------------------------------------------------------------- grassroots mediation


class MediationStatus(models.TextChoices):
    OPEN = "open", _("Being mediated")
    SUCCESSFUL = "successful", _("Mediated successfully")
    UNSUCCESSFUL = "unsuccessful", _("Mediation failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MediationCase(TimeStampedModel):
    """A grassroots mediation (Law 35/2013 on grassroots mediation), held by a village or commune team."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="mediations", verbose_name=_("unit")
    )
    petition = models.ForeignKey(
        Petition, null=True, blank=True, on_delete=models.SET_NULL, related_name="mediations", verbose_name=_("petition")
    )
    visit = models.ForeignKey(
        ReceptionVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="mediations",
        verbose_name=_("reception visit"),
    )
    subject = models.CharField(_("subject"), max_length=300)
    parties = models.TextField(_("parties"))
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(_("status"), max_length=12, choices=MediationStatus.choices, default=MediationStatus.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="petitions_mediation_date_order",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Mediator(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="mediators")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role in the team"), max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")

    def __str__(self) -> str:
        return self.name


class MediationSession(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    summary = models.TextField(_("what was said"))
    result = models.CharField(_("result"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on:%d/%m/%Y}"
