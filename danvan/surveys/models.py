"""Citizen satisfaction surveys: questionnaires in versions, where they are answered, and the answers.

A survey's questions live in a ``SurveyVersion``. Once a version has a response it is frozen: an
edit makes a new version and every response keeps the version it answered, so an old answer is
never read against a question it was not asked (see ``services.edit_version``).

The satisfaction index must stay fast over millions of responses (issue #6: 1,000,000 in ≤ 2 s).
So each response carries, computed once when it is saved (``scoring.py``), two small bitmasks over
the version's index elements: which elements the respondent answered, and with which he or she
was satisfied under the version's rule. The index is then one scan of two integer columns grouped
by whatever the reader asks for (unit, service, desk, officer, month), never a parse of the answers.

No personal data is asked or kept: a response knows the unit, service, desk and officer it is
about, never who answered. The client address is kept only as a keyed hash (``client_hash``),
enough to see afterwards that many responses came from one place, not to tell where.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from danvan.core.models import TimeStampedModel
from danvan.orgs.queries import UnitScopedQuerySet

MAX_ELEMENTS = 16  # bits of the index masks (elements per version)


class Service(models.Model):
    """A public service citizens are asked about (certification, confirmation, land-use certificates…); data."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("public service")
        verbose_name_plural = _("public services")

    def __str__(self) -> str:
        return self.name


class Desk(TimeStampedModel):
    """A desk of a unit's one-stop section (bộ phận một cửa) where citizens are served and can be asked."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="desks",
                                 verbose_name=_("unit"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit", "code"]
        verbose_name = _("one-stop desk")
        verbose_name_plural = _("one-stop desks")
        constraints = [models.UniqueConstraint(fields=["org_unit", "code"], name="surveys_desk_code_unique")]

    def __str__(self) -> str:
        return self.name


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", _("Closed")


class Subject(models.TextChoices):
    """What the survey measures; decides which of service / desk / officer a response must name."""

    UNIT = "unit", _("The unit as a whole")
    SERVICE = "service", _("A public service")
    DESK = "desk", _("A one-stop desk")
    OFFICER = "officer", _("An officer")


class Access(models.TextChoices):
    LINK = "link", _("Anyone with the link or the poster's QR code (one response per visit)")
    TOKEN = "token", _("Only with a one-time code handed out at the desk")


class Survey(TimeStampedModel):
    """A questionnaire a unit runs, e.g. the SIPAS satisfaction survey of a commune's one-stop section."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="surveys",
                                 verbose_name=_("unit"))
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("introduction"), blank=True, max_length=4000)
    # The public address: short, random, unguessable in bulk, never the primary key.
    public_code = models.CharField(_("public code"), max_length=16, unique=True)
    subject = models.CharField(_("subject"), max_length=10, choices=Subject.choices, default=Subject.UNIT)
    access = models.CharField(_("access"), max_length=10, choices=Access.choices, default=Access.LINK)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("service"),
                                help_text=_("Fixed service asked about; empty lets the respondent choose."))
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    template = models.CharField(_("template"), max_length=40, blank=True,
                                help_text=_("The template the survey was made from (e.g. sipas)."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__isnull=True) | Q(opens_on__isnull=True)
                                   | Q(closes_on__gte=F("opens_on")), name="surveys_survey_dates_order"),
        ]
        indexes = [models.Index(fields=["org_unit", "status"], name="surveys_unit_status_idx")]

    def __str__(self) -> str:
        return self.title


class ElementRule(models.TextChoices):
    """When a respondent counts as satisfied with an element of the index."""

    MEAN = "mean", _("The mean of the element's satisfaction answers reaches the threshold")
    ALL = "all", _("Every satisfaction answer of the element reaches the threshold")


class SurveyVersion(models.Model):
    """The questions of a survey as they were asked. Frozen from its first response on."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions", verbose_name=_("survey"))
    number = models.PositiveSmallIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The index formula, frozen with the questions (the masks of its responses were computed with it).
    satisfied_threshold = models.PositiveSmallIntegerField(
        _("satisfied from"), default=4,
        help_text=_("Likert answer from which a respondent counts as satisfied (4 = satisfied, 5 = very satisfied)."),
    )
    element_rule = models.CharField(_("element rule"), max_length=10, choices=ElementRule.choices,
                                    default=ElementRule.MEAN)

    class Meta:
        ordering = ["survey", "number"]
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="surveys_version_number_unique"),
            models.CheckConstraint(condition=Q(satisfied_threshold__gte=1) & Q(satisfied_threshold__lte=5),
                                   name="surveys_version_threshold_range"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"


class Section(models.Model):
    """A part of the questionnaire. A section with an ``element_key`` is an element of the satisfaction index."""

    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="sections",
                                verbose_name=_("version"))
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=255)
    element_key = models.SlugField(_("index element"), max_length=40, blank=True,
                                   help_text=_("Key of the index element this section measures; empty if none."))
    element_bit = models.PositiveSmallIntegerField(_("element position"), null=True, blank=True, editable=False)
    weight = models.DecimalField(_("weight in the overall index"), max_digits=5, decimal_places=2, default=1)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="surveys_section_order_unique"),
            models.UniqueConstraint(fields=["version", "element_key"], condition=~Q(element_key=""),
                                    name="surveys_section_element_unique"),
            models.CheckConstraint(condition=Q(element_bit__isnull=True) | Q(element_bit__lt=MAX_ELEMENTS),
                                   name="surveys_section_element_bit_range"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="surveys_section_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Scale 1–5")
    CHOICE = "choice", _("One choice")
    MULTI = "multi", _("Several choices")
    TEXT = "text", _("Free text")


class Aspect(models.TextChoices):
    """SIPAS asks each criterion three ways; only satisfaction answers make the index."""

    OTHER = "", _("Other question")
    ASSESSMENT = "assessment", _("Assessment")
    SATISFACTION = "satisfaction", _("Satisfaction")
    EXPECTATION = "expectation", _("Expectation")


TEXT_ANSWER_MAX = 2000


class Question(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions",
                                verbose_name=_("section"))
    order = models.PositiveSmallIntegerField(_("order"))
    # Stable across versions, so that exports and charts can follow "the same question" over time.
    key = models.SlugField(_("key"), max_length=60)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("explanation"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    aspect = models.CharField(_("aspect"), max_length=12, choices=Aspect.choices, blank=True, default="")
    criterion = models.CharField(_("criterion"), max_length=20, blank=True,
                                 help_text=_("Code of the criterion asked (e.g. 1.2 in SIPAS)."))
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    max_length = models.PositiveIntegerField(_("longest answer"), default=1000)

    class Meta:
        ordering = ["section", "order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["section", "order"], name="surveys_question_order_unique"),
            models.CheckConstraint(condition=Q(max_length__gte=1) & Q(max_length__lte=TEXT_ANSWER_MAX),
                                   name="surveys_question_max_length_range"),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyToken(models.Model):
    """A one-time code handed to a citizen at the desk (printed on the receipt): one response per code."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("survey"))
    code_hash = models.CharField(max_length=64, unique=True)  # sha256 of the code; the code itself is not kept
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("service"))
    desk = models.ForeignKey(Desk, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("desk"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("officer"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey code")
        verbose_name_plural = _("survey codes")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("issued_at")), name="surveys_token_expiry_order"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} ({self.issued_at:%d/%m/%Y})"


class ResponseChannel(models.TextChoices):
    WEB = "web", _("Online")
    PAPER = "paper", _("Paper questionnaire, entered by an officer")
    API = "api", _("Another system (API)")


class Response(models.Model):
    """One completed questionnaire. Never edited; an officer may void it (kept, left out of the index)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey"))
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses",
                                verbose_name=_("version"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("service"))
    desk = models.ForeignKey(Desk, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("desk"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("officer"))
    channel = models.CharField(_("channel"), max_length=10, choices=ResponseChannel.choices,
                               default=ResponseChannel.WEB)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_on = models.DateField(_("date"))  # local date of submitted_at: periods group by it
    answers = models.JSONField(_("answers"), default=dict)  # question key -> int | str | list[str]
    element_answered = models.PositiveIntegerField(default=0, editable=False)
    element_satisfied = models.PositiveIntegerField(default=0, editable=False)
    token = models.OneToOneField(SurveyToken, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="response", verbose_name=_("code"))
    scan_session = models.CharField(max_length=32, blank=True, editable=False)
    idempotency_key = models.CharField(max_length=80, blank=True, editable=False)
    client_hash = models.CharField(max_length=16, blank=True, editable=False)
    answers_hash = models.CharField(max_length=16, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("entered by"))
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("voided by"))
    void_reason = models.CharField(_("reason for voiding"), max_length=500, blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "scan_session"], condition=~Q(scan_session=""),
                                    name="surveys_response_one_per_scan"),
            models.UniqueConstraint(fields=["survey", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="surveys_response_idempotency"),
        ]
        indexes = [
            models.Index(fields=["survey", "submitted_on"], name="surveys_resp_survey_day_idx"),
            models.Index(fields=["org_unit", "submitted_on"], name="surveys_resp_unit_day_idx"),
            models.Index(fields=["submitted_on"], name="surveys_resp_day_idx"),
            models.Index(fields=["survey", "answers_hash"], name="surveys_resp_answers_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"
