"""The petitions figures a periodic report is pre-filled with (sources ``petitions.*`` of the default form).

Each provider gives the unit's figure over the period's data cut-off (``period.starts_on`` –
``period.ends_on``), as defined in ``danvan.petitions.statistics``. "The unit's figure" is its own
cases and those of the units below it that do not report for themselves in this period (a
commune's villages): a unit below with its own report in the period counts there, not twice.

Registered from ``PetitionsConfig.ready()``. Each provider reads only the group of figures it
needs (one or two queries), since ``reports.prefill.prefill_for`` calls each source once.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from danvan.reports.prefill import register, reporting_below

from . import statistics


def _figures(unit: Any, period: Any, *parts: str) -> dict[str, int]:
    by = statistics.collect(unit, period.starts_on, period.ends_on, exclude=reporting_below(unit, period),
                            parts=frozenset(parts))
    return statistics._complete(by.get(unit.path)) | {k: int(v) for k, v in (by.get(unit.path) or {}).items()}


@register("petitions.reception_days_scheduled", _("Petitions: heads' scheduled reception days"))
def reception_days_scheduled(unit: Any, period: Any) -> int:
    return _figures(unit, period, "sessions")["reception_days_scheduled"]


@register("petitions.reception_days_ad_hoc", _("Petitions: heads' ad hoc reception days"))
def reception_days_ad_hoc(unit: Any, period: Any) -> int:
    return _figures(unit, period, "sessions")["reception_days_ad_hoc"]


@register("petitions.citizens_received", _("Petitions: citizens received"))
def citizens_received(unit: Any, period: Any) -> int:
    return _figures(unit, period, "visits")["citizens_received"]


@register("petitions.received_complaints", _("Petitions: complaints received"))
def received_complaints(unit: Any, period: Any) -> int:
    return _figures(unit, period, "received")["received_complaint"]


@register("petitions.received_denunciations", _("Petitions: denunciations received"))
def received_denunciations(unit: Any, period: Any) -> int:
    return _figures(unit, period, "received")["received_denunciation"]


@register("petitions.received_recommendations", _("Petitions: recommendations and feedback received"))
def received_recommendations(unit: Any, period: Any) -> int:
    """The form's row is "kiến nghị, phản ánh": recommendations and feedback together."""
    f = _figures(unit, period, "received")
    return f["received_recommendation"] + f["received_feedback"]


@register("petitions.received_total", _("Petitions: received in total"))
def received_total(unit: Any, period: Any) -> int:
    return _figures(unit, period, "received")["received_total"]


@register("petitions.resolved", _("Petitions: resolved"))
def resolved(unit: Any, period: Any) -> int:
    return _figures(unit, period, "resolved")["resolved"]


@register("petitions.resolved_on_time", _("Petitions: resolved on time"))
def resolved_on_time(unit: Any, period: Any) -> int:
    return _figures(unit, period, "resolved")["resolved_on_time"]


@register("petitions.mass_cases", _("Petitions: mass and over-level cases"))
def mass_cases(unit: Any, period: Any) -> int:
    """The form's row is "đông người, vượt cấp": mass cases and over-level petitions, each case once."""
    f = _figures(unit, period, "received", "visits")
    return f.get("mass_or_over_level", 0) + f.get("mass_visits", 0)
