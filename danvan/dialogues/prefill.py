"""The dialogue figures a periodic report is pre-filled with (sources ``dialogues.*`` of the default form).

Each is the unit's own figure over the period's data cut-off (``period.starts_on`` – ``period.ends_on``),
counted by the unit that held the dialogue (and so made the promise): its own and those of the units
below it that do not report for themselves in this period. A unit below with its own report counts
there, not twice (as ``danvan.surveys.prefill`` does). The definitions are those of
``public.subtree_figures``:

* ``dialogues.held``: dialogues held in the period (every kind; cancelled or planned ones are not);
* ``dialogues.participants``: their participants added up; not available (None) when dialogues were
  held but none has its number of participants — never a false 0;
* ``dialogues.commitments_made``: commitments made at the dialogues of the period;
* ``dialogues.commitments_kept``: of those, the ones done by their due date (and by the cut-off);
* ``dialogues.commitments_overdue``: commitments made up to the cut-off, still not done on it, past due.

Registered from ``DialoguesConfig.ready()``. ``prefill_for`` calls each source once; each runs the two
aggregate queries of ``subtree_figures`` plus the one of the units reporting below.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from danvan.reports.prefill import register, reporting_below

from . import public


def _figures(unit: Any, period: Any) -> dict[str, int | None]:
    return public.subtree_figures(unit, period.starts_on, period.ends_on,
                                  exclude_paths=reporting_below(unit, period))


@register("dialogues.held", _("Dialogues: dialogues held"))
def held(unit: Any, period: Any) -> int | None:
    return _figures(unit, period)["held"]


@register("dialogues.participants", _("Dialogues: participants"))
def participants(unit: Any, period: Any) -> int | None:
    return _figures(unit, period)["participants"]


@register("dialogues.commitments_made", _("Dialogues: commitments made"))
def commitments_made(unit: Any, period: Any) -> int | None:
    return _figures(unit, period)["commitments_made"]


@register("dialogues.commitments_kept", _("Dialogues: commitments kept on time"))
def commitments_kept(unit: Any, period: Any) -> int | None:
    return _figures(unit, period)["commitments_kept"]


@register("dialogues.commitments_overdue", _("Dialogues: commitments overdue"))
def commitments_overdue(unit: Any, period: Any) -> int | None:
    return _figures(unit, period)["commitments_overdue"]
