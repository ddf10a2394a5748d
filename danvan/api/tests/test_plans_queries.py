"""Pinned query counts of /plans and /legal: a page or a plan costs the same whatever its size.

With a token: 1 query finds the token and its user, 1 reads the caller's scope, then the
endpoint's own. Each test warms up once (the token's ``last_used_at`` is written at most every
five minutes).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.legal.models import LegalDocument
from danvan.plans import services

from .conftest import AUTH_QUERIES
from .test_plans_api import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_plans(tree):
    for i in range(30):
        make_plan(tree["A1" if i % 2 else "A2"], f"Kế hoạch {i}", year=2000 + i)
    make_plan(tree["A"], "Kế hoạch tỉnh", issue=True)
    return tree


@pytest.mark.parametrize("limit", [1, 10, 31])
def test_plans_list(many_plans, callers, django_assert_num_queries, limit):
    api = callers["province"].api
    api.get("/plans?limit=1")
    with django_assert_num_queries(AUTH_QUERIES + 1):  # token, scope, one page of plans with their issuers
        r = api.get(f"/plans?limit={limit}")
    assert len(r.json()["items"]) == limit


@pytest.mark.parametrize("limit", [1, 5])
def test_plans_list_of_a_commune_filtered(many_plans, callers, django_assert_num_queries, limit):
    api = callers["commune"].api
    first = api.get(f"/plans?limit={limit}").json()
    with django_assert_num_queries(AUTH_QUERIES + 2):  # + the `under` unit
        r = api.get(f"/plans?limit={limit}&under={many_plans['A'].pk}&status=draft&cursor={first['next_cursor']}")
    assert len(r.json()["items"]) == limit


def _fill(plan, tree, tasks: int):
    top = services.add_section(actor=None, plan=plan, title="NHIỆM VỤ", number="II")
    subs = [services.add_section(actor=None, plan=plan, title=f"Mục {i}", number=str(i), parent=top) for i in range(3)]
    for i in range(tasks):
        services.add_task(actor=None, plan=plan, text=f"Việc {i}", section=subs[i % 3], lead_unit=tree["A1v"],
                          due_on=dt.date(2025, 12, 1))
    for i in range(max(1, tasks // 10)):
        services.add_target(actor=None, plan=plan, text=f"Chỉ tiêu {i}", value=90, unit="%",
                            scope_kinds=[tree["A1v"].kind])
        services.add_assignment(actor=None, plan=plan, unit_name=f"Đơn vị {i}", unit=tree["A1v"],
                                co_units=[tree["A1"]], due_on=dt.date(2025, 11, 1))
        services.add_deadline(actor=None, plan=plan, text=f"Báo cáo {i}", due_on=dt.date(2025, 6, 5))
        doc = LegalDocument.objects.create(number=str(100 + i), symbol="CT-TTg", key=f"{100 + i}/ct-ttg",
                                           doc_type="directive")
        services.set_legal_bases(actor=None, plan=plan, documents=[*plan.legal_bases.all(), doc])
    plan.refresh_from_db()
    return plan


@pytest.mark.parametrize("tasks", [3, 100])
def test_plan_detail_is_constant_in_the_size_of_the_plan(tree, callers, tasks):
    plan = _fill(make_plan(tree["A1"], "Kế hoạch của xã"), tree, tasks)
    api = callers["commune"].api
    api.get("/me")
    with CaptureQueriesContext(connection) as ctx:
        body = api.get(f"/plans/{plan.pk}").json()
    assert sum(len(s["tasks"]) for s in body["sections"]) == tasks
    assert len(body["targets"]) == len(body["legal_bases"]) == max(1, tasks // 10)
    # token, scope, plan; legal bases, subordinate kinds, sections, tasks, targets (+ their kinds),
    # assignments (+ their co-operating units), deadlines
    assert len(ctx.captured_queries) == AUTH_QUERIES + 10, "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize("limit", [1, 10, 40])
def test_legal_list(tree, callers, django_assert_num_queries, limit):
    for i in range(40):
        LegalDocument.objects.create(number=str(i + 1), symbol="NQ/TW", key=f"{i + 1}/nq-tw", doc_type="resolution",
                                     issued_on=dt.date(2000 + i % 20, 1, 1) if i % 3 else None,
                                     search_text=f"nghi quyet {i + 1}/nq-tw")
    api = callers["commune"].api
    first = api.get("/legal?limit=1").json()
    with django_assert_num_queries(2):  # token, one page of documents
        r = api.get(f"/legal?limit={limit}&q=nghi quyet")
    assert len(r.json()["items"]) == limit
    with django_assert_num_queries(2):
        api.get(f"/legal?limit={limit}&cursor={first['next_cursor']}")


@pytest.mark.parametrize("plans_count", [1, 12])
def test_legal_detail(tree, callers, django_assert_num_queries, plans_count):
    doc = LegalDocument.objects.create(number="33", symbol="CT-TTg", key="33/ct-ttg", doc_type="directive")
    for i in range(plans_count):
        plan = make_plan(tree["A1"], f"KH {i}")
        services.set_legal_bases(actor=None, plan=plan, documents=[doc])
    api = callers["commune"].api
    api.get("/me")
    with django_assert_num_queries(AUTH_QUERIES + 2):  # token, document, scope, citing plans with their issuers
        body = api.get(f"/legal/{doc.pk}").json()
    assert len(body["citing_plans"]["items"]) == plans_count
