"""The fill grid: who sees and fills what, bad input kept as typed, conflicts, review, Excel, history."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from danvan.reports import services
from danvan.reports.models import DataValue, Submission, SubmissionRevision, SubmissionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return {
        "officer": make_user("xa", (tree["A1"], "officer")),
        "sibling": make_user("xakhac", (tree["A2"], "officer")),
        "viewer": make_user("xem", (tree["A1"], "viewer")),
        "province": make_user("tinh", (tree["A"], "officer")),
        "province_head": make_user("chutichtinh", (tree["A"], "head")),
        "province_viewer": make_user("xemtinh", (tree["A"], "viewer")),
        "other": make_user("tinhkhac", (tree["B"], "admin")),
        "nobody": make_user("khongco"),
    }


@pytest.fixture
def sub(period: Any, tree: dict[str, Any]) -> Submission:
    return Submission.objects.get(period=period, org_unit=tree["A1"])


def url(sub: Submission, name: str = "reports:submission") -> str:
    return reverse(name, args=[sub.pk])


GOOD = {
    "v_sessions": "3", "v_participants": "1.250", "v_own.plan": "", "v_own_plan": "1", "v_received": "10",
    "v_resolved": "8", "v_satisfaction": "87,5", "v_budget": "1.500.000", "a_highlights": "Tổ chức 3 hội nghị",
    "a_difficulties": "",
}


def post_grid(client: Any, sub: Submission, action: str = "save", version: int | None = None, **changes: Any) -> Any:
    data = {k: v for k, v in GOOD.items() if k != "v_own.plan"}
    data.update(changes)
    data["expected_version"] = str(sub.lock_version if version is None else version)
    data["action"] = action
    return client.post(url(sub), data)


def input_value(html: str, name: str) -> str | None:
    m = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if m is None:
        return None
    value = re.search(r'value="([^"]*)"', m.group(0))
    return value.group(1) if value else ""


# ---------------------------------------------------------------------------------------------
# Who sees and fills what


def test_officer_sees_the_grid_with_typed_widgets(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    response = client.get(url(sub))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="fill-form"' in html
    sessions = re.search(r'<input[^>]*name="v_sessions"[^>]*>', html)
    assert sessions and 'inputmode="numeric"' in sessions.group(0)
    satisfaction = re.search(r'<input[^>]*name="v_satisfaction"[^>]*>', html)
    assert satisfaction and 'inputmode="decimal"' in satisfaction.group(0)
    assert re.search(r'<select[^>]*name="v_own_plan"', html)  # yes/no
    assert 'name="v_resolved_rate"' not in html  # a ratio is computed, not typed
    assert re.search(r'<textarea[^>]*name="a_highlights"', html)
    assert input_value(html, "expected_version") == str(sub.lock_version)
    assert "lượt người" in html  # the unit of measure beside the figure
    assert 'data-testid="overdue"' in html  # the deadline (05/06/2026) has passed and nothing was sent
    # each figure's label is tied to its input
    assert 'for="id_v_sessions"' in html


@pytest.mark.parametrize("who", ["province", "viewer", "province_viewer"])
def test_readers_above_or_viewers_see_the_report(client: Any, people: Any, sub: Submission, who: str) -> None:
    client.force_login(people[who])
    response = client.get(url(sub))
    assert response.status_code == 200
    html = response.content.decode()
    # a province officer may also fill a commune's report (editor of the subtree); a viewer may not
    assert ('data-testid="fill-form"' in html) == (who == "province")


@pytest.mark.parametrize("who", ["sibling", "other", "nobody"])
def test_report_outside_the_users_tree_does_not_exist(client: Any, people: Any, sub: Submission, who: str) -> None:
    client.force_login(people[who])
    assert client.get(url(sub)).status_code == 404
    assert post_grid(client, sub).status_code == 404
    assert client.get(url(sub, "reports:submission_history")).status_code == 404
    assert client.get(url(sub, "reports:submission_template")).status_code == 404
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.NOT_STARTED and sub.values == {}


def test_anonymous_is_sent_to_log_in(client: Any, sub: Submission) -> None:
    response = client.get(url(sub))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url(sub), {}).status_code == 302


def test_viewer_cannot_save(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["viewer"])
    assert post_grid(client, sub).status_code == 403
    sub.refresh_from_db()
    assert sub.values == {}


# ---------------------------------------------------------------------------------------------
# Saving and submitting


def test_save_draft_stores_the_figures_typed_the_vietnamese_way(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    response = post_grid(client, sub)
    assert response.status_code == 302 and response["Location"] == url(sub)
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.DRAFT
    assert sub.values == {"sessions": 3, "participants": 1250, "own_plan": True, "received": 10, "resolved": 8,
                          "satisfaction": 87.5, "budget": 1500000}
    assert sub.answers == {"highlights": "Tổ chức 3 hội nghị"}
    assert SubmissionRevision.objects.filter(submission=sub, action="saved").count() == 1
    # the page shows the saved figures back for editing, 12 not 12.0
    html = client.get(url(sub)).content.decode()
    assert input_value(html, "v_participants") == "1250"
    assert input_value(html, "v_satisfaction") == "87.5"
    # clearing a cell clears the figure
    post_grid(client, sub, v_budget="")
    sub.refresh_from_db()
    assert "budget" not in sub.values


@pytest.mark.parametrize(
    ("field", "typed"),
    [("v_sessions", "12a"), ("v_sessions", "-3"), ("v_satisfaction", "120"), ("v_received", "1,5")],
)
def test_bad_figure_is_named_and_kept_as_typed(client: Any, people: Any, sub: Submission, field: str, typed: str) -> None:
    client.force_login(people["officer"])
    response = post_grid(client, sub, "save", None, **{field: typed})
    assert response.status_code == 400
    html = response.content.decode()
    code = field[2:]
    assert f'data-testid="error-{code}"' in html
    assert input_value(html, field) == typed  # what was typed comes back
    assert input_value(html, "v_received") in ("10", "1,5")  # the rest too
    assert "Tổ chức 3 hội nghị" in html
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.NOT_STARTED and sub.values == {}  # nothing saved


def test_answer_too_long_is_refused(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    response = post_grid(client, sub, a_highlights="x" * 5001)
    assert response.status_code == 400
    assert 'data-testid="error-highlights"' in response.content.decode()


def test_submit_sends_the_report_and_counts_its_figures(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    response = post_grid(client, sub, action="submit")
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED
    assert sub.submitted_by == people["officer"]
    assert sub.is_late  # submitted after 05/06/2026
    assert DataValue.objects.filter(submission=sub).count() == 7  # numeric, typed, not the ratio
    html = client.get(url(sub)).content.decode()
    assert 'data-testid="fill-form"' not in html and 'data-testid="late"' in html
    assert 'data-testid="waiting"' in html


def test_broken_cross_rule_keeps_the_draft_and_names_the_figure(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    response = post_grid(client, sub, action="submit", v_resolved="15")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-resolved"' in html
    assert input_value(html, "v_resolved") == "15"
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.DRAFT  # saved, not submitted: nothing lost
    assert sub.values["resolved"] == 15
    assert not DataValue.objects.filter(submission=sub).exists()
    # the form carries the new version, so correcting and submitting again works
    assert input_value(html, "expected_version") == str(sub.lock_version)
    assert post_grid(client, sub, action="submit", v_resolved="9").status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED


def test_missing_required_answer_blocks_submission(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    response = post_grid(client, sub, action="submit", a_highlights="")
    assert response.status_code == 400
    assert 'data-testid="error-highlights"' in response.content.decode()
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.DRAFT


def test_stale_version_is_a_conflict_and_keeps_the_input(client: Any, people: Any, sub: Submission) -> None:
    opened = sub.lock_version
    # someone else saves first
    services.save_draft(actor=people["province"], submission=Submission.objects.get(pk=sub.pk),
                        values={"sessions": 7}, answers={}, expected_version=opened)
    client.force_login(people["officer"])
    response = post_grid(client, sub, version=opened, v_sessions="4")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="conflict"' in html
    assert input_value(html, "v_sessions") == "4"  # the officer's figure is kept
    assert 'data-testid="theirs-sessions"' in html  # and theirs shown beside it
    sub.refresh_from_db()
    assert sub.values == {"sessions": 7}  # theirs stands
    # saving again on purpose, with the version the page now carries, works
    assert input_value(html, "expected_version") == str(sub.lock_version)
    assert post_grid(client, sub, v_sessions="4").status_code == 302
    sub.refresh_from_db()
    assert sub.values["sessions"] == 4


def test_submit_after_acceptance_is_refused_with_input_kept(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    post_grid(client, sub, action="submit")
    sub.refresh_from_db()
    services.accept_report(actor=people["province"], submission=sub, expected_version=sub.lock_version)
    sub.refresh_from_db()
    response = post_grid(client, sub, action="submit", v_sessions="99")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html and input_value(html, "v_sessions") == "99"
    assert 'data-testid="locked"' in html
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.ACCEPTED and sub.values["sessions"] == 3


def test_prefill_button_records_a_revision(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    response = client.post(url(sub), {"action": "prefill", "expected_version": sub.lock_version})
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.DRAFT
    assert SubmissionRevision.objects.filter(submission=sub, action="prefilled").exists()


def test_changed_prefilled_figure_needs_a_reason(client: Any, people: Any, sub: Submission) -> None:
    Submission.objects.filter(pk=sub.pk).update(prefilled={"own_plan": True}, values={"own_plan": True},
                                                status=SubmissionStatus.DRAFT)
    sub.refresh_from_db()
    client.force_login(people["officer"])
    html = client.get(url(sub)).content.decode()
    assert 'name="r_own_plan"' in html and 'data-reason-for="id_v_own_plan"' in html
    response = post_grid(client, sub, v_own_plan="0")
    assert response.status_code == 400
    assert input_value(response.content.decode(), "r_own_plan") == ""
    assert post_grid(client, sub, v_own_plan="0", r_own_plan="Kế hoạch chưa ký").status_code == 302
    sub.refresh_from_db()
    assert sub.values["own_plan"] is False and sub.corrections == {"own_plan": "Kế hoạch chưa ký"}


# ---------------------------------------------------------------------------------------------
# Review by the level above


def submitted(client: Any, people: Any, sub: Submission) -> Submission:
    client.force_login(people["officer"])
    assert post_grid(client, sub, action="submit").status_code == 302
    sub.refresh_from_db()
    return sub


def test_province_officer_accepts(client: Any, people: Any, sub: Submission) -> None:
    sub = submitted(client, people, sub)
    client.force_login(people["province"])
    html = client.get(url(sub)).content.decode()
    assert 'data-testid="accept"' in html and 'data-testid="return"' in html
    r = client.post(url(sub, "reports:submission_review"), {"action": "accept", "expected_version": sub.lock_version})
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.ACCEPTED and sub.reviewed_by == people["province"]
    assert 'data-testid="locked"' in client.get(url(sub)).content.decode()


def test_commune_officer_cannot_review_own_report(client: Any, people: Any, sub: Submission) -> None:
    sub = submitted(client, people, sub)
    html = client.get(url(sub)).content.decode()
    assert 'data-testid="accept"' not in html
    r = client.post(url(sub, "reports:submission_review"), {"action": "accept", "expected_version": sub.lock_version})
    assert r.status_code == 403
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED


def test_return_needs_a_comment(client: Any, people: Any, sub: Submission) -> None:
    sub = submitted(client, people, sub)
    client.force_login(people["province"])
    review = url(sub, "reports:submission_review")
    r = client.post(review, {"action": "return", "comment": "", "expected_version": sub.lock_version})
    assert r.status_code == 400
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED
    r = client.post(review, {"action": "return", "comment": "Bổ sung số liệu", "expected_version": sub.lock_version})
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.RETURNED and sub.review_comment == "Bổ sung số liệu"
    assert not DataValue.objects.filter(submission=sub).exists()
    client.force_login(people["officer"])
    html = client.get(url(sub)).content.decode()
    assert 'data-testid="review-comment"' in html and 'data-testid="fill-form"' in html


def test_review_with_stale_version_changes_nothing(client: Any, people: Any, sub: Submission) -> None:
    sub = submitted(client, people, sub)
    client.force_login(people["province"])
    r = client.post(url(sub, "reports:submission_review"), {"action": "accept", "expected_version": sub.lock_version - 1})
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED


def test_reopen_by_the_head_of_the_reviewing_unit_only(client: Any, people: Any, sub: Submission) -> None:
    sub = submitted(client, people, sub)
    services.accept_report(actor=people["province"], submission=sub, expected_version=sub.lock_version)
    sub.refresh_from_db()
    reopen = url(sub, "reports:submission_reopen")
    client.force_login(people["province"])  # an officer, not the head
    assert client.post(reopen, {"reason": "Sai số liệu", "expected_version": sub.lock_version}).status_code == 403
    client.force_login(people["province_head"])
    assert 'data-testid="reopen"' in client.get(url(sub)).content.decode()
    assert client.post(reopen, {"reason": "", "expected_version": sub.lock_version}).status_code == 400
    assert client.post(reopen, {"reason": "Sai số liệu", "expected_version": sub.lock_version}).status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.RETURNED


# ---------------------------------------------------------------------------------------------
# Excel and history


def test_excel_template_round_trip(client: Any, people: Any, sub: Submission) -> None:
    from danvan.reports.xlsx import COL_CODE, COL_VALUE, VALUES_HEADER_ROW

    client.force_login(people["officer"])
    response = client.get(url(sub, "reports:submission_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    for row in range(VALUES_HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(row, COL_CODE).value == "sessions":
            ws.cell(row, COL_VALUE).value = 5
        if ws.cell(row, COL_CODE).value == "received":
            ws.cell(row, COL_VALUE).value = 4
    out = io.BytesIO()
    wb.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "bao-cao.xlsx"
    r = client.post(url(sub, "reports:submission_upload"), {"file": upload, "expected_version": sub.lock_version})
    assert r.status_code == 302, r.content.decode()[:2000]
    sub.refresh_from_db()
    assert sub.values == {"sessions": 5, "received": 4}
    assert SubmissionRevision.objects.filter(submission=sub, action="imported").count() == 1


def test_broken_upload_lists_its_errors_and_saves_nothing(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    upload = io.BytesIO(b"PK\x03\x04 not really a workbook")
    upload.name = "bao-cao.xlsx"
    r = client.post(url(sub, "reports:submission_upload"), {"file": upload, "expected_version": sub.lock_version})
    assert r.status_code == 400
    assert 'data-testid="upload-errors"' in r.content.decode()
    other = io.BytesIO(b"hello")
    other.name = "bao-cao.csv"
    r = client.post(url(sub, "reports:submission_upload"), {"file": other, "expected_version": sub.lock_version})
    assert r.status_code == 400
    sub.refresh_from_db()
    assert sub.values == {} and sub.status == SubmissionStatus.NOT_STARTED


def test_upload_of_another_units_template_names_the_problem(
    client: Any, people: Any, sub: Submission, period: Any, tree: Any
) -> None:
    client.force_login(people["province"])
    sibling = Submission.objects.get(period=period, org_unit=tree["A2"])
    data = client.get(url(sibling, "reports:submission_template")).content
    upload = io.BytesIO(data)
    upload.name = "bao-cao.xlsx"
    r = client.post(url(sub, "reports:submission_upload"), {"file": upload, "expected_version": sub.lock_version})
    assert r.status_code == 400
    assert 'data-testid="upload-errors"' in r.content.decode()
    sub.refresh_from_db()
    assert sub.values == {}


def test_history_lists_who_changed_what(client: Any, people: Any, sub: Submission) -> None:
    client.force_login(people["officer"])
    post_grid(client, sub)
    sub.refresh_from_db()
    post_grid(client, sub, v_sessions="6")
    response = client.get(url(sub, "reports:submission_history"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="revision"') == 2
    assert "Số buổi tuyên truyền" in html  # the changed figure, named
    assert people["officer"].display_name in html
