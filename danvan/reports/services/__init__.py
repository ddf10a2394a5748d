"""Every write to reports: one transaction and one audit event each, permissions from rules.py.

Three kinds of write live here:

- building a form: only a draft version changes; publishing freezes it, and a change after that
  is a new version, so figures already reported always mean what the form said when they were;
- regimes and periods: opening a period creates a not-started report for every expected unit
  (``sync_expected``), so "expected" is a row that the completeness counts read;
- the report itself: its working copy is JSON on one row with one optimistic lock. Each change is
  a conditional UPDATE on ``lock_version`` (the second of two officers saving the same stale copy
  gets a conflict and keeps nothing of the first's lost), followed by a revision row. Counted
  figures (``DataValue``) exist only while a report is submitted or accepted, and every change of
  a report's status bumps the period's ``data_version``, which keys the cached aggregates.

A user who holds the role but hits a state rule (period closed, report accepted, form
published) gets a ``ValidationError`` that says what to do; only a missing role is
``PermissionDenied``.
"""

from danvan.core.exceptions import ConcurrentEditError

from .forms import (
    INDICATOR_FIELDS,
    QUESTION_FIELDS,
    create_form,
    delete_form_part,
    form_problems,
    new_form_version,
    publish_form,
    save_indicator,
    save_question,
    save_rule,
    save_section,
)
from .regimes import (
    REGIME_FIELDS,
    close_period,
    create_regime,
    delete_regime,
    open_period,
    sync_expected,
    update_period,
    update_regime,
)
from .submissions import (
    accept_report,
    is_repeat_submit,
    prefill_submission,
    reopen_report,
    return_report,
    save_draft,
    submit_report,
)

__all__ = [
    "ConcurrentEditError",
    "create_form",
    "save_section",
    "INDICATOR_FIELDS",
    "save_indicator",
    "QUESTION_FIELDS",
    "save_question",
    "save_rule",
    "delete_form_part",
    "form_problems",
    "publish_form",
    "new_form_version",
    "REGIME_FIELDS",
    "create_regime",
    "update_regime",
    "delete_regime",
    "open_period",
    "update_period",
    "close_period",
    "sync_expected",
    "save_draft",
    "prefill_submission",
    "is_repeat_submit",
    "submit_report",
    "return_report",
    "accept_report",
    "reopen_report",
]
