"""Demonstration "Dân vận khéo" practices, the friendly-government programme, dissemination and inspections.

What ``make run`` should show for issue #8, in Lai Châu and Xã Bình Lư:

* practices of Bình Lư and of the province's units in every state — registered, in progress, interim
  review done, final review done, stopped — one of them in an ethnic-minority area and serving the plan's
  "95% of units register a practice" target; evaluations by the commune's council (one below the pass
  score, one recognised at commune level) and by the province's council (recognised at province level);
  Xã Tả Lèng adopting Bình Lư's recognised practice; year-end commendations of collectives and an
  individual;
* Bình Lư's programme "Chính quyền thân thiện, vì Nhân dân phục vụ": a steering board, five dated steps
  (one done on time, one done late, one running past its end, two to come), criteria with evidence and the
  commune's satisfaction survey linked;
* dissemination sessions on the seed documents (Kết luận 114-KL/TW, Chỉ thị 33/CT-TTg, Luật 10/2022/QH15)
  in the province, Bình Lư, Tả Lèng and the Home Affairs department — the other communes have none, so
  the coverage is not 100%;
* the province's inspection plan, its inspection of Bình Lư with three follow-up actions (one done, one
  late, one open), and Bình Lư's self-inspection plan;
* the province's default league table on the dashboard's figures.

Everything goes through the services (``danvan.practices.*``, ``danvan.oversight.services``,
``danvan.dashboard.league``), like an officer's work. Dates are counted back from today, so the demo
reads the same whenever it is loaded. Idempotent: each record is looked up by its natural key first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from danvan.core.text import search_key
from danvan.orgs.models import OrgUnit

from . import data

PROGRAMME_NAME = "Chính quyền thân thiện, vì Nhân dân phục vụ"
LEAGUE_NAME = "Xếp hạng công tác dân vận chính quyền các xã, phường"
LEAGUE_CRITERIA = [("petitions.on_time_rate", 2), ("reports.timeliness_rate", 1), ("surveys.satisfaction_index", 2),
                   ("dialogues.held", 1), ("dialogues.commitments_kept_rate", 2), ("practices.recognised", 1)]
INSPECTION_PLAN = "Kế hoạch kiểm tra thực hiện công tác dân vận chính quyền năm {}"
SELF_PLAN = "Kế hoạch tự kiểm tra thực hiện Quy chế dân chủ ở cơ sở năm {}"
# Seed documents studied in the sessions, as the legal registry keys them (number, symbol).
DOCS = {"kl114": ("114", "KL/TW"), "ct33": ("33", "CT-TTg"), "luat10": ("10/2022", "QH15")}


def _unit(code: str, kind: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, kind__code=kind, valid_to__isnull=True).first()


def _child(parent: OrgUnit, name: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(parent=parent, name=name, valid_to__isnull=True).first()


class _Loader:
    def __init__(self, actor: Any, units: dict[str, OrgUnit], today: dt.date) -> None:
        self.actor, self.units, self.today, self.made = actor, units, today, 0

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    # ------------------------------------------------------------------ practices

    def practice(self, unit_key: str, name: str, field: str, days_ago: int, **extra: Any) -> Any:
        from danvan.practices import services
        from danvan.practices.models import Practice, PracticeField

        unit = self.units[unit_key]
        found = Practice.objects.filter(org_unit=unit, year=self.today.year, name_key=search_key(name),
                                        deleted_at__isnull=True).first()
        if found is not None:
            return found, False
        self.made += 1
        p = services.register_practice(
            actor=self.actor, org_unit=unit, year=self.today.year, name=name,
            field=PracticeField.objects.get(code=field), starts_on=self.day(days_ago),
            responsible_person=extra.pop("responsible_person", "Chủ tịch UBND"), **extra)
        return p, True

    def updates(self, p: Any, steps: list[tuple[str, int, str]]) -> None:
        from danvan.practices import services

        for kind, days_ago, text in steps:
            services.add_update(actor=self.actor, practice=p, kind=kind, on=self.day(days_ago), text=text)
            self.made += 1

    def evaluate(self, p: Any, council_key: str, days_ago: int, ratio: Decimal, level: str = "",
                 notes: str = "") -> None:
        from danvan.practices import evaluation
        from danvan.practices.models import CriteriaSet, Evaluation

        council = self.units[council_key]
        if Evaluation.objects.filter(practice=p, council_unit=council, deleted_at__isnull=True).exists():
            return
        cs = CriteriaSet.objects.filter(owner__isnull=True, is_active=True).order_by("pk").first()
        if cs is None:
            return
        scores = {c.pk: (c.max_score * ratio).quantize(Decimal("1")) for c in cs.criteria.all()}
        evaluation.evaluate(actor=self.actor, practice=p, council_unit=council, criteria_set=cs,
                            evaluated_on=self.day(days_ago), scores=scores, level=level, notes=notes)
        self.made += 1

    def practices(self) -> dict[str, Any]:
        from danvan.practices import evaluation, services

        target = services.targets_for(self.units["binhlu"]).filter(text__contains="Dân vận khéo").first()
        road, new = self.practice(
            "binhlu", "Dân vận khéo trong vận động Nhân dân hiến đất mở rộng đường liên bản Nà Luồng - Bản Hon",
            "new_rural", 300, place="Bản Nà Luồng, Bản Hon", ethnic_remote=True, target=target,
            goals="Vận động các hộ dân hiến đất, góp công mở rộng 3,2 km đường liên bản; không để phát sinh "
                  "khiếu nại; hoàn thành trong năm.", responsible_person="Tẩn Văn Hòa")
        if new:
            self.updates(road, [
                ("progress", 240, "Tổ chức 6 cuộc họp bản; 74/81 hộ ký cam kết hiến đất."),
                ("interim_review", 150, "Sơ kết 6 tháng: 81/81 hộ hiến đất, đã mở rộng 1,8 km."),
                ("final_review", 40, "Tổng kết: hoàn thành 3,2 km đường bê tông; 1.560 ngày công của Nhân dân."),
            ])
        self.evaluate(road, "binhlu", 30, Decimal("0.9"), "commune", "Mô hình tiêu biểu, đề nghị tỉnh công nhận.")
        self.evaluate(road, "province", 20, Decimal("0.85"), "province", "Công nhận mô hình cấp tỉnh.")
        if not road.replications.filter(org_unit=self.units["taleng"], deleted_at__isnull=True).exists():
            evaluation.replicate(actor=self.actor, practice=road, org_unit=self.units["taleng"],
                                 adopted_on=self.day(10), notes="Áp dụng cho tuyến đường Bản Lùng Thàng.")
            self.made += 1

        security, new = self.practice(
            "binhlu", "Tổ tự quản an ninh trật tự Bản Hon", "defence_security", 200, place="Bản Hon",
            ethnic_remote=True, goals="Giữ vững an ninh trật tự, không có tội phạm ma túy trên địa bàn bản.",
            responsible_person="Trưởng Công an xã")
        if new:
            self.updates(security, [("progress", 120, "Thành lập tổ tự quản 12 thành viên; tuần tra hằng đêm."),
                                    ("interim_review", 60, "Sơ kết: 2 vụ việc được hòa giải tại bản.")])
        self.evaluate(security, "binhlu", 50, Decimal("0.6"), "", "Chưa đủ điểm công nhận; tiếp tục hoàn thiện.")

        desk, new = self.practice(
            "binhlu", "Chính quyền thân thiện tại Bộ phận một cửa xã", "political_system", 160, target=target,
            goals="Trả kết quả đúng hẹn 100% hồ sơ; mỗi tháng lấy ý kiến người dân về thái độ phục vụ.",
            responsible_person="Vàng Thị Dung")
        if new:
            self.updates(desk, [("progress", 30, "Lắp hòm thư góp ý, niêm yết số điện thoại đường dây nóng.")])

        self.practice("binhlu", "Phụ nữ dân tộc Giáy giữ gìn làn điệu dân ca", "culture_society", 20,
                      registered_by="individual", person_name="Lò Thị Xuân", ethnic_remote=True,
                      place="Tổ dân phố số 1", goals="Mở lớp truyền dạy dân ca cho 30 em thiếu nhi.",
                      responsible_person="Lò Thị Xuân")
        fish, new = self.practice("binhlu", "Nuôi cá lồng trên hồ thủy lợi", "economy", 220,
                                  goals="Tạo sinh kế cho 10 hộ nghèo.", responsible_person="Chủ tịch Hội Nông dân xã")
        if new:
            services.stop_practice(actor=self.actor, practice=fish, expected_version=fish.lock_version,
                                   reason="Hồ thủy lợi phải sửa chữa; chuyển sang mô hình khác năm sau.")
            self.made += 1

        reform, new = self.practice(
            "snv", "Dân vận khéo trong cải cách hành chính, phục vụ người dân và doanh nghiệp", "political_system",
            280, goals="Giảm 30% thời gian giải quyết thủ tục nội vụ; 100% hồ sơ trực tuyến.",
            responsible_person="Giám đốc Sở Nội vụ")
        if new:
            self.updates(reform, [("progress", 200, "Rà soát, cắt giảm 12 thủ tục."),
                                  ("final_review", 25, "Tổng kết: 98% hồ sơ đúng hạn, 100% trực tuyến.")])
        self.evaluate(reform, "province", 15, Decimal("0.8"), "province")
        self.practice("tanphong", "Phường văn minh, thân thiện", "culture_society", 90,
                      goals="Xây dựng 8/8 tổ dân phố văn minh.", responsible_person="Chủ tịch UBND phường")
        return {"road": road, "reform": reform}

    def commendations(self, practices: dict[str, Any]) -> None:
        from danvan.practices import commendations
        from danvan.practices.models import Commendation

        on = self.day(5)
        rows = [
            ("province", "province", "collective", "UBND xã Bình Lư", "binhlu", practices["road"], "Bằng khen của "
             "Chủ tịch UBND tỉnh", "1520/QĐ-UBND"),
            ("province", "province", "collective", "Sở Nội vụ tỉnh Lai Châu", "snv", practices["reform"],
             "Bằng khen của Chủ tịch UBND tỉnh", "1520/QĐ-UBND"),
            ("binhlu", "commune", "individual", "Vàng Thị Dung", "binhlu", None, "Giấy khen của Chủ tịch UBND xã",
             "85/QĐ-UBND"),
            ("binhlu", "commune", "individual", "Tẩn Văn Hòa", "binhlu", None, "Giấy khen của Chủ tịch UBND xã",
             "85/QĐ-UBND"),
        ]
        for awarding, level, kind, name, unit, practice, form, ref in rows:
            if Commendation.objects.filter(awarding_unit=self.units[awarding], year=on.year, recipient_name=name,
                                           deleted_at__isnull=True).exists():
                continue
            commendations.commend(actor=self.actor, awarding_unit=self.units[awarding], year=on.year, level=level,
                                  recipient_kind=kind, recipient_name=name, org_unit=self.units[unit],
                                  awarded_on=on, practice=practice, form=form, decision_ref=ref)
            self.made += 1

    # ------------------------------------------------------------------ programme

    def programme(self) -> None:
        from danvan.practices import programmes
        from danvan.practices.models import Programme
        from danvan.surveys.models import Survey

        from .surveys import COMMUNE_TITLE

        binhlu, year = self.units["binhlu"], self.today.year
        if Programme.objects.filter(org_unit=binhlu, name=PROGRAMME_NAME, deleted_at__isnull=True).exists():
            return
        survey = Survey.objects.filter(org_unit=binhlu, title=COMMUNE_TITLE, deleted_at__isnull=True).first()
        p = programmes.create_programme(
            actor=self.actor, org_unit=binhlu, name=PROGRAMME_NAME, starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31), survey=survey,
            description="Thực hiện mô hình “Chính quyền thân thiện, vì Nhân dân phục vụ” tại UBND xã: cán bộ, "
                        "công chức tận tụy, lắng nghe, giải quyết kịp thời kiến nghị của Nhân dân.")
        self.made += 1
        for name, position, role, duties in [
            ("Hoàng Văn Lụa", "Chủ tịch UBND xã", "Trưởng ban", "Chỉ đạo chung."),
            ("Tẩn Văn Hòa", "Công chức Tư pháp - Hộ tịch", "Phó Trưởng ban", "Theo dõi bộ tiêu chí, tổng hợp."),
            ("Vàng Thị Dung", "Công chức Văn phòng - Thống kê", "Thành viên", "Bộ phận một cửa; khảo sát."),
        ]:
            programmes.add_member(actor=self.actor, programme=p, full_name=name, position=position, role=role,
                                  duties=duties)
            self.made += 1
        steps = [
            ("Ban hành Kế hoạch thực hiện mô hình", None, dt.date(year, 2, 15), dt.date(year, 2, 10),
             "Kế hoạch số 15/KH-UBND."),
            ("Hội nghị phát động và tập huấn cho cán bộ, công chức", None, dt.date(year, 3, 15),
             dt.date(year, 3, 28), "Tổ chức muộn do trùng lịch bầu cử."),
            ("Triển khai thực hiện các tiêu chí", dt.date(year, 4, 1), dt.date(year, 11, 15), None, ""),
            ("Khảo sát sự hài lòng của người dân", dt.date(year, 12, 1), dt.date(year, 12, 20), None, ""),
            ("Sơ kết, đánh giá, rút kinh nghiệm", None, dt.date(year, 12, 31), None, ""),
        ]
        for title, starts, ends, done, note in steps:
            step = programmes.add_step(actor=self.actor, programme=p, title=title, starts_on=starts, ends_on=ends,
                                       owner="Văn phòng UBND xã")
            self.made += 1
            if done is not None and done <= self.today:
                programmes.complete_step(actor=self.actor, step=step, done_on=done, note=note)
        for name, met, evidence in [
            ("Niêm yết công khai, đầy đủ thủ tục hành chính tại Bộ phận một cửa", True,
             "Ảnh bảng niêm yết; biên bản kiểm tra ngày 15/4."),
            ("100% hồ sơ được giải quyết đúng hoặc trước hạn", False, "Tháng 6 có 3 hồ sơ trễ hạn."),
            ("Có hòm thư góp ý và đường dây nóng; trả lời 100% phản ánh", None, ""),
            ("Mức độ hài lòng của người dân đạt từ 90% trở lên", None, ""),
        ]:
            c = programmes.add_criterion(actor=self.actor, programme=p, name=name)
            self.made += 1
            if met is not None:
                programmes.assess_criterion(actor=self.actor, criterion=c, met=met, evidence=evidence)

    # ------------------------------------------------------------------ dissemination and inspections

    def disseminations(self) -> None:
        from danvan.legal.models import LegalDocument
        from danvan.oversight import services
        from danvan.oversight.models import Dissemination

        docs = {k: LegalDocument.objects.filter(number=n, symbol=s).first() for k, (n, s) in DOCS.items()}
        sessions = [
            ("province", "Hội nghị quán triệt Kết luận số 114-KL/TW và Chỉ thị số 33/CT-TTg", 200, ["kl114", "ct33"],
             250, "Hội nghị trực tuyến đến các xã, phường"),
            ("snv", "Quán triệt Kết luận số 114-KL/TW tại Sở Nội vụ", 190, ["kl114"], 62, "Lồng ghép họp cơ quan"),
            ("binhlu", "Quán triệt Chỉ thị số 33/CT-TTg và Luật Thực hiện dân chủ ở cơ sở", 185, ["ct33", "luat10"],
             65, "Hội nghị tại hội trường UBND xã"),
            ("taleng", "Quán triệt Chỉ thị số 33/CT-TTg", 170, ["ct33"], 48, "Lồng ghép họp giao ban"),
        ]
        for unit_key, title, days_ago, keys, participants, form in sessions:
            chosen = [docs[k] for k in keys if docs[k] is not None]
            if not chosen or Dissemination.objects.filter(org_unit=self.units[unit_key], title=title,
                                                          deleted_at__isnull=True).exists():
                continue
            services.record_dissemination(actor=self.actor, org_unit=self.units[unit_key], title=title,
                                          held_on=self.day(days_ago), documents=chosen, participants=participants,
                                          form=form)
            self.made += 1

    def inspections(self) -> None:
        from danvan.oversight import services
        from danvan.oversight.models import Inspection, InspectionPlan

        province, binhlu = self.units["province"], self.units["binhlu"]
        start = self.day(60)
        year = start.year
        title = INSPECTION_PLAN.format(year)
        plan = InspectionPlan.objects.filter(org_unit=province, year=year, title=title, deleted_at__isnull=True).first()
        if plan is None:
            plan = services.create_inspection_plan(
                actor=self.actor, org_unit=province, kind="inspection", year=year, title=title,
                starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31), units=[binhlu, self.units["taleng"]],
                content="Kiểm tra việc thực hiện Chỉ thị số 33/CT-TTg, Quy chế dân chủ ở cơ sở và mô hình "
                        "“Dân vận khéo”.")
            self.made += 1
        self_title = SELF_PLAN.format(year)
        if not InspectionPlan.objects.filter(org_unit=binhlu, year=year, title=self_title,
                                             deleted_at__isnull=True).exists():
            services.create_inspection_plan(actor=self.actor, org_unit=binhlu, kind="self", year=year,
                                            title=self_title, starts_on=dt.date(year, 1, 1),
                                            ends_on=dt.date(year, 12, 31), units=[binhlu],
                                            content="Tự kiểm tra việc công khai, niêm yết theo Luật số 10/2022/QH15.")
            self.made += 1
        if Inspection.objects.filter(inspector=province, org_unit=binhlu, starts_on=start,
                                     deleted_at__isnull=True).exists():
            return
        inspection = services.record_inspection(
            actor=self.actor, inspector=province, org_unit=binhlu, starts_on=start, ends_on=self.day(58), plan=plan,
            findings="Niêm yết thủ tục hành chính chưa đầy đủ; Ban Chỉ đạo thực hiện Quy chế dân chủ chưa được "
                     "kiện toàn sau sắp xếp; mô hình “Dân vận khéo” triển khai tốt.",
            conclusion="Cơ bản thực hiện tốt; khắc phục các tồn tại trong 30 ngày.")
        self.made += 1
        actions = [
            ("Niêm yết đầy đủ thủ tục hành chính tại Bộ phận một cửa", self.day(30), self.day(35),
             "Đã niêm yết 86 thủ tục; có biên bản kiểm tra."),
            ("Kiện toàn Ban Chỉ đạo thực hiện Quy chế dân chủ ở cơ sở", self.day(10), None, ""),
            ("Tổ chức đối thoại với Nhân dân Bản Hon về đường liên bản", self.today + dt.timedelta(days=30), None, ""),
        ]
        for text, due, done, result in actions:
            action = services.add_action(actor=self.actor, inspection=inspection, text=text, owner_unit=binhlu,
                                         due_on=due)
            self.made += 1
            if done is not None:
                services.complete_action(actor=self.actor, action=action, expected_version=action.lock_version,
                                         done_on=done, result=result)

    # ------------------------------------------------------------------ dashboard

    def league_table(self) -> None:
        from danvan.dashboard import league, registry
        from danvan.dashboard.models import LeagueTable

        province = self.units["province"]
        if LeagueTable.objects.filter(owner=province, deleted_at__isnull=True).exists():
            return
        known = set(registry.keys())
        criteria = [{"key": k, "weight": w} for k, w in LEAGUE_CRITERIA if k in known]
        if not criteria:
            return
        league.create_table(actor=self.actor, owner=province, name=LEAGUE_NAME, criteria=criteria, is_default=True)
        self.made += 1


def load_demo_practices(*, actor: Any = None) -> int:
    """Create what is missing of the demo's practices, programme, dissemination, inspections and league table;
    the number of records created (0 on a rerun)."""
    province = _unit(data.PROVINCE_CODE, "province")
    communes = {key: _unit(data.COMMUNES[key], "commune") for key in ("binhlu", "taleng", "tanphong")}
    snv = _child(province, "Sở Nội vụ") if province is not None else None
    if province is None or snv is None or any(c is None for c in communes.values()):
        return 0
    units: dict[str, OrgUnit] = {"province": province, "snv": snv, **{k: c for k, c in communes.items() if c}}
    loader = _Loader(actor, units, timezone.localdate())
    loader.commendations(loader.practices())
    loader.programme()
    loader.disseminations()
    loader.inspections()
    loader.league_table()
    return loader.made
