"""The grassroots-democracy figures a periodic report is pre-filled with (sources ``disclosures.*``).

Each is the unit's own figure over the period's data cut-off (``period.starts_on`` – ``period.ends_on``):
its records and those of the units below it that do not report for themselves in this period (a
commune's villages, whose residents' decisions are the commune's to report). A unit below with its own
report in the period counts there, not twice (as ``danvan.surveys.prefill`` does).

* ``disclosures.made``: items disclosed, by the first day of posting (``queries.made_between``: a later
  withdrawal does not undo a disclosure made; deleted ones are not counted).
* ``disclosures.decisions_taken``: residents' decisions passed (the law's majority reached), by the day
  the result was recorded (``decisions.taken_between``). A vote that failed decided nothing and is not
  counted here (the open data publishes both).
* ``disclosures.consultations_held``: consultations opened to residents in the period (drafts not).
* ``disclosures.board_supervisions``: findings recorded by the people's boards in the period (each is
  one supervision or inspection of theirs).
* ``disclosures.front_supervisions``: supervisions and social critiques of the Front begun in the period
  on the units counted.

Registered from ``DisclosuresConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from danvan.orgs.scope import subtree_q
from danvan.reports.prefill import register, reporting_below

from .decisions import taken_between
from .models import BoardFinding, Consultation, ConsultationStatus, FrontSupervision
from .queries import made_between


def _own(unit: Any, period: Any, prefix: str = "org_unit__") -> Q:
    """The unit's subtree less the subtrees of the units below it that report for themselves."""
    below = reporting_below(unit, period)
    own = subtree_q([unit.path], prefix=prefix)
    return own & ~subtree_q(below, prefix=prefix) if below else own


@register("disclosures.made", _("Grassroots democracy: items disclosed"))
def made(unit: Any, period: Any) -> int:
    return made_between(_own(unit, period), period.starts_on, period.ends_on).count()


@register("disclosures.decisions_taken", _("Grassroots democracy: residents' decisions passed"))
def decisions_taken(unit: Any, period: Any) -> int:
    return taken_between(_own(unit, period), period.starts_on, period.ends_on).filter(passed=True).count()


@register("disclosures.consultations_held", _("Grassroots democracy: consultations of residents"))
def consultations_held(unit: Any, period: Any) -> int:
    return (Consultation.objects.filter(_own(unit, period), deleted_at__isnull=True,
                                        opens_on__gte=period.starts_on, opens_on__lte=period.ends_on)
            .exclude(status=ConsultationStatus.DRAFT).count())


@register("disclosures.board_supervisions", _("Grassroots democracy: supervisions by the people's boards"))
def board_supervisions(unit: Any, period: Any) -> int:
    return BoardFinding.objects.filter(_own(unit, period, prefix="board__org_unit__"), deleted_at__isnull=True,
                                       board__deleted_at__isnull=True, found_on__gte=period.starts_on,
                                       found_on__lte=period.ends_on).count()


@register("disclosures.front_supervisions", _("Grassroots democracy: supervisions and critiques by the Front"))
def front_supervisions(unit: Any, period: Any) -> int:
    return FrontSupervision.objects.filter(_own(unit, period), deleted_at__isnull=True,
                                           starts_on__gte=period.starts_on, starts_on__lte=period.ends_on).count()
