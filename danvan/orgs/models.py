"""The administrative tree and who may act for which part of it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from danvan.core.models import TimeStampedModel

from .paths import ancestor_ids, depth_of
from .queries import MembershipQuerySet, OrgUnitQuerySet
from .roles import Role


class OrgKind(models.Model):
    """Kinds of unit are data: province, district, commune, village, department, front, party, other…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=50, help_text=_("Smaller ranks are higher in the tree; used for sorting.")
    )
    is_administrative = models.BooleanField(
        _("administrative level"), default=False,
        help_text=_("Province, district and commune are levels of government; the rest hang below them."),
    )

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("unit kind")
        verbose_name_plural = _("unit kinds")

    def __str__(self) -> str:
        return self.name


class OrgUnit(TimeStampedModel):
    kind = models.ForeignKey(OrgKind, on_delete=models.PROTECT, related_name="units", verbose_name=_("kind"))
    name = models.CharField(_("name"), max_length=255)
    code = models.CharField(
        _("official code"), max_length=32, blank=True,
        help_text=_("Code in the official list (e.g. the statistics office's code), or the province's own catalogue code."),
    )
    division_type = models.CharField(
        _("type"), max_length=50, blank=True,
        help_text=_("As written in the official list: tỉnh, thành phố, xã, phường, đặc khu, thôn, tổ dân phố…"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent unit")
    )
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=True, default="")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last day the unit existed; empty while it still exists.")
    )
    successors = models.ManyToManyField(
        "self", through="UnitSuccession", symmetrical=False, related_name="predecessors", blank=True,
        verbose_name=_("successor units"),
    )
    search_name = models.CharField(max_length=255, editable=False, db_index=True, default="")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True) & ~Q(code=""), name="orgs_unit_code_unique_current"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="orgs_unit_valid_interval",
            ),
        ]
        indexes = [models.Index(fields=["parent", "name"], name="orgs_unit_parent_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return depth_of(self.path) if self.path else 0

    @property
    def ancestor_ids(self) -> list[int]:
        return ancestor_ids(self.path)[:-1] if self.path else []

    def is_current(self, on: dt.date | None = None) -> bool:
        from django.utils import timezone

        day = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    def is_in_subtree_of(self, other: OrgUnit) -> bool:
        return bool(self.path) and self.path.startswith(other.path)


class UnitSuccession(models.Model):
    """A merged or split unit's link to the unit that took over its duties, with the day it did."""

    predecessor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("former unit"))
    successor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("successor unit"))
    effective_on = models.DateField(_("effective on"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="orgs_succession_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="orgs_succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}"


class Membership(TimeStampedModel):
    """A user's role for a unit and its whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org_unit", "role"], condition=Q(revoked_at__isnull=True),
                name="orgs_membership_unique_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.org_unit}"
