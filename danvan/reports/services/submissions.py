"""A unit's report: drafts, pre-fill, submission, review (return, accept, reopen), counted figures."""


from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.writes import check_version as _check_version
from danvan.core.writes import clean_field_text as _text
from danvan.core.writes import conditional_update as _conditional_update
from danvan.core.writes import is_int
from danvan.core.writes import raise_if as _raise
from danvan.core.writes import user_or_none as _creator
from danvan.orgs.scope import scope_of

from .. import rules as report_rules
from ..models import (
    DataValue,
    PeriodStatus,
    RevisionAction,
    Submission,
    SubmissionRevision,
    SubmissionStatus,
)
from ..totals import refresh_anchor_totals
from ._common import COMMENT_MAX, REASON_MAX, _bump_data_version


def _report_conflict() -> str:
    return _("Someone else changed this report after you opened it. Your changes were not saved: "
             "reload the report, review the current figures and save again.")


def _lock_submission(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("org_unit", "period__regime__form", "period__regime__owner")
        .get(pk=submission.pk)
    )


def _require_filler(actor: Any, sub: Submission) -> None:
    if actor is not None and not report_rules.edits_for_unit.test(actor, sub.org_unit):
        raise PermissionDenied(_("You are not allowed to fill in the reports of this unit."))


def _require_reviewer(actor: Any, sub: Submission, roles: frozenset[str] = report_rules.EDITORS) -> None:
    if actor is None:
        return
    path = report_rules.reviewer_path(sub)
    if not path or not scope_of(actor).covers(path, roles):
        raise PermissionDenied(_("You are not allowed to review the reports of this unit."))


def _check_alive(sub: Submission) -> None:
    if sub.period.regime.deleted_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: _("This reporting regime has been deleted.")})


def _check_fillable(sub: Submission) -> None:
    """The state rules of filling in, with what to do about each."""
    _check_alive(sub)
    if sub.period.status != PeriodStatus.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: _(
            "The period %(label)s is closed; its reports can no longer be changed or submitted.") % {
            "label": sub.period.label}})
    if sub.status == SubmissionStatus.ACCEPTED:
        raise ValidationError({NON_FIELD_ERRORS: _(
            "This report has been accepted and is locked. Ask the reviewing unit to reopen it.")})
    if sub.status == SubmissionStatus.SUBMITTED:
        raise ValidationError({NON_FIELD_ERRORS: _(
            "This report has been submitted and awaits review; it can be changed only after it is returned.")})


def _start(actor: Any, submission: Submission, expected_version: Any) -> tuple[Submission, int]:
    version = _check_version(expected_version)
    fresh = _lock_submission(submission)
    _require_filler(actor, fresh)
    if fresh.lock_version != version:
        raise ConcurrentEditError(_report_conflict())
    return fresh, version


def _revision(sub: Submission, actor: Any, action: str, comment: str = "") -> None:
    SubmissionRevision.objects.create(
        submission=sub, at=timezone.now(), actor=_creator(actor), action=action, status=sub.status,
        values=sub.values, answers=sub.answers, comment=comment,
    )


def _sync_caller(caller: Submission, fresh: Submission) -> None:
    """Keep the caller's copy usable for a next call (its version above all)."""
    for field in ("lock_version", "status", "values", "answers", "prefilled", "corrections", "is_late",
                  "first_submitted_at", "submitted_at", "submitted_by_id", "reviewed_at", "reviewed_by_id",
                  "review_comment"):
        setattr(caller, field, getattr(fresh, field))


def _split(raw: Any, field: str) -> tuple[dict[str, Any], set[str]]:
    """Given keys → (values to clean, codes to remove); None or blank removes a value."""
    if raw is None:
        return {}, set()
    if not isinstance(raw, dict):
        raise ValidationError({field: _("The data is not in the expected shape.")})
    keep: dict[str, Any] = {}
    removed: set[str] = set()
    for code, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            removed.add(str(code))
        else:
            keep[str(code)] = value
    return keep, removed


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def _reason_needed() -> str:
    return _("Give a reason for changing the pre-filled figure.")


def _merge_corrections(
    sub: Submission, values: dict[str, Any], touched: set[str], reasons: dict[str, Any], errors: dict[str, Any],
) -> dict[str, str]:
    """Reasons per pre-filled code whose figure now differs; a change without one is refused."""
    corrections = dict(sub.corrections or {})
    for code, filled in (sub.prefilled or {}).items():
        if _same(values.get(code), filled):
            corrections.pop(code, None)
            continue
        reason, err = _text(reasons.get(code), REASON_MAX, multiline=True)
        if err:
            errors[code] = err
        elif reason:
            corrections[code] = reason
        elif code in touched and not corrections.get(code):
            errors[code] = _reason_needed()
    return corrections


@transaction.atomic
def save_draft(
    *, actor: Any, submission: Submission, values: dict[str, Any] | None, answers: dict[str, Any] | None,
    reasons: dict[str, Any] | None = None, expected_version: int, action: str = RevisionAction.SAVED,
) -> Submission:
    """Merge the given figures and answers into the working copy (other keys are kept).

    A slow link may send one cell at a time: only the keys present change, a key with an empty
    value is cleared. A returned or not-started report becomes a draft.
    """
    from ..validation import clean_answers, clean_values, spec_for

    if action not in (RevisionAction.SAVED, RevisionAction.IMPORTED):
        raise ValueError(f"save_draft cannot record the action {action!r}")
    fresh, version = _start(actor, submission, expected_version)
    _check_fillable(fresh)
    if reasons is not None and not isinstance(reasons, dict):
        raise ValidationError({"reasons": _("The data is not in the expected shape.")})
    spec = spec_for(fresh.period.regime.form)
    keep_values, drop_values = _split(values, "values")
    keep_answers, drop_answers = _split(answers, "answers")
    cleaned_values, errors = clean_values(spec, keep_values)
    cleaned_answers, answer_errors = clean_answers(spec, keep_answers)
    errors = {**answer_errors, **errors}
    new_values = {k: v for k, v in {**fresh.values, **cleaned_values}.items() if k not in drop_values}
    new_answers = {k: v for k, v in {**fresh.answers, **cleaned_answers}.items() if k not in drop_answers}
    corrections = _merge_corrections(fresh, new_values, set(keep_values) | drop_values, reasons or {}, errors)
    _raise(errors)
    status = SubmissionStatus.DRAFT
    changed = new_values != fresh.values or new_answers != fresh.answers or corrections != fresh.corrections
    if not changed and (fresh.status == SubmissionStatus.NOT_STARTED or fresh.status == status):
        return fresh  # nothing to keep: no new version, no revision
    old_status = fresh.status
    _conditional_update(Submission, fresh, version, _report_conflict(),
                        values=new_values, answers=new_answers, corrections=corrections, status=status)
    _sync_caller(submission, fresh)
    _revision(fresh, actor, action)
    if old_status != status:
        _bump_data_version(fresh.period_id)
    audit.record(f"reports.submission.{action}", actor=actor, obj=fresh, org_unit=fresh.org_unit, summary={
        "period": fresh.period_id, "codes": sorted(set(cleaned_values) | drop_values),
        "questions": sorted(set(cleaned_answers) | drop_answers), "status": [old_status, status],
    })
    return fresh


@transaction.atomic
def prefill_submission(*, actor: Any, submission: Submission, expected_version: int) -> Submission:
    """Take what other modules already hold; only empty cells are filled, the officer confirms or corrects."""
    from ..prefill import prefill_for

    fresh, version = _start(actor, submission, expected_version)
    _check_fillable(fresh)
    found = dict(prefill_for(fresh))
    values = dict(fresh.values)
    filled = [code for code, value in found.items() if code not in values and value is not None]
    for code in filled:
        values[code] = found[code]
    corrections = {k: v for k, v in (fresh.corrections or {}).items() if k in found and not _same(values.get(k), found[k])}
    old_status = fresh.status
    _conditional_update(Submission, fresh, version, _report_conflict(), values=values, prefilled=found,
                        corrections=corrections, status=SubmissionStatus.DRAFT)
    _sync_caller(submission, fresh)
    _revision(fresh, actor, RevisionAction.PREFILLED)
    if old_status != fresh.status:
        _bump_data_version(fresh.period_id)
    audit.record("reports.submission.prefill", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"period": fresh.period_id, "sources": sorted(found), "filled": sorted(filled)})
    return fresh


def _write_counted(sub: Submission) -> int:
    from ..validation import counted_numbers, spec_for

    DataValue.objects.filter(submission=sub).delete()
    rows = [
        DataValue(submission=sub, indicator_id=ind_id, period_id=sub.period_id, anchor_id=sub.anchor_id, num=num)
        for ind_id, num in counted_numbers(spec_for(sub.period.regime.form), sub.values)
    ]
    DataValue.objects.bulk_create(rows)
    return len(rows)


def _refresh_totals(sub: Submission) -> None:
    """Recompute the anchor's subtotals; after ``_bump_data_version``, which holds the period's row lock."""
    refresh_anchor_totals(sub.period_id, [sub.anchor_id])


def is_repeat_submit(*, actor: Any, submission: Submission, expected_version: Any) -> bool:
    """Whether this submit is the same person's second click on a report their first click already sent.

    The API and pages check it before their "no longer editable" 409, so a double click answers 200 twice
    whichever request the database serves first; `submit_report` checks it again under the row lock.
    """
    return (
        submission.status == SubmissionStatus.SUBMITTED and is_int(expected_version)
        and submission.lock_version == expected_version + 1
        and submission.submitted_by_id is not None
        and submission.submitted_by_id == getattr(_creator(actor), "pk", None)
    )


@transaction.atomic
def submit_report(*, actor: Any, submission: Submission, expected_version: int) -> Submission:
    """Send the report to the level above; its figures count from now on.

    Late is judged on the *first* submission (a report returned for correction and sent again is
    not made late by the correction). A second click with the same version changes nothing.
    """
    from ..validation import check_for_submission, spec_for

    version = _check_version(expected_version)
    fresh = _lock_submission(submission)
    _require_filler(actor, fresh)
    if is_repeat_submit(actor=actor, submission=fresh, expected_version=version):
        _sync_caller(submission, fresh)
        return fresh  # the same person's double submit: already done
    if fresh.lock_version != version:
        raise ConcurrentEditError(_report_conflict())
    _check_fillable(fresh)
    errors = dict(check_for_submission(spec_for(fresh.period.regime.form), fresh.values, fresh.answers))
    for code, filled in (fresh.prefilled or {}).items():
        if not _same(fresh.values.get(code), filled) and not (fresh.corrections or {}).get(code):
            errors.setdefault(code, _reason_needed())
    _raise(errors)
    now = timezone.now()
    first = fresh.first_submitted_at or now
    _conditional_update(
        Submission, fresh, version, _report_conflict(), status=SubmissionStatus.SUBMITTED,
        first_submitted_at=first, submitted_at=now, submitted_by=_creator(actor),
        is_late=timezone.localdate(first) > fresh.period.due_on, review_comment="",
    )
    counted = _write_counted(fresh)
    _bump_data_version(fresh.period_id)
    _refresh_totals(fresh)
    _sync_caller(submission, fresh)
    _revision(fresh, actor, RevisionAction.SUBMITTED)
    audit.record("reports.submission.submit", actor=actor, obj=fresh, org_unit=fresh.org_unit, summary={
        "period": fresh.period_id, "late": fresh.is_late, "counted": counted})
    return fresh


def _submission_url(sub: Submission) -> str:
    try:
        return reverse("reports:submission", args=[sub.pk])
    except NoReverseMatch:
        return ""


def _notify_unit(sub: Submission, *, title: str, body: str, event: str) -> None:
    """Tell the unit's editors, once the change is committed (a rollback tells no one)."""
    from danvan.accounts.models import User
    from danvan.notifications.services import notify

    users = list(
        User.objects.filter(
            is_active=True, memberships__org_unit_id=sub.org_unit_id, memberships__revoked_at__isnull=True,
            memberships__role__in=report_rules.EDITORS,
        ).distinct()
    )
    if not users:
        return
    url = _submission_url(sub)
    key = f"reports.{event}:{sub.pk}:{sub.lock_version}"
    transaction.on_commit(lambda: notify(users, title=title, body=body, url=url, key=key))


def _start_review(
    actor: Any, submission: Submission, expected_version: Any, roles: frozenset[str] = report_rules.EDITORS,
) -> tuple[Submission, int]:
    version = _check_version(expected_version)
    fresh = _lock_submission(submission)
    _require_reviewer(actor, fresh, roles)
    if fresh.lock_version != version:
        raise ConcurrentEditError(_report_conflict())
    _check_alive(fresh)
    return fresh, version


def _uncount(sub: Submission) -> None:
    DataValue.objects.filter(submission=sub).delete()


def _send_back(
    actor: Any, submission: Submission, expected_version: int, *, text: str, field: str, roles: frozenset[str],
    from_status: str, wrong_status: str, missing_text: str, action: str, event: str,
) -> Submission:
    """Return a submitted report, or reopen an accepted one: the unit gets it back to correct, uncounted."""
    fresh, version = _start_review(actor, submission, expected_version, roles)
    if fresh.status != from_status:
        raise ValidationError({NON_FIELD_ERRORS: wrong_status})
    if fresh.period.status != PeriodStatus.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: _(
            "The period %(label)s is closed: the unit could not correct the report.") % {"label": fresh.period.label}})
    text, err = _text(text, COMMENT_MAX, required=True, multiline=True)
    if err:
        raise ValidationError({field: missing_text if not text else err})
    _conditional_update(Submission, fresh, version, _report_conflict(), status=SubmissionStatus.RETURNED,
                        reviewed_at=timezone.now(), reviewed_by=_creator(actor), review_comment=text)
    _uncount(fresh)
    _bump_data_version(fresh.period_id)
    _refresh_totals(fresh)
    _sync_caller(submission, fresh)
    _revision(fresh, actor, action, text)
    audit.record(f"reports.submission.{event}", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"period": fresh.period_id, field: text})
    return fresh


@transaction.atomic
def return_report(*, actor: Any, submission: Submission, comment: str, expected_version: int) -> Submission:
    """Send a submitted report back for correction; its figures stop counting until it is submitted again."""
    fresh = _send_back(
        actor, submission, expected_version, text=comment, field="comment", roles=report_rules.EDITORS,
        from_status=SubmissionStatus.SUBMITTED, wrong_status=_("Only a submitted report can be returned."),
        missing_text=_("Say what must be corrected."), action=RevisionAction.RETURNED, event="return",
    )
    _notify_unit(fresh, title=_("Your report for %(period)s was returned for correction") % {
        "period": fresh.period.label}, body=fresh.review_comment, event="returned")
    return fresh


@transaction.atomic
def accept_report(*, actor: Any, submission: Submission, expected_version: int) -> Submission:
    """Accept a submitted report: it is locked, its figures keep counting."""
    fresh, version = _start_review(actor, submission, expected_version)
    if fresh.status != SubmissionStatus.SUBMITTED:
        raise ValidationError({NON_FIELD_ERRORS: _("Only a submitted report can be accepted.")})
    _conditional_update(Submission, fresh, version, _report_conflict(), status=SubmissionStatus.ACCEPTED,
                        reviewed_at=timezone.now(), reviewed_by=_creator(actor))
    _bump_data_version(fresh.period_id)
    _sync_caller(submission, fresh)
    _revision(fresh, actor, RevisionAction.ACCEPTED)
    audit.record("reports.submission.accept", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"period": fresh.period_id})
    _notify_unit(fresh, title=_("Your report for %(period)s was accepted") % {"period": fresh.period.label},
                 body="", event="accepted")
    return fresh


@transaction.atomic
def reopen_report(*, actor: Any, submission: Submission, reason: str, expected_version: int) -> Submission:
    """Unlock an accepted report (heads of the reviewing unit only): it goes back to the unit as returned."""
    fresh = _send_back(
        actor, submission, expected_version, text=reason, field="reason", roles=report_rules.SIGNERS,
        from_status=SubmissionStatus.ACCEPTED, wrong_status=_("Only an accepted report can be reopened."),
        missing_text=_("Say why the report is reopened."), action=RevisionAction.REOPENED, event="reopen",
    )
    _notify_unit(fresh, title=_("Your report for %(period)s was reopened for correction") % {
        "period": fresh.period.label}, body=fresh.review_comment, event="reopened")
    return fresh
