"""Pre-filling a report from figures other modules already hold.

An indicator names its source in ``Indicator.prefill_source`` (e.g. ``"plans.issued_own_plan"``).
A *provider* is a function ``(unit, period) -> value`` registered under that key; it returns the
figure for the unit over the period's data cut-off, or ``None`` when it has nothing to say.

The registry is open: an app that holds figures registers its providers from a module of its own,
imported in its ``AppConfig.ready()``::

    # danvan/petitions/report_sources.py
    from danvan.reports.prefill import register

    @register("petitions.received_total", _("Petitions received"))
    def received_total(unit, period): ...

    # danvan/petitions/apps.py
    def ready(self):
        from . import report_sources  # noqa: F401

(No signals: registration is a plain call at import time.) Only the plans providers exist here,
because plans are the only module with the data today. A form may already name sources of modules
not built yet (``petitions.*``, ``dialogues.*``, ``practices.*``, ``surveys.*``,
``disclosures.*``): such an indicator is simply *not available* and left for the officer to fill —
never pre-filled as zero, which would be a false figure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from danvan.plans.models import Plan, PlanStatus, Task, TaskStatus

from .validation import parse_value, spec_for

logger = logging.getLogger(__name__)

Value = int | float | bool | str | None
ProviderFunc = Callable[[Any, Any], Value]


@dataclass(frozen=True)
class Provider:
    key: str
    label: Any
    func: ProviderFunc


PROVIDERS: dict[str, Provider] = {}


def register(key: str, label: Any) -> Callable[[ProviderFunc], ProviderFunc]:
    """Decorator: make ``func(unit, period)`` the source of ``key``.

    Registering the same function again (a module imported twice) is harmless; a second,
    different function for a key already taken is a programming error.
    """

    def decorate(func: ProviderFunc) -> ProviderFunc:
        current = PROVIDERS.get(key)
        if current is not None and (current.func.__module__, current.func.__qualname__) != (
            func.__module__, func.__qualname__,
        ):
            raise ValueError(f"prefill source {key!r} is already provided by {current.func.__module__}")
        PROVIDERS[key] = Provider(key=key, label=label, func=func)
        return func

    return decorate


def reporting_below(unit: Any, period: Any) -> list[str]:
    """Paths of the units below ``unit`` that report for themselves in ``period``.

    A source counts the unit's own records and those of the units below it that do not report (a
    commune's villages); a unit below with its own report counts there, and the aggregation adds it
    up the tree, so nothing is counted twice.
    """
    from danvan.orgs.scope import subtree_q

    from .models import Submission

    return list(
        Submission.objects.filter(period=period, expected=True)
        .filter(subtree_q([unit.path], prefix="org_unit__")).exclude(org_unit_id=unit.pk)
        .values_list("org_unit__path", flat=True)
    )


def available_sources() -> list[tuple[str, str]]:
    """(key, label) of every source that can pre-fill today, for the form editor's choice list."""
    return sorted((p.key, str(p.label)) for p in PROVIDERS.values())


def prefill_for(submission: Any) -> dict[str, Value]:
    """What the registered providers hold for this report: {indicator code: value}.

    Indicators without a source, with a source nobody provides yet, or whose provider has no
    figure (``None``) are left out. A provider's answer goes through the same parser as a typed
    figure, so a provider can never put into a report what an officer could not type.
    """
    period = submission.period
    spec = spec_for(period.regime.form)
    unit = submission.org_unit
    results: dict[str, Value] = {}
    out: dict[str, Value] = {}
    for ind in spec.indicators:
        provider = PROVIDERS.get(ind.prefill_source) if ind.prefill_source else None
        if provider is None or ind.is_computed:
            continue
        if provider.key not in results:
            results[provider.key] = provider.func(unit, period)
        raw = results[provider.key]
        if raw is None:
            continue
        try:
            value = parse_value(ind, raw)
        except ValueError:
            logger.warning("prefill source %s gave %r, not valid for indicator %s", provider.key, raw, ind.code)
            continue
        if value is not None:
            out[ind.code] = value
    return out


# --------------------------------------------------------------------------- plans

_DONE_STATUSES = (PlanStatus.ISSUED, PlanStatus.CLOSED)


def _issued_plans() -> QuerySet[Plan]:
    """Issued (or closed) plans that are alive and not replaced by an issued amendment.

    An issued amendment copies its original's tasks while the original stays issued; counting
    only the latest issued version keeps a task from being counted twice.
    """
    superseded = Plan.objects.filter(amends=OuterRef("pk"), status__in=_DONE_STATUSES, deleted_at__isnull=True)
    return Plan.objects.alive().filter(status__in=_DONE_STATUSES).filter(~Exists(superseded))


@register("plans.issued_own_plan", _("Plans: the unit issued its own plan"))
def issued_own_plan(unit: Any, period: Any) -> bool:
    """Yes when the unit issued a plan for the period's year, or issued one within the cut-off."""
    return (
        Plan.objects.alive()
        .filter(issuer=unit, status__in=_DONE_STATUSES)
        .filter(Q(year=period.year) | Q(issued_on__gte=period.starts_on, issued_on__lte=period.ends_on))
        .exists()
    )


def _tasks_led(unit: Any, period: Any) -> QuerySet[Task]:
    plans = _issued_plans().filter(year=period.year)
    return Task.objects.filter(lead_unit=unit, plan__in=plans).exclude(status=TaskStatus.CANCELLED)


@register("plans.tasks_led", _("Plans: tasks the unit leads"))
def tasks_led(unit: Any, period: Any) -> int:
    """Tasks (not cancelled) the unit leads in the issued plans of the period's year, whoever issued them."""
    return _tasks_led(unit, period).count()


@register("plans.tasks_done", _("Plans: tasks the unit led to completion"))
def tasks_done(unit: Any, period: Any) -> int:
    return _tasks_led(unit, period).filter(status=TaskStatus.DONE).count()
