"""Shared kernel models: the audit log and the working-day calendar's exceptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One line of the append-only audit log.

    Each row carries the hash of the previous row, so that editing or deleting a row behind
    the application's back breaks the chain and ``danvan audit verify`` names the first
    broken link. The database also refuses UPDATE and DELETE on this table (migration 0002).
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor label"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("unit"),
    )
    summary = models.JSONField(_("summary of change"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row locked by every writer of the log, so that two transactions never fork the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # The hash before the last append (the last event's prev_hash, kept in step on every database):
    # written by the same UPDATE that moves the head, so that on PostgreSQL one statement can both
    # advance the chain and hand the previous link to the event it inserts.
    prev_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.last_seq}:{self.last_hash[:12]}"


class CalendarDay(TimeStampedModel):
    """An exception to the national holiday calendar entered by an administrator.

    The government announces swapped days each year (a Saturday worked in exchange for a
    weekday off) and sometimes extra days off; the ``holidays`` package knows many of them,
    this table adds or corrects the rest.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("is a working day"),
        help_text=_("Ticked: the day is worked (e.g. a swapped Saturday). Not ticked: the day is off."),
    )
    note = models.CharField(_("note"), max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.note}"


class StoredFile(models.Model):
    """A file an official attached to a record: checked by ``danvan.core.uploads`` on the way in.

    Abstract: each app keeps its own table (its records, its permissions), with the same columns.
    The stored name is random and outside any served URL; the original name is kept only here.
    """

    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ResponseTracked(models.Model):
    """A recommendation the government must answer by a date (boards' findings, the Front's supervision).

    A response given after ``response_due_on`` needs ``late_reason`` (services refuse it otherwise), so
    the record always says why a deadline was missed.
    """

    response_due_on = models.DateField(_("response due on"), null=True, blank=True)
    response = models.TextField(_("government's response"), blank=True, max_length=10000)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    late_reason = models.TextField(_("reason for the late response"), blank=True, max_length=2000)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("responded by"),
    )

    class Meta:
        abstract = True
