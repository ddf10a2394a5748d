"""The "Disclosures" section of a unit's public page (what is posted today, consultations), and its open data.

Two bounded queries a view (the postings of today, the consultations open or with a published
result); the links lead to the month calendar and the quarters' lists of ``views_public``. A commune
always gets the section (its calendar is worth a link even on a day nothing is posted); any other unit
only when it has something to show. The open-data figures are counts of the unit's subtree over the
period (``public.subtree_figures``). Registered from ``DisclosuresConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.portal.registry import OpenFigure, Section, register

from . import public

COMMUNE_KIND = "commune"

FIGURES: list[tuple[str, Any, str]] = [
    ("made", _("Items disclosed"), "items"),
    ("made_late", _("Items disclosed later than 5 working days after the decision"), "items"),
    ("decisions_voted", _("Matters put to the residents' decision"), "decisions"),
    ("decisions_taken", _("Residents' decisions passed"), "decisions"),
    ("consultations_published", _("Consultations with a published result"), "consultations"),
    ("front_supervisions", _("Supervisions and critiques of the Fatherland Front"), "supervisions"),
    ("board_findings", _("Findings of the people's boards"), "findings"),
]


def _context(unit: Any, request: HttpRequest) -> dict[str, Any] | None:
    today = timezone.localdate()
    posted = public.posted_now(unit, today)
    consultations = public.open_consultations(unit, today)
    is_commune = getattr(getattr(unit, "kind", None), "code", "") == COMMUNE_KIND
    if not posted and not consultations and not is_commune:
        return None
    return {
        "posted": posted[:public.SECTION_MAX], "more_posted": len(posted) > public.SECTION_MAX,
        "consultations": consultations[:public.SECTION_MAX], "today": today,
        "calendar_url": reverse("disclosures_public:calendar", args=[unit.pk]),
        "quarters_url": reverse("disclosures_public:quarters", args=[unit.pk]),
    }


def open_figures(unit: Any, date_from: dt.date, date_to: dt.date) -> list[OpenFigure]:
    figures = public.subtree_figures(unit, date_from, date_to)
    out = [OpenFigure(f"disclosures.{key}", label, figures[key], measure) for key, label, measure in FIGURES]
    made = figures["made"]
    share = round(100 * (made - figures["made_late"]) / made, 1) if made else None
    out.append(OpenFigure("disclosures.on_time_share", _("Share of items disclosed on time"), share, "%"))
    return out


SECTION = register(Section(key="disclosures", title=_("Public disclosures"), order=40,
                           template="disclosures/portal/section.html", context=_context, open_data=open_figures))
