"""/api/v1/notifications: the caller's inbox only, cursor pages, marking read; answers checked against OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.api.tests.conftest import ApiClient, Caller
from danvan.notifications.models import Notification

pytestmark = pytest.mark.django_db

LIST = "/notifications"
READ = "/notifications/read"


def add(user: Any, n: int, *, same_time: bool = False, **extra: Any) -> list[Any]:
    start = timezone.now() - dt.timedelta(days=1)
    return Notification.objects.bulk_create(
        Notification(user=user, created_at=start if same_time else start + dt.timedelta(minutes=i),
                     title=f"{user.username} {i:03d}", **extra)
        for i in range(n)
    )


@pytest.fixture
def caller(make_user: Any) -> Any:
    from danvan.accounts.services import create_api_token

    def make(username: str, *grants: tuple[Any, str]) -> Caller:
        user = make_user(username, *grants)
        _, secret = create_api_token(user=user, name="test")
        return Caller(user, secret, ApiClient(secret))

    return make


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


@pytest.fixture
def lan(caller: Any, tree: dict[str, Any]) -> Caller:
    return caller("lan", (tree["A1"], "officer"))


@pytest.fixture
def minh(caller: Any, tree: dict[str, Any]) -> Caller:
    return caller("minh", (tree["B1"], "officer"))


def test_anonymous_gets_401(anon: ApiClient) -> None:
    assert anon.get(LIST).status_code == 401
    assert anon.post(READ, json={"all": True}).status_code == 401


def test_list_is_mine_only(lan: Caller, minh: Caller) -> None:
    add(lan.user, 2, url="/plans/")
    Notification.objects.filter(user=lan.user, title="lan 001").update(key="reports.due_soon:5")
    add(minh.user, 3)
    r = lan.api.get(LIST)
    assert r.status_code == 200
    body = r.json()
    assert [i["title"] for i in body["items"]] == ["lan 001", "lan 000"]
    assert body["unread"] == 2 and body["next_cursor"] is None
    first = body["items"][0]
    assert (first["url"], first["key"], first["read_at"]) == ("/plans/", "reports.due_soon:5", None)
    assert minh.api.get(LIST).json()["unread"] == 3


def test_cursor_pages_cover_everything_once(lan: Caller, django_assert_max_num_queries: Any) -> None:
    add(lan.user, 7)
    add(lan.user, 6, same_time=True)  # ties on time broken by id
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 5}
        if cursor:
            params["cursor"] = cursor
        with django_assert_max_num_queries(4):  # token, user, page, unread count
            r = lan.api.get(LIST, data=params)
        assert r.status_code == 200
        pages += 1
        seen += [i["id"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    expected = list(Notification.objects.filter(user=lan.user).order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert seen == expected


def test_unread_filter(lan: Caller) -> None:
    rows = add(lan.user, 3)
    Notification.objects.filter(pk=rows[2].pk).update(read_at=timezone.now())
    body = lan.api.get(LIST, data={"unread": "true"}).json()
    assert [i["id"] for i in body["items"]] == [rows[1].pk, rows[0].pk]
    assert body["unread"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WzEsMiwzXQ"}, "cursor"),  # [1,2,3]
        ({"cursor": "WyJhIiwxXQ"}, "cursor"),  # ["a",1]
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"unread": "maybe"}, "unread"),
    ],
)
def test_bad_list_input(lan: Caller, params: dict[str, Any], field: str) -> None:
    r = lan.api.get(LIST, data=params)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == [field]


def test_mark_read_by_ids_and_all(lan: Caller, minh: Caller) -> None:
    mine = add(lan.user, 3)
    theirs = add(minh.user, 1)
    r = lan.api.post(READ, json={"ids": [mine[0].pk, theirs[0].pk]})
    assert r.status_code == 200 and r.json() == {"marked": 1, "unread": 2}
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    r = lan.api.post(READ, json={"all": True})
    assert r.json() == {"marked": 2, "unread": 0}
    assert lan.api.post(READ, json={"all": True}).json() == {"marked": 0, "unread": 0}
    assert minh.api.get(LIST).json()["unread"] == 1


@pytest.mark.parametrize(
    "payload",
    [{}, {"ids": [1], "all": True}, {"ids": []}, {"ids": ["x"]}, {"ids": [0]}, {"ids": list(range(1, 600))},
     {"all": "yes please"}],
)
def test_mark_read_bad_input(lan: Caller, payload: dict[str, Any]) -> None:
    add(lan.user, 1)
    r = lan.api.post(READ, json=payload)
    assert r.status_code == 422, r.content
    assert r.json()["errors"]
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_session_caller_needs_csrf(make_user: Any, no_mfa: None) -> None:
    user = make_user("phuong")
    add(user, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    api = ApiClient(client=client)
    assert api.get(LIST).json()["unread"] == 1
    assert api.post(READ, json={"all": True}).status_code == 403
    assert Notification.objects.get().read_at is None
