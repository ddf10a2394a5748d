"""Writing to users' in-app inboxes: telling them something, and marking what they have read.

Neither write is audited: a notification is a copy, for one person, of an event that the caller
has already recorded (a reminder run, a returned report), and reading it changes nothing but
that person's own inbox. Logging every click on "mark as read" would bury the events that matter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification

TITLE_MAX = Notification._meta.get_field("title").max_length or 255
URL_MAX = Notification._meta.get_field("url").max_length or 500
KEY_MAX = Notification._meta.get_field("key").max_length or 200
MAX_IDS = 500
MAX_ID = 2**63 - 1  # the largest key the databases hold; larger is bad input, not a crash


def _check(*, title: str, url: str, key: str) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("A notification needs a title.")
    if url and not (url.startswith("/") and not url.startswith("//")) and not url.startswith(("https://", "http://")):
        # Rendered as a link in the inbox: never a "javascript:" or protocol-relative address.
        errors["url"] = _("The link must be a path on this site or an http(s) address.")
    elif len(url) > URL_MAX:
        errors["url"] = _("The link is too long.")
    if len(key) > KEY_MAX:
        errors["key"] = _("The event key is too long.")
    if errors:
        raise ValidationError(errors)


def notify(users: Iterable[Any], *, title: str, body: str = "", url: str = "", key: str = "") -> int:
    """Put one notification in each active user's inbox; returns how many were new.

    With a ``key``, a user who already has a notification with that key gets nothing more (the
    unique (user, key) constraint, so two workers racing on the same event are safe too).
    """
    _check(title=title, url=url, key=key)
    title = title.strip()
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    active: dict[int, Any] = {}
    for user in users:
        if user is not None and user.pk is not None and user.is_active:
            active.setdefault(user.pk, user)
    if not active:
        return 0
    # No savepoint of its own: nothing is left half-done on failure, and reminders call it per report.
    with transaction.atomic(savepoint=False):
        return _insert(list(active), title=title, body=body, url=url, key=key)


def _insert(ids: list[int], *, title: str, body: str, url: str, key: str) -> int:
    now = timezone.now()
    if key:
        already = set(Notification.objects.filter(user_id__in=ids, key=key).values_list("user_id", flat=True))
        ids = [pk for pk in ids if pk not in already]
        if not ids:
            return 0
    rows = [Notification(user_id=pk, created_at=now, title=title, body=body, url=url, key=key) for pk in ids]
    if not key:
        Notification.objects.bulk_create(rows)
        return len(rows)
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # The rows a racing worker inserted first carry its own timestamp, not ours.
    return Notification.objects.filter(user_id__in=ids, key=key, created_at=now).count()


@transaction.atomic
def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (those in ``ids``, or all); returns how many changed.

    Ids of other users' notifications are silently ignored: the answer must not tell whether they exist.
    """
    qs = Notification.objects.for_user(user).unread()
    if ids is not None:
        try:
            wanted = {int(i) for i in ids if not isinstance(i, bool)}
        except (TypeError, ValueError) as exc:
            raise ValidationError({"ids": _("Notification ids must be whole numbers.")}) from exc
        if any(i < 1 or i > MAX_ID for i in wanted):
            raise ValidationError({"ids": _("Notification ids must be whole numbers.")})
        if not wanted:
            raise ValidationError({"ids": _("Choose at least one notification.")})
        if len(wanted) > MAX_IDS:
            raise ValidationError({"ids": _("At most %(n)d notifications at a time.") % {"n": MAX_IDS}})
        qs = qs.filter(pk__in=wanted)
    return qs.update(read_at=timezone.now())
