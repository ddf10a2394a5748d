"""The inbox pages: own notifications only, keyset pages, marking read, the lazily loaded header badge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.notifications.models import Notification
from danvan.notifications.views import PAGE_SIZE, decode_after, encode_after

pytestmark = pytest.mark.django_db

LIST = "/notifications/"
READ = "/notifications/read/"
BADGE = "/notifications/badge/"


@pytest.fixture
def lan(make_user: Any, tree: dict[str, Any], no_mfa: None) -> Any:
    return make_user("lan", (tree["A1"], "officer"))


@pytest.fixture
def minh(make_user: Any, tree: dict[str, Any]) -> Any:
    return make_user("minh", (tree["A2"], "officer"))


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def add(user: Any, n: int, *, start: dt.datetime | None = None, same_time: bool = False, prefix: str = "",
        **extra: Any) -> list[Any]:
    start = start or timezone.now() - dt.timedelta(days=1)
    rows = [
        Notification(user=user, created_at=start if same_time else start + dt.timedelta(minutes=i),
                     title=f"{prefix}Thông báo {user.username} {i:03d}", **extra)
        for i in range(n)
    ]
    return Notification.objects.bulk_create(rows)


def titles(response: Any) -> list[str]:
    return [n.title for n in response.context["notifications"]]


def test_anonymous_is_sent_to_log_in() -> None:
    for url in (LIST, READ):
        r = Client().get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = Client().post(READ, {"all": "1"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_badge_for_anonymous_is_empty() -> None:
    r = Client().get(BADGE)
    assert r.status_code == 204 and r.content == b""


def test_list_shows_only_my_notifications_newest_first(lan: Any, minh: Any) -> None:
    add(lan, 3, url="/plans/")
    add(minh, 2)
    r = client_for(lan).get(LIST)
    assert r.status_code == 200
    assert titles(r) == ["Thông báo lan 002", "Thông báo lan 001", "Thông báo lan 000"]
    html = r.content.decode()
    assert "Thông báo minh" not in html
    assert 'href="/plans/"' in html
    assert r.context["unread"] == 3


def test_pages_by_time_and_id(lan: Any) -> None:
    add(lan, PAGE_SIZE + 5)
    # Ten more at the same instant: the id breaks the tie, none is lost or shown twice.
    add(lan, 10, start=timezone.now() - dt.timedelta(days=2), same_time=True, prefix="Cũ ")
    c = client_for(lan)
    seen: list[str] = []
    r = c.get(LIST)
    pages = 0
    while True:
        pages += 1
        seen += titles(r)
        if not r.context["more"]:
            break
        assert f"after={r.context['next_after']}" in r.content.decode()
        r = c.get(LIST, {"after": r.context["next_after"]})
        assert r.status_code == 200
    assert pages == 2
    assert len(seen) == len(set(seen)) == PAGE_SIZE + 15
    expected = list(Notification.objects.filter(user=lan).order_by("-created_at", "-pk").values_list("title", flat=True))
    assert seen == expected


@pytest.mark.parametrize("after", ["x", "12-", "-3", "1" * 30 + "-1", "99999999999999999-1"])
def test_bad_cursor_shows_the_first_page(lan: Any, after: str) -> None:
    add(lan, 2)
    r = client_for(lan).get(LIST, {"after": after})
    assert r.status_code == 200 and len(titles(r)) == 2


def test_cursor_round_trip(lan: Any) -> None:
    (n,) = add(lan, 1)
    assert decode_after(encode_after(n)) == (n.created_at, n.pk)


def test_unread_filter(lan: Any) -> None:
    rows = add(lan, 3)
    Notification.objects.filter(pk=rows[0].pk).update(read_at=timezone.now())
    r = client_for(lan).get(LIST, {"unread": "1"})
    assert titles(r) == ["Thông báo lan 002", "Thông báo lan 001"]
    assert r.context["unread_only"] is True


def test_list_query_count_does_not_grow(lan: Any, django_assert_max_num_queries: Any) -> None:
    add(lan, PAGE_SIZE + 20, url="/plans/")
    c = client_for(lan)
    c.get(LIST)  # warm the per-process caches (calendar, content types)
    with django_assert_max_num_queries(10) as ctx:
        r = c.get(LIST)
    assert r.status_code == 200 and len(titles(r)) == PAGE_SIZE
    few = len(ctx.captured_queries)
    Notification.objects.filter(user=lan).delete()
    add(lan, 3)
    with django_assert_max_num_queries(few) as ctx2:
        c.get(LIST)
    assert len(ctx2.captured_queries) == few


def test_mark_one_read(lan: Any, minh: Any) -> None:
    mine = add(lan, 2)
    theirs = add(minh, 1)
    c = client_for(lan)
    r = c.post(READ, {"id": str(mine[0].pk), "next": "/notifications/?unread=1"})
    assert r.status_code == 302 and r["Location"] == "/notifications/?unread=1"
    assert Notification.objects.get(pk=mine[0].pk).read_at is not None
    assert Notification.objects.get(pk=mine[1].pk).read_at is None
    # Another user's notification: nothing happens, nothing is revealed.
    r = c.post(READ, {"id": str(theirs[0].pk)})
    assert r.status_code == 302 and r["Location"] == LIST
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None


def test_mark_all_read_and_unsafe_next(lan: Any, minh: Any) -> None:
    add(lan, 3)
    add(minh, 2)
    c = client_for(lan)
    r = c.post(READ, {"all": "1", "next": "https://evil.example/"}, follow=True)
    assert r.redirect_chain[-1][0] == LIST
    assert Notification.objects.filter(user=lan, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(user=minh, read_at__isnull=True).count() == 2
    assert "3" in " ".join(str(m) for m in r.context["messages"])


def test_mark_read_bad_input_changes_nothing(lan: Any) -> None:
    add(lan, 1)
    c = client_for(lan)
    r = c.post(READ, {"id": "abc"}, follow=True)
    assert r.status_code == 200
    assert list(r.context["messages"])  # the error is shown
    r = c.post(READ, {}, follow=True)
    assert list(r.context["messages"])
    assert Notification.objects.get().read_at is None
    assert c.get(READ).status_code == 405


def test_badge_counts_my_unread(lan: Any, minh: Any, django_assert_max_num_queries: Any) -> None:
    rows = add(lan, 4)
    add(minh, 7)
    Notification.objects.filter(pk=rows[0].pk).update(read_at=timezone.now())
    c = client_for(lan)
    # What every request pays (session, user, the current unit, the session's activity stamp) plus one count.
    with django_assert_max_num_queries(8) as ctx:
        r = c.get(BADGE)
    assert sum("notifications_notification" in q["sql"] for q in ctx.captured_queries) == 1
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="unread-count"' in html and ">3<" in html
    assert 'href="/notifications/"' in html
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]


def test_badge_without_unread_and_capped(lan: Any) -> None:
    c = client_for(lan)
    assert 'data-testid="unread-count"' not in c.get(BADGE).content.decode()
    add(lan, 120)
    assert ">99+<" in c.get(BADGE).content.decode()


def test_every_page_loads_the_badge_lazily(lan: Any, django_assert_max_num_queries: Any) -> None:
    """The header carries the htmx trigger, and rendering it costs the page no query on notifications."""
    add(lan, 5)
    c = client_for(lan)
    r = c.get("/account/")
    html = r.content.decode()
    assert 'hx-get="/notifications/badge/"' in html and 'hx-trigger="load"' in html
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        c.get("/account/")
    assert not any("notifications_notification" in q["sql"] for q in ctx.captured_queries)
    assert Client().get("/accounts/login/").content.decode().count("notifications/badge") == 0
