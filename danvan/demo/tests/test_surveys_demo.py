"""The demo's surveys: Bình Lư's desks and SIPAS survey with six months of responses, the province's survey."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from danvan.demo import data
from danvan.demo.services import load_demo
from danvan.demo.surveys import COMMUNE_TITLE, PROVINCE_TITLE, UNUSED_CODES, load_demo_surveys
from danvan.demo.tests.test_plans import official  # noqa: F401 - the fixture
from danvan.orgs.models import OrgUnit
from danvan.surveys import index, scoring
from danvan.surveys.models import Desk, Response, Survey, SurveyToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(official: Any, settings: Any) -> Any:  # noqa: F811 - uses the imported fixture
    settings.DEBUG = True
    return load_demo()


def test_load_is_complete_realistic_and_idempotent(demo):
    assert demo.surveys > 200
    binhlu = OrgUnit.objects.get(code=data.COMMUNES["binhlu"], kind__code="commune")
    province = OrgUnit.objects.get(code=data.PROVINCE_CODE, kind__code="province")
    assert Desk.objects.filter(org_unit=binhlu).count() == 2
    commune = Survey.objects.get(org_unit=binhlu, title=COMMUNE_TITLE)
    assert commune.status == "open" and commune.template == "sipas"
    assert Survey.objects.get(org_unit=province, title=PROVINCE_TITLE).status == "open"

    answers = Response.objects.filter(survey=commune)
    assert 190 <= answers.count() <= 200
    assert answers.filter(channel="paper").count() == 2
    assert answers.filter(channel="paper", recorded_by__username="tiepdan.binhlu").count() == 2
    assert answers.filter(voided_at__isnull=False).count() == 1
    today = timezone.localdate()
    days = set(answers.values_list("submitted_on", flat=True))
    assert min(days) >= today - dt.timedelta(days=190) and max(days) <= today
    assert len({d.month for d in days}) >= 6  # a trend over six months
    # The masks are the ones scoring computes from the answers.
    plan = scoring.plan_for(commune.versions.get(number=1))
    for r in answers[:20]:
        assert (r.element_answered, r.element_satisfied) == scoring.masks(plan, r.answers)
    result = index.compute(responses_qs=answers)
    assert result.overall is not None and 55 <= result.overall <= 92  # mostly satisfied, not all
    shares = {e.key: e.share or 0.0 for e in result.elements}
    assert shares["procedure"] == min(shares.values())
    unused = SurveyToken.objects.filter(survey=commune, used_at__isnull=True)
    assert unused.count() == UNUSED_CODES
    assert Response.objects.filter(survey__org_unit=province).count() >= 30

    counts = (Survey.objects.count(), Response.objects.count(), SurveyToken.objects.count(), Desk.objects.count())
    actor = get_user_model().objects.get(username="quantri")
    assert load_demo_surveys(actor=actor) == 0
    assert load_demo().surveys == 0
    assert (Survey.objects.count(), Response.objects.count(), SurveyToken.objects.count(),
            Desk.objects.count()) == counts
