"""Report form pages and "My reports": who sees which forms, editing a draft, publishing, versions, bounded lists."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.reports import services
from danvan.reports.models import (
    CrossRule,
    FormSection,
    FormStatus,
    Indicator,
    Question,
    ReportForm,
    Submission,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return {
        "officer": make_user("xa", (tree["A1"], "officer")),
        "viewer": make_user("xem", (tree["A1"], "viewer")),
        "province": make_user("tinh", (tree["A"], "officer")),
        "other": make_user("tinhkhac", (tree["B"], "admin")),
        "nobody": make_user("khongco"),
    }


@pytest.fixture
def draft(tree: Any) -> ReportForm:
    return services.create_form(actor=None, owner=tree["A"], code="bc-tinh", name="Báo cáo riêng của tỉnh")


def test_list_shows_national_forms_to_all_and_drafts_to_their_editors(
    client: Any, people: Any, small_form: Any, draft: ReportForm
) -> None:
    client.force_login(people["province"])
    html = client.get(reverse("reports:forms")).content.decode()
    assert small_form.name in html and draft.name in html
    client.force_login(people["other"])
    html = client.get(reverse("reports:forms")).content.decode()
    assert small_form.name in html and draft.name not in html
    assert client.get(reverse("reports:form", args=[draft.pk])).status_code == 404
    client.force_login(people["nobody"])
    assert client.get(reverse("reports:form", args=[small_form.pk])).status_code == 200
    client.logout()
    assert client.get(reverse("reports:forms")).status_code == 302


def test_form_detail_shows_sections_indicators_rules(client: Any, people: Any, small_form: Any) -> None:
    client.force_login(people["officer"])
    response = client.get(reverse("reports:form", args=[small_form.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="indicator"') == 8
    assert html.count('data-testid="question"') == 2
    assert html.count('data-testid="rule"') == 1
    assert 'data-testid="publish"' not in html and 'data-testid="new-version"' not in html  # national form


def test_create_a_form_and_fill_it_in(client: Any, people: Any, tree: Any) -> None:
    client.force_login(people["province"])
    response = client.post(reverse("reports:form_new"), {"owner": tree["A"].pk, "code": "bc-tinh", "name": "Báo cáo"})
    assert response.status_code == 302
    form = ReportForm.objects.get(code="bc-tinh")
    assert form.status == FormStatus.DRAFT and form.owner == tree["A"]
    add = lambda kind: reverse("reports:part_add", args=[form.pk, kind])  # noqa: E731
    assert client.post(add("section"), {"number": "I", "title": "Tuyên truyền"}).status_code == 302
    section = FormSection.objects.get(form=form)
    ind = {"code": "sessions", "name": "Số buổi", "section": section.pk, "unit": "buổi", "value_type": "count",
           "aggregation": "sum", "required": "on", "min_value": "0"}
    assert client.post(add("indicator"), ind).status_code == 302
    assert client.post(add("indicator"), {**ind, "code": "held", "name": "Số buổi đã tổ chức"}).status_code == 302
    assert client.post(add("question"), {"code": "notes", "text": "Đánh giá", "section": section.pk,
                                         "max_length": "3000"}).status_code == 302
    assert client.post(add("rule"), {"left": "held", "operator": "lte", "right": "sessions"}).status_code == 302
    assert Indicator.objects.filter(form=form).count() == 2 and Question.objects.filter(form=form).count() == 1
    assert CrossRule.objects.get(form=form).left == ["held"]
    # edit and delete a part
    held = Indicator.objects.get(form=form, code="held")
    edit = reverse("reports:part_edit", args=[form.pk, "indicator", held.pk])
    assert client.post(edit, {**ind, "code": "held", "name": "Đã tổ chức"}).status_code == 302
    held.refresh_from_db()
    assert held.name == "Đã tổ chức"
    q = Question.objects.get(form=form)
    assert client.post(reverse("reports:part_delete", args=[form.pk, "question", q.pk])).status_code == 302
    assert not Question.objects.filter(form=form).exists()
    # publish, then it is frozen
    assert client.post(reverse("reports:form_publish", args=[form.pk])).status_code == 302
    form.refresh_from_db()
    assert form.status == FormStatus.PUBLISHED
    response = client.post(add("section"), {"number": "II", "title": "Khác"})
    assert response.status_code == 302 and FormSection.objects.filter(form=form).count() == 1
    # a new version is a new draft
    assert client.post(reverse("reports:form_new_version", args=[form.pk])).status_code == 302
    v2 = ReportForm.objects.get(code="bc-tinh", version=2)
    assert v2.status == FormStatus.DRAFT and v2.indicators.count() == 2


@pytest.mark.parametrize(("kind", "data", "field"), [
    ("indicator", {"code": "x", "name": "X", "value_type": "count", "aggregation": "sum", "min_value": "10",
                   "max_value": "1"}, "max_value"),
    ("indicator", {"code": "x", "name": "X", "value_type": "count", "aggregation": "sum", "min_value": "mười"},
     "min_value"),
    ("indicator", {"code": "r", "name": "R", "value_type": "percentage", "aggregation": "ratio"}, "numerator_code"),
    ("rule", {"left": "khong co", "operator": "lte", "right": "x"}, None),
    ("section", {"number": "I", "title": ""}, "title"),
])
def test_bad_parts_are_refused(client: Any, people: Any, draft: ReportForm, kind: str, data: dict, field: Any) -> None:
    client.force_login(people["province"])
    response = client.post(reverse("reports:part_add", args=[draft.pk, kind]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert (f'id="id_{field}_error"' in html) if field else ('class="error' in html)
    assert not Indicator.objects.filter(form=draft).exists() and not CrossRule.objects.filter(form=draft).exists()


def test_form_bad_code_and_foreign_owner(client: Any, people: Any, tree: Any) -> None:
    client.force_login(people["province"])
    r = client.post(reverse("reports:form_new"), {"owner": tree["A"].pk, "code": "Mã Có Dấu", "name": "X"})
    assert r.status_code == 200 and 'id="id_code_error"' in r.content.decode()
    r = client.post(reverse("reports:form_new"), {"owner": tree["B"].pk, "code": "x", "name": "X"})
    assert 'id="id_owner_error"' in r.content.decode()
    assert not ReportForm.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("viewer", 403), ("other", 404)])
def test_only_the_owners_editors_change_a_draft(
    client: Any, people: Any, draft: ReportForm, who: str, status: int
) -> None:
    client.force_login(people[who])
    # the commune sees the province's published forms only; a draft of the province is refused or hidden
    r = client.post(reverse("reports:part_add", args=[draft.pk, "section"]), {"title": "X"})
    assert r.status_code in (status, 404)
    assert client.post(reverse("reports:form_publish", args=[draft.pk])).status_code in (status, 404)
    draft.refresh_from_db()
    assert draft.status == FormStatus.DRAFT and not draft.sections.exists()


# ---------------------------------------------------------------------------------------------
# My reports


def test_home_lists_what_to_fill_review_and_manage(client: Any, people: Any, period: Any, tree: Any) -> None:
    client.force_login(people["officer"])
    html = client.get(reverse("reports:home")).content.decode()
    assert html.count('data-testid="fill-row"') == 1  # A1's report (and A1v reports nothing)
    assert 'data-testid="overdue"' in html
    sub = Submission.objects.get(period=period, org_unit=tree["A1"])
    sub = services.save_draft(actor=people["officer"], submission=sub, values={"sessions": 1, "received": 1,
                              "resolved": 1}, answers={"highlights": "x"}, expected_version=sub.lock_version)
    services.submit_report(actor=people["officer"], submission=sub, expected_version=sub.lock_version)
    assert client.get(reverse("reports:home")).content.decode().count('data-testid="fill-row"') == 0
    client.force_login(people["province"])
    html = client.get(reverse("reports:home")).content.decode()
    assert html.count('data-testid="review-row"') == 1
    assert reverse("reports:regime", args=[period.regime_id]) in html
    client.force_login(people["other"])
    html = client.get(reverse("reports:home")).content.decode()
    assert 'data-testid="fill-row"' not in html and 'data-testid="review-row"' not in html
    assert reverse("reports:regime", args=[period.regime_id]) not in html


def test_home_query_count_does_not_grow_with_reports(
    client: Any, people: Any, period: Any, tree: Any, kinds: Any
) -> None:
    from danvan.orgs import services as orgs

    client.force_login(people["province"])
    client.get(reverse("reports:home"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("reports:home")).status_code == 200
    for i in range(60):
        # Departments are anchored at the province: their reports are the province officer's own to fill.
        orgs.create_unit(actor=None, kind=kinds["department"], name=f"Sở {i}", parent=tree["A"], audit_event=False)
    services.sync_expected(period=period)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("reports:home")).content.decode()
    assert html.count('data-testid="fill-row"') == 50  # bounded
    assert len(many) <= len(few)
    assert len(few) <= 15
