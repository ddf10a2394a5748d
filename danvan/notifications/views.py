"""The inbox: the user's own notifications, newest first, and the unread count in the header.

The header's count is fetched by htmx after the page has loaded (``badge``), so that no page pays
a query for it while it renders; without JavaScript the header still links to the inbox.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import Notification

PAGE_SIZE = 50
BADGE_CAP = 99
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def encode_after(n: Notification) -> str:
    """The keyset cursor of a row: its time in whole microseconds and its id (exact, no float)."""
    return f"{(n.created_at - _EPOCH) // _MICROSECOND}-{n.pk}"


def decode_after(value: str) -> tuple[dt.datetime, int] | None:
    micros, _sep, pk = value.partition("-")
    if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18 or len(pk) > 18:
        return None
    try:
        return _EPOCH + int(micros) * _MICROSECOND, int(pk)
    except OverflowError:
        return None


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.for_user(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        qs = qs.unread()
    after_param = request.GET.get("after", "")
    after = decode_after(after_param) if after_param else None
    if after is not None:
        at, pk = after
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    rows = list(qs.order_by("-created_at", "-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    unread = Notification.objects.for_user(request.user).unread().count()
    return render(
        request, "notifications/list.html",
        {
            "notifications": rows, "more": more, "next_after": encode_after(rows[-1]) if more else "",
            "paged": after is not None, "unread_only": unread_only, "unread": unread,
        },
    )


def _next(request: HttpRequest) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return reverse("notifications:list")


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """One notification (``id``), several, or every unread one (``all``)."""
    ids: Any = None if request.POST.get("all") else request.POST.getlist("id")
    try:
        count = services.mark_read(user=request.user, ids=ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_next(request))
    if ids is None:
        messages.success(
            request, ngettext("%(n)d notification marked as read.", "%(n)d notifications marked as read.", count)
            % {"n": count},
        )
    return redirect(_next(request))


@never_cache
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The header's link with the unread count; nothing for a session that has expired (htmx swaps nothing)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    unread = Notification.objects.for_user(request.user).unread().count()
    return render(
        request, "notifications/_badge.html",
        {"unread": unread, "shown": f"{BADGE_CAP}+" if unread > BADGE_CAP else str(unread)},
    )

