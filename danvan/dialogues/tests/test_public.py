"""The public side of dialogues: the unit page's section, a dialogue with its commitments and their states,
a unit's dialogues and commitments, the open-data figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from danvan.dialogues import portal_sections, public, queries
from danvan.dialogues.models import Commitment, Dialogue

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _no_portal_cache(settings: Any) -> Any:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def dialogue(unit: Any, title: str, held_on: dt.date, *, kind: str = "citizens", status: str = "held",
             is_public: bool = True, deleted: bool = False, **extra: Any) -> Dialogue:
    return Dialogue.objects.create(org_unit=unit, kind=kind, title=title, held_on=held_on, status=status,
                                   is_public=is_public, deleted_at=timezone.now() if deleted else None, **extra)


def promise(d: Dialogue, text: str, due_on: dt.date, *, owner: Any = None, status: str = "open",
            done_on: dt.date | None = None, is_public: bool = True, deleted: bool = False, **extra: Any) -> Commitment:
    number = Commitment.objects.filter(dialogue=d).count() + 1
    return Commitment.objects.create(dialogue=d, number=number, text=text, owner_unit=owner or d.org_unit,
                                     due_on=due_on, status=status, done_on=done_on, is_public=is_public,
                                     deleted_at=timezone.now() if deleted else None, **extra)


def six_states(d: Dialogue, today: dt.date, owner: Any = None) -> dict[str, Commitment]:
    """One commitment in each state, as of ``today``."""
    return {
        "done_on_time": promise(d, "Sửa cầu treo bản Hon", today - dt.timedelta(days=10), owner=owner,
                                status="done", done_on=today - dt.timedelta(days=12), evidence="Đã nghiệm thu cầu"),
        "done_late": promise(d, "Lắp đèn đường", today - dt.timedelta(days=30), owner=owner, status="done",
                             done_on=today - dt.timedelta(days=3)),
        "dropped": promise(d, "Mở chợ phiên", today + dt.timedelta(days=30), owner=owner, status="dropped"),
        "overdue": promise(d, "Cấp nước sạch", today - dt.timedelta(days=1), owner=owner, status="in_progress"),
        "due_soon": promise(d, "Trả lời về đất rừng", today + dt.timedelta(days=7), owner=owner),
        "on_track": promise(d, "Xây nhà văn hóa", today + dt.timedelta(days=8), owner=owner),
    }


def body(r: Any) -> str:
    return r.content.decode()


def test_state_agrees_with_the_officials_state(tree: dict) -> None:
    today = timezone.localdate()
    d = dialogue(tree["A1"], "Đối thoại", today - dt.timedelta(days=40))
    made = six_states(d, today)
    for name, c in made.items():
        assert public.state(c.status, c.due_on, c.done_on, today) == name == queries.state(c, today)
        rows = Commitment.objects.filter(public.state_q(name, today))
        assert list(rows) == [c]


# --------------------------------------------------------------------------- the unit page's section


def test_section_shows_recent_dialogues_commitments_and_the_kept_share(tree: dict) -> None:
    a1, today = tree["A1"], timezone.localdate()
    d = dialogue(a1, "Đối thoại với Nhân dân bản Hon", today - dt.timedelta(days=40), minutes="Ông Lò Văn Phát nói",
                 chaired_by="Chủ tịch UBND xã")
    made = six_states(d, today)
    promise(d, "Lời hứa nội bộ", today + dt.timedelta(days=20), is_public=False)
    promise(d, "Lời hứa đã xóa", today + dt.timedelta(days=20), deleted=True)
    Commitment.objects.filter(pk=made["on_track"].pk).update(owner_person="Nguyễn Cán Bộ Phụ Trách")
    dialogue(a1, "Đối thoại với doanh nghiệp", today + dt.timedelta(days=10), kind="businesses", status="planned")
    hidden = [dialogue(a1, "Không công khai", today, is_public=False), dialogue(a1, "Đã xóa", today, deleted=True),
              dialogue(a1, "Đã hủy", today, status="cancelled"), dialogue(tree["A2"], "Của phường khác", today)]
    with CaptureQueriesContext(connection) as ctx:
        context = portal_sections._context(a1, None)  # type: ignore[arg-type]
    assert len(ctx.captured_queries) <= 2
    assert context is not None
    summary = context["summary"]
    assert (summary.made, summary.done, summary.kept_on_time, summary.overdue, summary.open) == (6, 2, 1, 1, 3)
    assert summary.kept_share == 25.0  # 1 of 4 settled (done ×2, dropped, overdue)
    assert [x["title"] for x in context["dialogues"]] == ["Đối thoại với doanh nghiệp", "Đối thoại với Nhân dân bản Hon"]
    assert [c["state"] for c in context["dialogues"][1]["commitments"]] == list(made)

    page = body(Client().get(f"/public/units/{a1.pk}/"))
    section = page[page.index('data-section="dialogues"'):]
    section = section[:section.index("</section>")]
    for shown in ("Đối thoại với Nhân dân bản Hon", "Sửa cầu treo bản Hon", "Xây nhà văn hóa",
                  'data-state="overdue"', 'data-testid="kept-share" data-share="25.0"',
                  f'href="/public/dialogues/units/{a1.pk}/commitments/"', f'href="/public/dialogues/{d.pk}/"'):
        assert shown in section, shown
    for absent in ("Lời hứa nội bộ", "Lời hứa đã xóa", "Nguyễn Cán Bộ Phụ Trách", "Ông Lò Văn Phát", *[h.title for h in hidden]):
        assert absent not in page, absent


def test_no_section_without_public_dialogues(tree: dict) -> None:
    dialogue(tree["A2"], "Không công khai", timezone.localdate(), is_public=False)
    assert portal_sections._context(tree["A2"], None) is None  # type: ignore[arg-type]
    assert 'data-section="dialogues"' not in body(Client().get(f"/public/units/{tree['A2'].pk}/"))


def test_section_shows_commitments_a_unit_owns_and_is_bounded(tree: dict, monkeypatch: Any) -> None:
    today = timezone.localdate()
    d = dialogue(tree["A"], "Tiếp xúc cử tri tỉnh", today - dt.timedelta(days=5), kind="voters")
    promise(d, "Xã làm đường", today + dt.timedelta(days=60), owner=tree["A1"])
    context = portal_sections._context(tree["A1"], None)  # type: ignore[arg-type]
    assert context is not None and context["summary"].made == 1 and context["dialogues"] == []
    monkeypatch.setattr(public, "SECTION_ROWS", 3)
    for i in range(4):
        promise(d, f"Việc {i}", today + dt.timedelta(days=60))
    rows, cut = public.recent_with_commitments(tree["A"], today)
    assert cut is True and sum(len(x["commitments"]) for x in rows) == 3


# --------------------------------------------------------------------------- pages


def test_dialogue_page(tree: dict, django_assert_max_num_queries: Any) -> None:
    a1, today = tree["A1"], timezone.localdate()
    earlier = dialogue(a1, "Đối thoại quý I", today - dt.timedelta(days=120))
    back = promise(earlier, "Làm rãnh thoát nước", today - dt.timedelta(days=5), status="done",
                   done_on=today - dt.timedelta(days=6))
    d = dialogue(a1, "Đối thoại với Mặt trận", today - dt.timedelta(days=10), kind="front", participants=85,
                 place="Hội trường UBND xã", topics="Đất sản xuất; nước sạch", minutes="Bà Lò Thị Nói phát biểu",
                 previous=earlier)
    Commitment.objects.filter(pk=back.pk).update(reported_at=d)
    made = six_states(d, today, owner=tree["A1v"])
    promise(d, "Nội bộ", today, is_public=False)
    c = Client()
    with django_assert_max_num_queries(3):  # the dialogue, its commitments, those reported back here
        r = c.get(f"/public/dialogues/{d.pk}/")
    page = body(r)
    assert r.status_code == 200 and page.count("<h1") == 1 and "public" in r["Cache-Control"]
    for shown in ("Đối thoại với Mặt trận", "Hội trường UBND xã", "85", "Đất sản xuất", "Bản Thẳm",
                  "Đã nghiệm thu cầu", "Làm rãnh thoát nước", f'href="/public/dialogues/{earlier.pk}/"'):
        assert shown in page, shown
    for name, commitment in made.items():
        assert f'data-commitment="{commitment.pk}"' in page and f'data-state="{name}"' in page
    assert "Nội bộ" not in page and "Bà Lò Thị Nói" not in page
    for hidden in (dialogue(a1, "x", today, is_public=False), dialogue(a1, "x", today, deleted=True),
                   dialogue(a1, "x", today, status="cancelled")):
        assert c.get(f"/public/dialogues/{hidden.pk}/").status_code == 404
    assert c.get("/public/dialogues/987654/").status_code == 404
    assert c.post(f"/public/dialogues/{d.pk}/").status_code == 405


def test_unit_commitments_filter_and_pages(tree: dict, monkeypatch: Any, django_assert_max_num_queries: Any) -> None:
    a1, today = tree["A1"], timezone.localdate()
    d = dialogue(a1, "Đối thoại", today - dt.timedelta(days=40))
    made = six_states(d, today)
    by_province = dialogue(tree["A"], "Tiếp xúc cử tri", today - dt.timedelta(days=3), kind="voters")
    owned = promise(by_province, "Xã phải làm", today + dt.timedelta(days=90), owner=a1)
    promise(dialogue(tree["A2"], "Khác", today), "Của phường khác", today + dt.timedelta(days=9))
    c = Client()
    with django_assert_max_num_queries(3):  # the unit, the page, the summary
        r = c.get(f"/public/dialogues/units/{a1.pk}/commitments/")
    page = body(r)
    assert r.status_code == 200 and page.count("<h1") == 1
    assert all(f'data-commitment="{x.pk}"' in page for x in [*made.values(), owned])
    assert "Của phường khác" not in page
    overdue = body(c.get(f"/public/dialogues/units/{a1.pk}/commitments/?state=overdue"))
    assert f'data-commitment="{made["overdue"].pk}"' in overdue and overdue.count("data-commitment=") == 1
    assert body(c.get(f"/public/dialogues/units/{a1.pk}/commitments/?state=zzz")).count("data-commitment=") == 7
    monkeypatch.setattr(public, "PAGE_SIZE", 4)
    first = body(c.get(f"/public/dialogues/units/{a1.pk}/commitments/"))
    second = body(c.get(f"/public/dialogues/units/{a1.pk}/commitments/?page=2"))
    assert first.count("data-commitment=") == 4 and 'rel="next"' in first
    assert second.count("data-commitment=") == 3 and 'rel="prev"' in second
    assert c.get(f"/public/dialogues/units/{a1.pk}/commitments/?page=abc").status_code == 200
    assert c.get("/public/dialogues/units/987654/commitments/").status_code == 404


def test_unit_dialogues_list(tree: dict, monkeypatch: Any, django_assert_max_num_queries: Any) -> None:
    a1, today = tree["A1"], timezone.localdate()
    d = dialogue(a1, "Đối thoại có lời hứa", today - dt.timedelta(days=3))
    promise(d, "Một", today)
    promise(d, "Hai", today)
    promise(d, "Ẩn", today, is_public=False)
    dialogue(a1, "Đối thoại cũ", today - dt.timedelta(days=300))
    dialogue(a1, "Ẩn", today, is_public=False)
    c = Client()
    with django_assert_max_num_queries(2):
        page = body(c.get(f"/public/dialogues/units/{a1.pk}/"))
    assert page.index("Đối thoại có lời hứa") < page.index("Đối thoại cũ") and ">2</td>" in page and "Ẩn" not in page
    monkeypatch.setattr(public, "PAGE_SIZE", 1)
    assert 'rel="next"' in body(c.get(f"/public/dialogues/units/{a1.pk}/"))
    assert c.get("/public/dialogues/units/987654/").status_code == 404


# --------------------------------------------------------------------------- open data


def test_open_figures(tree: dict) -> None:
    year = timezone.localdate().year - 1  # a whole past year: the same answer any day the test runs
    d1 = dialogue(tree["A1"], "Đối thoại", D(year, 1, 10), participants=80)
    dialogue(tree["A1v"], "Họp bản", D(year, 2, 10), participants=40)
    dialogue(tree["A1"], "Với Mặt trận", D(year, 3, 10), kind="front")
    dialogue(tree["A1"], "Kế hoạch", D(year, 1, 12), status="planned", participants=1000)
    dialogue(tree["A1"], "Đã hủy", D(year, 1, 12), status="cancelled", participants=1000)
    dialogue(tree["A1"], "Năm trước", D(year - 1, 12, 1), participants=1000)
    dialogue(tree["B1"], "Tỉnh khác", D(year, 1, 12), participants=1000)
    promise(d1, "Đúng hạn", D(year, 1, 31), status="done", done_on=D(year, 1, 20))
    promise(d1, "Trễ", D(year, 1, 31), status="done", done_on=D(year, 2, 20))
    promise(d1, "Quá hạn", D(year, 1, 31))
    promise(d1, "Ẩn vẫn đếm", D(year + 1, 1, 31), is_public=False)
    promise(d1, "Đã xóa", D(year, 1, 31), deleted=True)
    figures = {f.key: f.value for f in portal_sections.open_figures(tree["A"], D(year, 1, 1), D(year, 12, 31))}
    assert figures == {"dialogues.held": 3, "dialogues.front_held": 1, "dialogues.participants": 120,
                       "dialogues.commitments_made": 4, "dialogues.commitments_kept": 1,
                       "dialogues.commitments_overdue": 1,
                       "dialogues.commitments_kept_share": 25.0}
    none = {f.key: f.value for f in portal_sections.open_figures(tree["B"], D(year - 1, 1, 1), D(year - 1, 6, 30))}
    assert none["dialogues.held"] == 0 and none["dialogues.participants"] == 0
    assert none["dialogues.commitments_kept_share"] is None
