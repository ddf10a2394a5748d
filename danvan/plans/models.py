"""Plans ("Kế hoạch"): what a people's committee decides to do in a year, who does it and by when.

A plan mirrors the paper document (number and symbol, place and date, legal bases, purposes and
requirements, targets, numbered content sections with tasks, the "Tổ chức thực hiện" assignments,
recipients, signer) so that it can be printed in the Decree 30/2020 layout and read back.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from danvan.core.models import TimeStampedModel
from danvan.orgs.queries import UnitScopedQuerySet


class PlanKind(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    THEMATIC = "thematic", _("Thematic")
    MULTI_YEAR = "multi_year", _("Multi-year")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    CLOSED = "closed", _("Closed")


class SigningAuthority(models.TextChoices):
    """Decree 30/2020 art. 13."""

    NONE = "", _("Head signs in own name")
    ON_BEHALF = "TM.", _("TM. (on behalf of the collective body)")
    DEPUTY = "KT.", _("KT. (deputy signing for the head)")
    ACTING = "Q.", _("Q. (acting)")
    BY_ORDER = "TL.", _("TL. (by order)")
    AUTHORISED = "TUQ.", _("TUQ. (authorised)")


class PlanQuerySet(UnitScopedQuerySet):
    unit_field = "issuer"

    def alive(self) -> PlanQuerySet:
        return self.filter(deleted_at__isnull=True)


class Plan(TimeStampedModel):
    issuer = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="plans", verbose_name=_("issuing unit"))
    issuing_body = models.CharField(
        _("issuing body as printed"), max_length=255, blank=True,
        help_text=_("E.g. ỦY BAN NHÂN DÂN XÃ BÌNH LƯ; printed at the top left and in the signature block."),
    )
    parent_body = models.CharField(
        _("superior body as printed"), max_length=255, blank=True,
        help_text=_("Line above the issuing body, e.g. ỦY BAN NHÂN DÂN TỈNH LAI CHÂU; may be empty."),
    )
    doc_type = models.CharField(_("document type"), max_length=10, default="KH")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    number_year = models.PositiveSmallIntegerField(
        _("numbering year"), null=True, blank=True, help_text=_("Numbers restart each 1 January, per issuer.")
    )
    symbol = models.CharField(_("symbol"), max_length=40, default="KH-UBND")
    place = models.CharField(_("place"), max_length=100, blank=True)
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=500)
    year = models.PositiveSmallIntegerField(
        _("implementation year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices, default=PlanKind.ANNUAL)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("amends")
    )
    parent_plan = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived_plans",
        verbose_name=_("plan of the level above"),
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("copied from")
    )
    legal_bases = models.ManyToManyField(
        "legal.LegalDocument", through="PlanLegalBasis", related_name="citing_plans", blank=True,
        verbose_name=_("legal bases"),
    )
    preamble = models.TextField(_("preamble"), blank=True)
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    requirements = models.JSONField(_("requirements"), default=list, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    signer_name = models.CharField(_("signer"), max_length=150, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=150, blank=True)
    signer_authority = models.CharField(
        _("signing authority"), max_length=5, choices=SigningAuthority.choices, blank=True, default=""
    )
    requires_subordinate_plans = models.BooleanField(
        _("subordinate units must issue their own plans"), default=False
    )
    subordinate_due_on = models.DateField(_("subordinate plans due on"), null=True, blank=True)
    subordinate_kinds = models.ManyToManyField(
        "orgs.OrgKind", blank=True, related_name="+", verbose_name=_("kinds of unit that must issue a plan")
    )
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    import_source = models.JSONField(null=True, blank=True, editable=False)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-issued_on", "-pk"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "doc_type", "number_year", "number"],
                condition=Q(number__isnull=False, deleted_at__isnull=True),
                name="plans_number_unique_per_issuer_year",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=models.F("year")), name="plans_end_year_after_year"
            ),
        ]
        indexes = [models.Index(fields=["issuer", "year"], name="plans_issuer_year_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    @property
    def reference(self) -> str:
        """"12/KH-UBND", or "…/KH-UBND" while a draft has no number yet."""
        return f"{self.number:02d}/{self.symbol}" if self.number else f"…/{self.symbol}"


class PlanLegalBasis(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="basis_links")
    document = models.ForeignKey("legal.LegalDocument", on_delete=models.PROTECT, related_name="plan_links")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "document"], name="plans_basis_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} ← {self.document_id}"


class PlanSection(models.Model):
    """A numbered heading of the content part: "II. NHIỆM VỤ", "1. Công tác tuyên truyền"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    number = models.CharField(_("number"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=500)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(PlanSection, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    text = models.TextField(_("task"))
    order = models.PositiveIntegerField(default=0)
    parent_task = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived_tasks",
        verbose_name=_("task of the level above"),
    )
    lead_unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead unit")
    )
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="plans_task_progress_max")]

    def __str__(self) -> str:
        return self.text[:80]


class TaskEvidence(TimeStampedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    note = models.CharField(_("description"), max_length=500)
    link = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to="plans/evidence/%Y/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.note


class Measurement(models.TextChoices):
    ENTERED = "entered", _("Entered by an officer")
    SHARE_OF_UNITS = "share_of_units", _("Computed share of units in scope")
    INDICATOR = "indicator", _("Linked report indicator")


class TargetStatus(models.TextChoices):
    NOT_MEASURED = "not_measured", _("Not measured yet")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")


class Target(models.Model):
    """A measurable goal: "95% of agencies and communes register 1–2 good practices"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    text = models.TextField(_("target"))
    value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=30, blank=True, help_text=_("%, or what is counted."))
    scope_kinds = models.ManyToManyField("orgs.OrgKind", blank=True, related_name="+", verbose_name=_("units in scope"))
    measurement = models.CharField(_("how it is measured"), max_length=20, choices=Measurement.choices, default=Measurement.ENTERED)
    indicator_code = models.CharField(_("indicator code"), max_length=50, blank=True)
    current_value = models.DecimalField(_("current value"), max_digits=12, decimal_places=2, null=True, blank=True)
    measured_at = models.DateTimeField(_("measured at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TargetStatus.choices, default=TargetStatus.NOT_MEASURED)
    parent_target = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived_targets",
        verbose_name=_("target of the level above"),
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return self.text[:80]


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    CO_OPERATING = "co-operating", _("Co-operating")
    OTHER = "other", _("Other")


class Assignment(models.Model):
    """A line of "Tổ chức thực hiện": which unit does what, by when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="plan_assignments",
        verbose_name=_("unit"),
    )
    unit_name = models.CharField(
        _("unit as written"), max_length=255, help_text=_("As in the document, e.g. Phòng Nội vụ; kept when no unit matches.")
    )
    role = models.CharField(_("role"), max_length=20, choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    co_units = models.ManyToManyField("orgs.OrgUnit", blank=True, related_name="+", verbose_name=_("co-operating units"))
    duties = models.TextField(_("duties"), blank=True)
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return self.unit_name


class DeadlineKind(models.TextChoices):
    HALF_YEAR_REPORT = "half_year_report", _("6-month report")
    ANNUAL_REPORT = "annual_report", _("Annual report")
    SUBORDINATE_PLANS = "subordinate_plans", _("Subordinate plans")
    OTHER = "other", _("Other")


class PlanDeadline(models.Model):
    """A dated duty of the plan, such as "6-month report before 05/6"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.OTHER)
    text = models.CharField(_("description"), max_length=500)
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.due_on:%d/%m/%Y} {self.text}"


class ObligationQuerySet(UnitScopedQuerySet):
    unit_field = "org_unit"


class PlanObligation(TimeStampedModel):
    """Created when a plan that requires subordinate plans is issued: one per unit in scope."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="obligations")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="plan_obligations")
    due_on = models.DateField(_("due on"))
    fulfilled_by = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="fulfils", verbose_name=_("fulfilled by")
    )
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan obligation")
        verbose_name_plural = _("plan obligations")
        constraints = [models.UniqueConstraint(fields=["plan", "org_unit"], name="plans_obligation_unique")]
        indexes = [models.Index(fields=["plan", "fulfilled_by"], name="plans_obligation_plan_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.org_unit_id}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class ObligationReminder(models.Model):
    """A reminder sent for an obligation; the unique pair makes each kind go out once, even with two workers."""

    obligation = models.ForeignKey(PlanObligation, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("obligation reminder")
        verbose_name_plural = _("obligation reminders")
        constraints = [models.UniqueConstraint(fields=["obligation", "kind"], name="plans_reminder_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.obligation_id} {self.kind}"
