"""The "Dialogues and commitments" section of a unit's public page, and its open-data figures.

Two bounded queries a view: the summary of the public commitments the unit made or must keep (how many
were kept on time), and its latest public dialogues with their public commitments and their states.
The links lead to ``views_public`` (a dialogue, all of the unit's commitments). A unit with no public
dialogue and no public commitment gets no section. Registered from ``DialoguesConfig.ready()``.
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

FIGURES: list[tuple[str, Any, str]] = [
    ("held", _("Dialogues held"), "dialogues"),
    ("front_held", _("Dialogues of the commune committee with the Fatherland Front"), "dialogues"),
    ("participants", _("Participants in the dialogues"), "people"),
    ("commitments_made", _("Commitments made at the dialogues"), "commitments"),
    ("commitments_kept", _("Commitments kept on time"), "commitments"),
    ("commitments_overdue", _("Commitments overdue"), "commitments"),
]


def _context(unit: Any, request: HttpRequest) -> dict[str, Any] | None:
    today = timezone.localdate()
    summary = public.unit_summary(unit, today)
    dialogues, cut = public.recent_with_commitments(unit, today)
    if not dialogues and not summary.made:
        return None
    return {"summary": summary, "dialogues": dialogues, "cut": cut, "today": today,
            "commitments_url": reverse("dialogues_public:unit_commitments", args=[unit.pk]),
            "dialogues_url": reverse("dialogues_public:unit_dialogues", args=[unit.pk])}


def open_figures(unit: Any, date_from: dt.date, date_to: dt.date) -> list[OpenFigure]:
    figures = public.subtree_figures(unit, date_from, date_to)
    out = [OpenFigure(f"dialogues.{key}", label, figures[key], measure) for key, label, measure in FIGURES]
    made, kept = figures["commitments_made"] or 0, figures["commitments_kept"] or 0
    out.append(OpenFigure("dialogues.commitments_kept_share", _("Share of the commitments made kept on time"),
                          round(100 * kept / made, 1) if made else None, "%"))
    return out


SECTION = register(Section(key="dialogues", title=_("Dialogues and commitments"), order=50,
                           template="dialogues/portal/section.html", context=_context, open_data=open_figures))
