"""In-app notifications: what the platform tells a user (reminders, returned reports, ...).

A notification may carry a ``key`` naming the event it is about ("reports.due_soon:123"); the
unique (user, key) pair means the same event is never notified twice to the same person, even
when two workers run the same reminder job.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: object) -> NotificationQuerySet:
        return self.filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(max_length=200, blank=True, help_text="Names the event; one notification per user and key.")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="notifications_once_per_key")
        ]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="notifications_user_idx")]

    def __str__(self) -> str:
        return self.title
