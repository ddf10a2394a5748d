"""Pre-aggregated figures of every unit, so that the national dashboard reads a few hundred rows.

``danvan dashboard refresh`` (cron, every few minutes; also a task) asks each module's figure
providers for the figures of the leaf units in bulk (one grouped query per figure), adds them up
the tree (numerators and denominators, so that a rate of a province is the rate of its communes'
cases, not a mean of rates) and replaces the rows of the period in one transaction. A page shows
the time of its figures (``Refresh.finished_at``); the figures are at most one refresh old.

A figure a module does not provide (yet) has no row, and is shown as "not available", never as 0.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from danvan.core.models import TimeStampedModel
from danvan.orgs.queries import UnitScopedQuerySet


class Figure(models.Model):
    """One figure of one unit for one period: ``value`` = numerator (a count) or numerator/denominator·100."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("unit"))
    key = models.CharField(_("figure"), max_length=60)
    period = models.CharField(_("period"), max_length=10, help_text=_("A year (2026) or a quarter (2026-Q3)."))
    numerator = models.FloatField(_("numerator"), null=True)
    denominator = models.FloatField(_("denominator"), null=True)
    value = models.FloatField(_("value"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "key", "period"], name="dashboard_figure_unique"),
        ]
        indexes = [models.Index(fields=["period", "key", "org_unit"], name="dashboard_figure_period_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.key} {self.period}"


class Refresh(models.Model):
    """One run of the pre-aggregation: when the figures shown were computed."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    periods = models.JSONField(_("periods"), default=list)
    figures = models.PositiveIntegerField(_("figures written"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("dashboard refresh")
        verbose_name_plural = _("dashboard refreshes")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class LeagueTableQuerySet(UnitScopedQuerySet):
    unit_field = "owner"


class LeagueTable(TimeStampedModel):
    """A ranking of the units below ``owner`` on weighted criteria; the formula is shown with the table.

    ``criteria`` is a list of ``{"key": <figure key>, "weight": <number>}``; a unit's score is the
    weighted mean of its figures (each a 0–100 rate, or a count scaled to the best unit), over the
    criteria the unit has a figure for.
    """

    owner = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=255)
    criteria = models.JSONField(_("criteria and weights"), default=list)
    is_default = models.BooleanField(_("default for the unit"), default=False)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = LeagueTableQuerySet.as_manager()

    class Meta:
        ordering = ["owner", "name"]
        verbose_name = _("league table")
        verbose_name_plural = _("league tables")
        constraints = [
            models.UniqueConstraint(fields=["owner"], condition=Q(is_default=True, deleted_at__isnull=True),
                                    name="dashboard_one_default_table"),
        ]

    def __str__(self) -> str:
        return self.name
