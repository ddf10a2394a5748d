"""A unit's report: drafts merged cell by cell, submission, review, lateness, history, conflicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.core.testing import run_together
from danvan.notifications.models import Notification
from danvan.reports import queries, services
from danvan.reports.models import (
    DataValue,
    Period,
    PeriodStatus,
    RevisionAction,
    Submission,
    SubmissionRevision,
    SubmissionStatus,
)

FULL = {"sessions": 3, "participants": "1.200", "received": 10, "resolved": 8, "satisfaction": "92,5",
        "budget": 1_000_000, "own_plan": "có"}
ANSWERS = {"highlights": "Tổ chức 3 buổi đối thoại với Nhân dân.", "difficulties": ""}


@pytest.fixture
def users(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    return {
        "officer_a1": make_user("officer_a1", (tree["A1"], "officer")),
        "officer_a1_bis": make_user("officer_a1_bis", (tree["A1"], "head")),
        "viewer_a1": make_user("viewer_a1", (tree["A1"], "viewer")),
        "officer_a2": make_user("officer_a2", (tree["A2"], "officer")),
        "officer_a": make_user("officer_a", (tree["A"], "officer")),
        "head_a": make_user("head_a", (tree["A"], "head")),
        "viewer_a": make_user("viewer_a", (tree["A"], "viewer")),
        "officer_b": make_user("officer_b", (tree["B"], "officer")),
        "nobody": make_user("nobody"),
    }


@pytest.fixture
def a1(period: Period, tree: dict[str, Any]) -> Submission:
    """A1's report, in a period whose deadline is still ahead."""
    Period.objects.filter(pk=period.pk).update(due_on=timezone.localdate() + dt.timedelta(days=30))
    return Submission.objects.select_related("period").get(period=period, org_unit=tree["A1"])


def actor_of(users: dict[str, Any], who: str) -> Any:
    return AnonymousUser() if who == "anonymous" else users[who]


def fresh(sub: Submission) -> Submission:
    return Submission.objects.get(pk=sub.pk)


def save(sub: Submission, actor: Any, values: dict[str, Any] | None = None, answers: dict[str, Any] | None = None,
         **kw: Any) -> Submission:
    return services.save_draft(actor=actor, submission=sub, values=values or {}, answers=answers or {},
                               expected_version=kw.pop("expected_version", sub.lock_version), **kw)


def submitted(sub: Submission, users: dict[str, Any]) -> Submission:
    save(sub, users["officer_a1"], FULL, ANSWERS)
    return services.submit_report(actor=users["officer_a1"], submission=sub, expected_version=sub.lock_version)


# --------------------------------------------------------------------------- drafts


def test_save_draft_merges_and_keeps_history(a1: Submission, users: dict[str, Any]) -> None:
    officer = users["officer_a1"]
    save(a1, officer, {"sessions": "3"})
    assert a1.status == SubmissionStatus.DRAFT and a1.lock_version == 2
    save(a1, officer, {"participants": "1.200"}, {"highlights": "  Tốt  "})
    row = fresh(a1)
    assert row.values == {"sessions": 3, "participants": 1200}
    assert row.answers == {"highlights": "Tốt"}
    save(a1, officer, {"sessions": None, "participants": ""})
    row = fresh(a1)
    assert row.values == {} and row.answers == {"highlights": "Tốt"} and row.lock_version == 4
    revisions = list(SubmissionRevision.objects.filter(submission=a1).values_list("action", "values"))
    assert revisions == [("saved", {"sessions": 3}), ("saved", {"sessions": 3, "participants": 1200}), ("saved", {})]
    assert AuditEvent.objects.filter(action="reports.submission.saved", object_id=str(a1.pk)).count() == 3
    assert not DataValue.objects.exists()  # drafts never count


def test_saving_nothing_new_writes_nothing(a1: Submission, users: dict[str, Any]) -> None:
    save(a1, users["officer_a1"], {"sessions": 3})
    save(a1, users["officer_a1"], {"sessions": "3"})
    assert fresh(a1).lock_version == 2
    assert SubmissionRevision.objects.filter(submission=a1).count() == 1


@pytest.mark.parametrize(("values", "code"), [
    ({"sessions": "ba"}, "sessions"),
    ({"sessions": -1}, "sessions"),
    ({"satisfaction": 101}, "satisfaction"),
    ({"own_plan": "maybe"}, "own_plan"),
    ({"unknown": 1}, "__all__"),
    ({"resolved_rate": 50}, "resolved_rate"),
])
def test_bad_figures_are_refused_and_nothing_is_lost(a1: Submission, users: dict[str, Any], values: dict[str, Any],
                                                      code: str) -> None:
    save(a1, users["officer_a1"], {"sessions": 3, "received": 4})
    with pytest.raises(ValidationError) as exc:
        save(a1, users["officer_a1"], {"participants": 50, **values})
    assert code in exc.value.message_dict
    row = fresh(a1)
    assert row.values == {"sessions": 3, "received": 4} and row.lock_version == 2


def test_bad_answers_and_shapes(a1: Submission, users: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        save(a1, users["officer_a1"], answers={"nope": "x"})
    assert "__all__" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_draft(actor=users["officer_a1"], submission=a1, values=[1, 2], answers={},  # type: ignore[arg-type]
                            expected_version=a1.lock_version)
    assert "values" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        save(a1, users["officer_a1"], {"sessions": 1}, expected_version="1")
    assert "expected_version" in exc.value.message_dict
    assert fresh(a1).lock_version == 1


def test_two_officers_saving_the_same_copy(a1: Submission, users: dict[str, Any]) -> None:
    first = fresh(a1)
    second = fresh(a1)
    services.save_draft(actor=users["officer_a1"], submission=first, values={"sessions": 3}, answers={},
                        expected_version=1)
    with pytest.raises(ConcurrentEditError):
        services.save_draft(actor=users["officer_a1_bis"], submission=second, values={"sessions": 7, "received": 2},
                            answers={}, expected_version=1)
    row = fresh(a1)
    assert row.values == {"sessions": 3} and row.lock_version == 2
    assert SubmissionRevision.objects.filter(submission=a1).count() == 1


@pytest.mark.parametrize(("who", "allowed"), [
    ("officer_a1", True), ("officer_a", True), ("officer_a2", False), ("viewer_a1", False), ("viewer_a", False),
    ("officer_b", False), ("nobody", False), ("anonymous", False),
])
def test_who_fills_a_report(a1: Submission, users: dict[str, Any], who: str, allowed: bool) -> None:
    actor = actor_of(users, who)
    if allowed:
        save(a1, actor, {"sessions": 2})
        assert fresh(a1).values == {"sessions": 2}
        return
    with pytest.raises(PermissionDenied):
        save(a1, actor, {"sessions": 2})
    with pytest.raises(PermissionDenied):
        services.submit_report(actor=actor, submission=a1, expected_version=a1.lock_version)
    with pytest.raises(PermissionDenied):
        services.prefill_submission(actor=actor, submission=a1, expected_version=a1.lock_version)
    assert fresh(a1).values == {} and fresh(a1).lock_version == 1


# --------------------------------------------------------------------------- pre-filled figures


def test_prefill_then_correct_with_a_reason(a1: Submission, users: dict[str, Any]) -> None:
    officer = users["officer_a1"]
    save(a1, officer, {"sessions": 3})
    services.prefill_submission(actor=officer, submission=a1, expected_version=a1.lock_version)
    row = fresh(a1)
    assert row.prefilled == {"own_plan": False}  # A1 issued no plan
    assert row.values == {"sessions": 3, "own_plan": False}
    assert SubmissionRevision.objects.filter(submission=a1).last().action == RevisionAction.PREFILLED  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as exc:
        save(a1, officer, {"own_plan": "có"})
    assert exc.value.message_dict == {"own_plan": ["Vui lòng nêu lý do thay đổi số liệu điền sẵn."]}
    assert fresh(a1).values["own_plan"] is False
    save(a1, officer, {"own_plan": "có"}, reasons={"own_plan": "Kế hoạch giấy, chưa nhập vào hệ thống"})
    row = fresh(a1)
    assert row.values["own_plan"] is True
    assert row.corrections == {"own_plan": "Kế hoạch giấy, chưa nhập vào hệ thống"}
    # Back to the pre-filled figure: the reason is no longer needed.
    save(a1, officer, {"own_plan": "không"})
    assert fresh(a1).corrections == {}


def test_submit_refuses_a_changed_prefilled_figure_without_reason(a1: Submission, users: dict[str, Any]) -> None:
    save(a1, users["officer_a1"], FULL, ANSWERS)
    Submission.objects.filter(pk=a1.pk).update(prefilled={"sessions": 5})
    a1 = fresh(a1)
    with pytest.raises(ValidationError) as exc:
        services.submit_report(actor=users["officer_a1"], submission=a1, expected_version=a1.lock_version)
    assert "sessions" in exc.value.message_dict
    assert fresh(a1).status == SubmissionStatus.DRAFT


# --------------------------------------------------------------------------- submission


def test_submit_counts_the_figures(a1: Submission, users: dict[str, Any], period: Period) -> None:
    before = Period.objects.get(pk=period.pk).data_version
    sub = submitted(a1, users)
    assert sub.status == SubmissionStatus.SUBMITTED and sub.is_late is False
    assert sub.first_submitted_at == sub.submitted_at and sub.submitted_by == users["officer_a1"]
    counted = dict(DataValue.objects.filter(submission=a1).values_list("indicator__code", "num"))
    assert counted == {"sessions": 3, "participants": 1200, "received": 10, "resolved": 8, "satisfaction": 92.5,
                       "budget": 1_000_000, "own_plan": 1.0}
    assert set(DataValue.objects.values_list("period_id", "anchor_id")) == {(period.pk, a1.anchor_id)}
    assert Period.objects.get(pk=period.pk).data_version > before
    assert SubmissionRevision.objects.filter(submission=a1).last().action == RevisionAction.SUBMITTED  # type: ignore[union-attr]


@pytest.mark.parametrize(("values", "answers", "code"), [
    ({**FULL, "sessions": None}, ANSWERS, "sessions"),
    (FULL, {"highlights": ""}, "highlights"),
    ({**FULL, "resolved": 12}, ANSWERS, "resolved"),
])
def test_submit_checks_required_and_rules(a1: Submission, users: dict[str, Any], values: dict[str, Any],
                                          answers: dict[str, Any], code: str) -> None:
    save(a1, users["officer_a1"], values, answers)
    with pytest.raises(ValidationError) as exc:
        services.submit_report(actor=users["officer_a1"], submission=a1, expected_version=a1.lock_version)
    assert code in exc.value.message_dict
    assert fresh(a1).status == SubmissionStatus.DRAFT and not DataValue.objects.exists()


def test_late_is_judged_on_the_first_submission(a1: Submission, users: dict[str, Any], period: Period) -> None:
    today = timezone.localdate()
    Period.objects.filter(pk=period.pk).update(due_on=today - dt.timedelta(days=1))
    sub = submitted(a1, users)
    assert sub.is_late is True
    # A report first sent in time, returned, and sent again after the deadline is not late.
    first = timezone.now() - dt.timedelta(days=10)
    Period.objects.filter(pk=period.pk).update(due_on=today - dt.timedelta(days=5))
    Submission.objects.filter(pk=sub.pk).update(first_submitted_at=first, is_late=False)
    sub = fresh(sub)
    services.return_report(actor=users["officer_a"], submission=sub, comment="Bổ sung số liệu",
                           expected_version=sub.lock_version)
    save(sub, users["officer_a1"], {"sessions": 4})
    again = services.submit_report(actor=users["officer_a1"], submission=sub, expected_version=sub.lock_version)
    assert again.submitted_at is not None and again.submitted_at > first
    assert again.is_late is False and again.first_submitted_at == first


def test_on_time_submission(a1: Submission, users: dict[str, Any], period: Period) -> None:
    Period.objects.filter(pk=period.pk).update(due_on=timezone.localdate())
    assert submitted(a1, users).is_late is False


def test_double_submit_creates_nothing_twice(a1: Submission, users: dict[str, Any]) -> None:
    save(a1, users["officer_a1"], FULL, ANSWERS)
    version = a1.lock_version
    services.submit_report(actor=users["officer_a1"], submission=fresh(a1), expected_version=version)
    # The same person's second click: a no-op.
    again = services.submit_report(actor=users["officer_a1"], submission=fresh(a1), expected_version=version)
    assert again.lock_version == version + 1
    # Someone else with the same stale copy: a conflict.
    with pytest.raises(ConcurrentEditError):
        services.submit_report(actor=users["officer_a1_bis"], submission=fresh(a1), expected_version=version)
    assert DataValue.objects.filter(submission=a1).count() == 7
    assert SubmissionRevision.objects.filter(submission=a1, action=RevisionAction.SUBMITTED).count() == 1


def test_a_submitted_report_cannot_be_edited(a1: Submission, users: dict[str, Any]) -> None:
    sub = submitted(a1, users)
    with pytest.raises(ValidationError, match="được trả lại"):
        save(sub, users["officer_a1"], {"sessions": 9})
    assert fresh(sub).values["sessions"] == 3


def test_closed_period_refuses_with_a_message(a1: Submission, users: dict[str, Any], period: Period) -> None:
    save(a1, users["officer_a1"], FULL, ANSWERS)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED)
    a1 = fresh(a1)
    with pytest.raises(ValidationError, match="đã đóng"):
        save(a1, users["officer_a1"], {"sessions": 9})
    with pytest.raises(ValidationError, match="đã đóng"):
        services.submit_report(actor=users["officer_a1"], submission=a1, expected_version=a1.lock_version)
    # Without the role it is still a plain refusal.
    with pytest.raises(PermissionDenied):
        save(a1, users["officer_a2"], {"sessions": 9})
    assert fresh(a1).status == SubmissionStatus.DRAFT


# --------------------------------------------------------------------------- review


def test_return_report(a1: Submission, users: dict[str, Any], period: Period,
                       django_capture_on_commit_callbacks: Any) -> None:
    sub = submitted(a1, users)
    version = Period.objects.get(pk=period.pk).data_version
    with pytest.raises(ValidationError) as exc:
        services.return_report(actor=users["officer_a"], submission=sub, comment="  ", expected_version=sub.lock_version)
    assert "comment" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(actor=users["officer_a"], submission=sub, comment="Số đơn chưa khớp",
                               expected_version=sub.lock_version)
    row = fresh(sub)
    assert (row.status, row.review_comment, row.reviewed_by) == (
        SubmissionStatus.RETURNED, "Số đơn chưa khớp", users["officer_a"])
    assert not DataValue.objects.filter(submission=sub).exists()
    assert Period.objects.get(pk=period.pk).data_version > version
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"officer_a1", "officer_a1_bis"}  # the unit's editors, not its viewer nor the province
    assert Notification.objects.first().body == "Số đơn chưa khớp"  # type: ignore[union-attr]
    # The unit corrects: the report becomes a draft again, the comment stays visible.
    save(row, users["officer_a1"], {"received": 12})
    row = fresh(sub)
    assert row.status == SubmissionStatus.DRAFT and row.review_comment == "Số đơn chưa khớp"


def test_accept_locks_the_report(a1: Submission, users: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    sub = submitted(a1, users)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_report(actor=users["officer_a"], submission=sub, expected_version=sub.lock_version)
    row = fresh(sub)
    assert row.status == SubmissionStatus.ACCEPTED and row.is_locked
    assert DataValue.objects.filter(submission=sub).count() == 7
    assert Notification.objects.filter(user=users["officer_a1"]).count() == 1
    with pytest.raises(ValidationError, match="đã được tiếp nhận và đã khóa"):
        save(row, users["officer_a1"], {"sessions": 1})
    with pytest.raises(ValidationError, match="đã được tiếp nhận và đã khóa"):
        services.submit_report(actor=users["officer_a1"], submission=row, expected_version=row.lock_version)
    with pytest.raises(ValidationError, match="Chỉ tiếp nhận được"):
        services.accept_report(actor=users["officer_a"], submission=row, expected_version=row.lock_version)


@pytest.mark.parametrize("who", ["officer_a1", "officer_a2", "viewer_a", "officer_b", "nobody", "anonymous"])
def test_who_may_not_review(a1: Submission, users: dict[str, Any], who: str) -> None:
    sub = submitted(a1, users)
    actor = actor_of(users, who)
    with pytest.raises(PermissionDenied):
        services.accept_report(actor=actor, submission=sub, expected_version=sub.lock_version)
    with pytest.raises(PermissionDenied):
        services.return_report(actor=actor, submission=sub, comment="x", expected_version=sub.lock_version)
    assert fresh(sub).status == SubmissionStatus.SUBMITTED


def test_department_report_is_reviewed_by_its_province(period: Period, tree: dict[str, Any], users: dict[str, Any],
                                                        make_user: Any) -> None:
    Period.objects.filter(pk=period.pk).update(due_on=timezone.localdate() + dt.timedelta(days=5))
    dep_officer = make_user("dep", (tree["Adep"], "officer"))
    sub = Submission.objects.get(period=period, org_unit=tree["Adep"])
    save(sub, dep_officer, FULL, ANSWERS)
    services.submit_report(actor=dep_officer, submission=sub, expected_version=sub.lock_version)
    with pytest.raises(PermissionDenied):
        services.accept_report(actor=dep_officer, submission=sub, expected_version=sub.lock_version)
    services.accept_report(actor=users["officer_a"], submission=sub, expected_version=sub.lock_version)
    assert set(DataValue.objects.filter(submission=sub).values_list("anchor_id", flat=True)) == {tree["A"].pk}


def test_reopen_needs_a_head_and_a_reason(a1: Submission, users: dict[str, Any]) -> None:
    sub = submitted(a1, users)
    services.accept_report(actor=users["officer_a"], submission=sub, expected_version=sub.lock_version)
    with pytest.raises(PermissionDenied):
        services.reopen_report(actor=users["officer_a"], submission=sub, reason="Sai", expected_version=sub.lock_version)
    with pytest.raises(PermissionDenied):
        services.reopen_report(actor=users["officer_a1_bis"], submission=sub, reason="Sai",
                               expected_version=sub.lock_version)
    with pytest.raises(ValidationError) as exc:
        services.reopen_report(actor=users["head_a"], submission=sub, reason="", expected_version=sub.lock_version)
    assert "reason" in exc.value.message_dict
    services.reopen_report(actor=users["head_a"], submission=sub, reason="Phát hiện sai số liệu",
                           expected_version=sub.lock_version)
    row = fresh(sub)
    assert row.status == SubmissionStatus.RETURNED and not DataValue.objects.filter(submission=sub).exists()
    assert SubmissionRevision.objects.filter(submission=sub).last().comment == "Phát hiện sai số liệu"  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="Chỉ mở lại được"):
        services.reopen_report(actor=users["head_a"], submission=row, reason="x", expected_version=row.lock_version)


def test_review_conflict(a1: Submission, users: dict[str, Any]) -> None:
    sub = submitted(a1, users)
    stale = sub.lock_version
    services.accept_report(actor=users["officer_a"], submission=fresh(sub), expected_version=stale)
    with pytest.raises(ConcurrentEditError):
        services.return_report(actor=users["head_a"], submission=fresh(sub), comment="x", expected_version=stale)
    assert fresh(sub).status == SubmissionStatus.ACCEPTED


# --------------------------------------------------------------------------- reads


def test_queries_scope_and_query_counts(period: Period, tree: dict[str, Any], users: dict[str, Any],
                                        django_assert_max_num_queries: Any) -> None:
    sub = Submission.objects.get(period=period, org_unit=tree["A1"])
    Submission.objects.filter(pk=sub.pk).update(status=SubmissionStatus.SUBMITTED)

    def units(qs: Any) -> set[str]:
        with django_assert_max_num_queries(2):
            rows = list(qs)
            for s in rows:  # what a list shows must not cost a query per row
                _ = (s.org_unit.name, s.org_unit.kind.name, s.period.label, s.period.regime.owner.name,
                     s.period.regime.form.name, s.anchor.name)
        return {s.org_unit.name for s in rows}

    a1, a2, dep = tree["A1"].name, tree["A2"].name, tree["Adep"].name
    assert units(queries.visible_submissions(users["officer_a"])) == {a1, a2, dep}
    assert units(queries.visible_submissions(users["officer_a1"])) == {a1}
    assert units(queries.visible_submissions(users["officer_b"])) == set()
    assert units(queries.visible_submissions(users["nobody"])) == set()
    assert units(queries.my_submissions(users["officer_a1"])) == set()  # submitted: nothing to fill
    # The province's own reports (its department's), not every commune's, though the role may fill them.
    assert units(queries.my_submissions(users["officer_a"])) == {dep}
    assert units(queries.my_submissions(users["officer_a2"])) == {a2}
    assert units(queries.my_submissions(users["viewer_a"])) == set()
    assert units(queries.submissions_to_review(users["officer_a"])) == {a1}
    assert units(queries.submissions_to_review(users["officer_a1"])) == set()
    assert units(queries.submissions_to_review(users["viewer_a"])) == set()
    assert units(queries.submissions_to_review(AnonymousUser())) == set()

    regimes = {u: {r.pk for r in queries.visible_regimes(users[u])} for u in users}
    assert regimes["officer_a"] == regimes["officer_a1"] == regimes["viewer_a1"] == {period.regime_id}
    assert regimes["officer_b"] == regimes["nobody"] == set()


# --------------------------------------------------------------------------- two at once (PostgreSQL)



@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections")
def test_two_officers_submit_at_once(period: Period, tree: dict[str, Any], users: dict[str, Any]) -> None:
    assert connection.vendor == "postgresql"
    Period.objects.filter(pk=period.pk).update(due_on=timezone.localdate() + dt.timedelta(days=5))
    sub = Submission.objects.get(period=period, org_unit=tree["A1"])
    save(sub, users["officer_a1"], FULL, ANSWERS)
    version = sub.lock_version
    results = run_together(*[
        (lambda u=u: services.submit_report(actor=users[u], submission=Submission.objects.get(pk=sub.pk),
                                            expected_version=version))
        for u in ("officer_a1", "officer_a1_bis")
    ])
    done = [r for r in results if isinstance(r, Submission)]
    conflicts = [r for r in results if isinstance(r, ConcurrentEditError)]
    assert len(done) == 1 and len(conflicts) == 1, results
    assert DataValue.objects.filter(submission=sub).count() == 7
    assert SubmissionRevision.objects.filter(submission=sub, action=RevisionAction.SUBMITTED).count() == 1
    assert fresh(sub).lock_version == version + 1
