"""The pre-aggregation as a background task, for deployments that schedule tasks rather than cron.

``refresh_figures`` does what ``danvan dashboard refresh`` does (``danvan.dashboard.refresh``); enqueue
it every 4 minutes. Periods are keys ("2026", "2026-Q3") so that the task's arguments serialise.
"""

from __future__ import annotations

from typing import Any

from danvan.core.tasks import retrying_task

from .refresh import refresh


@retrying_task()
def refresh_figures(periods: list[str] | None = None) -> dict[str, Any]:
    run = refresh(periods or None)
    return {"refresh": run.pk, "periods": run.periods, "figures": run.figures, "error": run.error}
