"""The SIPAS questionnaire (Chỉ số hài lòng về sự phục vụ hành chính), as the default survey template.

The five elements and 22 criteria follow the 2017–2025 SIPAS methodology (Decision 2640/QĐ-BNV of
the Ministry of Home Affairs). Each criterion is asked twice on the 1–5 scale, as the respondent's
assessment and as his or her satisfaction; each element ends with an expectation in free text.
Only satisfaction answers make the index (scoring.py). The wording is data in Vietnamese, not UI
text, and should be checked against the Ministry's current form before a survey is published.

Question keys (``c1-1-a``, ``c1-1-s``, ``e1``, ``service``, ``expectation``) are stable: a new
version copies them, so exports and charts follow the same question over time.
"""

from __future__ import annotations

from typing import Any

from .models import Aspect, QuestionKind, Section, Service, SurveyVersion

ASSESS = "Ông/Bà đánh giá thế nào về: {}?"
SATISFY = "Ông/Bà hài lòng thế nào về: {}?"
EXPECT = "Ông/Bà mong muốn cơ quan cải thiện điều gì về {}?"
EXPECTATION_MAX = 1000

# (element key, section title, criteria)
ELEMENTS: list[tuple[str, str, list[str]]] = [
    ("access", "Tiếp cận dịch vụ", [
        "Nơi ngồi chờ có đủ chỗ ngồi",
        "Trang thiết bị phục vụ người dân đầy đủ",
        "Trang thiết bị phục vụ người dân hiện đại",
        "Trang thiết bị phục vụ người dân dễ sử dụng",
    ]),
    ("procedure", "Thủ tục hành chính", [
        "Thủ tục hành chính được niêm yết công khai đầy đủ",
        "Thủ tục hành chính được niêm yết công khai chính xác",
        "Thành phần hồ sơ phải nộp đúng quy định",
        "Phí, lệ phí phải nộp đúng quy định",
        "Thời hạn giải quyết đúng quy định",
    ]),
    ("officials", "Công chức trực tiếp giải quyết công việc", [
        "Công chức có thái độ giao tiếp lịch sự",
        "Công chức chú ý lắng nghe ý kiến của người dân",
        "Công chức trả lời, giải thích đầy đủ các ý kiến của người dân",
        "Công chức hướng dẫn kê khai hồ sơ tận tình, chu đáo",
        "Công chức hướng dẫn kê khai hồ sơ dễ hiểu",
        "Công chức tuân thủ đúng quy định trong giải quyết công việc",
    ]),
    ("result", "Kết quả cung ứng dịch vụ", [
        "Kết quả đúng quy định",
        "Kết quả có thông tin đầy đủ",
        "Kết quả có thông tin chính xác",
    ]),
    ("feedback", "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị", [
        "Cơ quan có bố trí hình thức tiếp nhận góp ý, phản ánh, kiến nghị",
        "Người dân dễ dàng thực hiện góp ý, phản ánh, kiến nghị",
        "Cơ quan tiếp nhận, xử lý tích cực các góp ý, phản ánh, kiến nghị",
        "Cơ quan có thông báo kết quả xử lý góp ý, phản ánh, kiến nghị kịp thời",
    ]),
]
CRITERIA_COUNT = sum(len(c) for _, _, c in ELEMENTS)  # 22

SCALE_HELP = "1 Rất không hài lòng · 2 Không hài lòng · 3 Bình thường · 4 Hài lòng · 5 Rất hài lòng"
SERVICE_SECTION = "Dịch vụ Ông/Bà đã sử dụng"
SERVICE_QUESTION = "Ông/Bà đã thực hiện thủ tục hành chính nào?"
CLOSING_SECTION = "Ý kiến khác"
CLOSING_QUESTION = "Ông/Bà có mong muốn, kiến nghị gì khác để cơ quan phục vụ tốt hơn?"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def outline(*, fixed_service: bool) -> list[dict[str, Any]]:
    """The template as plain data (what ``build`` writes): sections with their questions."""
    services = [{"value": s.code, "label": s.name} for s in Service.objects.filter(is_active=True)]
    sections: list[dict[str, Any]] = [{
        "title": SERVICE_SECTION, "element_key": "",
        "questions": [{
            "key": "service", "text": SERVICE_QUESTION, "kind": QuestionKind.CHOICE, "aspect": Aspect.OTHER,
            "required": not fixed_service, "choices": services,
            "help_text": "Có thể bỏ qua nếu phiếu đã ghi sẵn dịch vụ." if fixed_service else "",
        }],
    }]
    for n, (key, title, criteria) in enumerate(ELEMENTS, start=1):
        questions: list[dict[str, Any]] = []
        for m, criterion in enumerate(criteria, start=1):
            code, text = f"{n}.{m}", _lower_first(criterion)
            questions.append({"key": f"c{n}-{m}-a", "text": ASSESS.format(text), "kind": QuestionKind.LIKERT,
                              "aspect": Aspect.ASSESSMENT, "criterion": code, "help_text": SCALE_HELP})
            questions.append({"key": f"c{n}-{m}-s", "text": SATISFY.format(text), "kind": QuestionKind.LIKERT,
                              "aspect": Aspect.SATISFACTION, "criterion": code, "help_text": SCALE_HELP})
        questions.append({"key": f"e{n}", "text": EXPECT.format(_lower_first(title)), "kind": QuestionKind.TEXT,
                          "aspect": Aspect.EXPECTATION, "required": False, "max_length": EXPECTATION_MAX})
        sections.append({"title": f"{n}. {title}", "element_key": key, "questions": questions})
    sections.append({
        "title": CLOSING_SECTION, "element_key": "",
        "questions": [{"key": "expectation", "text": CLOSING_QUESTION, "kind": QuestionKind.TEXT,
                       "aspect": Aspect.EXPECTATION, "required": False, "max_length": EXPECTATION_MAX}],
    })
    return sections


def build(version: SurveyVersion) -> None:
    """Fill an empty version with the SIPAS questionnaire (the caller's transaction, audit and checks)."""
    from .models import Question

    fixed = version.survey.service_id is not None
    bit = 0
    for order, spec in enumerate(outline(fixed_service=fixed), start=1):
        element_bit = None
        if spec["element_key"]:
            element_bit, bit = bit, bit + 1
        section = Section.objects.create(version=version, order=order, title=spec["title"],
                                         element_key=spec["element_key"], element_bit=element_bit)
        Question.objects.bulk_create([
            Question(section=section, order=q_order, key=q["key"], text=q["text"], kind=q["kind"],
                     aspect=q.get("aspect", ""), criterion=q.get("criterion", ""),
                     required=q.get("required", True), choices=q.get("choices", []),
                     help_text=q.get("help_text", ""), max_length=q.get("max_length", 1000))
            for q_order, q in enumerate(spec["questions"], start=1)
        ])
