"""Periodic reports (Decree 09/2019): forms of indicators, regimes, periods, each unit's submission.

The paper cycle this replaces: a plan says "every unit reports every six months and every year, by
a date, to the level above"; the level above consolidates and reports further up. Here:

- a ``ReportForm`` is a versioned set of ``Indicator`` figures and narrative ``Question`` s, with
  cross-indicator ``CrossRule`` s ("resolved ≤ received"); a published version never changes;
- a ``ReportingRegime`` (usually attached to a plan) says which form, which units report (kinds in
  a subtree) and how periods are cut; each ``Period`` has its data cut-off and deadline;
- a ``Submission`` exists for every unit expected to report in a period (created when the period
  opens, so "expected" is a row, as in DHIS2's data-set assignment); its working copy of the
  figures is JSON on the row (one optimistic lock for the whole report), every change is kept in
  ``SubmissionRevision``;
- ``DataValue`` holds the *counted* figures: one row per numeric indicator of a submitted or
  accepted report, written when it is submitted and removed when it is returned. It carries the
  period and the report's anchor (the nearest administrative unit), copied from the submission in
  the same transaction, so that subtotals per anchor are one ordered scan of one index, no join;
- ``AnchorTotal`` holds those subtotals — per (period, anchor, indicator): sum, count, min, max of
  the counted figures — recomputed for the one anchor concerned in the same transaction as every
  change of counted figures (``totals.refresh_anchor_totals``). Nationally that is ≈ 3,400 anchors
  × 60 indicators instead of 6,000,000 figures, so the upward aggregation of every level reads
  200,000 rows, not 6 M: the analytics-table idea of DHIS2, kept exact by the transaction instead
  of a nightly job. ``danvan reports rebuild-totals`` recomputes them from the figures.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from danvan.core.models import TimeStampedModel
from danvan.orgs.queries import UnitScopedQuerySet

CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9_.-]*$", _("Use lower-case letters, digits, dots, hyphens and underscores.")
)


class ValueType(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENTAGE = "percentage", _("Percentage")
    BOOLEAN = "boolean", _("Yes/no")
    MONEY = "money", _("Money (VND)")
    TEXT = "text", _("Text")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")
    SHARE_YES = "share_yes", _("Share of units answering yes")
    RATIO = "ratio", _("Ratio of two indicators")
    NONE = "none", _("Not aggregated")


class FormStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ReportFormQuerySet(models.QuerySet):
    def published(self) -> ReportFormQuerySet:
        return self.filter(status=FormStatus.PUBLISHED)


class ReportForm(TimeStampedModel):
    """One version of a report form; publishing freezes it, a change is a new version."""

    code = models.CharField(_("code"), max_length=40, validators=[CODE_VALIDATOR])
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    owner = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owning unit"), help_text=_("Empty for a form shared by the whole country."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReportFormQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="reports_form_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class FormSection(models.Model):
    """A numbered part of the form ("I. Công tác tuyên truyền"); indicators and questions hang in it."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(_("number"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=255)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("form section")
        verbose_name_plural = _("form sections")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


class Indicator(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="indicators")
    section = models.ForeignKey(
        FormSection, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators",
        verbose_name=_("section"),
    )
    code = models.CharField(_("code"), max_length=50, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=500)
    unit = models.CharField(_("unit of measure"), max_length=50, blank=True, help_text=_("E.g. buổi, lượt người, %."))
    value_type = models.CharField(_("type"), max_length=12, choices=ValueType.choices, default=ValueType.COUNT)
    aggregation = models.CharField(_("aggregation"), max_length=12, choices=Aggregation.choices, default=Aggregation.SUM)
    numerator_code = models.CharField(_("numerator"), max_length=50, blank=True, help_text=_("For a ratio: code of the indicator above the line."))
    denominator_code = models.CharField(_("denominator"), max_length=50, blank=True, help_text=_("For a ratio: code of the indicator below the line."))
    required = models.BooleanField(_("required"), default=False)
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    prefill_source = models.CharField(
        _("pre-filled from"), max_length=100, blank=True,
        help_text=_("Key of the module that already holds this figure; see danvan.reports.prefill."),
    )
    help_text = models.TextField(_("guidance"), blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="reports_indicator_code_unique"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True) | Q(max_value__isnull=True) | Q(max_value__gte=F("min_value")),
                name="reports_indicator_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_numeric(self) -> bool:
        return self.value_type != ValueType.TEXT


class Comparison(models.TextChoices):
    LTE = "lte", "≤"
    LT = "lt", "<"
    GTE = "gte", "≥"
    GT = "gt", ">"
    EQ = "eq", "="


class CrossRule(models.Model):
    """A rule across indicators: the sum of ``left`` codes compared with the sum of ``right`` codes."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules")
    left = models.JSONField(_("left side (indicator codes)"), default=list)
    operator = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices, default=Comparison.LTE)
    right = models.JSONField(_("right side (indicator codes)"), default=list)
    message = models.CharField(_("message"), max_length=255, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return f"{'+'.join(self.left)} {self.get_operator_display()} {'+'.join(self.right)}"


class Question(models.Model):
    """A narrative question; answers are compiled section by section with the unit named."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(
        FormSection, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions",
        verbose_name=_("section"),
    )
    code = models.CharField(_("code"), max_length=50, validators=[CODE_VALIDATOR])
    text = models.CharField(_("question"), max_length=500)
    help_text = models.TextField(_("guidance"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    max_length = models.PositiveIntegerField(_("maximum length"), default=5000)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("narrative question")
        verbose_name_plural = _("narrative questions")
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="reports_question_code_unique")]

    def __str__(self) -> str:
        return self.text[:80]


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEAR = "half_year", _("6-month")
    NINE_MONTHS = "nine_months", _("9-month")
    ANNUAL = "annual", _("Annual")
    AD_HOC = "ad_hoc", _("Ad hoc")


class RegimeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class RegimeQuerySet(UnitScopedQuerySet):
    unit_field = "owner"

    def alive(self) -> RegimeQuerySet:
        return self.filter(deleted_at__isnull=True)


class ReportingRegime(TimeStampedModel):
    """Who reports what to whom and when: the "chế độ báo cáo" of Decree 09/2019 art. 7."""

    name = models.CharField(_("name"), max_length=255)
    owner = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="reporting_regimes",
        verbose_name=_("consolidating unit"),
    )
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="reporting_regimes",
        verbose_name=_("plan"),
    )
    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="regimes", verbose_name=_("report form"))
    scope_root = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("reporting units under"),
    )
    reporter_kinds = models.ManyToManyField("orgs.OrgKind", related_name="+", verbose_name=_("kinds of unit that report"))
    period_kinds = models.JSONField(_("frequencies"), default=list, help_text=_("Period kinds, e.g. 6-month and annual."))
    cutoffs = models.JSONField(
        _("data cut-offs"), default=dict, blank=True,
        help_text=_("Per period kind, the first and last day of data as MM-DD; Decree 09/2019 when empty."),
    )
    deadlines = models.JSONField(
        _("deadlines"), default=dict, blank=True,
        help_text=_("Per period kind, the submission deadline as MM-DD; taken from the plan when empty."),
    )
    status = models.CharField(_("status"), max_length=10, choices=RegimeStatus.choices, default=RegimeStatus.ACTIVE)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RegimeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reporting regime")
        verbose_name_plural = _("reporting regimes")

    def __str__(self) -> str:
        return self.name


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("period status", "Open")
    CLOSED = "closed", _("Closed")


class Period(TimeStampedModel):
    """One reporting round: "6 tháng đầu năm 2026", data from 15/12/2025 to 14/6/2026, due 05/6."""

    regime = models.ForeignKey(ReportingRegime, on_delete=models.PROTECT, related_name="periods", verbose_name=_("regime"))
    kind = models.CharField(_("kind"), max_length=12, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    number = models.PositiveSmallIntegerField(
        _("number in the year"), default=1, help_text=_("Month or quarter number; 1 for 6-month, 9-month and annual periods."),
    )
    label = models.CharField(_("label"), max_length=150)
    starts_on = models.DateField(_("data from"))
    ends_on = models.DateField(_("data until"))
    due_on = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    data_version = models.PositiveIntegerField(
        default=1, editable=False,
        help_text="Bumped by every change of a report's status or counted figures; keys cached aggregates.",
    )
    lock_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year", "-due_on", "-pk"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["regime", "kind", "year", "number"], name="reports_period_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="reports_period_cutoff_order"),
            models.CheckConstraint(condition=Q(due_on__gte=F("ends_on")), name="reports_period_due_after_cutoff"),
        ]

    def __str__(self) -> str:
        return self.label


class SubmissionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")


# Reports whose figures count in the aggregates (and have DataValue rows).
COUNTED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
# Reports the unit may still edit.
EDITABLE_STATUSES = (SubmissionStatus.NOT_STARTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class SubmissionQuerySet(UnitScopedQuerySet):
    unit_field = "org_unit"


class Submission(TimeStampedModel):
    """A unit's report for a period; exists from the period's opening for every expected unit."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("period"))
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="report_submissions", verbose_name=_("reporting unit"),
    )
    anchor = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
        help_text="The reporting unit itself if administrative, else its nearest administrative ancestor.",
    )
    expected = models.BooleanField(
        _("expected"), default=True,
        help_text=_("False for a unit that closed or merged during the period but had already reported."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.NOT_STARTED,
    )
    values = models.JSONField(_("figures"), default=dict, blank=True)
    answers = models.JSONField(_("narrative answers"), default=dict, blank=True)
    prefilled = models.JSONField(
        _("pre-filled figures"), default=dict, blank=True, help_text=_("What other modules held when the report was pre-filled."),
    )
    corrections = models.JSONField(
        _("reasons for corrections"), default=dict, blank=True,
        help_text=_("Per indicator code, why the figure differs from the pre-filled one."),
    )
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("submitted by"),
    )
    is_late = models.BooleanField(_("late"), default=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("reviewer's comments"), blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["period", "org_unit__path"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["period", "org_unit"], name="reports_submission_unique")]
        indexes = [
            models.Index(fields=["period", "anchor", "status"], name="reports_submission_anchor_idx"),
            models.Index(fields=["org_unit", "status"], name="reports_submission_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.org_unit_id}"

    @property
    def is_locked(self) -> bool:
        return self.status == SubmissionStatus.ACCEPTED

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class RevisionAction(models.TextChoices):
    SAVED = "saved", _("Saved")
    PREFILLED = "prefilled", _("Pre-filled")
    IMPORTED = "imported", _("Imported from Excel")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")
    REOPENED = "reopened", _("Reopened")


class SubmissionRevision(models.Model):
    """The report as it stood after each change: who, when, what, why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=12, choices=RevisionAction.choices)
    status = models.CharField(_("status"), max_length=12, choices=SubmissionStatus.choices)
    values = models.JSONField(_("figures"), default=dict)
    answers = models.JSONField(_("narrative answers"), default=dict)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")

    def __str__(self) -> str:
        return f"{self.submission_id} {self.action} {self.at:%d/%m/%Y %H:%M}"


class DataValue(models.Model):
    """A counted figure (see the module docstring for why period and anchor are copied here)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="data_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", db_index=False)
    anchor = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False)
    num = models.FloatField()

    class Meta:
        verbose_name = _("counted figure")
        verbose_name_plural = _("counted figures")
        constraints = [models.UniqueConstraint(fields=["submission", "indicator"], name="reports_value_unique")]
        indexes = [models.Index(fields=["period", "anchor", "indicator", "num"], name="reports_value_agg_idx")]

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.indicator_id}={self.num}"


class AnchorTotal(models.Model):
    """Subtotals of the counted figures of one anchor (see the module docstring for why they exist)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    anchor = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", db_index=False)
    value_sum = models.FloatField()
    value_count = models.PositiveIntegerField()
    value_min = models.FloatField(null=True)
    value_max = models.FloatField(null=True)

    class Meta:
        verbose_name = _("subtotal")
        verbose_name_plural = _("subtotals")
        constraints = [
            models.UniqueConstraint(fields=["period", "anchor", "indicator"], name="reports_anchortotal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.anchor_id}/{self.indicator_id}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class SubmissionReminder(models.Model):
    """One row per reminder sent; the unique pair makes each kind go out once, even with two workers."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [models.UniqueConstraint(fields=["submission", "kind"], name="reports_reminder_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.kind}"
