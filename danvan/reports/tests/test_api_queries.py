"""Pinned query counts of /api/v1/reports: a page, a report or a period's totals cost the same whatever their size.

With a token: 1 query finds the token and its user, 1 reads the caller's scope, then the
endpoint's own. Each test warms up once (the token's ``last_used_at`` is written at most every
five minutes, and a published form's rules are cached in the process).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from danvan.api.tests.conftest import AUTH_QUERIES
from danvan.reports.models import DataValue, ReportForm, Submission, SubmissionStatus
from danvan.reports.totals import refresh_anchor_totals

from .test_api import Caller, fill, make_callers, step, sub

pytestmark = pytest.mark.django_db


@pytest.fixture
def callers(tree: dict[str, Any], make_user: Callable[..., Any]) -> dict[str, Caller]:
    return make_callers(tree, make_user)


def grow(period: Any, tree: dict[str, Any], kinds: dict[str, Any], communes: int) -> None:
    """``communes`` more communes of province A with a village each, all submitted with every figure."""
    from danvan.orgs import services as org_services

    indicators = list(period.regime.form.indicators.exclude(code="resolved_rate"))
    now = timezone.now()
    for i in range(communes):
        commune = org_services.create_unit(
            actor=None, kind=kinds["commune"], name=f"Xã {i}", parent=tree["A"], audit_event=False
        )
        org_services.create_unit(actor=None, kind=kinds["village"], name=f"Thôn {i}", parent=commune, audit_event=False)
        s = Submission.objects.create(
            period=period, org_unit=commune, anchor=commune, status=SubmissionStatus.SUBMITTED, submitted_at=now,
            first_submitted_at=now, is_late=bool(i % 2), values={ind.code: 1 for ind in indicators},
        )
        DataValue.objects.bulk_create(
            DataValue(submission=s, indicator=ind, period=period, anchor=commune, num=1.0) for ind in indicators
        )
    refresh_anchor_totals(period.pk)
    for n in range(communes):
        ReportForm.objects.create(code=f"mau-{n:03d}", name=f"Mẫu {n}", owner=tree["A"])


@pytest.mark.parametrize("communes", [1, 25])
def test_lists(period, tree, kinds, callers, django_assert_num_queries, communes):
    grow(period, tree, kinds, communes)
    api = callers["province"].api
    api.get("/me")
    with django_assert_num_queries(AUTH_QUERIES + 1):  # token, scope, one page of forms with their owners
        r = api.get("/reports/forms?limit=200")
    assert len(r.json()["items"]) == communes + 1
    with django_assert_num_queries(AUTH_QUERIES + 2):  # token, scope, regimes with their units and form, reporter kinds
        assert len(api.get("/reports/regimes").json()["items"]) == 1
    with django_assert_num_queries(AUTH_QUERIES + 1):  # token, scope, one page of reports with units and periods
        r = api.get("/reports/submissions?limit=200")
    assert len(r.json()["items"]) == communes + 3
    with django_assert_num_queries(AUTH_QUERIES + 2):  # + the `unit` filter's unit
        r = api.get(f"/reports/submissions?unit={tree['A'].pk}&status=submitted&period={period.pk}&limit=10")
    assert len(r.json()["items"]) == min(communes, 10)


@pytest.mark.parametrize("communes", [1, 25])
def test_regime_and_period_detail(period, tree, kinds, callers, django_assert_max_num_queries, communes):
    grow(period, tree, kinds, communes)
    api = callers["commune"].api
    api.get("/me")
    with django_assert_max_num_queries(5):  # token, scope, regime, reporter kinds, periods
        assert api.get(f"/reports/regimes/{period.regime_id}").status_code == 200
    with django_assert_max_num_queries(3):  # token, scope, period with its regime
        assert api.get(f"/reports/periods/{period.pk}").status_code == 200
    with django_assert_max_num_queries(7):  # token, scope, form, sections, indicators, rules, questions
        assert api.get(f"/reports/forms/{period.regime.form_id}").status_code == 200


@pytest.mark.parametrize("saves", [1, 12])
def test_submission_detail_is_constant_in_its_history(period, tree, callers, django_assert_max_num_queries, saves):
    s = sub(period, tree["A1"])
    for i in range(saves):
        assert fill(callers["commune"].api, s, {"sessions": i + 1}).status_code == 200
    assert step(callers["commune"].api, s, "submit").status_code == 422  # required figures missing: nothing changes
    api = callers["province"].api
    api.get("/me")
    with django_assert_max_num_queries(5):  # token, scope, report with its units and period, revisions, reviewer
        body = api.get(f"/reports/submissions/{s.pk}").json()
    assert len(body["revisions"]) == saves


@pytest.mark.parametrize("communes", [1, 25])
def test_aggregates_and_completeness(period, tree, kinds, callers, django_assert_max_num_queries, communes):
    grow(period, tree, kinds, communes)
    api = callers["province"].api
    api.get("/me")
    api.get(f"/reports/forms/{period.regime.form_id}")
    cache.clear()
    # token, scope, period with regime and form; cache read; form spec (3); units, reports, figures;
    # the database cache's write (count, savepoint, read, insert, release)
    with django_assert_max_num_queries(15):
        r = api.get(f"/reports/periods/{period.pk}/aggregates")
    assert len(r.json()["children"]) == communes + 2
    assert r.json()["unit"]["values"]["sessions"]["sum"] == communes
    with django_assert_max_num_queries(4):  # token, scope, period; the totals come from the cache
        r = api.get(f"/reports/periods/{period.pk}/completeness")
    assert r.json()["unit"]["expected"] == communes + 3 and r.json()["unit"]["received"] == communes
    with django_assert_max_num_queries(13):  # another unit: + the unit, - the form spec (cached in the process)
        r = api.get(f"/reports/periods/{period.pk}/completeness?unit={tree['A1'].pk}")
    assert r.json()["unit"]["expected"] == 1
