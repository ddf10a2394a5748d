"""Demonstration reception and petitions: Lai Châu's schedules, Xã Bình Lư's reception book and cases.

What ``make run`` should show: the province's and Bình Lư's heads' reception days, with one
week of this month in Bình Lư left without a head's day (so the schedule page warns) and the
province's next month not yet scheduled; officers' regular reception; eight lines of Bình Lư's
book 03/TCD this year (a mass delegation, a refusal, a forwarded matter, a denunciation whose
visitor is encrypted and assigned to ``xuly.binhlu``); about ten petitions in various states
with red, amber and green deadlines. Dates are relative to today, never in the future.

Everything goes through the services, like an officer's work. Idempotent: every line and case
carries an idempotency key, and sessions are looked up before they are scheduled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from danvan.core import calendar
from danvan.orgs.models import OrgUnit
from danvan.petitions import reception, services
from danvan.petitions.models import Petition, PetitionField, ReceptionSession, ReceptionVisit

from . import data

KEY = "demo-{}"


def _unit(code: str, kind: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, kind__code=kind, valid_to__isnull=True).first()


def _working_days_back(today: dt.date, n: int) -> dt.date:
    day = today
    while n > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def _session(actor: Any, unit: OrgUnit, day: dt.date, host: str, title: str, *, by_head: bool,
             online: bool = False) -> int:
    if ReceptionSession.objects.filter(org_unit=unit, date=day, host_name=host).exists():
        return 0
    reception.schedule_session(
        actor=actor, org_unit=unit, date=day, starts_at=dt.time(7, 30), ends_at=dt.time(11, 0), by_head=by_head,
        host_name=host, host_title=title, mode="online" if online else "in_person",
        location="" if online else f"Trụ sở tiếp công dân {unit.name}",
        online_link="https://hop.laichau.gov.vn/tiep-cong-dan" if online else "",
    )
    return 1


def _schedules(actor: Any, province: OrgUnit, binhlu: OrgUnit, today: dt.date) -> int:
    made = 0
    first = today.replace(day=1)
    # The province: its head's day this month (15th, or the next working day); next month left empty.
    day = first.replace(day=15)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    made += _session(actor, province, day, "Hoàng Văn Thắng", "Phó Chủ tịch UBND tỉnh", by_head=True)
    made += _session(actor, province, day + dt.timedelta(days=7), "Lò Thị Mai", "Chuyên viên Ban Tiếp công dân",
                     by_head=False, online=True)
    # Bình Lư: a head's day each Tuesday of the month except the third week (the warning to show).
    tuesday = first + dt.timedelta(days=(1 - first.weekday()) % 7)
    week = 0
    while tuesday.month == first.month:
        week += 1
        if week != 3:
            made += _session(actor, binhlu, tuesday, "Lò Văn Pâng", "Chủ tịch UBND xã", by_head=True)
        made += _session(actor, binhlu, tuesday + dt.timedelta(days=2), "Vàng Thị Dung",
                         "Công chức Văn phòng - Thống kê", by_head=False)
        tuesday += dt.timedelta(days=7)
    return made


def _visits(actor: Any, binhlu: OrgUnit, today: dt.date) -> tuple[int, ReceptionVisit | None]:
    start = max(today.replace(month=1, day=1), today - dt.timedelta(days=120))
    step = max((today - start).days // 8, 1)

    def on(i: int) -> dt.date:
        return min(start + dt.timedelta(days=i * step), today)

    specs: list[dict[str, Any]] = [
        {"visitor_name": "Lò Văn Sinh", "visitor_address": "Bản Hon, xã Bình Lư", "id_number": "012086001234",
         "summary": "Đề nghị cấp giấy chứng nhận quyền sử dụng đất cho thửa đất gia đình sử dụng ổn định từ năm 1995",
         "kind": "recommendation", "handling": "guided"},
        {"visitor_name": "Tẩn Thị Mẩy", "visitor_address": "Bản Nà Luồng, xã Bình Lư", "id_number": "012190004567",
         "summary": "Khiếu nại quyết định thu hồi đất làm đường giao thông liên bản, chưa đồng ý mức bồi thường",
         "kind": "complaint", "handling": "accepted", "create_petition": True},
        {"visitor_name": "Giàng A Páo (đại diện đoàn)", "visitor_address": "Bản Hon, xã Bình Lư",
         "id_number": "012088009876", "people_count": 9, "has_written_petition": False, "content_signed": True,
         "summary": "Đoàn 9 hộ dân phản ánh việc thi công thủy điện làm sạt lở đất canh tác",
         "kind": "feedback", "handling": "forwarded", "forwarded_to_name": "Sở Công Thương tỉnh Lai Châu",
         "forward_document_number": "12/PC-UBND"},
        {"visitor_name": "Chẻo Văn Lở", "visitor_address": "Tổ dân phố số 1, xã Bình Lư",
         "summary": "Tiếp tục khiếu nại việc đã được giải quyết đúng chính sách, đã rà soát",
         "kind": "complaint", "handling": "refused", "refusal_ground": "disruptive",
         "refusal_reason": "Công dân có lời lẽ xúc phạm, đe dọa cán bộ tiếp công dân, gây mất trật tự tại trụ sở"},
        {"visitor_name": "Người tố cáo", "visitor_address": "Bản Nà Luồng, xã Bình Lư", "id_number": "012095007777",
         "summary": "Tố cáo cán bộ địa chính xã nhận tiền khi làm thủ tục chuyển nhượng đất",
         "kind": "denunciation", "handling": "accepted", "create_petition": True},
        {"visitor_name": "Lường Thị Ngoan", "visitor_address": "Bản Hon, xã Bình Lư",
         "summary": "Phản ánh đèn chiếu sáng đường liên bản hỏng nhiều tháng", "kind": "feedback",
         "handling": "recorded", "has_written_petition": False, "content_signed": True},
        {"visitor_name": "Sần Văn Chính", "visitor_address": "Tổ dân phố số 1, xã Bình Lư", "id_number": "012080003333",
         "summary": "Kiến nghị hỗ trợ hộ nghèo sửa chữa nhà ở sau mưa lũ", "kind": "recommendation",
         "handling": "accepted", "create_petition": True, "people_count": 2},
        {"visitor_name": "Vàng A Sử", "visitor_address": "Bản Nà Luồng, xã Bình Lư",
         "summary": "Hỏi về chế độ trợ cấp người có công", "kind": "recommendation", "handling": "guided"},
    ]
    made = 0
    denunciation = None
    for i, spec in enumerate(specs, start=1):
        key = KEY.format(f"visit-{i}")
        existed = ReceptionVisit.objects.filter(org_unit=binhlu, idempotency_key=key).first()
        if existed is None:
            if spec.get("create_petition"):
                spec["petition_data"] = {"content": spec["summary"]}
            existed = reception.record_visit(actor=actor, org_unit=binhlu, visited_on=on(i - 1), idempotency_key=key,
                                             **spec)
            made += 1
        if spec["kind"] == "denunciation":
            denunciation = existed
    return made, denunciation


def _petitions(actor: Any, binhlu: OrgUnit, province: OrgUnit, today: dt.date) -> int:
    field = PetitionField.objects.filter(active=True).order_by("order").first()
    made = 0

    def receive(n: int, unit: OrgUnit, received: dt.date, **kw: Any) -> tuple[Petition, bool]:
        key = KEY.format(f"petition-{n}")
        existing = Petition.objects.filter(org_unit=unit, idempotency_key=key).first()
        if existing is not None:
            return existing, False
        kw.setdefault("channel", "post")
        kw.setdefault("kind", "complaint")
        if kw["kind"] == "complaint":
            kw.setdefault("filer_name", "Nguyễn Thị Hoa")
            kw.setdefault("filer_address", "Bản Hon, xã Bình Lư")
        return services.receive_petition(actor=actor, org_unit=unit, received_on=received, idempotency_key=key,
                                         **kw), True

    def step(p: Petition, action: str, **kw: Any) -> Petition:
        return services.transition(actor=actor, petition=p, action=action, expected_version=p.lock_version, **kw)

    def classify(p: Petition) -> Petition:
        return step(p, "classify", kind=p.kind, field=field, eligible=True, competence="own")

    # Red: received five weeks ago, still not accepted.
    p, new = receive(1, binhlu, today - dt.timedelta(days=35), summary="Khiếu nại việc cấp đổi giấy chứng nhận")
    made += new
    # Amber: acceptance due within three working days.
    p, new = receive(2, binhlu, _working_days_back(today, 5), summary="Khiếu nại quyết định xử phạt hành chính")
    made += new
    # Green: received today by post.
    p, new = receive(3, binhlu, today, kind="recommendation", summary="Kiến nghị làm lại cầu treo bản Hon",
                     filer_name="Lò Văn Thào")
    made += new
    # Accepted and under verification, resolution due in a month or so.
    p, new = receive(4, binhlu, today - dt.timedelta(days=20), summary="Khiếu nại việc bồi thường giải phóng mặt bằng")
    if new:
        made += 1
        if field is not None:
            classify(p)
            step(p, "accept", accepted_on=today - dt.timedelta(days=14))
            step(p, "start_verification")
    # Resolved and closed.
    p, new = receive(5, binhlu, today - dt.timedelta(days=100), summary="Khiếu nại việc chia đất rừng sản xuất")
    if new:
        made += 1
        if field is not None:
            classify(p)
            step(p, "accept", accepted_on=today - dt.timedelta(days=90))
            step(p, "resolve", decision_number="45/QĐ-UBND", decision_on=today - dt.timedelta(days=50), outcome="partly")
            step(p, "close")
    # Forwarded to the province's inspectorate.
    p, new = receive(6, binhlu, today - dt.timedelta(days=12), kind="feedback", filer_name="Hà Văn Lình",
                     summary="Phản ánh doanh nghiệp khai thác cát trái phép trên suối Nậm Mạ")
    if new:
        made += 1
        if field is not None:
            classify(p)
            step(p, "forward", to_name="Sở Nông nghiệp và Môi trường tỉnh Lai Châu")
    # Guided to the court.
    p, new = receive(7, binhlu, today - dt.timedelta(days=9), summary="Tranh chấp hợp đồng vay tiền giữa hai hộ")
    if new:
        made += 1
        if field is not None:
            classify(p)
            step(p, "guide", reason="Tranh chấp dân sự thuộc thẩm quyền của Tòa án nhân dân, hướng dẫn công dân")
    # Province: an overdue denunciation-free complaint and an accepted one.
    p, new = receive(8, province, today - dt.timedelta(days=60), summary="Khiếu nại quyết định của UBND tỉnh về giá đất",
                     filer_name="Trần Văn Nam", filer_address="Phường Tân Phong")
    if new:
        made += 1
        if field is not None:
            classify(p)
            step(p, "accept", accepted_on=today - dt.timedelta(days=55))
    p, new = receive(9, province, today - dt.timedelta(days=2), kind="recommendation", channel="forwarded",
                     forwarded_by="Ban Dân nguyện - Ủy ban Thường vụ Quốc hội", filer_name="Cử tri xã Khun Há",
                     summary="Kiến nghị đầu tư đường từ trung tâm xã Khun Há đến các bản")
    made += new
    p, new = receive(10, binhlu, today - dt.timedelta(days=3), kind="feedback", anonymous=True,
                     summary="Phản ánh tụ tập đánh bạc tại khu chợ phiên")
    made += new
    return made


def load_demo_petitions(*, actor: Any) -> int:
    """Create what is missing of the demo's reception and petitions; the number of things created (0 on a rerun)."""
    province = _unit(data.PROVINCE_CODE, "province")
    binhlu = _unit(data.COMMUNES["binhlu"], "commune")
    if province is None or binhlu is None:
        return 0
    today = timezone.localdate()
    made = _schedules(actor, province, binhlu, today)
    visits, denunciation = _visits(actor, binhlu, today)
    made += visits
    made += _petitions(actor, binhlu, province, today)
    handler = get_user_model().objects.filter(username="xuly.binhlu", is_active=True).first()
    if denunciation is not None and handler is not None:
        for petition in denunciation.petitions.all():
            services.assign_handler(actor=actor, petition=petition, user=handler)  # idempotent
    return made
