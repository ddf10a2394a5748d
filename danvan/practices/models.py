""""Dân vận khéo" good practices and thematic programmes.

A practice is registered by a unit (or a person in it) for a year, followed with progress updates,
reviewed (interim, final), evaluated by a council of its unit or of a unit above against a set of
criteria, recognised at a level, commended at year end, and replicated by other units. Plans'
targets such as "95% of agencies and communes register 1–2 practices" are computed from this
registry (``Practice.target`` links a practice to the target it serves).

A unit registers one practice of a given name once a year: ``name_key`` (the name without marks or
case) is unique per unit and year among live rows, so a double submit or a retyped name is refused.

A thematic programme ("Chính quyền thân thiện, vì Nhân dân phục vụ") has a steering board, ordered
steps with dates, criteria with evidence, an optional linked satisfaction survey and a final
evaluation; a step not done by its end is late.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from danvan.core.models import StoredFile, TimeStampedModel
from danvan.orgs.queries import UnitScopedQuerySet


class PracticeField(models.Model):
    """A field of practices (economy; culture–society; defence–security; political system; …); data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("field of practice")
        verbose_name_plural = _("fields of practice")

    def __str__(self) -> str:
        return self.name


class RegisteredBy(models.TextChoices):
    COLLECTIVE = "collective", _("A collective (the unit)")
    INDIVIDUAL = "individual", _("An individual")


class PracticeStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    IN_PROGRESS = "in_progress", _("In progress")
    INTERIM_REVIEWED = "interim_reviewed", _("Interim review done")
    FINAL_REVIEWED = "final_reviewed", _("Final review done")
    STOPPED = "stopped", _("Stopped")


class Level(models.TextChoices):
    """The level a practice is recognised or commended at."""

    COMMUNE = "commune", _("Commune level")
    PROVINCE = "province", _("Province level")
    NATIONAL = "national", _("National level")


class Practice(TimeStampedModel):
    """A registered good practice of a unit for a year."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="practices",
                                 verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=255)
    name_key = models.CharField(max_length=255, editable=False)
    field = models.ForeignKey(PracticeField, on_delete=models.PROTECT, related_name="practices",
                              verbose_name=_("field"))
    registered_by = models.CharField(_("registered by"), max_length=12, choices=RegisteredBy.choices,
                                     default=RegisteredBy.COLLECTIVE)
    person_name = models.CharField(_("name of the person"), max_length=200, blank=True,
                                   help_text=_("For a practice registered by an individual."))
    place = models.CharField(_("place"), max_length=255, blank=True)
    goals = models.TextField(_("goals"), max_length=10000)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    responsible_person = models.CharField(_("person responsible"), max_length=200)
    target = models.ForeignKey("plans.Target", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="practices", verbose_name=_("plan target served"))
    ethnic_remote = models.BooleanField(_("in an ethnic-minority or remote area"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=PracticeStatus.choices,
                              default=PracticeStatus.REGISTERED)
    recognition_level = models.CharField(_("recognised at"), max_length=10, choices=Level.choices, blank=True)
    recognised_on = models.DateField(_("recognised on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "org_unit", "name"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year", "name_key"], condition=Q(deleted_at__isnull=True),
                                    name="practices_unique_per_unit_year"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                   name="practices_dates_order"),
        ]
        indexes = [
            models.Index(fields=["year", "org_unit"], name="practices_year_unit_idx"),
            models.Index(fields=["year", "recognition_level"], name="practices_year_level_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class UpdateKind(models.TextChoices):
    PROGRESS = "progress", _("Progress update")
    INTERIM_REVIEW = "interim_review", _("Interim review")
    FINAL_REVIEW = "final_review", _("Final review")


class PracticeUpdate(TimeStampedModel):
    """Progress of a practice with its evidence, or one of its reviews."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="updates",
                                 verbose_name=_("practice"))
    kind = models.CharField(_("kind"), max_length=16, choices=UpdateKind.choices, default=UpdateKind.PROGRESS)
    on = models.DateField(_("date"))
    text = models.TextField(_("what was done and its results"), max_length=20000)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("practice update")
        verbose_name_plural = _("practice updates")

    def __str__(self) -> str:
        return f"{self.practice_id} {self.kind} {self.on}"


class CriteriaSet(TimeStampedModel):
    """A configurable set of evaluation criteria with their maximum scores (DOMAIN §10's typical criteria)."""

    name = models.CharField(_("name"), max_length=255)
    owner = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("unit that set it"), help_text=_("Empty: the national default."))
    is_active = models.BooleanField(_("in use"), default=True)
    pass_score = models.DecimalField(_("score to be recognised"), max_digits=6, decimal_places=2, default=70)

    class Meta:
        ordering = ["name"]
        verbose_name = _("set of evaluation criteria")
        verbose_name_plural = _("sets of evaluation criteria")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria",
                                     verbose_name=_("set of criteria"))
    name = models.CharField(_("criterion"), max_length=500)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["criteria_set", "order", "pk"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [models.CheckConstraint(condition=Q(max_score__gt=0), name="practices_criterion_max_positive")]

    def __str__(self) -> str:
        return self.name


class Evaluation(TimeStampedModel):
    """A council's evaluation of a practice; the council sits at the practice's unit or above."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="evaluations",
                                 verbose_name=_("practice"))
    council_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("council of"))
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("set of criteria"))
    evaluated_on = models.DateField(_("evaluated on"))
    total = models.DecimalField(_("total score"), max_digits=8, decimal_places=2, editable=False, default=0)
    max_total = models.DecimalField(_("maximum total"), max_digits=8, decimal_places=2, editable=False, default=0)
    level = models.CharField(_("recognition level"), max_length=10, choices=Level.choices, blank=True,
                             help_text=_("Empty: not recognised."))
    notes = models.TextField(_("council's remarks"), blank=True, max_length=10000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"))
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-evaluated_on", "-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.practice_id} {self.evaluated_on}"


class Score(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("evaluation"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("criterion"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="practices_score_unique"),
            models.CheckConstraint(condition=Q(score__gte=0), name="practices_score_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.score)


class Replication(TimeStampedModel):
    """Another unit adopted a practice: the original shows where it spread."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="replications",
                                 verbose_name=_("practice"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("adopting unit"))
    adopted_on = models.DateField(_("adopted on"))
    notes = models.TextField(_("how it was adapted"), blank=True, max_length=5000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"))
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["adopted_on", "pk"]
        verbose_name = _("replication")
        verbose_name_plural = _("replications")
        constraints = [
            models.UniqueConstraint(fields=["practice", "org_unit"], condition=Q(deleted_at__isnull=True),
                                    name="practices_replication_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.practice_id} → {self.org_unit_id}"


class Commendation(TimeStampedModel):
    """A year-end commendation of a collective or an individual (for a practice, or for the work as a whole)."""

    awarding_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("awarded by"))
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    recipient_kind = models.CharField(_("recipient"), max_length=12, choices=RegisteredBy.choices)
    recipient_name = models.CharField(_("name of the recipient"), max_length=255)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="commendations",
                                 verbose_name=_("unit of the recipient"))
    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="commendations", verbose_name=_("practice"))
    form = models.CharField(_("form of commendation"), max_length=255, blank=True,
                            help_text=_("E.g. certificate of merit of the provincial people's committee."))
    decision_ref = models.CharField(_("decision number"), max_length=100, blank=True)
    awarded_on = models.DateField(_("awarded on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"))
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "level", "recipient_name"]
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        indexes = [models.Index(fields=["year", "org_unit"], name="practices_commend_year_idx")]

    def __str__(self) -> str:
        return self.recipient_name


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    EVALUATED = "evaluated", _("Evaluated")


class Programme(TimeStampedModel):
    """A thematic programme of a unit ("Chính quyền thân thiện, vì Nhân dân phục vụ")."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="programmes",
                                 verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("purpose and requirements"), blank=True, max_length=20000)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("plan"))
    survey = models.ForeignKey("surveys.Survey", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("satisfaction survey"))
    status = models.CharField(_("status"), max_length=10, choices=ProgrammeStatus.choices,
                              default=ProgrammeStatus.DRAFT)
    final_evaluation = models.TextField(_("final evaluation and lessons"), blank=True, max_length=20000)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("thematic programme")
        verbose_name_plural = _("thematic programmes")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="practices_programme_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class SteeringMember(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="steering",
                                  verbose_name=_("programme"))
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=255, blank=True)
    role = models.CharField(_("role in the board"), max_length=100, blank=True,
                            help_text=_("E.g. head, deputy head, member."))
    duties = models.TextField(_("duties"), blank=True, max_length=5000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("steering board member")
        verbose_name_plural = _("steering board members")

    def __str__(self) -> str:
        return self.full_name


class ProgrammeStep(models.Model):
    """An ordered step with a date or a date range; late when not done by its end (or done after it)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="steps",
                                  verbose_name=_("programme"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("step"), max_length=500)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("by"))
    owner = models.CharField(_("who does it"), max_length=255, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("result"), blank=True, max_length=5000)

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("programme step")
        verbose_name_plural = _("programme steps")
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                   name="practices_step_dates"),
        ]

    def __str__(self) -> str:
        return self.title


class ProgrammeCriterion(models.Model):
    """A criterion the programme must meet, with the evidence that it was met."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="criteria",
                                  verbose_name=_("programme"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("criterion"), max_length=500)
    met = models.BooleanField(_("met"), null=True, blank=True, help_text=_("Empty: not assessed yet."))
    evidence = models.TextField(_("evidence"), blank=True, max_length=5000)

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("programme criterion")
        verbose_name_plural = _("programme criteria")

    def __str__(self) -> str:
        return self.name


class Attachment(StoredFile):
    """Evidence of a practice update (text, photos, files) or of a programme criterion."""

    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="attachments")
    update = models.ForeignKey(PracticeUpdate, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="attachments")
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="attachments")

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
