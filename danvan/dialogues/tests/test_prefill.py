"""The dialogue sources of the report pre-fill: dialogues held, participants, commitments made, kept, overdue."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from danvan.dialogues import prefill
from danvan.dialogues.models import Commitment, Dialogue
from danvan.reports.models import Indicator, Submission
from danvan.reports.prefill import PROVIDERS, prefill_for
from danvan.reports.tests.conftest import period, small_form  # noqa: F401 - fixtures used by name

pytestmark = pytest.mark.django_db
D = dt.date
KEYS = ("held", "participants", "commitments_made", "commitments_kept", "commitments_overdue")


def dialogue(unit: Any, on: dt.date, status: str = "held", **extra: Any) -> Dialogue:
    return Dialogue.objects.create(org_unit=unit, kind=extra.pop("kind", "citizens"), title=f"Đối thoại {on}",
                                   held_on=on, status=status, **extra)


def promise(d: Dialogue, due_on: dt.date, status: str = "open", done_on: dt.date | None = None,
            **extra: Any) -> Commitment:
    return Commitment.objects.create(dialogue=d, number=Commitment.objects.filter(dialogue=d).count() + 1,
                                     text=f"Việc {due_on} {status}", owner_unit=d.org_unit, due_on=due_on,
                                     status=status, done_on=done_on, **extra)


def figures(unit: Any, report_period: Any) -> dict[str, Any]:
    return {key: getattr(prefill, key)(unit, report_period) for key in KEYS}


def test_the_default_forms_dialogue_sources_are_provided() -> None:
    import danvan.reports.default_form as default_form

    text = Path(default_form.__file__).read_text(encoding="utf-8")
    sources = set(re.findall(r'"(dialogues\.[a-z_]+)"', text))
    assert sources == {"dialogues.held", "dialogues.participants", "dialogues.commitments_made",
                       "dialogues.commitments_kept"}
    assert sources | {"dialogues.commitments_overdue"} <= set(PROVIDERS)


def test_figures_over_the_period_and_subtree(tree: Any, period: Any, small_form: Any) -> None:  # noqa: F811
    # Period data: 15/12/2025 – 31/05/2026; A1, A2 and Adep report for themselves.
    d = dialogue(tree["A1"], D(2026, 1, 10), participants=70)
    village = dialogue(tree["A1v"], D(2026, 3, 1), participants=30, kind="front")
    promise(d, D(2026, 2, 1), "done", D(2026, 1, 30))  # kept on time
    promise(d, D(2026, 2, 1), "done", D(2026, 2, 15))  # done late: made, not kept, overdue no more
    promise(d, D(2026, 3, 1), "done", D(2026, 6, 10))  # done after the cut-off: overdue at the cut-off
    promise(d, D(2026, 4, 1), "in_progress")  # overdue
    promise(village, D(2026, 9, 1))  # not yet due
    promise(village, D(2026, 2, 1), "dropped")
    promise(village, D(2026, 2, 1), deleted_at=timezone.now())
    old = dialogue(tree["A1"], D(2025, 11, 1), participants=500)  # before the cut-off: not held in the period
    promise(old, D(2025, 12, 31))  # made earlier, still overdue at the cut-off
    dialogue(tree["A1"], D(2026, 2, 1), status="cancelled", participants=500)
    dialogue(tree["A1"], D(2026, 5, 1), status="planned")
    dialogue(tree["A1"], D(2026, 2, 2), deleted_at=timezone.now(), participants=500)
    dialogue(tree["B1"], D(2026, 2, 2), participants=500)

    assert figures(tree["A1"], period) == {"held": 2, "participants": 100, "commitments_made": 6,
                                           "commitments_kept": 1, "commitments_overdue": 3}
    # The province's own figure: A1 reports for itself, so nothing of it counts here, not even as 0 people.
    assert figures(tree["A"], period) == dict.fromkeys(KEYS, 0)
    # Dialogues held whose participants nobody counted: not available, never a false 0.
    dialogue(tree["A2"], D(2026, 1, 5))
    assert prefill.participants(tree["A2"], period) is None and prefill.held(tree["A2"], period) == 1

    for i, key in enumerate(KEYS):
        Indicator.objects.create(form=small_form, code=f"dlg_{i}", name=key, value_type="count",
                                 prefill_source=f"dialogues.{key}", order=90 + i)
    got = prefill_for(Submission.objects.get(period=period, org_unit=tree["A1"]))
    assert [got[f"dlg_{i}"] for i in range(len(KEYS))] == [2, 100, 6, 1, 3]
    got = prefill_for(Submission.objects.get(period=period, org_unit=tree["A2"]))
    assert "dlg_1" not in got and got["dlg_0"] == 1
