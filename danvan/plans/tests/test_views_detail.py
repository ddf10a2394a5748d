"""The tasks on the plan page: labels, links and the progress action, worked out once per page by the view."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from danvan.plans import services
from danvan.plans.models import Plan

pytestmark = pytest.mark.django_db

ISSUE_DAY = dt.date(2026, 3, 2)
SIGNED = {"place": "Lai Châu", "signer_name": "Nguyễn Văn A", "signer_position": "Chủ tịch"}


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return {
        "province": make_user("tinh", (tree["A"], "officer")),
        "commune": make_user("xa", (tree["A1"], "officer")),
        "sibling": make_user("xakhac", (tree["A2"], "officer")),
        "viewer": make_user("xem", (tree["A"], "viewer")),
    }


def _plan(tree: Any) -> tuple[Plan, list[Any]]:
    plan = services.create_plan(actor=None, issuer=tree["A"], title="Kế hoạch 2026", year=2026, **SIGNED)
    section = services.add_section(actor=None, plan=plan, title="Tuyên truyền", number="1")
    tasks = [
        services.add_task(actor=None, plan=plan, text="Họp <dân>\nlần hai", section=section, lead_unit=tree["A1"],
                          due_on=dt.date(2026, 4, 5)),
        services.add_task(actor=None, plan=plan, text="Rà soát thủ tục", section=section, lead_unit=tree["A2"]),
        services.add_task(actor=None, plan=plan, text="Việc ngoài mục", lead_unit=tree["A1"]),
    ]
    return plan, tasks


def _issue(plan: Plan) -> Plan:
    plan.refresh_from_db()
    return services.issue_plan(actor=None, plan=plan, expected_version=plan.lock_version, issued_on=ISSUE_DAY)


def _task_html(html: str, task: Any) -> str:
    match = re.search(rf'<li id="task-{task.pk}" class="task">(.*?)</li>', html, re.S)
    assert match, f"task {task.pk} not on the page"
    return match.group(1)


def _get(client: Any, user: Any, plan: Plan) -> str:
    client.force_login(user)
    response = client.get(reverse("plans:detail", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_draft_shows_edit_links_to_editors_only(client: Any, tree: Any, people: Any) -> None:
    plan, tasks = _plan(tree)
    html = _get(client, people["province"], plan)
    for number, task in ((1, tasks[0]), (2, tasks[1])):
        edit = reverse("plans:task_edit", args=[plan.pk, task.pk])
        assert f'<a href="{edit}">Sửa nhiệm vụ<span class="visually-hidden"> {number}</span></a>' in html
    # the loose task is numbered in its own list, under its own heading
    loose = reverse("plans:task_edit", args=[plan.pk, tasks[2].pk])
    assert f'<a href="{loose}">Sửa nhiệm vụ<span class="visually-hidden"> 1</span></a>' in html
    assert html.index("<h3>Nhiệm vụ không thuộc mục nào</h3>") < html.index(f'id="task-{tasks[2].pk}"')
    assert "/progress/" not in html  # nothing to report on a draft
    html = _get(client, people["viewer"], plan)
    assert "/tasks/" not in html and html.count('class="task"') == 3


def test_task_shows_its_status_progress_lead_deadline_and_escaped_text(client: Any, tree: Any, people: Any) -> None:
    plan, tasks = _plan(tree)
    plan = _issue(plan)
    task = plan.tasks.get(pk=tasks[0].pk)
    services.record_task_progress(actor=None, task=task, status="done", progress=100, note="Xong")
    task.refresh_from_db()
    services.add_task_evidence(actor=None, task=task, note="Biên bản")
    services.add_task_evidence(actor=None, task=task, note="Ảnh")
    html = _task_html(_get(client, people["province"], plan), tasks[0])
    assert '<p class="task-text">Họp &lt;dân&gt;<br>lần hai</p>' in html
    assert '<span class="badge current">Hoàn thành</span>' in html
    assert "Tiến độ 100%" in html
    assert "Chủ trì: Xã Bình Lư" in html and "Thời hạn: 05/04/2026" in html
    assert "2 minh chứng" in html
    other = _task_html(_get(client, people["province"], plan), tasks[1])
    assert '<span class="badge closed">Chưa thực hiện</span>' in other and "Tiến độ 0%" in other
    assert "Thời hạn" not in other and "minh chứng" not in other


def test_progress_link_follows_who_may_report_on_each_task(client: Any, tree: Any, people: Any) -> None:
    plan, tasks = _plan(tree)
    plan = _issue(plan)

    def reports(user: Any) -> set[int]:
        html = _get(client, user, plan)
        return {t.pk for t in tasks if reverse("plans:task_progress", args=[plan.pk, t.pk]) in html}

    assert reports(people["province"]) == {t.pk for t in tasks}  # the issuer's editor: every task
    assert reports(people["commune"]) == {tasks[0].pk, tasks[2].pk}  # a lead unit: its own tasks
    assert reports(people["sibling"]) == {tasks[1].pk}
    assert reports(people["viewer"]) == set()
    for pk in (tasks[0].pk, tasks[2].pk):
        client.force_login(people["commune"])
        assert client.get(reverse("plans:task_progress", args=[plan.pk, pk])).status_code == 200
    assert client.get(reverse("plans:task_progress", args=[plan.pk, tasks[1].pk])).status_code == 403
    services.close_plan(actor=None, plan=plan)
    assert reports(people["province"]) == set()


def test_derived_task_links_to_the_task_of_the_level_above(client: Any, tree: Any, people: Any) -> None:
    plan, tasks = _plan(tree)
    plan = _issue(plan)
    child = services.derive_plan(actor=None, parent_plan=plan, issuer=tree["A1"])
    html = _get(client, people["commune"], child)
    for task in tasks:
        link = f'{reverse("plans:detail", args=[plan.pk])}#task-{task.pk}'
        assert f'<a href="{link}">Nhiệm vụ của cấp trên</a>' in html
    assert html.count('class="task"') == 3


def test_empty_plan_says_so(client: Any, tree: Any, people: Any) -> None:
    plan = services.create_plan(actor=None, issuer=tree["A"], title="Kế hoạch trống", year=2026, **SIGNED)
    html = _get(client, people["province"], plan)
    content = html[html.index('id="content-h"'):html.index('id="assign-h"')]
    assert "Chưa ghi nhận." in content and 'class="task"' not in content
