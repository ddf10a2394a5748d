"""Demonstration grassroots democracy and dialogues: a year of Xã Bình Lư's work under Law 10/2022.

What ``make run`` should show on the officials' pages and on the public portal of Bình Lư:

* a year of disclosures (budget, land recovery, social support, call-up list, fees, procedures …),
  most on time and posted long enough, but one disclosed late, one posted for too short a time and one
  broadcast on the loudspeakers for too few days, so the checks have something to say; the quarterly
  lists posted for the past quarters except the last one;
* two village decisions: Bản Nà Luồng's contribution to concrete its road (passed, two thirds reached)
  and Bản Hon's community fund (failed: turnout too low);
* a consultation on the draft land-use plan, closed with its result published;
* a people's inspection board with 5 members, its work plan and a finding the commune answered;
* a supervision by the commune's Fatherland Front committee awaiting the commune's response;
* 3 dialogues (one the yearly Front dialogue) with 6 commitments, one in each state: done on time, done
  late, dropped, overdue, due soon, on track; the Front dialogue's commitments reported back at the next.

Everything goes through the services (``danvan.disclosures.*``, ``danvan.dialogues.*``), as an officer's
work would; dates are relative to today, so the states mean the same whenever the demo is loaded.
Idempotent: each record is looked up by its unit and title first; a rerun creates nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from danvan.orgs.models import OrgUnit

from . import data

COMMUNE_FRONT = data.COMMUNE_FRONTS["binhlu"]
BOARD_NAME = "Ban Thanh tra nhân dân xã Bình Lư nhiệm kỳ 2025–2030"
BOARD_MEMBERS = [
    ("Lò Văn Piên", "head"), ("Tẩn Thị Mẩy", "deputy"), ("Vàng A Sử", "member"), ("Lò Thị Ún", "member"),
    ("Chảo Văn Lở", "member"),
]

# (days before today decided, days after the decision disclosed, category, title, forms, loudspeaker days,
#  posting days (None: the category's minimum), public)
DISCLOSURES: list[tuple[int, int, str, str, tuple[str, ...], int, int | None, bool]] = [
    (350, 2, "socio_economic", "Nghị quyết về kế hoạch phát triển kinh tế - xã hội xã Bình Lư năm 2026",
     ("posting", "website"), 0, None, True),
    (320, 3, "budget", "Dự toán ngân sách xã Bình Lư năm 2026", ("posting", "website"), 0, None, True),
    (290, 4, "democracy_regulation", "Quy chế thực hiện dân chủ ở cơ sở xã Bình Lư", ("posting", "website"),
     0, None, True),
    (260, 2, "fees", "Các khoản phí, lệ phí thu tại Bộ phận Một cửa xã", ("posting", "website"), 0, None, True),
    (230, 1, "procedures", "Danh mục thủ tục hành chính giải quyết tại xã Bình Lư", ("posting", "website"), 0, None,
     True),
    # Late: 12 days after the decision, well past 5 working days.
    (200, 12, "projects_land", "Kế hoạch thu hồi đất thực hiện dự án kè suối Nậm Ngần, bản Hon",
     ("posting", "loudspeaker", "village_head"), 3, None, True),
    (170, 2, "budget", "Tình hình thực hiện ngân sách xã quý I năm 2026", ("posting",), 0, None, True),
    # Too short: posted 20 days where 30 are required.
    (140, 3, "social_support", "Danh sách hộ nghèo, hộ cận nghèo được hỗ trợ tiền điện năm 2026",
     ("posting", "loudspeaker"), 3, 20, True),
    (110, 2, "inspection_anticorruption", "Kết luận kiểm tra việc quản lý quỹ đền ơn đáp nghĩa năm 2025",
     ("posting",), 0, None, False),
    # Broadcast 1 day where 3 are required.
    (80, 1, "contributions", "Kết quả huy động đóng góp làm đường bê tông bản Nà Luồng",
     ("posting", "loudspeaker"), 1, None, True),
    (25, 2, "budget", "Tình hình thực hiện ngân sách xã 9 tháng năm 2026", ("posting", "website"), 0, None, True),
    (6, 2, "military_service", "Danh sách công dân gọi khám tuyển nghĩa vụ quân sự năm 2027",
     ("posting", "loudspeaker", "village_head"), 3, None, True),
]

CONSULTATION_TITLE = "Lấy ý kiến Nhân dân về dự thảo quy hoạch sử dụng đất xã Bình Lư"
SUPERVISION_SUBJECT = "Giám sát việc chi trả hỗ trợ tiền điện cho hộ nghèo năm 2026"

FRONT_DIALOGUE = "Hội nghị đối thoại giữa Ủy ban nhân dân xã với Ủy ban MTTQ Việt Nam xã Bình Lư năm 2026"
CITIZENS_DIALOGUE = "Đối thoại của Chủ tịch UBND xã với Nhân dân bản Nà Luồng và bản Hon"
BUSINESS_DIALOGUE = "Đối thoại của Chủ tịch UBND xã với hộ kinh doanh, hợp tác xã trên địa bàn"


def _unit(code: str, kind: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, kind__code=kind, valid_to__isnull=True).first()


def _child(parent: OrgUnit, name: str, kind: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(parent=parent, name=name, kind__code=kind, valid_to__isnull=True).first()


class _Grassroots:
    def __init__(self, actor: Any, commune: OrgUnit, today: dt.date) -> None:
        self.actor, self.commune, self.today, self.made = actor, commune, today, 0

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    # ------------------------------------------------------------------ disclosures

    def disclosures(self) -> None:
        from danvan.disclosures import services
        from danvan.disclosures.models import Disclosure, DisclosureCategory

        categories = {c.code: c for c in DisclosureCategory.objects.all()}
        for ago, delay, code, title, forms, loud, posting, public in DISCLOSURES:
            if Disclosure.objects.filter(org_unit=self.commune, title=title, deleted_at__isnull=True).exists():
                continue
            decided = self.day(ago)
            disclosed = min(decided + dt.timedelta(days=delay), self.today)
            ends = disclosed + dt.timedelta(days=posting - 1) if posting else None
            item = services.create_disclosure(
                actor=self.actor, org_unit=self.commune, category=categories[code], title=title,
                decision_ref=f"{ago % 97 + 3}/QĐ-UBND", decided_on=decided, disclosed_on=disclosed,
                posting_ends_on=ends, forms=list(forms), loudspeaker_days=loud, is_public=public, place="Bảng tin trụ sở UBND xã và nhà văn hóa các bản",
                content=f"{title}. Chi tiết xem tại trụ sở UBND xã Bình Lư hoặc hỏi trưởng bản.")
            services.publish_disclosure(actor=self.actor, disclosure=item, expected_version=item.lock_version,
                                        disclosed_on=disclosed)
            self.made += 1

    def quarterly_lists(self) -> None:
        """The lists of the ended quarters of this year and the last, but the most recent: the check flags it."""
        from django.core.exceptions import ValidationError

        from danvan.disclosures import services
        from danvan.disclosures.models import QuarterlyList

        year, quarter = self.today.year, (self.today.month - 1) // 3 + 1
        ended = []
        for _i in range(4):
            quarter -= 1
            if quarter == 0:
                year, quarter = year - 1, 4
            ended.append((year, quarter))
        for y, q in ended[1:]:
            if QuarterlyList.objects.filter(org_unit=self.commune, year=y, quarter=q).exists():
                continue
            _first, last = services.quarter_bounds(y, q)
            try:
                services.post_quarterly_list(actor=self.actor, org_unit=self.commune, year=y, quarter=q,
                                             posted_on=min(last + dt.timedelta(days=3), self.today))
            except ValidationError:  # a quarter before the unit existed on the platform: nothing to post
                continue
            self.made += 1

    # ------------------------------------------------------------------ residents decide, consultation

    def decisions(self) -> None:
        from danvan.disclosures import decisions
        from danvan.disclosures.models import ResidentDecision

        rows = [
            ("Bản Nà Luồng", "contribution", "Đóng góp kinh phí bê tông hóa đường nội bản Nà Luồng", "meeting", 95,
             (84, 80, 64, 16)),  # 64 of 84 households: ≥ 56 needed, passed
            ("Bản Hon", "community_fund", "Lập quỹ khuyến học của bản Hon", "ballot", 40, (70, 33, 30, 3)),
            # 33 of 70 households took part: no quorum, failed
        ]
        for village_name, matter, title, form, ago, (total, part, yes, no) in rows:
            village = _child(self.commune, village_name, "village")
            if village is None or ResidentDecision.objects.filter(org_unit=village, title=title).exists():
                continue
            held = self.day(ago)
            decisions.record_decision(
                actor=self.actor, org_unit=village, matter=matter, title=title, form=form, held_on=held,
                decided_on=held, households_total=total, households_participating=part, votes_for=yes,
                votes_against=no, content=title + ".", sent_to_commune_on=held + dt.timedelta(days=3))
            self.made += 1

    def consultation(self) -> None:
        from danvan.disclosures import consultations
        from danvan.disclosures.models import Consultation

        if Consultation.objects.filter(org_unit=self.commune, title=CONSULTATION_TITLE).exists():
            return
        item = consultations.create_consultation(
            actor=self.actor, org_unit=self.commune, matter="land_use", title=CONSULTATION_TITLE,
            opens_on=self.day(30), closes_on=self.today, forms=["meeting", "opinion_form", "village"],
            draft="Dự thảo quy hoạch sử dụng đất xã Bình Lư đến năm 2030: mở rộng khu dân cư bản Hon 4,2 ha, "
                  "chuyển 12 ha đất rừng sản xuất sang trồng chè.")
        item = consultations.open_consultation(actor=self.actor, consultation=item, expected_version=item.lock_version)
        item = consultations.close_consultation(
            actor=self.actor, consultation=item, expected_version=item.lock_version, opinions_received=146,
            opinions_summary="131 ý kiến đồng ý; 15 ý kiến đề nghị giữ lại bãi chăn thả chung của bản Hon.")
        consultations.publish_result(
            actor=self.actor, consultation=item, expected_version=item.lock_version,
            taken_into_account="Điều chỉnh ranh giới khu dân cư mới, giữ lại 1,5 ha bãi chăn thả chung của bản Hon.")
        self.made += 4

    # ------------------------------------------------------------------ board and Front supervision

    def board(self) -> None:
        from danvan.disclosures import boards
        from danvan.disclosures.models import BoardFinding, PeopleBoard

        board = PeopleBoard.objects.filter(org_unit=self.commune, name=BOARD_NAME, deleted_at__isnull=True).first()
        if board is None:
            board = boards.create_board(actor=self.actor, org_unit=self.commune, kind="inspection", name=BOARD_NAME,
                                        term_starts_on=dt.date(2025, 9, 1), term_ends_on=dt.date(2030, 8, 31))
            self.made += 1
        joined = dt.date(2025, 9, 1)
        present = set(board.members.filter(left_on__isnull=True).values_list("full_name", flat=True))
        for name, position in BOARD_MEMBERS:
            if name not in present:
                boards.add_member(actor=self.actor, board=board, full_name=name, position=position, joined_on=joined)
                self.made += 1
        year, quarter = self.today.year, (self.today.month - 1) // 3 + 1
        if not board.work_plans.filter(period="quarter", year=year, number=quarter).exists():
            boards.add_work_plan(actor=self.actor, board=board, period="quarter", year=year, number=quarter,
                                 content="Giám sát việc công khai ngân sách xã; việc chi trả chính sách cho hộ nghèo.",
                                 approved_on=self.today.replace(day=1))
            self.made += 1
        subject = "Việc công khai danh sách hộ nghèo được hỗ trợ tiền điện"
        if not BoardFinding.objects.filter(board=board, subject=subject, deleted_at__isnull=True).exists():
            finding = boards.record_finding(
                actor=self.actor, board=board, found_on=self.day(100), subject=subject,
                findings="Danh sách chỉ niêm yết 20 ngày, chưa đủ 30 ngày liên tục theo quy định.",
                recommendations="Niêm yết lại danh sách đủ 30 ngày tại nhà văn hóa các bản.",
                addressed_to=self.commune, response_due_on=self.day(85))
            boards.respond_to_finding(
                actor=self.actor, finding=finding, expected_version=finding.lock_version, responded_on=self.day(90),
                response="UBND xã đã cho niêm yết lại danh sách từ ngày trả lời, đủ 30 ngày liên tục.")
            self.made += 2

    def supervision(self) -> None:
        from danvan.disclosures import supervision
        from danvan.disclosures.models import FrontSupervision

        if FrontSupervision.objects.filter(org_unit=self.commune, subject=SUPERVISION_SUBJECT,
                                           deleted_at__isnull=True).exists():
            return
        front = _child(self.commune, COMMUNE_FRONT, "front")
        supervision.record_supervision(
            actor=self.actor, org_unit=self.commune, front_unit=front, by_name=f"Ban Thường trực {COMMUNE_FRONT}",
            kind="supervision", subject=SUPERVISION_SUBJECT, starts_on=self.day(20), ends_on=self.day(15),
            findings="Hai hộ thuộc danh sách chưa nhận tiền hỗ trợ quý III.",
            recommendations="Rà soát, chi trả đủ cho các hộ còn thiếu và báo cáo kết quả.",
            response_due_on=self.today + dt.timedelta(days=10), is_public=True)
        self.made += 1

    # ------------------------------------------------------------------ dialogues and commitments

    def dialogues(self) -> None:
        from danvan.dialogues import commitments, services
        from danvan.dialogues.models import Dialogue

        def dialogue(title: str, kind: str, ago: int, previous: Any = None, **extra: Any) -> tuple[Any, bool]:
            found = Dialogue.objects.filter(org_unit=self.commune, title=title, deleted_at__isnull=True).first()
            if found is not None:
                return found, False
            self.made += 1
            return services.create_dialogue(actor=self.actor, org_unit=self.commune, kind=kind, title=title,
                                            held_on=self.day(ago), previous=previous,
                                            place="Hội trường UBND xã Bình Lư", **extra), True

        def promise(d: Any, text: str, due_in: int, owner: OrgUnit, status: str = "", done_ago: int = 0,
                    note: str = "") -> Any:
            c = commitments.add_commitment(actor=self.actor, dialogue=d, text=text, owner_unit=owner,
                                           due_on=self.today + dt.timedelta(days=due_in))
            self.made += 1
            if status == "done":
                c = commitments.report_progress(actor=self.actor, commitment=c, expected_version=c.lock_version,
                                                status="done", done_on=self.day(done_ago), evidence=note)
            elif status:
                c = commitments.report_progress(actor=self.actor, commitment=c, expected_version=c.lock_version,
                                                status=status, note=note)
            return c

        nalung = _child(self.commune, "Bản Nà Luồng", "village") or self.commune
        front, new = dialogue(FRONT_DIALOGUE, "front", 120, chaired_by="Chủ tịch UBND xã Bình Lư",
                              participants=62, participant_groups="Ủy ban MTTQ xã, các đoàn thể, trưởng các bản",
                              topics="Công khai ngân sách; chi trả chính sách hộ nghèo; đất sản xuất bản Hon")
        if new:
            promise(front, "Sửa chữa cầu treo bản Hon trước mùa mưa lũ", -90, self.commune, "done", 95,
                    "Đã nghiệm thu, đưa cầu vào sử dụng.")
            promise(front, "Lắp đèn chiếu sáng tuyến đường trục xã", -80, self.commune, "done", 70,
                    "Đã lắp 24 bóng đèn năng lượng mặt trời.")
            promise(front, "Mở chợ phiên tại bản Nà Luồng", 30, nalung, "dropped",
                    note="Tỉnh chưa bố trí vốn xây dựng chợ; đề nghị chuyển sang năm 2027.")
        citizens, new = dialogue(CITIZENS_DIALOGUE, "citizens", 60, previous=front,
                                 chaired_by="Chủ tịch UBND xã Bình Lư", participants=115,
                                 participant_groups="Nhân dân bản Nà Luồng, bản Hon",
                                 topics="Nước sinh hoạt; đất rừng; đường nội bản")
        if new:
            promise(citizens, "Khắc phục công trình nước sinh hoạt bản Nà Luồng", -5, nalung, "in_progress",
                    note="Đã khảo sát nguồn nước, đang chờ vật tư.")
            promise(citizens, "Trả lời bằng văn bản về giao đất rừng cho các hộ bản Hon", 5, self.commune)
            ids = list(front.commitments.filter(deleted_at__isnull=True).values_list("pk", flat=True))
            commitments.report_back(actor=self.actor, dialogue=citizens, commitment_ids=ids)
        business, new = dialogue(BUSINESS_DIALOGUE, "businesses", 20, previous=citizens,
                                 chaired_by="Chủ tịch UBND xã Bình Lư", participants=34,
                                 participant_groups="Hộ kinh doanh, hợp tác xã chè Bình Lư",
                                 topics="Thủ tục đăng ký hộ kinh doanh; mặt bằng sản xuất chè")
        if new:
            promise(business, "Hướng dẫn hợp tác xã chè làm hồ sơ thuê đất sản xuất", 60, self.commune)


def load_demo_grassroots(*, actor: Any = None) -> int:
    """Create what is missing of Bình Lư's grassroots democracy and dialogues; the number of records created."""
    binhlu = _unit(data.COMMUNES["binhlu"], "commune")
    if binhlu is None:
        return 0
    loader = _Grassroots(actor, binhlu, timezone.localdate())
    loader.disclosures()
    loader.quarterly_lists()
    loader.decisions()
    loader.consultation()
    loader.board()
    loader.supervision()
    loader.dialogues()
    return loader.made
