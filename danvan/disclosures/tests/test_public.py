"""The public side of grassroots democracy: the unit page's section, the calendar, the quarters, a disclosure,
a consultation, the files published with them, the open-data figures."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from danvan.demo.tests.test_plans import official  # noqa: F401 - the fixture
from danvan.disclosures import portal_sections, public
from danvan.disclosures.models import (
    Attachment,
    BoardFinding,
    BoardKind,
    Consultation,
    Disclosure,
    DisclosureCategory,
    FrontSupervision,
    PeopleBoard,
    QuarterlyList,
    ResidentDecision,
)
from danvan.portal.registry import SECTIONS

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _no_portal_cache(settings: Any) -> Any:
    settings.DANVAN_PORTAL_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def cat(code: str = "budget") -> DisclosureCategory:
    return DisclosureCategory.objects.get(code=code)


def disclose(unit: Any, title: str, disclosed_on: dt.date | None, ends: dt.date | None = None, *,
             status: str = "published", is_public: bool = True, deleted: bool = False, permanent: bool = False,
             category: str = "budget", due_on: dt.date | None = None, **extra: Any) -> Disclosure:
    return Disclosure.objects.create(
        org_unit=unit, category=cat(category), title=title, disclosed_on=disclosed_on, posting_ends_on=ends,
        status=status, is_public=is_public, permanent=permanent, due_on=due_on,
        deleted_at=timezone.now() if deleted else None, forms=["posting", "loudspeaker"], **extra)


def consult(unit: Any, title: str, status: str, opens: dt.date, closes: dt.date, **extra: Any) -> Consultation:
    return Consultation.objects.create(org_unit=unit, matter="project", title=title, status=status, opens_on=opens,
                                       closes_on=closes, **extra)


def body(r: Any) -> str:
    return r.content.decode()


# --------------------------------------------------------------------------- the unit page's section


def test_section_lists_what_is_posted_today_and_the_consultations(tree: dict, make_user: Any) -> None:
    a1, today = tree["A1"], timezone.localdate()
    officer = make_user("can_bo_xa", (a1, "officer"), full_name="Người Tạo Bài")
    disclose(a1, "Dự toán ngân sách xã", today - dt.timedelta(days=3), today + dt.timedelta(days=27),
             created_by=officer)
    disclose(tree["A1v"], "Danh sách hộ nghèo của bản", today, today + dt.timedelta(days=29), category="social_support")
    disclose(a1, "Quy chế dân chủ", today - dt.timedelta(days=400), permanent=True, category="democracy_regulation")
    hidden = [
        disclose(a1, "Bản nháp chưa đăng", today, status="draft"),
        disclose(a1, "Đã thu hồi", today - dt.timedelta(days=2), today + dt.timedelta(days=20), status="withdrawn"),
        disclose(a1, "Không công khai trên cổng", today, today + dt.timedelta(days=30), is_public=False),
        disclose(a1, "Đã xóa", today, today + dt.timedelta(days=30), deleted=True),
        disclose(a1, "Hết hạn niêm yết", today - dt.timedelta(days=40), today - dt.timedelta(days=1)),
        disclose(a1, "Niêm yết từ tuần sau", today + dt.timedelta(days=7), today + dt.timedelta(days=37)),
        disclose(tree["A2"], "Của phường khác", today, today + dt.timedelta(days=30)),
    ]
    consult(a1, "Lấy ý kiến dự án đường liên bản", "open", today - dt.timedelta(days=5), today + dt.timedelta(days=5))
    consult(a1, "Kết quả lấy ý kiến quy hoạch", "published", today - dt.timedelta(days=60),
            today - dt.timedelta(days=30), result_published_on=today - dt.timedelta(days=20))
    consult(a1, "Dự thảo chưa mở", "draft", today, today + dt.timedelta(days=5))
    consult(a1, "Đang tổng hợp ý kiến", "closed", today - dt.timedelta(days=20), today - dt.timedelta(days=2))
    consult(a1, "Không công khai", "open", today, today + dt.timedelta(days=5), is_public=False)

    with CaptureQueriesContext(connection) as ctx:
        context = portal_sections._context(a1, None)  # type: ignore[arg-type]
    assert len(ctx.captured_queries) <= 2
    assert context is not None
    assert [d["title"] for d in context["posted"]] == ["Danh sách hộ nghèo của bản", "Dự toán ngân sách xã",
                                                       "Quy chế dân chủ"]

    page = body(Client().get(f"/public/units/{a1.pk}/"))
    section = page[page.index('data-section="disclosures"'):]
    section = section[:section.index("</section>")]
    for shown in ("Dự toán ngân sách xã", "Danh sách hộ nghèo của bản", "Bản Thẳm", "Quy chế dân chủ",
                  "Lấy ý kiến dự án đường liên bản", "Kết quả lấy ý kiến quy hoạch",
                  f'href="/public/grassroots/units/{a1.pk}/calendar/"', f"/public/grassroots/units/{a1.pk}/quarters/"):
        assert shown in section, shown
    for item in hidden:
        assert item.title not in page
    for absent in ("Dự thảo chưa mở", "Đang tổng hợp ý kiến", "Không công khai", "Người Tạo Bài", "can_bo_xa"):
        assert absent not in page
    assert 'href="#s-disclosures"' in page


def test_section_of_a_commune_with_nothing_posted_still_links_the_calendar(tree: dict) -> None:
    page = body(Client().get(f"/public/units/{tree['A2'].pk}/"))
    assert 'data-section="disclosures"' in page and 'data-testid="nothing-posted"' in page
    assert f"/public/grassroots/units/{tree['A2'].pk}/calendar/" in page
    # A province with nothing to show gets no heading at all; nor a former unit.
    assert portal_sections._context(tree["A"], None) is None  # type: ignore[arg-type]
    assert 'data-section="disclosures"' not in body(Client().get(f"/public/units/{tree['A'].pk}/"))


def test_a_province_page_is_not_every_communes_page(tree: dict) -> None:
    today = timezone.localdate()
    disclose(tree["A1"], "Việc của xã", today, today + dt.timedelta(days=30))
    disclose(tree["A"], "Việc của tỉnh", today, today + dt.timedelta(days=30))
    context = portal_sections._context(tree["A"], None)  # type: ignore[arg-type]
    assert context is not None and [d["title"] for d in context["posted"]] == ["Việc của tỉnh"]


def test_section_is_bounded(tree: dict, monkeypatch: Any) -> None:
    monkeypatch.setattr(public, "SECTION_MAX", 3)
    today = timezone.localdate()
    for i in range(5):
        disclose(tree["A1"], f"Mục {i}", today - dt.timedelta(days=i), today + dt.timedelta(days=10))
    context = portal_sections._context(tree["A1"], None)  # type: ignore[arg-type]
    assert context is not None and len(context["posted"]) == 3 and context["more_posted"] is True


# --------------------------------------------------------------------------- calendar


def test_calendar_month_grid(tree: dict, django_assert_max_num_queries: Any) -> None:
    a1 = tree["A1"]
    disclose(a1, "Quyết toán ngân sách năm 2025", D(2026, 3, 5), D(2026, 4, 3))
    disclose(a1, "Danh sách gọi nhập ngũ", D(2026, 2, 20), D(2026, 3, 21), category="military_service")
    disclose(a1, "Thủ tục hành chính", D(2025, 1, 2), permanent=True, category="procedures")
    disclose(a1, "Tháng sau mới niêm yết", D(2026, 4, 1), D(2026, 4, 30))
    disclose(a1, "Đã kết thúc trước tháng", D(2026, 1, 1), D(2026, 2, 28))
    disclose(a1, "Bản nháp", D(2026, 3, 10), status="draft")
    disclose(tree["A2"], "Phường khác", D(2026, 3, 10), D(2026, 4, 10))
    c = Client()
    with django_assert_max_num_queries(2):  # the unit, the month's postings
        r = c.get(f"/public/grassroots/units/{a1.pk}/calendar/?month=2026-03")
    page = body(r)
    assert r.status_code == 200 and page.count("<h1") == 1 and "public" in r["Cache-Control"]
    assert 'data-testid="month">' in page and "03/2026" in page
    cell = re.search(r'data-day="2026-03-05" data-posted="3">(.*?)</td>', page, re.S)
    assert cell and "Quyết toán ngân sách năm 2025" in cell.group(1)
    end = re.search(r'data-day="2026-03-21" data-posted="3">(.*?)</td>', page, re.S)
    assert end and "Danh sách gọi nhập ngũ" in end.group(1)
    after = re.search(r'data-day="2026-03-22" data-posted="(\d+)">(.*?)</td>', page, re.S)
    assert after and after.group(1) == "2" and "Danh sách gọi nhập ngũ" not in after.group(2)
    assert 'data-day="2026-03-01" data-posted="2"' in page
    for absent in ("Tháng sau mới niêm yết", "Đã kết thúc trước tháng", "Bản nháp", "Phường khác"):
        assert absent not in page
    assert 'href="?month=2026-02"' in page and 'href="?month=2026-04"' in page
    # A month that is not one is read as this month, never an error.
    today = timezone.localdate()
    for bad in ("2026-13", "abcd-ef", "1999-01", "2026-3", "x" * 500):
        r = c.get(f"/public/grassroots/units/{a1.pk}/calendar/", {"month": bad})
        assert r.status_code == 200 and today.strftime("%m/%Y") in body(r)
    assert c.get("/public/grassroots/units/987654/calendar/").status_code == 404
    assert c.post(f"/public/grassroots/units/{a1.pk}/calendar/").status_code == 405


def test_calendar_is_bounded(tree: dict, monkeypatch: Any) -> None:
    monkeypatch.setattr(public, "CALENDAR_MAX", 2)
    for i in range(3):
        disclose(tree["A1"], f"Mục {i}", D(2026, 3, 1 + i), D(2026, 3, 20))
    page = body(Client().get(f"/public/grassroots/units/{tree['A1'].pk}/calendar/?month=2026-03"))
    assert "Mục 0" in page and "Mục 1" in page and "Mục 2" not in page
    assert 'data-testid="cut"' in page


# --------------------------------------------------------------------------- quarters


def test_quarter_page(tree: dict, monkeypatch: Any, django_assert_max_num_queries: Any) -> None:
    a1 = tree["A1"]
    disclose(a1, "Tháng một", D(2025, 1, 10), D(2025, 2, 10))
    disclose(a1, "Tháng ba", D(2025, 3, 31), D(2025, 4, 30), decision_ref="12/QĐ-UBND")
    disclose(a1, "Quý hai", D(2025, 4, 1), D(2025, 5, 1))
    disclose(a1, "Không công khai", D(2025, 2, 1), D(2025, 3, 1), is_public=False)
    QuarterlyList.objects.create(org_unit=a1, year=2025, quarter=1, posted_on=D(2025, 4, 3), items=3)
    c = Client()
    with django_assert_max_num_queries(3):  # the unit, the items, the lists
        r = c.get(f"/public/grassroots/units/{a1.pk}/quarters/?year=2025&quarter=1")
    page = body(r)
    assert r.status_code == 200 and page.count("<h1") == 1
    assert "Tháng một" in page and "Tháng ba" in page and "12/QĐ-UBND" in page
    assert "Quý hai" not in page and "Không công khai" not in page
    assert "03/04/2025" in page and 'data-testid="quarter-list-status" data-posted="yes"' in page
    q2 = body(c.get(f"/public/grassroots/units/{a1.pk}/quarters/?year=2025&quarter=2"))
    assert "Quý hai" in q2 and 'data-posted="no"' in q2
    monkeypatch.setattr(public, "PAGE_SIZE", 1)
    p1 = body(c.get(f"/public/grassroots/units/{a1.pk}/quarters/?year=2025&quarter=1"))
    assert "Tháng một" in p1 and "Tháng ba" not in p1 and 'rel="next"' in p1
    p2 = body(c.get(f"/public/grassroots/units/{a1.pk}/quarters/?year=2025&quarter=1&page=2"))
    assert "Tháng ba" in p2 and 'rel="prev"' in p2
    for bad in ("year=abc&quarter=9", "year=1900", "year=3000&quarter=0", "page=-4"):
        assert c.get(f"/public/grassroots/units/{a1.pk}/quarters/?{bad}").status_code == 200


# --------------------------------------------------------------------------- one disclosure, one consultation


def test_disclosure_page_shows_only_a_public_item(tree: dict, make_user: Any,
                                                  django_assert_max_num_queries: Any) -> None:
    today = timezone.localdate()
    officer = make_user("can_bo", (tree["A1"], "officer"), full_name="Tên Cán Bộ Nhập")
    item = disclose(tree["A1"], "Kế hoạch thu hồi đất dự án thủy lợi", today - dt.timedelta(days=1),
                    today + dt.timedelta(days=29), category="projects_land", content="Diện tích 2,5 ha tại bản Hon.",
                    decision_ref="45/QĐ-UBND", decided_on=today - dt.timedelta(days=4), place="Nhà văn hóa bản Hon",
                    created_by=officer)
    c = Client()
    with django_assert_max_num_queries(2):
        r = c.get(f"/public/grassroots/{item.pk}/")
    page = body(r)
    assert r.status_code == 200 and page.count("<h1") == 1 and "public" in r["Cache-Control"]
    for shown in ("Kế hoạch thu hồi đất dự án thủy lợi", "Diện tích 2,5 ha", "45/QĐ-UBND", "Nhà văn hóa bản Hon",
                  "Xã Bình Lư", "Đ11.3", 'data-testid="posted"'):
        assert shown in page, shown
    assert "Tên Cán Bộ Nhập" not in page and "can_bo" not in page and "csrfmiddlewaretoken" not in page
    for kw in ({"status": "draft"}, {"status": "withdrawn"}, {"is_public": False}, {"deleted": True}):
        other = disclose(tree["A1"], "Không được thấy", today, today + dt.timedelta(days=30), **kw)
        r = c.get(f"/public/grassroots/{other.pk}/")
        assert r.status_code == 404 and "Không được thấy" not in body(r)
    assert c.get("/public/grassroots/987654/").status_code == 404
    ended = disclose(tree["A1"], "Đã hết niêm yết", today - dt.timedelta(days=60), today - dt.timedelta(days=30))
    assert 'data-now="no"' in body(c.get(f"/public/grassroots/{ended.pk}/"))
    assert 'data-now="yes"' in page


def test_consultation_page(tree: dict) -> None:
    today = timezone.localdate()
    done = consult(tree["A1"], "Lấy ý kiến quy hoạch sử dụng đất", "published", today - dt.timedelta(days=60),
                   today - dt.timedelta(days=30), result_published_on=today - dt.timedelta(days=10),
                   opinions_received=148, opinions_summary="Đa số đồng ý, 12 ý kiến đề nghị điều chỉnh.",
                   taken_into_account="Điều chỉnh ranh giới khu dân cư theo ý kiến của bản Hon.", draft="Dự thảo...",
                   forms=["opinion_form"])
    running = consult(tree["A1"], "Lấy ý kiến dự án đường", "open", today - dt.timedelta(days=1),
                      today + dt.timedelta(days=14), draft="Đường dài 3 km.", opinions_summary="Chưa công bố")
    c = Client()
    page = body(c.get(f"/public/grassroots/consultations/{done.pk}/"))
    assert "148" in page and "Đa số đồng ý" in page and "Điều chỉnh ranh giới" in page and page.count("<h1") == 1
    from danvan.disclosures.consultations import ConsultationMethod

    assert str(ConsultationMethod.OPINION_FORM.label) in page
    page = body(c.get(f"/public/grassroots/consultations/{running.pk}/"))
    assert "Đường dài 3 km." in page and "Chưa công bố" not in page and 'data-testid="result"' not in page
    for status in ("draft", "closed"):
        hidden = consult(tree["A1"], "Ẩn", status, today - dt.timedelta(days=3), today)
        assert c.get(f"/public/grassroots/consultations/{hidden.pk}/").status_code == 404
    private = consult(tree["A1"], "Ẩn", "published", today - dt.timedelta(days=3), today, is_public=False)
    assert c.get(f"/public/grassroots/consultations/{private.pk}/").status_code == 404
    deleted = consult(tree["A1"], "Ẩn", "published", today - dt.timedelta(days=3), today,
                      deleted_at=timezone.now())
    assert c.get(f"/public/grassroots/consultations/{deleted.pk}/").status_code == 404


def _file(owner: dict[str, Any], name: str = "du-toan.txt", data: bytes = b"Du toan ngan sach 2026") -> Attachment:
    path = default_storage.save(f"test-disclosures/{name}", ContentFile(data))
    return Attachment.objects.create(file=path, original_name=name, content_type="text/plain", size=len(data),
                                     sha256="0" * 64, uploaded_at=timezone.now(), **owner)


def test_files_of_public_items_only(tree: dict) -> None:
    today = timezone.localdate()
    item = disclose(tree["A1"], "Dự toán", today, today + dt.timedelta(days=30))
    shown = _file({"disclosure": item})
    removed = _file({"disclosure": item}, "da-xoa.txt")
    Attachment.objects.filter(pk=removed.pk).update(deleted_at=timezone.now())
    draft_file = _file({"disclosure": disclose(tree["A1"], "Nháp", today, status="draft")})
    decision = ResidentDecision.objects.create(
        org_unit=tree["A1v"], matter="convention", title="Hương ước", held_on=today, decided_on=today,
        households_total=10, households_participating=8, votes_for=6, votes_against=2, threshold="majority")
    decision_file = _file({"decision": decision})
    result = consult(tree["A1"], "Kết quả", "published", today - dt.timedelta(days=9), today - dt.timedelta(days=2),
                     result_published_on=today)
    result_file = _file({"consultation": result}, "ket-qua.txt", b"Ket qua")
    c = Client()
    page = body(c.get(f"/public/grassroots/{item.pk}/"))
    assert f"/public/grassroots/files/{shown.pk}/" in page and "da-xoa.txt" not in page
    r = c.get(f"/public/grassroots/files/{shown.pk}/")
    assert r.status_code == 200 and r.content == b"Du toan ngan sach 2026" and "du-toan.txt" in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff"
    assert c.get(f"/public/grassroots/files/{result_file.pk}/").content == b"Ket qua"
    for hidden in (removed, draft_file, decision_file):
        assert c.get(f"/public/grassroots/files/{hidden.pk}/").status_code == 404
    assert c.get("/public/grassroots/files/987654/").status_code == 404


# --------------------------------------------------------------------------- open data


def test_open_figures_count_the_subtree_over_the_period(tree: dict, make_user: Any) -> None:
    a1 = tree["A1"]
    disclose(a1, "Đúng hạn", D(2026, 2, 2), D(2026, 3, 3), due_on=D(2026, 2, 5))
    disclose(tree["A1v"], "Muộn", D(2026, 2, 10), D(2026, 3, 11), due_on=D(2026, 2, 5), is_public=False)
    disclose(a1, "Thu hồi sau khi đăng", D(2026, 3, 2), D(2026, 4, 1), status="withdrawn")
    disclose(a1, "Nháp", None, status="draft")
    disclose(a1, "Đã xóa", D(2026, 2, 2), deleted=True)
    disclose(a1, "Ngoài kỳ", D(2025, 12, 31), D(2026, 1, 30))
    disclose(tree["B1"], "Tỉnh khác", D(2026, 2, 2), D(2026, 3, 3))
    for passed, votes in ((True, 60), (False, 40)):
        ResidentDecision.objects.create(
            org_unit=tree["A1v"], matter="contribution", title=f"Góp tiền {votes}", held_on=D(2026, 3, 1),
            decided_on=D(2026, 3, 1), households_total=80, households_participating=70, votes_for=votes,
            votes_against=5, threshold="two_thirds", passed=passed)
    consult(a1, "Kết quả", "published", D(2026, 1, 5), D(2026, 2, 5), result_published_on=D(2026, 2, 20))
    consult(a1, "Đang mở", "open", D(2026, 3, 5), D(2026, 3, 25))
    FrontSupervision.objects.create(org_unit=a1, by_name="Ủy ban MTTQ xã", kind="supervision", subject="Giám sát",
                                    starts_on=D(2026, 4, 1))
    board = PeopleBoard.objects.create(org_unit=a1, kind=BoardKind.INSPECTION, name="Ban TTND",
                                       term_starts_on=D(2024, 1, 1), term_ends_on=D(2029, 1, 1))
    BoardFinding.objects.create(board=board, found_on=D(2026, 5, 1), subject="Kiểm tra", findings="...",
                                addressed_to=a1)
    figures = {f.key: f.value for f in portal_sections.open_figures(tree["A"], D(2026, 1, 1), D(2026, 6, 30))}
    assert figures == {
        "disclosures.made": 3, "disclosures.made_late": 1, "disclosures.decisions_voted": 2,
        "disclosures.decisions_taken": 1, "disclosures.consultations_published": 1,
        "disclosures.front_supervisions": 1, "disclosures.board_findings": 1,
        "disclosures.on_time_share": 66.7,
    }
    empty = {f.key: f.value for f in portal_sections.open_figures(tree["B"], D(2025, 1, 1), D(2025, 6, 30))}
    assert empty["disclosures.made"] == 0 and empty["disclosures.on_time_share"] is None
    # Through the portal's open data, as CSV: no title of any item, counts only.
    csv = body(Client().get(f"/public/units/{tree['A'].pk}/data.csv?from=2026-01-01&to=2026-06-30"))
    assert "disclosures.made," in csv and "Đúng hạn" not in csv and "Góp tiền" not in csv
    assert SECTIONS["disclosures"].open_data is not None


# --------------------------------------------------------------------------- the demo, as the public sees it


@pytest.fixture
def demo(official: Any, settings: Any) -> Any:  # noqa: F811 - the imported fixture
    from danvan.demo.services import load_demo

    settings.DEBUG = True
    return load_demo()


def test_demo_binh_lu_grassroots_and_dialogues(demo: Any, settings: Any) -> None:
    from danvan.demo import data
    from danvan.demo.grassroots import DISCLOSURES, load_demo_grassroots
    from danvan.dialogues import public as dialogues_public
    from danvan.dialogues.models import Commitment, Dialogue
    from danvan.disclosures import checks
    from danvan.orgs.models import OrgUnit

    settings.DANVAN_PORTAL_CACHE_SECONDS = 0
    binhlu = OrgUnit.objects.get(code=data.COMMUNES["binhlu"], kind__code="commune")
    today = timezone.localdate()
    assert demo.grassroots > 30
    items = Disclosure.objects.filter(org_unit=binhlu, status="published")
    assert items.count() == len(DISCLOSURES)
    codes = {p.code for d in items for p in checks.problems(d, today)}
    assert {"late", "short_posting", "loudspeaker"} <= codes
    assert checks.quarterly_missing(binhlu, today)  # the last ended quarter's list is missing
    decisions = ResidentDecision.objects.filter(org_unit__parent=binhlu)
    assert sorted(decisions.values_list("passed", flat=True)) == [False, True]
    assert Consultation.objects.get(org_unit=binhlu).status == "published"
    board = PeopleBoard.objects.get(org_unit=binhlu)
    assert board.members.filter(left_on__isnull=True).count() == 5
    assert BoardFinding.objects.get(board=board).responded_on is not None
    supervision = FrontSupervision.objects.get(org_unit=binhlu)
    assert supervision.responded_on is None
    assert supervision.response_due_on is not None and supervision.response_due_on > today
    dialogues = Dialogue.objects.filter(org_unit=binhlu)
    assert dialogues.count() == 3 and dialogues.filter(kind="front").count() == 1
    states = [dialogues_public.state(c.status, c.due_on, c.done_on, today)
              for c in Commitment.objects.filter(dialogue__org_unit=binhlu)]
    assert sorted(states) == sorted(dialogues_public.STATES)
    assert Commitment.objects.filter(reported_at__org_unit=binhlu).count() == 3

    # On the portal: the unit page's two sections, the calendar, the dialogue with its commitments.
    c = Client()
    page = body(c.get(f"/public/units/{binhlu.pk}/"))
    assert 'data-section="disclosures"' in page and 'data-section="dialogues"' in page
    assert "Danh sách công dân gọi khám tuyển nghĩa vụ quân sự năm 2027" in page
    assert "Kết luận kiểm tra việc quản lý quỹ" not in page  # not for the portal
    for name in ("Lò Văn Piên", "Tẩn Thị Mẩy"):  # board members are not published here
        assert name not in page
    front = dialogues.get(kind="front")
    assert body(c.get(f"/public/dialogues/{front.pk}/")).count("data-state=") == 3
    assert c.get(f"/public/grassroots/units/{binhlu.pk}/calendar/").status_code == 200

    # A second run creates nothing.
    assert load_demo_grassroots() == 0
