"""Data for the grassroots-democracy and dialogue browser tests (issue #7), built with the apps' own services.

One call, ``grassroots_data``, gives commune A1 (Xã Bình Lư) a record of every kind an official reads:
a published and a draft disclosure, a posted quarterly list, a village decision, a consultation with its
published result, a people's inspection board short of members (so its page shows warnings) with a finding,
a Front supervision awaiting the commune's response, and two dialogues (a Front dialogue with commitments
in several states, and a later one that reports them back).
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.utils import timezone

from .portal_support import Axe


def days(n: int) -> dt.date:
    """Today plus ``n`` days (negative: in the past)."""
    return timezone.localdate() + dt.timedelta(days=n)


def load_categories() -> dict[str, Any]:
    """The flush after a transactional test removes the 14 seeded disclosure categories: put them back."""
    from danvan.disclosures.models import DisclosureCategory

    if not DisclosureCategory.objects.exists():
        import_module("danvan.disclosures.migrations.0002_categories").load(apps, None)
    return {c.code: c for c in DisclosureCategory.objects.all()}


def front_body(tree: dict[str, Any]) -> Any:
    """The commune's Fatherland Front committee, a unit of kind ``front`` under the commune."""
    from danvan.orgs import services
    from danvan.orgs.models import OrgKind

    return services.create_unit(actor=None, kind=OrgKind.objects.get(code="front"),
                                name="Ủy ban MTTQ Việt Nam xã Bình Lư", parent=tree["A1"], code="",
                                audit_event=False)


def grassroots_people(tree: dict[str, Any], make_user: Any, front: Any) -> dict[str, Any]:
    """The commune officer, the Front supervisor (on the Front body) and a province viewer."""
    return {
        "officer": make_user("xa_canbo", (tree["A1"], "officer"), full_name="Nguyễn Văn An"),
        "front": make_user("mttq_giamsat", (front, "front_supervisor"), full_name="Lò Thị Hoa"),
        "province": make_user("tinh_xem", (tree["A"], "viewer"), full_name="Phạm Văn Tỉnh"),
    }


def disclosures(unit: Any, cats: dict[str, Any]) -> dict[str, Any]:
    from danvan.disclosures import services

    published = services.create_disclosure(
        actor=None, org_unit=unit, category=cats["budget"], title="Dự toán ngân sách xã năm nay",
        content="Tổng thu, tổng chi ngân sách xã theo nghị quyết của Hội đồng nhân dân.",
        decision_ref="12/NQ-HĐND", decided_on=days(-6), forms=["posting", "website"],
        place="Trụ sở UBND xã")
    services.publish_disclosure(actor=None, disclosure=published, expected_version=published.lock_version,
                                disclosed_on=days(-2))
    published.refresh_from_db()
    draft = services.create_disclosure(
        actor=None, org_unit=unit, category=cats["projects_land"], title="Kế hoạch thu hồi đất làm đường bản Thẳm",
        decided_on=days(-1), forms=["posting"])
    year, quarter = services.quarter_of(days(-100))
    quarterly = services.post_quarterly_list(actor=None, org_unit=unit, year=year, quarter=quarter)
    return {"published": published, "draft": draft, "quarterly": quarterly}


def decision(village: Any) -> Any:
    from danvan.disclosures import decisions

    return decisions.record_decision(
        actor=None, org_unit=village, matter="convention", title="Hương ước bản Thẳm sửa đổi", form="meeting",
        held_on=days(-10), decided_on=days(-10), households_total=80, households_participating=60,
        votes_for=50, votes_against=10, content="Sửa đổi quy ước về giữ gìn vệ sinh môi trường.")


def consultation(unit: Any) -> Any:
    """A consultation run to its end today: opened (its period must not have ended yet), closed with opinions,
    result published (so it is public)."""
    from danvan.disclosures import consultations

    c = consultations.create_consultation(
        actor=None, org_unit=unit, matter="socio_economic_plan", title="Dự thảo kế hoạch phát triển kinh tế - xã hội",
        opens_on=days(-30), closes_on=days(0), draft="Dự thảo kế hoạch năm tới.", forms=["meeting"])
    c = consultations.open_consultation(actor=None, consultation=c, expected_version=c.lock_version)
    c = consultations.close_consultation(actor=None, consultation=c, expected_version=c.lock_version,
                                         opinions_received=42, opinions_summary="Đề nghị ưu tiên đường liên bản.")
    c = consultations.publish_result(actor=None, consultation=c, expected_version=c.lock_version,
                                     taken_into_account="Bổ sung đường liên bản vào kế hoạch.")
    c.refresh_from_db()
    return c


def board(unit: Any) -> dict[str, Any]:
    """An inspection board with two members (fewer than the law's five: a warning) and a finding."""
    from danvan.disclosures import boards

    b = boards.create_board(actor=None, org_unit=unit, kind="inspection", name="Ban Thanh tra nhân dân xã Bình Lư",
                            term_starts_on=days(-200), term_ends_on=days(1500))
    boards.add_member(actor=None, board=b, full_name="Vàng A Sùng", position="head", joined_on=days(-200))
    boards.add_member(actor=None, board=b, full_name="Lò Thị Mai", position="member", joined_on=days(-200))
    finding = boards.record_finding(
        actor=None, board=b, found_on=days(-20), subject="Việc thu quỹ làm đường bản Thẳm",
        findings="Chưa công khai danh sách hộ đóng góp.", recommendations="Niêm yết danh sách tại nhà văn hóa.",
        addressed_to=unit, response_due_on=days(10))
    return {"board": b, "finding": finding}


def supervision(unit: Any, front: Any) -> Any:
    from danvan.disclosures import supervision as sup

    return sup.record_supervision(
        actor=None, org_unit=unit, front_unit=front, by_name="Ủy ban MTTQ Việt Nam xã Bình Lư", kind="supervision",
        subject="Giám sát việc thực hiện dân chủ ở cơ sở", starts_on=days(-40), ends_on=days(-35),
        findings="Một số nội dung công khai chưa đủ thời gian niêm yết.", recommendations="Niêm yết đủ 30 ngày.",
        response_due_on=days(15), is_public=True)


def dialogues(unit: Any, village: Any) -> dict[str, Any]:
    """A Front dialogue 60 days ago with commitments done on time, overdue and on track; a dialogue last week
    naming it as the previous one (its commitments are to be reported back there)."""
    from danvan.dialogues import commitments, services

    front = services.create_dialogue(
        actor=None, org_unit=unit, kind="front", title="Đối thoại giữa UBND xã với Mặt trận Tổ quốc",
        held_on=days(-60), place="Hội trường UBND xã", chaired_by="Chủ tịch UBND xã", participants=45,
        participant_groups="Mặt trận, đoàn thể, trưởng bản", topics="Đường liên bản; nước sạch")
    done = commitments.add_commitment(actor=None, dialogue=front, text="Sửa đường vào bản Thẳm trước mùa mưa",
                                      owner_unit=village, due_on=days(-10))
    commitments.report_progress(actor=None, commitment=done, expected_version=done.lock_version, status="done",
                                done_on=days(-15), evidence="Đường đã được rải đá, nghiệm thu ngày 15.")
    overdue = commitments.add_commitment(actor=None, dialogue=front, text="Lắp bể nước sạch cho điểm trường",
                                         owner_unit=unit, due_on=days(-3))
    on_track = commitments.add_commitment(actor=None, dialogue=front, text="Tổ chức lớp tập huấn trồng chè",
                                          owner_unit=unit, due_on=days(40))
    later = services.create_dialogue(
        actor=None, org_unit=unit, kind="citizens", title="Chủ tịch UBND xã đối thoại với Nhân dân bản Thẳm",
        held_on=days(-7), place="Nhà văn hóa bản Thẳm", participants=80, previous=front)
    return {"front": front, "later": later, "done": done, "overdue": overdue, "on_track": on_track}


def grassroots_data(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """Everything above for commune A1 and the people who use it."""
    cache.clear()
    cats = load_categories()
    front = front_body(tree)
    data: dict[str, Any] = {"cats": cats, "front_body": front}
    data.update(grassroots_people(tree, make_user, front))
    data.update(disclosures(tree["A1"], cats))
    data["decision"] = decision(tree["A1v"])
    data["consultation"] = consultation(tree["A1"])
    data.update(board(tree["A1"]))
    data["supervision"] = supervision(tree["A1"], front)
    data["dialogues"] = dialogues(tree["A1"], tree["A1v"])
    return data


# The page's own words (not data): headings, labels, buttons, table headers, terms, summaries, links, options.
ENGLISH_JS = r"""() => {
    const ascii = /^[A-Za-z][A-Za-z'’ ,.:;()?!\/-]*$/;
    const out = new Set();
    for (const e of document.querySelectorAll(
            'h1, h2, h3, label, legend, button, th, dt, summary, caption, .help, .error, .badge, nav a, main a, option')) {
        if (!e.checkVisibility || !e.checkVisibility()) { if (e.tagName !== 'OPTION') continue; }
        const text = (e.innerText || e.textContent || '').replace(/\s+/g, ' ').replace(/\*/g, '').trim();
        const words = text.split(' ').filter(w => /[A-Za-z]{2,}/.test(w));
        if (words.length >= 2 && ascii.test(text)) out.add(e.tagName.toLowerCase() + ': ' + text);
    }
    return [...out];
}"""


def english_left(page: Any) -> list[str]:
    """Interface words of the page still in English (two or more words, no Vietnamese letter): an untranslated
    msgid. Data typed in Vietnamese carries diacritics, so it is not mistaken for English."""
    return list(page.evaluate(ENGLISH_JS))


class PageCheck(Axe):
    """``Axe`` (one h1, lang="vi", no serious or critical violation) plus: no interface text left in English."""

    def __init__(self, page: Any, base: str) -> None:
        super().__init__(page, base)
        self.english: dict[str, list[str]] = {}

    def check(self, label: str, *, expect_path: str | None = None, phone: bool = False) -> None:
        super().check(label, expect_path=expect_path, phone=phone)
        left = english_left(self.page)
        if left:
            self.english[label] = left

    def assert_clean(self) -> None:
        report = "\n".join(f"--- {label}\n    " + "\n    ".join(texts) for label, texts in self.english.items())
        try:
            super().assert_clean()
        finally:
            assert not self.english, f"interface text still in English on {len(self.english)} page(s):\n{report}"
