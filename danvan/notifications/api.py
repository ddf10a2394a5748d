"""/api/v1/notifications: the caller's own inbox, for other front ends (a mobile app, a desk system).

Only ever the caller's notifications: another user's id is simply not found among them, and
marking it read changes nothing (the count says so), never an error that would reveal it exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
)

from . import services
from .models import Notification

router = Router(tags=["notifications"])

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_MAX_MICROS = 10**17  # far beyond any real timestamp; keeps a forged cursor from overflowing


class NotificationOut(Schema):
    id: int = Field(description="The notification's id.")
    created_at: dt.datetime = Field(description="When it was sent.")
    title: str = Field(description="One line saying what happened.")
    body: str = Field(description="Details; may be empty.")
    url: str = Field(description="Where to act on it (a path on this site); may be empty.")
    key: str = Field(description="The event it is about, e.g. “reports.overdue:12”; may be empty.")
    read_at: dt.datetime | None = Field(description="When the caller marked it read; null while unread.")


class NotificationPage(Schema):
    items: list[NotificationOut] = Field(description="Notifications, newest first.")
    unread: int = Field(description="How many of the caller's notifications are unread in all.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only notifications not yet read.")
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class MarkReadIn(Schema):
    ids: list[int] | None = Field(
        None, max_length=services.MAX_IDS,
        description=f"The notifications to mark read (at most {services.MAX_IDS}); omit and send `all` for every one.",
    )
    all: bool = Field(False, description="Mark every unread notification of the caller read.")


class MarkReadOut(Schema):
    marked: int = Field(description="How many notifications changed from unread to read.")
    unread: int = Field(description="How many remain unread.")


def _is_cursor(value: Any) -> bool:
    return (
        isinstance(value, list) and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= _MAX_MICROS and 0 <= value[1] <= MAX_ID
    )


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk, created_at=n.created_at, title=n.title, body=n.body, url=n.url, key=n.key, read_at=n.read_at,
    )


@router.get(
    "", response={200: NotificationPage, **error_responses(*AUTH_ERRORS, 422)},
    summary="List my notifications", operation_id="notifications_list",
)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> NotificationPage:
    """The caller's notifications, newest first, one page at a time; `unread=true` for the unread ones only."""
    user = caller(request)
    after = decode_cursor(filters.cursor, _is_cursor)
    qs = Notification.objects.for_user(user)
    if filters.unread:
        qs = qs.unread()
    if after is not None:
        at, pk = _EPOCH + after[0] * _MICROSECOND, after[1]
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    rows = list(qs.order_by("-created_at", "-pk")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    last = rows[-1] if rows else None
    return NotificationPage(
        items=[_out(n) for n in rows],
        unread=Notification.objects.for_user(user).unread().count(),
        next_cursor=encode_cursor([(last.created_at - _EPOCH) // _MICROSECOND, last.pk]) if more and last else None,
    )


@router.post(
    "/read", response={200: MarkReadOut, **error_responses(*AUTH_ERRORS, 400, 422)},
    summary="Mark notifications read", operation_id="notifications_mark_read",
)
def mark_read(request: HttpRequest, payload: MarkReadIn) -> MarkReadOut:
    """Marks the given notifications of the caller read (`ids`), or all of them (`all: true`).

    Ids that are not the caller's, or already read, are skipped: `marked` counts what changed.
    """
    user = caller(request)
    if payload.all == (payload.ids is not None):
        raise ValidationError({"ids": _("Send either the ids to mark read or “all”: true.")})
    marked = services.mark_read(user=user, ids=None if payload.all else payload.ids)
    return MarkReadOut(marked=marked, unread=Notification.objects.for_user(user).unread().count())
