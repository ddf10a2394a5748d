"""Grassroots democracy (Law 10/2022/QH15): what the commune discloses, what residents decide, the boards
that inspect and supervise, and the Fatherland Front's supervision and critique.

The law's periods are checked, not trusted: a disclosure is due within 5 working days of its decision
(Art. 11–12), stays posted for its category's minimum (30 consecutive days unless the category says
otherwise, some permanently), and some items are broadcast on the loudspeakers for 3 consecutive days;
a residents' decision passes only with its matter's majority of the village's households (Art. 20) and
its result reaches the commune within 5 working days (Art. 20.3). The computed results are stored
(``passed``, ``send_due_on``) so that lists and reports filter on them in SQL, and are recomputed by the
services on every write.

Nothing here holds personal data beyond board members' names (public by nature: they are elected).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from danvan.core.models import ResponseTracked, StoredFile, TimeStampedModel
from danvan.orgs.queries import UnitScopedQuerySet


class DisclosureCategory(models.Model):
    """One of the kinds of information the commune must disclose (Art. 11); data, loaded by migration 0002.

    The periods are data too: a sector law may set another posting period, and the province may
    require broadcasting of more items.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    article_point = models.CharField(_("article and point"), max_length=20,
                                     help_text=_("Where the law lists it, e.g. Art. 11.2."))
    name = models.CharField(_("name"), max_length=300)
    min_posting_days = models.PositiveSmallIntegerField(
        _("minimum posting days"), default=30,
        help_text=_("Consecutive days a posting must stay up (30 unless a law says otherwise)."))
    permanent = models.BooleanField(_("posted permanently"), default=False)
    loudspeaker_days = models.PositiveSmallIntegerField(
        _("loudspeaker broadcast days"), default=0,
        help_text=_("Consecutive days the item must be broadcast on the loudspeakers; 0 if not required."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("disclosure category")
        verbose_name_plural = _("disclosure categories")

    def __str__(self) -> str:
        return self.name


class DisclosureForm(models.TextChoices):
    """How the information is made known (Arts. 12–13)."""

    POSTING = "posting", _("Posting at the commune office or village hall")
    WEBSITE = "website", _("Website or electronic portal")
    LOUDSPEAKER = "loudspeaker", _("Loudspeaker broadcast")
    VILLAGE_HEAD = "village_head", _("Through the village head")
    LETTER = "letter", _("Written notice to households")
    MEETING = "meeting", _("Meeting or dialogue with residents")
    PRESS = "press", _("Press")
    MASS_ORGANISATION = "mass_organisation", _("Through the Front and mass organisations")
    SOCIAL_NETWORK = "social_network", _("Social networks and messaging groups")


class DisclosureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Disclosed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Disclosure(TimeStampedModel):
    """One piece of information a commune discloses, with the forms, the dates and the law's checks."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="disclosures",
                                 verbose_name=_("unit"))
    category = models.ForeignKey(DisclosureCategory, on_delete=models.PROTECT, related_name="disclosures",
                                 verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=255)
    content = models.TextField(_("content"), blank=True, max_length=20000)
    decision_ref = models.CharField(_("decision or document number"), max_length=100, blank=True)
    decided_on = models.DateField(_("date of the decision"), null=True, blank=True)
    # 5 working days after decided_on (Art. 12); stored so that the late ones are one filter.
    due_on = models.DateField(_("disclose by"), null=True, blank=True, editable=False)
    disclosed_on = models.DateField(_("posted from"), null=True, blank=True)
    posting_ends_on = models.DateField(_("posted until"), null=True, blank=True,
                                       help_text=_("Empty for a permanent posting."))
    permanent = models.BooleanField(_("posted permanently"), default=False)
    forms = models.JSONField(_("forms of disclosure"), default=list, blank=True)
    place = models.CharField(_("place of posting"), max_length=255, blank=True)
    loudspeaker_days = models.PositiveSmallIntegerField(_("days broadcast on the loudspeakers"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=DisclosureStatus.choices,
                              default=DisclosureStatus.DRAFT)
    is_public = models.BooleanField(_("shown on the public portal"), default=True)
    published_at = models.DateTimeField(_("disclosed at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_on", "-pk"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        constraints = [
            models.CheckConstraint(
                condition=Q(posting_ends_on__isnull=True) | Q(disclosed_on__isnull=True)
                | Q(posting_ends_on__gte=F("disclosed_on")), name="disclosures_posting_order"),
        ]
        indexes = [models.Index(fields=["org_unit", "status", "disclosed_on"], name="disclosures_unit_idx")]

    def __str__(self) -> str:
        return self.title


class QuarterlyList(TimeStampedModel):
    """The posted list of what a commune disclosed in a quarter (Art. 12): one per unit and quarter."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    posted_on = models.DateField(_("posted on"))
    items = models.PositiveIntegerField(_("items listed"), default=0)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("posted by"))

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("quarterly list of disclosures")
        verbose_name_plural = _("quarterly lists of disclosures")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year", "quarter"], name="disclosures_quarter_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="disclosures_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.quarter}/{self.year}"


class Matter(models.TextChoices):
    """What residents discuss and decide (Art. 15); the majority each needs is ``MATTER_THRESHOLD``."""

    CONTRIBUTION = "contribution", _("Contributions to build or repair public works")
    COMMUNITY_FUND = "community_fund", _("Collection and use of residents' contributions and community funds")
    CONVENTION = "convention", _("Village convention (hương ước, quy ước)")
    VILLAGE_HEAD = "village_head", _("Electing or dismissing the village head")
    BOARD_MEMBERS = "board_members", _("Electing or dismissing members of the people's boards")
    OTHER = "other", _("Other self-managed matter of the community")


class Threshold(models.TextChoices):
    TWO_THIRDS = "two_thirds", _("At least two thirds of the households")
    MAJORITY = "majority", _("More than half of the households")


MATTER_THRESHOLD = {
    Matter.CONTRIBUTION: Threshold.TWO_THIRDS,
    Matter.COMMUNITY_FUND: Threshold.TWO_THIRDS,
    Matter.CONVENTION: Threshold.MAJORITY,
    Matter.VILLAGE_HEAD: Threshold.MAJORITY,
    Matter.BOARD_MEMBERS: Threshold.MAJORITY,
    Matter.OTHER: Threshold.MAJORITY,
}


class DecisionForm(models.TextChoices):
    """How residents decide (Art. 17)."""

    MEETING = "meeting", _("Meeting of households")
    BALLOT = "ballot", _("Household ballot")
    ONLINE = "online", _("Online vote")


class ResidentDecision(TimeStampedModel):
    """A matter residents of a village decided, with the votes and the result the law's majority gives."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="resident_decisions",
                                 verbose_name=_("village or unit"))
    matter = models.CharField(_("matter"), max_length=20, choices=Matter.choices)
    title = models.CharField(_("title"), max_length=255)
    form = models.CharField(_("form"), max_length=10, choices=DecisionForm.choices, default=DecisionForm.MEETING)
    held_on = models.DateField(_("meeting or vote held on"))
    decided_on = models.DateField(_("result recorded on"))
    households_total = models.PositiveIntegerField(_("households in the village"))
    households_participating = models.PositiveIntegerField(_("households taking part"))
    votes_for = models.PositiveIntegerField(_("households for"))
    votes_against = models.PositiveIntegerField(_("households against"))
    threshold = models.CharField(_("majority required"), max_length=12, choices=Threshold.choices, editable=False)
    passed = models.BooleanField(_("passed"), editable=False, default=False)
    content = models.TextField(_("content decided"), blank=True, max_length=10000)
    # 5 working days after the meeting or the end of the vote (Art. 20.3).
    send_due_on = models.DateField(_("send to the commune by"), editable=False, null=True)
    sent_to_commune_on = models.DateField(_("sent to the commune on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("residents' decision")
        verbose_name_plural = _("residents' decisions")
        constraints = [
            models.CheckConstraint(condition=Q(households_participating__lte=F("households_total")),
                                   name="disclosures_decision_participation"),
            models.CheckConstraint(
                condition=Q(votes_for__lte=F("households_participating") - F("votes_against")),
                name="disclosures_decision_votes"),
            models.CheckConstraint(condition=Q(decided_on__gte=F("held_on")), name="disclosures_decision_order"),
        ]
        indexes = [models.Index(fields=["org_unit", "held_on"], name="disclosures_decision_idx")]

    def __str__(self) -> str:
        return self.title


class ConsultationMatter(models.TextChoices):
    """What the commune must consult residents on (Art. 25)."""

    SOCIO_ECONOMIC_PLAN = "socio_economic_plan", _("Draft socio-economic development plan")
    LAND_USE = "land_use", _("Land-use plans, land recovery, compensation and resettlement")
    PROJECT = "project", _("Major investment projects and public works in the commune")
    BOUNDARIES = "boundaries", _("Establishing, merging, dividing or adjusting administrative boundaries")
    DEMOCRACY_REGULATION = "democracy_regulation", _("Draft regulation on grassroots democracy")
    OBLIGATIONS = "obligations", _("Draft decisions imposing obligations on residents")
    OTHER = "other", _("Other matter the law or the commune puts to residents")


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("consultation status", "Open for opinions")
    CLOSED = "closed", _("Closed, opinions being considered")
    PUBLISHED = "published", _("Result published")


class Consultation(TimeStampedModel):
    """A draft put to residents for their opinions, and how those opinions were taken into account."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="consultations",
                                 verbose_name=_("unit"))
    matter = models.CharField(_("matter"), max_length=24, choices=ConsultationMatter.choices)
    title = models.CharField(_("title"), max_length=255)
    draft = models.TextField(_("draft or summary of the draft"), blank=True, max_length=20000)
    forms = models.JSONField(_("forms of consultation"), default=list, blank=True)
    opens_on = models.DateField(_("opinions from"))
    closes_on = models.DateField(_("opinions until"))
    opinions_received = models.PositiveIntegerField(_("opinions received"), default=0)
    opinions_summary = models.TextField(_("summary of the opinions"), blank=True, max_length=10000)
    taken_into_account = models.TextField(_("how the opinions were taken into account"), blank=True,
                                          max_length=10000)
    result_published_on = models.DateField(_("result published on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.DRAFT)
    is_public = models.BooleanField(_("shown on the public portal"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="disclosures_consultation_order"),
            models.CheckConstraint(condition=Q(result_published_on__isnull=True)
                                   | Q(result_published_on__gte=F("closes_on")),
                                   name="disclosures_consultation_result_order"),
        ]

    def __str__(self) -> str:
        return self.title


class BoardKind(models.TextChoices):
    INSPECTION = "inspection", _("People's inspection board")
    INVESTMENT = "investment", _("Community investment supervision board")


MIN_BOARD_MEMBERS = 5  # Arts. 36 and 41


class PeopleBoard(TimeStampedModel):
    """A people's inspection board of a commune, or a community investment supervision board of a project."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="people_boards",
                                 verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=12, choices=BoardKind.choices)
    name = models.CharField(_("name"), max_length=255)
    term_starts_on = models.DateField(_("term starts on"))
    term_ends_on = models.DateField(_("term ends on"))
    project = models.CharField(_("project supervised"), max_length=255, blank=True,
                               help_text=_("For a community investment supervision board: one board per project."))
    project_investor = models.CharField(_("investor"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit", "kind", "-term_starts_on"]
        verbose_name = _("people's board")
        verbose_name_plural = _("people's boards")
        constraints = [
            models.CheckConstraint(condition=Q(term_ends_on__gte=F("term_starts_on")), name="disclosures_board_term"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberPosition(models.TextChoices):
    HEAD = "head", _("Head of the board")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", _("Member")


class BoardMember(TimeStampedModel):
    """An elected member of a board. Commune officials may not sit on it (Art. 36.2), checked by the services."""

    board = models.ForeignKey(PeopleBoard, on_delete=models.CASCADE, related_name="members",
                              verbose_name=_("board"))
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=10, choices=MemberPosition.choices,
                                default=MemberPosition.MEMBER)
    village = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("village"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("user account"),
                             help_text=_("If the member has an account: used to check that he or she is not "
                                         "a commune official."))
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["board", "position", "full_name"]
        verbose_name = _("board member")
        verbose_name_plural = _("board members")
        constraints = [
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                                   name="disclosures_member_dates"),
        ]

    def __str__(self) -> str:
        return self.full_name


class WorkPlanPeriod(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    HALF_YEAR = "half_year", _("Half-year")
    YEAR = "year", _("Year")


class BoardWorkPlan(TimeStampedModel):
    """A board's work plan for a quarter, a half-year or a year (Art. 39)."""

    board = models.ForeignKey(PeopleBoard, on_delete=models.CASCADE, related_name="work_plans",
                              verbose_name=_("board"))
    period = models.CharField(_("period"), max_length=10, choices=WorkPlanPeriod.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"), default=1,
                                              help_text=_("Quarter 1–4, half-year 1–2, 1 for the year."))
    content = models.TextField(_("content"), max_length=20000)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    class Meta:
        ordering = ["board", "-year", "period", "number"]
        verbose_name = _("board work plan")
        verbose_name_plural = _("board work plans")
        constraints = [
            models.UniqueConstraint(fields=["board", "period", "year", "number"], name="disclosures_workplan_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.number}/{self.year}"


class BoardFinding(TimeStampedModel, ResponseTracked):
    """What a board found and recommended, and the government's response against its deadline."""

    board = models.ForeignKey(PeopleBoard, on_delete=models.CASCADE, related_name="findings",
                              verbose_name=_("board"))
    found_on = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=255)
    findings = models.TextField(_("findings"), max_length=20000)
    recommendations = models.TextField(_("recommendations"), blank=True, max_length=10000)
    recommends_suspension = models.BooleanField(
        _("recommends suspending the project"), default=False,
        help_text=_("A community investment supervision board may recommend suspending a project (Art. 43)."))
    addressed_to = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("addressed to"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-found_on", "-pk"]
        verbose_name = _("board finding")
        verbose_name_plural = _("board findings")
        constraints = [
            models.CheckConstraint(condition=Q(response_due_on__isnull=True) | Q(response_due_on__gte=F("found_on")),
                                   name="disclosures_finding_due_order"),
        ]

    def __str__(self) -> str:
        return self.subject


class SupervisionKind(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision")
    CRITIQUE = "critique", _("Social critique")


class FrontSupervision(TimeStampedModel, ResponseTracked):
    """A supervision or a social critique by the Fatherland Front or a member organisation.

    It belongs to two units: the Front body that made it (``front_unit``, whose front supervisors
    write it) and the unit supervised (``org_unit``, which must respond). Both see it.
    """

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="front_supervisions",
                                 verbose_name=_("unit supervised"))
    front_unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("Front body"))
    by_name = models.CharField(_("by (organisation)"), max_length=255,
                               help_text=_("E.g. the Standing Board of the commune's Fatherland Front committee."))
    kind = models.CharField(_("kind"), max_length=12, choices=SupervisionKind.choices)
    subject = models.CharField(_("subject"), max_length=255)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True, max_length=20000)
    recommendations = models.TextField(_("recommendations"), blank=True, max_length=10000)
    is_public = models.BooleanField(_("shown on the public portal"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("Front supervision or critique")
        verbose_name_plural = _("Front supervisions and critiques")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                   name="disclosures_supervision_order"),
        ]

    def __str__(self) -> str:
        return self.subject


class Attachment(StoredFile):
    """A file of a disclosure, a decision, a consultation, a board finding or a supervision (exactly one)."""

    disclosure = models.ForeignKey(Disclosure, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="attachments")
    decision = models.ForeignKey(ResidentDecision, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="attachments")
    consultation = models.ForeignKey(Consultation, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="attachments")
    finding = models.ForeignKey(BoardFinding, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="attachments")
    supervision = models.ForeignKey(FrontSupervision, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="attachments")

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
