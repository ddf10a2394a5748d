"""What petitions add to a unit's public page: reception schedule, how to file and track, published results.

Registered with the portal at import time (``apps.ready``). Each context is at most one bounded
query and shows only what is already public elsewhere on the site: the published sessions (the
receiving official's name and title are public by law), and results whose text was checked at
publication for the filer's name, address and contact. The open-data figures are the counts of
``statistics.petition_stats`` for the unit's subtree — never a row about a case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.portal.registry import OpenFigure, Section, register

SCHEDULE_DAYS = 60
SCHEDULE_MAX = 20
RESULTS_MAX = 5

# (key, label, unit of measure) in the order the open data lists them.
FIGURES: list[tuple[str, Any, str]] = [
    ("received_total", _("Petitions received"), "petitions"),
    ("received_complaint", _("Complaints received"), "petitions"),
    ("received_denunciation", _("Denunciations received"), "petitions"),
    ("received_recommendation", _("Recommendations received"), "petitions"),
    ("received_feedback", _("Feedback received"), "petitions"),
    ("received_mixed", _("Petitions with mixed content received"), "petitions"),
    ("accepted", _("Petitions accepted for resolution"), "petitions"),
    ("resolved", _("Petitions resolved"), "petitions"),
    ("resolved_on_time", _("Petitions resolved on time"), "petitions"),
    ("overdue", _("Open petitions past their deadline"), "petitions"),
    ("mass_cases", _("Mass cases (5 people or more)"), "cases"),
    ("prolonged", _("Prolonged cases"), "cases"),
    ("over_level", _("Petitions sent to a higher level than competent"), "petitions"),
    ("citizens_received", _("Citizens received at receptions"), "people"),
    ("reception_days_scheduled", _("Heads' reception days, scheduled"), "days"),
    ("reception_days_ad_hoc", _("Heads' reception days, ad hoc"), "days"),
]


def _schedule(unit: Any, request: HttpRequest) -> dict[str, Any] | None:
    from .reception import published_sessions

    today = timezone.localdate()
    sessions = list(published_sessions(unit, today, today + dt.timedelta(days=SCHEDULE_DAYS))[:SCHEDULE_MAX])
    return {"sessions": sessions, "days": SCHEDULE_DAYS, "more": len(sessions) >= SCHEDULE_MAX,
            "all_url": reverse("petitions_public:schedules") + "?" + urlencode({"q": unit.name})}


def _submit(unit: Any, request: HttpRequest) -> dict[str, Any] | None:
    query = urlencode({"unit": unit.pk, "q": unit.name})
    return {"submit_url": reverse("petitions_public:submit") + "?" + query,
            "track_url": reverse("petitions_public:track")}


def _results(unit: Any, request: HttpRequest) -> dict[str, Any] | None:
    from .public import published_results

    page = published_results(unit=unit, limit=RESULTS_MAX)
    if not page.items:
        return None
    return {"results": page.items, "more": page.next is not None,
            "all_url": reverse("petitions_public:results") + "?" + urlencode({"q": unit.name})}


def open_figures(unit: Any, date_from: dt.date, date_to: dt.date) -> list[OpenFigure]:
    from .statistics import petition_stats

    stats = petition_stats(unit, date_from, date_to)
    out = [OpenFigure(f"petitions.{key}", label, stats.get(key), measure) for key, label, measure in FIGURES]
    resolved = stats.get("resolved") or 0
    share = round(100 * stats.get("resolved_on_time", 0) / resolved, 1) if resolved else None
    out.append(OpenFigure("petitions.resolved_on_time_share", _("Share of resolved petitions resolved on time"),
                          share, "%"))
    return out


register(Section(key="reception", title=_("Citizen reception schedule"), order=10,
                 template="petitions/public/portal_schedule.html", context=_schedule))
register(Section(key="petitions-submit", title=_("Send a recommendation or feedback"), order=20,
                 template="petitions/public/portal_submit.html", context=_submit))
register(Section(key="petitions-results", title=_("Published results"), order=30,
                 template="petitions/public/portal_results.html", context=_results, open_data=open_figures))
