"""The sections of a unit's public page, contributed by the apps that own their data.

The portal knows no app. An app that has something to show the public about a unit registers a
``Section`` from a module of its own imported in its ``AppConfig.ready()`` (a plain call at import
time, no signals)::

    # danvan/surveys/portal_sections.py
    from danvan.portal.registry import OpenFigure, Section, register

    def _context(unit, request):
        surveys = list(open_surveys(unit))
        return {"surveys": surveys} if surveys else None   # None: nothing to show, no heading

    def _figures(unit, date_from, date_to):
        return [OpenFigure("surveys.responses", _("Responses received"), 1234, "")]

    register(Section(key="surveys", title=_("Satisfaction surveys"), order=60,
                     template="surveys/portal/section.html", context=_context, open_data=_figures))

So a section appears when its app is installed, and the portal gains #7's disclosures and dialogues
or #8's practices without a change of its own. ``context`` runs on every view of the page: keep it
to one or two bounded queries (the page must answer in ≤ 150 ms at the 95th percentile). What it
returns must be public: no personal data of citizens, ever.

``open_data`` gives the section's aggregated figures for the unit's subtree over a date range; the
portal publishes them together as CSV and JSON (``/public/units/<id>/data.csv``). Figures are
counts and rates only: never a row about a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

ContextFunc = Callable[[Any, HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class OpenFigure:
    """One aggregated public figure: a stable key, a label, the value (int, float or None: not available)."""

    key: str
    label: Any
    value: int | float | None
    unit: str = ""


OpenDataFunc = Callable[[Any, dt.date, dt.date], list[OpenFigure]]


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    order: int
    template: str
    context: ContextFunc
    open_data: OpenDataFunc | None = None
    # Anchor-linked entry of the page's table of contents; False for small blocks (e.g. a form link).
    in_toc: bool = True


SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add (or replace, when a module is imported twice) the section under its key."""
    SECTIONS[section.key] = section
    return section


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))
