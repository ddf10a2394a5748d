"""The plan pages: who sees what, editing drafts (and not issued plans), conflicts, workflow, query bounds."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.orgs.models import OrgKind
from danvan.plans import services
from danvan.plans.models import Plan, PlanStatus, Task, TaskEvidence

pytestmark = pytest.mark.django_db

ISSUE_DAY = dt.date(2026, 3, 2)


def draft(issuer: Any, title: str = "Kế hoạch công tác dân vận năm 2026", **extra: Any) -> Plan:
    fields = {"place": "Lai Châu", "signer_name": "Nguyễn Văn A", "signer_position": "Chủ tịch",
              "signer_authority": "TM.", **extra}
    return services.create_plan(actor=None, issuer=issuer, title=title, year=2026, **fields)


def issued(issuer: Any, **extra: Any) -> Plan:
    plan = draft(issuer, **extra)
    return services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=ISSUE_DAY)


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return {
        "commune": make_user("xa", (tree["A1"], "officer")),
        "commune_head": make_user("chutich", (tree["A1"], "head")),
        "sibling": make_user("xakhac", (tree["A2"], "officer")),
        "province": make_user("tinh", (tree["A"], "officer")),
        "province_head": make_user("chutichtinh", (tree["A"], "head")),
        "other": make_user("tinhkhac", (tree["B"], "admin")),
        "viewer": make_user("xem", (tree["A1"], "viewer")),
        "nobody": make_user("khongco"),
    }


def as_user(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


class FormReader(HTMLParser):
    """Reads a rendered form as a browser would submit it (text, hidden, checked boxes, selected options)."""

    def __init__(self, form_class: str = "") -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._in_form = not form_class
        self.form_class = form_class

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and self.form_class and self.form_class in (a.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value") or "on")
            elif kind not in ("file", "submit"):
                self.data[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.form_class:
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def read_form(html: str, form_class: str = "") -> dict[str, Any]:
    reader = FormReader(form_class)
    reader.feed(html)
    data = {k: (v if not isinstance(v, list) or len(v) > 1 else v[0]) for k, v in reader.data.items()}
    data.pop("csrfmiddlewaretoken", None)
    return {k: v.lstrip("\n") if isinstance(v, str) else v for k, v in data.items()}


# --------------------------------------------------------------------------- who sees what


def test_anonymous_is_sent_to_log_in(client: Any, tree: Any) -> None:
    plan = draft(tree["A1"])
    for url in (reverse("plans:list"), reverse("plans:detail", args=[plan.pk]), reverse("plans:import")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "sees"),
    [("commune", True), ("viewer", True), ("province", True), ("sibling", False), ("other", False), ("nobody", False)],
)
def test_draft_of_a_commune_is_seen_in_its_subtree_only(client: Any, tree: Any, people: Any, who: str, sees: bool) -> None:
    plan = draft(tree["A1"], title="Kế hoạch riêng của xã Bình Lư")
    as_user(client, people[who])
    detail = client.get(reverse("plans:detail", args=[plan.pk]))
    assert detail.status_code == (200 if sees else 404)
    listing = client.get(reverse("plans:list"), {"unit": "all"})
    assert listing.status_code == 200
    assert ("Kế hoạch riêng của xã Bình Lư" in listing.content.decode()) is sees


def test_commune_reads_the_issued_plan_of_its_province_but_not_its_draft(client: Any, tree: Any, people: Any) -> None:
    province_plan = issued(tree["A"], title="Kế hoạch của tỉnh")
    province_draft = draft(tree["A"], title="Dự thảo của tỉnh")
    as_user(client, people["commune"])
    assert client.get(reverse("plans:detail", args=[province_plan.pk])).status_code == 200
    assert client.get(reverse("plans:detail", args=[province_draft.pk])).status_code == 404
    # but the cascade of the province is not the commune's business
    assert client.get(reverse("plans:cascade", args=[province_plan.pk])).status_code == 403


def test_list_filters_default_to_the_current_unit(client: Any, tree: Any, people: Any) -> None:
    draft(tree["A"], title="Kế hoạch cấp tỉnh")
    draft(tree["A1"], title="Kế hoạch xã Bình Lư", kind="thematic")
    draft(tree["A2"], title="Kế hoạch phường Tân Phong")
    as_user(client, people["province"])
    page = client.get(reverse("plans:list")).content.decode()
    assert all(t in page for t in ("Kế hoạch cấp tỉnh", "Kế hoạch xã Bình Lư", "Kế hoạch phường Tân Phong"))
    page = client.get(reverse("plans:list"), {"unit": tree["A1"].pk}).content.decode()
    assert "Kế hoạch xã Bình Lư" in page and "Kế hoạch cấp tỉnh" not in page
    page = client.get(reverse("plans:list"), {"kind": "thematic", "unit": "all"}).content.decode()
    assert "Kế hoạch xã Bình Lư" in page and "Kế hoạch phường Tân Phong" not in page
    page = client.get(reverse("plans:list"), {"year": "2025", "unit": "all"}).content.decode()
    assert "Kế hoạch xã Bình Lư" not in page
    # a unit of another province given in the URL is ignored, not shown
    page = client.get(reverse("plans:list"), {"unit": tree["B"].pk}).content.decode()
    assert "Kế hoạch cấp tỉnh" in page


def test_list_is_keyset_paginated_with_bounded_queries(client: Any, tree: Any, people: Any, settings: Any) -> None:
    from danvan.plans import views

    for i in range(5):
        draft(tree["A1"], title=f"Kế hoạch số {i}")
    as_user(client, people["commune"])
    client.get(reverse("plans:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("plans:list"))
    for i in range(5, 60):
        draft(tree["A1"], title=f"Kế hoạch số {i}")
    with CaptureQueriesContext(connection) as many:
        first = client.get(reverse("plans:list"))
    assert len(many) == len(few)
    html = first.content.decode()
    assert html.count('href="/plans/') - html.count('href="/plans/new') - html.count('href="/plans/import') >= views.PAGE_SIZE
    after = re.search(r"after=(\d+-\d+)", html)
    assert after is not None
    second = client.get(reverse("plans:list") + "?unit=" + str(tree["A1"].pk) + "&after=" + after.group(1)).content.decode()
    titles_first = set(re.findall(r"Kế hoạch số \d+", html))
    titles_second = set(re.findall(r"Kế hoạch số \d+", second))
    assert len(titles_second) == 60 - views.PAGE_SIZE and not titles_first & titles_second


# --------------------------------------------------------------------------- the detail page


def _big_plan(issuer: Any, tasks: int) -> Plan:
    plan = draft(issuer, requires_subordinate_plans=True, subordinate_due_on=dt.date(2026, 4, 30),
                 subordinate_kinds=list(OrgKind.objects.filter(code="village")))
    top = services.add_section(actor=None, plan=plan, number="II", title="NHIỆM VỤ")
    sections = [services.add_section(actor=None, plan=plan, number=str(i), title=f"Mục {i}", parent=top) for i in range(1, 4)]
    Task.objects.bulk_create([
        Task(plan=plan, section=sections[i % 3], text=f"Nhiệm vụ {i}", order=i, lead_unit=issuer) for i in range(tasks)
    ])
    services.add_target(actor=None, plan=plan, text="100% xã xây dựng kế hoạch", value=100, unit="%")
    services.add_assignment(actor=None, plan=plan, unit_name="Phòng Nội vụ", duties="Chủ trì", co_units=[issuer])
    services.add_deadline(actor=None, plan=plan, text="Báo cáo 6 tháng", due_on=dt.date(2026, 6, 5))
    return plan


def test_detail_renders_300_tasks_with_as_many_queries_as_3(
    client: Any, tree: Any, people: Any, django_assert_num_queries: Any
) -> None:
    small, big = _big_plan(tree["A1"], 3), _big_plan(tree["A1"], 300)
    as_user(client, people["commune"])
    client.get(reverse("plans:detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("plans:detail", args=[small.pk]))
    assert response.status_code == 200
    with django_assert_num_queries(len(ctx)):
        response = client.get(reverse("plans:detail", args=[big.pk]))
    html = response.content.decode()
    assert html.count('class="task"') == 300
    assert "Nhiệm vụ 299" in html and "Phòng Nội vụ" in html and "05/06/2026" in html
    assert "100% xã xây dựng kế hoạch" in html
    # the same after issuing, when each task gets a progress link
    big = services.issue_plan(actor=None, plan=big, expected_version=big.lock_version, issued_on=ISSUE_DAY)
    small = services.issue_plan(actor=None, plan=small, expected_version=small.lock_version, issued_on=ISSUE_DAY)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("plans:detail", args=[small.pk]))
    with django_assert_num_queries(len(ctx)):
        html = client.get(reverse("plans:detail", args=[big.pk])).content.decode()
    assert html.count("/progress/") == 300


def test_detail_shows_actions_only_to_those_allowed(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    url = reverse("plans:detail", args=[plan.pk])
    html = as_user(client, people["commune"]).get(url).content.decode()
    assert reverse("plans:edit", args=[plan.pk]) in html and reverse("plans:delete", args=[plan.pk]) in html
    assert reverse("plans:issue", args=[plan.pk]) not in html  # officers draft; heads issue
    html = as_user(client, people["commune_head"]).get(url).content.decode()
    assert reverse("plans:issue", args=[plan.pk]) in html
    html = as_user(client, people["viewer"]).get(url).content.decode()
    assert reverse("plans:edit", args=[plan.pk]) not in html and reverse("plans:delete", args=[plan.pk]) not in html
    assert reverse("plans:export", args=[plan.pk]) in html


# --------------------------------------------------------------------------- editing


def test_officer_edits_the_header_with_lines_and_dates(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    as_user(client, people["commune"])
    url = reverse("plans:edit", args=[plan.pk])
    data = read_form(client.get(url).content.decode())
    assert data["expected_version"] == str(plan.lock_version)
    data.update(
        title="Kế hoạch đã sửa", purposes="Mục đích một\n\n  Mục đích   hai ",
        recipients="- UBND tỉnh;\nLưu: VT.", requires_subordinate_plans="on", subordinate_due_on="30/04/2026",
        subordinate_kinds=[str(k) for k in OrgKind.objects.filter(code="village").values_list("pk", flat=True)],
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan.refresh_from_db()
    assert plan.title == "Kế hoạch đã sửa"
    assert plan.purposes == ["Mục đích một", "Mục đích hai"]
    assert plan.subordinate_due_on == dt.date(2026, 4, 30)
    assert [k.code for k in plan.subordinate_kinds.all()] == ["village"]


def test_impossible_date_is_named_on_its_field(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    as_user(client, people["commune"])
    url = reverse("plans:edit", args=[plan.pk])
    data = read_form(client.get(url).content.decode())
    data.update(issued_on="31/02/2026", title="Không được lưu")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "issued_on" in response.context["form"].errors
    assert "31/02" in str(response.context["form"].errors["issued_on"])
    plan.refresh_from_db()
    assert plan.title != "Không được lưu"


def test_deadline_before_the_plan_date_gets_the_services_error(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"], issued_on=dt.date(2026, 3, 1))
    as_user(client, people["commune"])
    response = client.post(
        reverse("plans:deadline_add", args=[plan.pk]), {"text": "Báo cáo quý", "due_on": "15/02/2026", "kind": "other"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "due_on" in errors and "01/03/2026" in str(errors["due_on"])
    assert not plan.deadlines.exists()
    response = client.post(
        reverse("plans:deadline_add", args=[plan.pk]), {"text": "Báo cáo quý", "due_on": "15/04/2026", "kind": "other"}
    )
    assert response.status_code == 302 and plan.deadlines.get().due_on == dt.date(2026, 4, 15)


def test_task_for_a_unit_outside_the_issuers_subtree_is_refused(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    as_user(client, people["province"])  # sees both communes, so the form accepts the choice
    response = client.post(
        reverse("plans:task_add", args=[plan.pk]), {"text": "Tuyên truyền", "lead_unit": tree["A2"].pk, "due_on": ""}
    )
    assert response.status_code == 200
    assert "lead_unit" in response.context["form"].errors
    assert not plan.tasks.exists()
    response = client.post(
        reverse("plans:task_add", args=[plan.pk]), {"text": "Tuyên truyền", "lead_unit": tree["A1v"].pk, "due_on": "01/05/2026"}
    )
    assert response.status_code == 302
    task = plan.tasks.get()
    assert task.lead_unit == tree["A1v"] and task.due_on == dt.date(2026, 5, 1)


def test_sections_targets_assignments_can_be_added_edited_and_deleted(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    as_user(client, people["commune"])
    assert client.post(reverse("plans:section_add", args=[plan.pk]), {"number": "I", "title": "MỤC ĐÍCH"}).status_code == 302
    section = plan.sections.get()
    assert client.post(
        reverse("plans:section_edit", args=[plan.pk, section.pk]), {"number": "II", "title": "NHIỆM VỤ"}
    ).status_code == 302
    section.refresh_from_db()
    assert (section.number, section.title) == ("II", "NHIỆM VỤ")
    assert client.post(
        reverse("plans:target_add", args=[plan.pk]),
        {"text": "95% thôn có mô hình", "value": "95", "unit": "%", "measurement": "entered"},
    ).status_code == 302
    target = plan.targets.get()
    assert target.value == 95
    assert client.post(
        reverse("plans:assignment_add", args=[plan.pk]),
        {"unit_name": "Công an xã", "role": "co-operating", "duties": "Phối hợp", "due_on": ""},
    ).status_code == 302
    assignment = plan.assignments.get()
    assert assignment.role == "co-operating"
    for part, obj in (("target", target), ("assignment", assignment), ("section", section)):
        response = client.post(reverse("plans:part_delete", args=[plan.pk, part, obj.pk]))
        assert response.status_code == 302
    assert not plan.sections.exists() and not plan.targets.exists() and not plan.assignments.exists()
    assert client.post(reverse("plans:part_delete", args=[plan.pk, "plan", plan.pk])).status_code == 404


def test_issued_plan_cannot_be_edited(client: Any, tree: Any, people: Any) -> None:
    plan = issued(tree["A1"])
    as_user(client, people["commune"])
    response = client.get(reverse("plans:edit", args=[plan.pk]), follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0] == reverse("plans:detail", args=[plan.pk])
    assert any("locked" in str(m) or "khóa" in str(m) for m in response.context["messages"])
    response = client.post(reverse("plans:edit", args=[plan.pk]), {"title": "Sửa lén", "expected_version": plan.lock_version})
    assert response.status_code == 302
    response = client.post(reverse("plans:task_add", args=[plan.pk]), {"text": "Thêm lén"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title != "Sửa lén" and not plan.tasks.exists()


def test_sibling_commune_cannot_edit_and_viewer_is_refused(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    assert as_user(client, people["sibling"]).get(reverse("plans:edit", args=[plan.pk])).status_code == 404
    assert as_user(client, people["viewer"]).get(reverse("plans:edit", args=[plan.pk])).status_code == 403
    assert as_user(client, people["viewer"]).post(
        reverse("plans:section_add", args=[plan.pk]), {"title": "X"}
    ).status_code == 403
    assert not plan.sections.exists()


def test_two_officers_editing_the_same_draft(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"], place="Bình Lư")
    as_user(client, people["commune"])
    url = reverse("plans:edit", args=[plan.pk])
    mine = read_form(client.get(url).content.decode())
    # meanwhile another officer saves
    services.update_plan(actor=people["province"], plan=plan, expected_version=plan.lock_version, title="Tiêu đề của người khác")
    mine.update(title="Tiêu đề của tôi", place="Phong Thổ")
    response = client.post(url, mine)
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert form.non_field_errors()
    assert "Tiêu đề của người khác" in html  # the saved values are shown
    assert form["title"].value() == "Tiêu đề của tôi"  # and the user's input is kept
    plan.refresh_from_db()
    assert plan.title == "Tiêu đề của người khác" and plan.place == "Bình Lư"
    # saving again, knowingly, replaces them
    again = read_form(html)
    response = client.post(url, again)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Tiêu đề của tôi" and plan.place == "Phong Thổ"


# --------------------------------------------------------------------------- new plans


def test_new_plan_from_scratch(client: Any, tree: Any, people: Any) -> None:
    as_user(client, people["commune"])
    response = client.post(reverse("plans:new"), {"issuer": tree["A1"].pk, "title": "Kế hoạch mới", "year": 2026, "kind": "annual"})
    assert response.status_code == 302
    plan = Plan.objects.get(title="Kế hoạch mới")
    assert plan.issuer == tree["A1"] and plan.status == PlanStatus.DRAFT and plan.created_by == people["commune"]
    # a unit where the user has no editing role is not a choice
    response = client.post(reverse("plans:new"), {"issuer": tree["A2"].pk, "title": "Lạc", "year": 2026, "kind": "annual"})
    assert response.status_code == 200 and "issuer" in response.context["form"].errors
    as_user(client, people["viewer"])
    assert "issuer" in client.post(reverse("plans:new"), {"issuer": tree["A1"].pk, "title": "X", "year": 2026,
                                                          "kind": "annual"}).context["form"].errors
    assert not Plan.objects.filter(title__in=["Lạc", "X"]).exists()


def test_copy_last_years_plan(client: Any, tree: Any, people: Any) -> None:
    source = draft(tree["A1"], title="Kế hoạch công tác dân vận năm 2026")
    services.add_deadline(actor=None, plan=source, text="Báo cáo năm", due_on=dt.date(2026, 11, 15))
    as_user(client, people["commune"])
    page = client.get(reverse("plans:copy"), {"source": source.pk})
    assert page.status_code == 200 and page.context["form"].initial["year"] == 2027
    response = client.post(reverse("plans:copy"), {"source": source.pk, "year": 2027, "issuer": ""})
    assert response.status_code == 302
    copy = Plan.objects.get(year=2027)
    assert copy.copied_from == source and copy.deadlines.get().due_on == dt.date(2027, 11, 15)
    # a plan of another commune cannot be chosen
    other = draft(tree["A2"])
    response = client.post(reverse("plans:copy"), {"source": other.pk, "year": 2027})
    assert response.status_code == 200 and "source" in response.context["form"].errors


def test_derive_from_the_province_plan(client: Any, tree: Any, people: Any) -> None:
    parent = draft(tree["A"], title="Kế hoạch của tỉnh")
    services.add_task(actor=None, plan=parent, text="Nhiệm vụ của tỉnh")
    parent = services.issue_plan(actor=None, plan=parent, expected_version=parent.lock_version, issued_on=ISSUE_DAY)
    as_user(client, people["commune"])
    page = client.get(reverse("plans:derive"), {"parent": parent.pk}).content.decode()
    assert "Kế hoạch của tỉnh" in page
    response = client.post(reverse("plans:derive"), {"parent_plan": parent.pk, "issuer": tree["A1"].pk})
    assert response.status_code == 302
    child = Plan.objects.get(parent_plan=parent)
    assert child.issuer == tree["A1"] and child.tasks.get().parent_task == parent.tasks.get()
    # the other province's plan is not offered, nor accepted
    foreign = issued(tree["B"])
    response = client.post(reverse("plans:derive"), {"parent_plan": foreign.pk, "issuer": tree["A1"].pk})
    assert response.status_code == 200 and "parent_plan" in response.context["form"].errors


# --------------------------------------------------------------------------- workflow


def test_head_issues_then_closes_and_officer_amends(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    as_user(client, people["commune"])
    assert client.post(reverse("plans:issue", args=[plan.pk]), {"issued_on": "02/03/2026", "expected_version": plan.lock_version}).status_code == 403
    as_user(client, people["commune_head"])
    response = client.post(
        reverse("plans:issue", args=[plan.pk]), {"issued_on": "02/03/2026", "number": "5", "expected_version": plan.lock_version}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ISSUED and plan.number == 5 and plan.issued_on == dt.date(2026, 3, 2)
    # a second click on "Issue" changes nothing
    again = client.post(
        reverse("plans:issue", args=[plan.pk]), {"issued_on": "09/03/2026", "number": "6", "expected_version": 1}
    )
    assert again.status_code == 302
    plan.refresh_from_db()
    assert plan.number == 5 and plan.issued_on == dt.date(2026, 3, 2)
    # a second plan may not take number 5 again
    other = draft(tree["A1"], title="Kế hoạch khác")
    response = client.post(
        reverse("plans:issue", args=[other.pk]), {"issued_on": "03/03/2026", "number": "5", "expected_version": other.lock_version}
    )
    assert response.status_code == 400 and response.context["form"].errors
    other.refresh_from_db()
    assert other.status == PlanStatus.DRAFT
    as_user(client, people["commune"])
    response = client.post(reverse("plans:amend", args=[plan.pk]))
    amendment = Plan.objects.get(amends=plan)
    assert response["Location"] == reverse("plans:detail", args=[amendment.pk])
    services.update_plan(actor=None, plan=amendment, expected_version=amendment.lock_version, title="Bản sửa đổi")
    diff = client.get(reverse("plans:diff", args=[amendment.pk]))
    assert diff.status_code == 200 and "Bản sửa đổi" in diff.content.decode()
    as_user(client, people["commune_head"])
    assert client.post(reverse("plans:close", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED


def test_delete_draft(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A1"])
    assert as_user(client, people["viewer"]).post(reverse("plans:delete", args=[plan.pk])).status_code == 403
    assert as_user(client, people["commune"]).post(reverse("plans:delete", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.deleted_at is not None
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404


def test_progress_with_evidence_on_an_issued_plan(client: Any, tree: Any, people: Any) -> None:
    plan = draft(tree["A"])
    task = services.add_task(actor=None, plan=plan, text="Tổ chức hội nghị", lead_unit=tree["A1"])
    plan = services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=ISSUE_DAY)
    url = reverse("plans:task_progress", args=[plan.pk, task.pk])
    assert as_user(client, people["sibling"]).get(url).status_code == 403
    as_user(client, people["commune"])  # the lead unit reports
    response = client.post(url, {"status": "in_progress", "progress": "140", "note": ""})
    assert response.status_code == 200 and "progress" in response.context["form"].errors
    response = client.post(url, {"status": "in_progress", "progress": "40", "note": "Đã họp", "link": "https://xa.gov.vn/bien-ban"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.progress) == ("in_progress", 40)
    assert TaskEvidence.objects.get(task=task).link == "https://xa.gov.vn/bien-ban"


# --------------------------------------------------------------------------- cascade and coverage


def _cascade(tree: Any, communes: int) -> Plan:
    from danvan.orgs import services as org_services

    for i in range(communes):
        org_services.create_unit(
            actor=None, kind=tree["A1"].kind, name=f"Xã Thử {i}", parent=tree["A"], code=f"99{i:03d}", audit_event=False
        )
    plan = draft(tree["A"], requires_subordinate_plans=True, subordinate_due_on=dt.date(2026, 4, 30),
                 subordinate_kinds=[tree["A1"].kind])
    for i in range(3):
        services.add_task(actor=None, plan=plan, text=f"Nhiệm vụ tỉnh {i}")
    plan = services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=ISSUE_DAY)
    child = services.derive_plan(actor=None, parent_plan=plan, issuer=tree["A1"])
    services.delete_task(actor=None, task=child.tasks.order_by("order").reverse()[0])
    child = services.update_plan(actor=None, plan=child, expected_version=child.lock_version, place="Bình Lư",
                                 signer_name="Lò Văn B", signer_position="Chủ tịch")
    services.issue_plan(actor=None, plan=child, expected_version=child.lock_version, issued_on=dt.date(2026, 3, 20))
    return plan


def test_cascade_and_coverage_pages(client: Any, tree: Any, people: Any) -> None:
    plan = _cascade(tree, 2)
    as_user(client, people["province"])
    html = client.get(reverse("plans:cascade", args=[plan.pk])).content.decode()
    assert "Xã Bình Lư" in html and "Phường Tân Phong" in html and "Xã Thử 1" in html
    response = client.get(reverse("plans:coverage", args=[plan.pk]))
    assert response.status_code == 200
    rows = response.context["matrix"].rows
    assert [r.linked_plans for r in rows] == [1, 1, 0]
    assert "Xã Thử 0" in response.content.decode()  # units without a plan are listed
    last = rows[-1]
    gaps = client.get(reverse("plans:coverage", args=[plan.pk]), {"task": last.task_id})
    assert [u.name for u in gaps.context["gaps"].items] == ["Xã Bình Lư"]
    for who in ("commune", "sibling", "other", "nobody"):
        as_user(client, people[who])
        assert client.get(reverse("plans:coverage", args=[plan.pk])).status_code in (403, 404)


def test_cascade_pages_have_bounded_queries(client: Any, tree: Any, people: Any) -> None:
    few = _cascade(tree, 2)
    as_user(client, people["province"])
    counts = {}
    for name in ("plans:cascade", "plans:coverage"):
        client.get(reverse(name, args=[few.pk]))
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse(name, args=[few.pk]))
        counts[name] = len(ctx)
    Plan.objects.filter(pk=few.pk).update(requires_subordinate_plans=False)
    from danvan.orgs import services as org_services

    for i in range(60):
        org_services.create_unit(
            actor=None, kind=tree["A1"].kind, name=f"Xã Nhiều {i}", parent=tree["A"], code=f"88{i:03d}", audit_event=False
        )
    many = draft(tree["A"], title="Nhiều xã", requires_subordinate_plans=True, subordinate_due_on=dt.date(2026, 4, 30),
                 subordinate_kinds=[tree["A1"].kind])
    for i in range(80):
        services.add_task(actor=None, plan=many, text=f"Việc {i}")
    many = services.issue_plan(actor=None, plan=many, expected_version=many.lock_version, issued_on=ISSUE_DAY)
    for name in ("plans:cascade", "plans:coverage"):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name, args=[many.pk]))
        assert response.status_code == 200
        assert len(ctx) <= counts[name], f"{name}: {len(ctx)} queries for 64 units, {counts[name]} for 4"
    html = client.get(reverse("plans:cascade", args=[many.pk])).content.decode()
    assert re.search(r"state=(pending|overdue)&amp;after=\d+", html)  # 64 units: a second page


# --------------------------------------------------------------------------- export


def test_export_filename_is_ascii() -> None:
    from danvan.orgs.models import OrgUnit
    from danvan.plans.views import export_filename

    plan = Plan(issuer=OrgUnit(name="Xã Bình Lư"), number=5, number_year=2026, year=2026, symbol="KH-UBND", doc_type="KH")
    assert export_filename(plan) == "KH-05-2026-UBND-xa-Binh-Lu.docx"
    plan = Plan(issuer=OrgUnit(name="Đặc khu Côn Đảo"), year=2026, symbol="KH-UBND", doc_type="KH")
    assert export_filename(plan) == "KH-2026-UBND-dac-khu-Con-Dao.docx"


def test_export_downloads_a_word_file(client: Any, tree: Any, people: Any) -> None:
    plan = issued(tree["A1"])
    response = as_user(client, people["commune"]).get(reverse("plans:export", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert 'filename="KH-01-2026-UBND-xa-Binh-Lu.docx"' in response["Content-Disposition"]
    assert response.content[:2] == b"PK"
    assert as_user(client, people["sibling"]).get(reverse("plans:export", args=[plan.pk])).status_code == 404


def test_evidence_file_is_kept_with_the_progress(client: Any, tree: Any, people: Any, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    plan = draft(tree["A1"])
    task = services.add_task(actor=None, plan=plan, text="Họp dân")
    plan = services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=ISSUE_DAY)
    as_user(client, people["commune"])
    url = reverse("plans:task_progress", args=[plan.pk, task.pk])
    # a file without a word on what it is: refused, nothing recorded
    response = client.post(url, {"status": "done", "progress": "100", "file": SimpleUploadedFile("bb.pdf", b"%PDF-1.4")})
    assert response.status_code == 200 and "note" in response.context["form"].errors
    task.refresh_from_db()
    assert task.status == "not_started"
    response = client.post(
        url, {"status": "done", "progress": "80", "note": "Biên bản họp", "file": SimpleUploadedFile("bb.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.progress) == ("done", 100)
    evidence = TaskEvidence.objects.get(task=task)
    assert evidence.note == "Biên bản họp" and str(evidence.file.name).endswith(".pdf")
    assert "Biên bản họp" in client.get(url).content.decode()
