"""The national default report form for mass mobilization, built from what the plans ask for.

Every plan the project was seeded with ends with "report the results every six months and every
year"; what those reports must contain is scattered through the plans' content: disseminating
the Party's and State's documents, assigning a leader and a specialist, issuing the unit's own
plan, heads' reception days and petitions, dialogues and commitments, grassroots democracy and
disclosure, "Dân vận khéo" good practices, administrative reform and online public services,
citizen satisfaction, inspections and commendations. This module turns that into one published
form (indicator names and questions are Vietnamese *data*, as an official would print them).

Where another module holds a figure, the indicator names that module's pre-fill source (see
``danvan.reports.prefill``); sources of modules not built yet are harmless until they are.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from danvan.core import audit

from .models import (
    Aggregation,
    Comparison,
    CrossRule,
    FormSection,
    FormStatus,
    Indicator,
    Question,
    ReportForm,
    ValueType,
)

CODE = "dan-van-chinh-quyen"
VERSION = 1
NAME = "Báo cáo kết quả thực hiện công tác dân vận chính quyền"
DESCRIPTION = (
    "Biểu mẫu báo cáo định kỳ 6 tháng và năm về kết quả thực hiện công tác dân vận chính quyền, "
    "quy chế dân chủ ở cơ sở và phong trào thi đua “Dân vận khéo” (Chỉ thị số 33/CT-TTg ngày "
    "26/11/2021 của Thủ tướng Chính phủ; Nghị định số 09/2019/NĐ-CP về chế độ báo cáo)."
)

C, P, B, M, T = ValueType.COUNT, ValueType.PERCENTAGE, ValueType.BOOLEAN, ValueType.MONEY, ValueType.TEXT
SUM, AVG, YES, RATIO, NONE = (
    Aggregation.SUM, Aggregation.AVERAGE, Aggregation.SHARE_YES, Aggregation.RATIO, Aggregation.NONE,
)


class Ind(NamedTuple):
    code: str
    name: str
    unit: str
    value_type: str
    aggregation: str
    required: bool = False
    source: str = ""
    ratio: tuple[str, str] | None = None
    help_text: str = ""


class Sec(NamedTuple):
    number: str
    title: str
    indicators: tuple[Ind, ...]
    questions: tuple[tuple[str, str, bool], ...]


SECTIONS: tuple[Sec, ...] = (
    Sec("I", "Công tác lãnh đạo, chỉ đạo, quán triệt và tuyên truyền", (
        Ind("dissemination_sessions", "Số hội nghị, buổi quán triệt, tuyên truyền các văn bản của Đảng, Nhà nước "
            "về công tác dân vận", "buổi", C, SUM, True),
        Ind("dissemination_participants", "Số lượt cán bộ, công chức, viên chức và Nhân dân tham dự quán triệt, "
            "tuyên truyền", "lượt người", C, SUM),
        Ind("directives_issued", "Số văn bản lãnh đạo, chỉ đạo, hướng dẫn về công tác dân vận chính quyền đã ban hành",
            "văn bản", C, SUM),
        Ind("leader_assigned", "Đã phân công lãnh đạo phụ trách công tác dân vận", "", B, YES, True),
        Ind("specialist_assigned", "Đã phân công công chức, viên chức theo dõi, tham mưu công tác dân vận", "",
            B, YES, True),
        Ind("own_plan_issued", "Đã ban hành kế hoạch thực hiện công tác dân vận chính quyền của đơn vị", "",
            B, YES, True, "plans.issued_own_plan"),
        Ind("plan_tasks_led", "Số nhiệm vụ được giao chủ trì trong kế hoạch", "nhiệm vụ", C, SUM, False,
            "plans.tasks_led"),
        Ind("plan_tasks_done", "Số nhiệm vụ chủ trì đã hoàn thành", "nhiệm vụ", C, SUM, False, "plans.tasks_done"),
        Ind("plan_tasks_done_rate", "Tỷ lệ nhiệm vụ chủ trì đã hoàn thành", "%", P, RATIO,
            ratio=("plan_tasks_done", "plan_tasks_led")),
    ), (("leadership_results", "Kết quả lãnh đạo, chỉ đạo, quán triệt và tuyên truyền", False),)),
    Sec("II", "Tiếp công dân, giải quyết khiếu nại, tố cáo, kiến nghị, phản ánh", (
        Ind("reception_days_scheduled", "Số ngày tiếp công dân định kỳ của người đứng đầu", "ngày", C, SUM, True,
            "petitions.reception_days_scheduled"),
        Ind("reception_days_ad_hoc", "Số ngày tiếp công dân đột xuất của người đứng đầu", "ngày", C, SUM, False,
            "petitions.reception_days_ad_hoc"),
        Ind("citizens_received", "Số lượt công dân được tiếp", "lượt người", C, SUM, True,
            "petitions.citizens_received"),
        Ind("petitions_complaints", "Số đơn khiếu nại tiếp nhận", "đơn", C, SUM, False,
            "petitions.received_complaints"),
        Ind("petitions_denunciations", "Số đơn tố cáo tiếp nhận", "đơn", C, SUM, False,
            "petitions.received_denunciations"),
        Ind("petitions_recommendations", "Số đơn kiến nghị, phản ánh tiếp nhận", "đơn", C, SUM, False,
            "petitions.received_recommendations"),
        Ind("petitions_received", "Tổng số đơn tiếp nhận", "đơn", C, SUM, True, "petitions.received_total"),
        Ind("petitions_resolved", "Số đơn đã giải quyết", "đơn", C, SUM, True, "petitions.resolved"),
        Ind("petitions_resolved_on_time", "Số đơn giải quyết đúng thời hạn", "đơn", C, SUM, False,
            "petitions.resolved_on_time"),
        Ind("petitions_resolution_rate", "Tỷ lệ đơn đã giải quyết", "%", P, RATIO,
            ratio=("petitions_resolved", "petitions_received")),
        Ind("petitions_on_time_rate", "Tỷ lệ đơn giải quyết đúng thời hạn", "%", P, RATIO,
            ratio=("petitions_resolved_on_time", "petitions_resolved")),
        Ind("mass_petition_cases", "Số vụ việc khiếu kiện đông người, vượt cấp", "vụ việc", C, SUM, False,
            "petitions.mass_cases"),
        Ind("mediation_cases", "Số vụ việc hòa giải ở cơ sở", "vụ việc", C, SUM),
        Ind("mediation_successful", "Số vụ việc hòa giải thành", "vụ việc", C, SUM),
        Ind("mediation_success_rate", "Tỷ lệ hòa giải thành", "%", P, RATIO,
            ratio=("mediation_successful", "mediation_cases")),
    ), (("petitions_results", "Kết quả tiếp công dân, giải quyết đơn thư", False),)),
    Sec("III", "Đối thoại, tiếp xúc với Nhân dân", (
        Ind("dialogues_held", "Số cuộc đối thoại trực tiếp của người đứng đầu với Nhân dân, doanh nghiệp", "cuộc",
            C, SUM, True, "dialogues.held"),
        Ind("dialogue_participants", "Số lượt người tham gia đối thoại", "lượt người", C, SUM, False,
            "dialogues.participants"),
        Ind("commitments_made", "Số nội dung người đứng đầu cam kết giải quyết", "nội dung", C, SUM, False,
            "dialogues.commitments_made"),
        Ind("commitments_kept", "Số nội dung cam kết đã thực hiện", "nội dung", C, SUM, False,
            "dialogues.commitments_kept"),
        Ind("commitments_kept_rate", "Tỷ lệ cam kết đã thực hiện", "%", P, RATIO,
            ratio=("commitments_kept", "commitments_made")),
    ), (("dialogues_results", "Kết quả đối thoại, tiếp xúc với Nhân dân", False),)),
    Sec("IV", "Thực hiện dân chủ ở cơ sở", (
        Ind("disclosures_made", "Số nội dung công khai, niêm yết theo Luật Thực hiện dân chủ ở cơ sở", "nội dung",
            C, SUM, False, "disclosures.made"),
        Ind("consultations_held", "Số lần lấy ý kiến Nhân dân về chủ trương, chính sách, chương trình, dự án",
            "lần", C, SUM, False, "disclosures.consultations_held"),
        Ind("community_supervisions", "Số cuộc giám sát của Ban Thanh tra nhân dân, Ban Giám sát đầu tư "
            "cộng đồng", "cuộc", C, SUM, False, "disclosures.board_supervisions"),
        Ind("front_supervisions", "Số cuộc giám sát, phản biện xã hội của Mặt trận Tổ quốc và các tổ chức "
            "chính trị - xã hội", "cuộc", C, SUM, False, "disclosures.front_supervisions"),
    ), (("democracy_results", "Kết quả thực hiện dân chủ ở cơ sở", False),)),
    Sec("V", "Phong trào thi đua “Dân vận khéo”", (
        Ind("practices_registered", "Số mô hình, điển hình “Dân vận khéo” đăng ký xây dựng", "mô hình", C, SUM,
            False, "practices.registered"),
        Ind("practices_recognised", "Số mô hình, điển hình “Dân vận khéo” được công nhận", "mô hình", C, SUM,
            False, "practices.recognised"),
        Ind("practices_recognition_rate", "Tỷ lệ mô hình được công nhận", "%", P, RATIO,
            ratio=("practices_recognised", "practices_registered")),
        Ind("practice_highlight", "Tên mô hình, điển hình “Dân vận khéo” tiêu biểu", "", T, NONE),
        Ind("commendations_collective", "Số tập thể được khen thưởng, biểu dương về công tác dân vận", "tập thể",
            C, SUM, False, "practices.commendations_collective"),
        Ind("commendations_individual", "Số cá nhân được khen thưởng, biểu dương về công tác dân vận", "cá nhân",
            C, SUM, False, "practices.commendations_individual"),
    ), (("practices_results", "Kết quả phong trào thi đua “Dân vận khéo”", False),)),
    Sec("VI", "Cải cách hành chính, phục vụ người dân và doanh nghiệp", (
        Ind("procedures_received", "Số hồ sơ thủ tục hành chính tiếp nhận", "hồ sơ", C, SUM),
        Ind("procedures_on_time", "Số hồ sơ thủ tục hành chính giải quyết đúng hạn", "hồ sơ", C, SUM),
        Ind("procedures_on_time_rate", "Tỷ lệ hồ sơ giải quyết đúng hạn", "%", P, RATIO,
            ratio=("procedures_on_time", "procedures_received")),
        Ind("online_applications", "Số hồ sơ tiếp nhận trực tuyến", "hồ sơ", C, SUM),
        Ind("online_applications_rate", "Tỷ lệ hồ sơ tiếp nhận trực tuyến", "%", P, RATIO,
            ratio=("online_applications", "procedures_received")),
        Ind("online_services_share", "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình", "%",
            P, AVG),
        Ind("satisfaction_surveys", "Số cuộc khảo sát mức độ hài lòng của người dân, doanh nghiệp", "cuộc", C, SUM,
            False, "surveys.conducted"),
        Ind("satisfaction_index", "Chỉ số hài lòng của người dân, doanh nghiệp", "%", P, AVG, False,
            "surveys.satisfaction_index"),
    ), (("reform_results", "Kết quả cải cách hành chính, phục vụ người dân và doanh nghiệp", False),)),
    Sec("VII", "Kiểm tra, giám sát, kỷ luật, kỷ cương", (
        Ind("inspections_held", "Số cuộc kiểm tra việc thực hiện công tác dân vận chính quyền, quy chế dân chủ",
            "cuộc", C, SUM),
        Ind("self_inspections_held", "Số cuộc tự kiểm tra tại cơ quan, đơn vị", "cuộc", C, SUM),
        Ind("service_inspections_held", "Số cuộc thanh tra, kiểm tra công vụ", "cuộc", C, SUM),
        Ind("officials_disciplined", "Số cán bộ, công chức, viên chức bị xử lý kỷ luật do vi phạm trong quan hệ "
            "với Nhân dân", "người", C, SUM),
    ), (("inspections_results", "Kết quả kiểm tra, giám sát", False),)),
    Sec("VIII", "Kinh phí thực hiện", (
        Ind("budget_allocated", "Kinh phí bố trí cho công tác dân vận chính quyền", "đồng", M, SUM),
        Ind("budget_spent", "Kinh phí đã sử dụng", "đồng", M, SUM),
    ), ()),
    Sec("IX", "Đánh giá chung, phương hướng và kiến nghị", (), (
        ("limitations_causes", "Hạn chế, khó khăn và nguyên nhân", True),
        ("next_period_tasks", "Phương hướng, nhiệm vụ trọng tâm kỳ tới", True),
        ("proposals", "Đề xuất, kiến nghị", False),
    )),
)

# (left codes, comparison, right codes): the checks an official makes by eye on a paper report.
RULES: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (("plan_tasks_done",), Comparison.LTE, ("plan_tasks_led",)),
    (("petitions_received",), Comparison.EQ,
     ("petitions_complaints", "petitions_denunciations", "petitions_recommendations")),
    (("petitions_resolved",), Comparison.LTE, ("petitions_received",)),
    (("petitions_resolved_on_time",), Comparison.LTE, ("petitions_resolved",)),
    (("mediation_successful",), Comparison.LTE, ("mediation_cases",)),
    (("commitments_kept",), Comparison.LTE, ("commitments_made",)),
    (("practices_recognised",), Comparison.LTE, ("practices_registered",)),
    (("procedures_on_time",), Comparison.LTE, ("procedures_received",)),
    (("online_applications",), Comparison.LTE, ("procedures_received",)),
    (("budget_spent",), Comparison.LTE, ("budget_allocated",)),
)

RULE_MESSAGES = {
    "plan_tasks_done": "Số nhiệm vụ đã hoàn thành không được lớn hơn số nhiệm vụ được giao chủ trì.",
    "petitions_received": "Tổng số đơn tiếp nhận phải bằng tổng số đơn khiếu nại, tố cáo và kiến nghị, phản ánh.",
    "petitions_resolved": "Số đơn đã giải quyết không được lớn hơn tổng số đơn tiếp nhận.",
    "petitions_resolved_on_time": "Số đơn giải quyết đúng thời hạn không được lớn hơn số đơn đã giải quyết.",
    "mediation_successful": "Số vụ việc hòa giải thành không được lớn hơn số vụ việc hòa giải.",
    "commitments_kept": "Số cam kết đã thực hiện không được lớn hơn số nội dung đã cam kết.",
    "practices_recognised": "Số mô hình được công nhận không được lớn hơn số mô hình đăng ký.",
    "procedures_on_time": "Số hồ sơ giải quyết đúng hạn không được lớn hơn số hồ sơ tiếp nhận.",
    "online_applications": "Số hồ sơ tiếp nhận trực tuyến không được lớn hơn số hồ sơ tiếp nhận.",
    "budget_spent": "Kinh phí đã sử dụng không được lớn hơn kinh phí được bố trí.",
}


def _bounds(value_type: str) -> tuple[float | None, float | None]:
    if value_type == ValueType.PERCENTAGE:
        return 0.0, 100.0
    if value_type in (ValueType.COUNT, ValueType.MONEY):
        return 0.0, None
    return None, None


def existing_default_form() -> ReportForm | None:
    return ReportForm.objects.filter(code=CODE, version=VERSION).first()


@transaction.atomic
def _install(actor: Any) -> ReportForm:
    form = ReportForm.objects.create(
        code=CODE, version=VERSION, name=NAME, description=DESCRIPTION, status=FormStatus.PUBLISHED,
        owner=None, published_at=timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    indicators: list[Indicator] = []
    questions: list[Question] = []
    for s_order, sec in enumerate(SECTIONS, start=1):
        section = FormSection.objects.create(form=form, number=sec.number, title=sec.title, order=s_order)
        for ind in sec.indicators:
            lo, hi = _bounds(ind.value_type)
            numerator, denominator = ind.ratio or ("", "")
            indicators.append(Indicator(
                form=form, section=section, code=ind.code, name=ind.name, unit=ind.unit,
                value_type=ind.value_type, aggregation=ind.aggregation, numerator_code=numerator,
                denominator_code=denominator, required=ind.required, min_value=lo, max_value=hi,
                prefill_source=ind.source, help_text=ind.help_text, order=len(indicators) + 1,
            ))
        for code, text, required in sec.questions:
            questions.append(Question(
                form=form, section=section, code=code, text=text, required=required, order=len(questions) + 1,
            ))
    Indicator.objects.bulk_create(indicators)
    Question.objects.bulk_create(questions)
    CrossRule.objects.bulk_create([
        CrossRule(form=form, left=list(left), operator=op, right=list(right), message=RULE_MESSAGES[left[0]],
                  order=n)
        for n, (left, op, right) in enumerate(RULES, start=1)
    ])
    audit.record("reports.form.installed", actor=actor, obj=form, summary={
        "code": CODE, "version": VERSION, "sections": len(SECTIONS), "indicators": len(indicators),
        "questions": len(questions), "rules": len(RULES),
    })
    return form


def install_default_form(*, actor: Any = None) -> ReportForm:
    """Install the default form once; when its code and version exist, return that form untouched."""
    existing = existing_default_form()
    if existing is not None:
        return existing
    try:
        return _install(actor)
    except IntegrityError:  # installed by a concurrent run between our check and our insert
        existing = existing_default_form()
        if existing is None:
            raise
        return existing
