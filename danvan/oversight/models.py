"""How plans reach the units and are checked there: dissemination sessions and inspections.

A dissemination session ("quán triệt") records which unit studied which documents of the legal
registry, when and with how many people: the plans' "100% of units disseminated" is then the share of
units in scope with a session on the document. An inspection plan (of others, or a self-inspection)
lists what will be inspected; each inspection records its findings and follow-up actions with owners
and deadlines, late when not done in time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from danvan.core.models import TimeStampedModel
from danvan.orgs.queries import UnitScopedQuerySet


class Dissemination(TimeStampedModel):
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="disseminations",
                                 verbose_name=_("unit"))
    title = models.CharField(_("title"), max_length=255)
    held_on = models.DateField(_("held on"))
    documents = models.ManyToManyField("legal.LegalDocument", related_name="disseminations",
                                       verbose_name=_("documents disseminated"))
    participants = models.PositiveIntegerField(_("participants"))
    form = models.CharField(_("form"), max_length=255, blank=True,
                            help_text=_("E.g. conference, online, integrated into the unit's meeting."))
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("dissemination session")
        verbose_name_plural = _("dissemination sessions")
        indexes = [models.Index(fields=["org_unit", "held_on"], name="oversight_dissem_unit_idx")]

    def __str__(self) -> str:
        return self.title


class InspectionKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection of other units")
    SELF = "self", _("Self-inspection")


class InspectionPlan(TimeStampedModel):
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="inspection_plans",
                                 verbose_name=_("inspecting unit"))
    kind = models.CharField(_("kind"), max_length=12, choices=InspectionKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=255)
    content = models.TextField(_("content"), blank=True, max_length=20000)
    units = models.ManyToManyField("orgs.OrgUnit", blank=True, related_name="+", verbose_name=_("units to inspect"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-starts_on", "-pk"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="oversight_plan_dates"),
        ]

    def __str__(self) -> str:
        return self.title


class Inspection(TimeStampedModel):
    """One inspection done (under a plan or not): the unit inspected, the findings, the conclusion."""

    plan = models.ForeignKey(InspectionPlan, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="inspections", verbose_name=_("inspection plan"))
    inspector = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("inspecting unit"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="inspections",
                                 verbose_name=_("unit inspected"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    findings = models.TextField(_("findings"), blank=True, max_length=20000)
    conclusion = models.TextField(_("conclusion"), blank=True, max_length=10000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"))
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="oversight_inspection_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.starts_on}"


class FollowUpAction(TimeStampedModel):
    """What an inspection asks a unit to do, by when; late when not done by its deadline."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="actions",
                                   verbose_name=_("inspection"))
    text = models.TextField(_("action required"), max_length=5000)
    owner_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("unit responsible"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True, max_length=5000)
    lock_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.text[:80]
