"""notify and mark_read: once per user and event, inactive users skipped, only one's own inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from danvan.notifications import services
from danvan.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user: Any) -> dict[str, Any]:
    return {name: make_user(name) for name in ("lan", "minh", "hoa")}


def test_notify_without_key_sends_every_time(people: dict[str, Any]) -> None:
    users = [people["lan"], people["minh"]]
    assert services.notify(users, title="Có báo cáo bị trả lại", body="Chi tiết", url="/reports/1/") == 2
    assert services.notify(users, title="Có báo cáo bị trả lại") == 2
    assert Notification.objects.filter(user=people["lan"]).count() == 2
    n = Notification.objects.filter(user=people["minh"]).order_by("pk").first()
    assert n is not None
    assert (n.title, n.body, n.url, n.key, n.read_at) == ("Có báo cáo bị trả lại", "Chi tiết", "/reports/1/", "", None)
    assert abs(n.created_at - timezone.now()) < dt.timedelta(seconds=30)


def test_notify_with_key_sends_once_per_user(people: dict[str, Any]) -> None:
    assert services.notify([people["lan"]], title="Sắp đến hạn", key="reports.due_soon:1") == 1
    # The same event again, now also to minh: only minh's is new.
    assert services.notify([people["lan"], people["minh"]], title="Sắp đến hạn", key="reports.due_soon:1") == 1
    assert services.notify([people["lan"], people["minh"]], title="Sắp đến hạn", key="reports.due_soon:1") == 0
    assert Notification.objects.filter(key="reports.due_soon:1").count() == 2
    # Another key is another event.
    assert services.notify([people["lan"]], title="Quá hạn", key="reports.overdue:1") == 1


def test_duplicates_in_the_list_count_once(people: dict[str, Any]) -> None:
    assert services.notify([people["lan"], people["lan"]], title="Một lần", key="k:1") == 1
    assert services.notify([people["hoa"], people["hoa"]], title="Không khóa") == 1


def test_inactive_users_and_empty_lists(people: dict[str, Any]) -> None:
    people["hoa"].is_active = False
    people["hoa"].save(update_fields=["is_active"])
    assert services.notify([people["hoa"], people["lan"]], title="Tin", key="k:2") == 1
    assert not Notification.objects.filter(user=people["hoa"]).exists()
    assert services.notify([], title="Tin") == 0
    assert services.notify([people["hoa"]], title="Tin") == 0


def test_an_existing_notification_is_left_as_it_was(people: dict[str, Any]) -> None:
    """The first wording stays; the concurrent case (ignore_conflicts) is the PostgreSQL test below."""
    Notification.objects.create(user=people["minh"], created_at=timezone.now(), title="Đã có", key="k:3")
    assert services.notify([people["lan"], people["minh"]], title="Mới", key="k:3") == 1
    assert Notification.objects.filter(key="k:3").count() == 2
    assert Notification.objects.get(user=people["minh"], key="k:3").title == "Đã có"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x", "url": "javascript:alert(1)"}, "url"),
        ({"title": "x", "url": "//evil.example/"}, "url"),
        ({"title": "x", "url": "/" + "a" * 600}, "url"),
        ({"title": "x", "key": "k" * 201}, "key"),
    ],
)
def test_bad_input_names_the_field(people: dict[str, Any], kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.notify([people["lan"]], **kwargs)
    assert field in exc.value.message_dict
    assert not Notification.objects.exists()


def test_long_title_is_shortened_and_absolute_links_are_allowed(people: dict[str, Any]) -> None:
    assert services.notify([people["lan"]], title="Dài " * 200, url="https://dichvucong.gov.vn/") == 1
    n = Notification.objects.get()
    assert len(n.title) == 255 and n.title.endswith("…")


def test_mark_read_one_some_or_all(people: dict[str, Any]) -> None:
    for i in range(3):
        services.notify([people["lan"], people["minh"]], title=f"Tin {i}")
    mine = list(Notification.objects.filter(user=people["lan"]).order_by("pk").values_list("pk", flat=True))
    theirs = list(Notification.objects.filter(user=people["minh"]).values_list("pk", flat=True))
    assert services.mark_read(user=people["lan"], ids=[mine[0]]) == 1
    assert services.mark_read(user=people["lan"], ids=[mine[0]]) == 0  # already read
    # Another user's ids are ignored, silently.
    assert services.mark_read(user=people["lan"], ids=theirs) == 0
    assert Notification.objects.filter(user=people["minh"], read_at__isnull=False).count() == 0
    assert services.mark_read(user=people["lan"]) == 2
    assert Notification.objects.filter(user=people["lan"], read_at__isnull=True).count() == 0
    assert services.mark_read(user=people["lan"]) == 0
    assert Notification.objects.filter(user=people["minh"], read_at__isnull=True).count() == 3


@pytest.mark.parametrize("ids", [[], ["abc"], [0], [-5], [2**63], [True], list(range(1, 502))])
def test_mark_read_bad_ids(people: dict[str, Any], ids: list[Any]) -> None:
    services.notify([people["lan"]], title="Tin")
    with pytest.raises(ValidationError) as exc:
        services.mark_read(user=people["lan"], ids=ids)
    assert "ids" in exc.value.message_dict
    assert Notification.objects.get().read_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections")
def test_two_workers_notify_the_same_event_once(people: dict[str, Any]) -> None:
    import threading

    assert connection.vendor == "postgresql"
    users = list(people.values())
    barrier = threading.Barrier(4)
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.notify(users, title="Quá hạn", key="reports.overdue:9"))
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 3
    assert Notification.objects.filter(key="reports.overdue:9").count() == 3
