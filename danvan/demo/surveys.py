"""Demonstration satisfaction surveys: Xã Bình Lư's one-stop section and the province's service centre.

What ``make run`` should show: two one-stop desks in Bình Lư; the SIPAS survey of Bình Lư, open,
with about 200 responses over the last six months (most respondents satisfied, a real minority
not, the procedures element weakest, so the index and its trend mean something), two paper
questionnaires entered by the reception officer, one response voided as a duplicate, and a
handful of unused one-time codes; the province's SIPAS survey, open, with a few dozen responses.

Everything goes through the services (``services.create_survey``/``publish``/``create_desk``,
``responses.submit_response``/``void_response``, ``tokens.issue_tokens``), like an officer's work.
The only shortcut: a response is saved "now", so each one is then dated back to the day it stands
for (an UPDATE of its two date columns), which is what six months of real use would have left.
Idempotent: surveys are found by unit and title, responses by their idempotency key, and codes
are issued only when the survey has none.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from danvan.orgs.models import OrgUnit
from danvan.surveys import responses, services, tokens
from danvan.surveys.models import Desk, Question, QuestionKind, Response, Survey, SurveyToken

from . import data

SEED = 20260601
KEY = "demo-survey-{}-{}"
COMMUNE_TITLE = "Khảo sát sự hài lòng của người dân đối với dịch vụ hành chính công tại xã Bình Lư"
PROVINCE_TITLE = "Khảo sát sự hài lòng đối với Trung tâm Phục vụ hành chính công tỉnh Lai Châu"
DESKS = [("quay-1", "Quầy tiếp nhận và trả kết quả số 1"), ("quay-2", "Quầy tiếp nhận và trả kết quả số 2")]
COMMUNE_RESPONSES = 200
PROVINCE_RESPONSES = 40
PAPER = 2
UNUSED_CODES = 6
DAYS = 182
EXPECTATIONS = [
    "Mong cán bộ hướng dẫn kỹ hơn khi kê khai hồ sơ", "Cần thêm ghế ngồi ở phòng chờ",
    "Đề nghị trả kết quả đúng hẹn", "Niêm yết thủ tục và lệ phí rõ ràng hơn", "Cán bộ nhiệt tình, chu đáo",
    "Nên có máy lấy số thứ tự", "Mở cửa thêm buổi sáng thứ Bảy", "Phòng chờ nóng, cần lắp quạt",
]
# A respondent's mood (the mean of his or her answers) and how often each is met: mostly satisfied, not all.
MOODS = [(4.6, 30), (4.2, 35), (3.7, 20), (3.0, 10), (2.2, 5)]
# The procedures element (listing, fees, deadlines) is where citizens are least pleased.
ELEMENT_BIAS = {"procedure": -0.45, "officials": 0.15}


def _unit(code: str, kind: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, kind__code=kind, valid_to__isnull=True).first()


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _desks(actor: Any, unit: OrgUnit) -> tuple[list[Desk], int]:
    made, desks = 0, []
    for code, name in DESKS:
        desk = Desk.objects.filter(org_unit=unit, code=code).first()
        if desk is None:
            desk = services.create_desk(actor=actor, org_unit=unit, code=code, name=name)
            made += 1
        desks.append(desk)
    return desks, made


def _survey(actor: Any, unit: OrgUnit, title: str) -> tuple[Survey, int]:
    survey = Survey.objects.filter(org_unit=unit, title=title, deleted_at__isnull=True).order_by("pk").first()
    if survey is not None:
        return survey, 0
    survey = services.create_survey(
        actor=actor, org_unit=unit, title=title, template="sipas",
        description="Ý kiến của Ông/Bà giúp cơ quan phục vụ người dân tốt hơn. Phiếu không ghi tên người trả lời.",
    )
    services.publish(actor=actor, survey=survey, expected_version=survey.lock_version)
    return survey, 1


def _answers(rng: random.Random, questions: list[Any], mood: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in questions:
        if q.kind == QuestionKind.LIKERT:
            bias = next((b for key, b in ELEMENT_BIAS.items() if q.section.element_key == key), 0.0)
            out[q.key] = min(5, max(1, round(rng.gauss(mood + bias, 0.6))))
        elif q.kind == QuestionKind.CHOICE:
            values = [v for v, _label in responses.options(q)]
            if values and (q.required or rng.random() < 0.7):
                out[q.key] = rng.choice(values[:6])  # the common procedures of a commune
        elif q.kind == QuestionKind.TEXT and rng.random() < (0.5 if mood < 3.5 else 0.12):
            out[q.key] = rng.choice(EXPECTATIONS)[: q.max_length]
    return out


def _responses(survey: Survey, count: int, *, desks: list[Desk], recorder: Any, seed: int) -> tuple[int, list[int]]:
    """``count`` responses spread over the last ``DAYS`` days (weekdays), the first ``PAPER`` on paper."""
    rng = random.Random(seed)  # noqa: S311 - demonstration data, not a secret  # nosec B311
    version = survey.versions.exclude(published_at=None).order_by("-number").first()
    if version is None:
        return 0, []
    questions = list(Question.objects.filter(section__version=version).select_related("section")
                     .order_by("section__order", "order"))
    moods = [m for m, _w in MOODS]
    weights = [w for _m, w in MOODS]
    today = timezone.localdate()
    made, ids = 0, []
    for i in range(count):
        key = KEY.format(survey.pk, i)
        mood = rng.choices(moods, weights=weights)[0]
        answers = _answers(rng, questions, mood)
        day = today - dt.timedelta(days=rng.randrange(DAYS))
        while day.weekday() == 6:
            day -= dt.timedelta(days=1)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(7 + rng.randrange(9), rng.randrange(60))))
        existing = Response.objects.filter(survey=survey, idempotency_key=key).values_list("pk", flat=True).first()
        if existing is not None:
            ids.append(existing)
            continue
        paper = i < PAPER and recorder is not None
        desk = rng.choice(desks) if desks else None
        saved = responses.submit_response(
            survey=survey, answers=answers, channel="paper" if paper else "web", desk=desk, idempotency_key=key,
            recorded_by=recorder if paper else None, client_address=f"203.113.{rng.randrange(256)}.{rng.randrange(256)}",
        )
        Response.objects.filter(pk=saved.pk).update(submitted_at=min(at, timezone.now()), submitted_on=day)
        ids.append(saved.pk)
        made += 1
    return made, ids


def load_demo_surveys(*, actor: Any = None) -> int:
    """Create what is missing of the demo's surveys; the number of things created (0 on a rerun)."""
    province = _unit(data.PROVINCE_CODE, "province")
    binhlu = _unit(data.COMMUNES["binhlu"], "commune")
    if province is None or binhlu is None:
        return 0
    recorder = _user("tiepdan.binhlu")
    head = _user("lanhdao.laichau")
    desks, made = _desks(actor, binhlu)
    survey, new = _survey(actor, binhlu, COMMUNE_TITLE)
    made += new
    added, ids = _responses(survey, COMMUNE_RESPONSES, desks=desks, recorder=recorder, seed=SEED)
    made += added
    if ids and head is not None and not Response.objects.filter(survey=survey, voided_at__isnull=False).exists():
        responses.void_response(actor=head, response=Response.objects.get(pk=ids[-1]),
                                reason="Phiếu nhập trùng với phiếu giấy đã nhập trước đó")
        made += 1
    if recorder is not None and not SurveyToken.objects.filter(survey=survey).exists():
        tokens.issue_tokens(actor=recorder, survey=survey, count=UNUSED_CODES, org_unit=binhlu, desk=desks[0],
                            valid_days=30)
        made += UNUSED_CODES
    province_survey, new = _survey(actor, province, PROVINCE_TITLE)
    made += new
    added, _ids = _responses(province_survey, PROVINCE_RESPONSES, desks=[], recorder=None, seed=SEED + 1)
    return made + added
