"""``danvan disclosures check``: tell each commune's officers what the law finds overdue or missing.

Run once a day (cron or a systemd timer). Each problem is told once (the notification's key), so
running it twice sends nothing more. What is checked:

- disclosures late, posted too briefly, or not broadcast as their category needs (``checks``);
- the quarterly list of each ended quarter of this year and the last, per commune;
- residents' decisions not sent to the commune within 5 working days (``decisions.not_sent_in_time``);
- board findings and Front supervisions whose response is overdue.

Who is told: the officers (administrator, head, officer) of the record's unit and of every unit above
it up to its commune (a village's decision reaches the village's and the commune's officers). Nobody
above the commune: a province hears about its communes from its reports, not one by one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core.commands import VietnameseCommand
from danvan.core.writes import fmt_date
from danvan.disclosures import boards, checks, decisions, supervision
from danvan.disclosures.models import Disclosure, QuarterlyList
from danvan.disclosures.rules import CHANGE_ROLES
from danvan.disclosures.services import quarter_bounds
from danvan.notifications.services import notify
from danvan.orgs.models import Membership, OrgUnit
from danvan.orgs.paths import ancestor_ids

CHUNK = 1000


@dataclass(frozen=True)
class Item:
    unit: Any
    key: str
    title: str
    body: str
    url: str


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return reverse("disclosures:home")


def _chunks(ids: list[int]) -> Any:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def recipients(units: list[Any]) -> dict[int, list[Any]]:
    """unit id → the users to tell: the officers of the unit and of its ancestors up to its commune."""
    chains: dict[int, list[int]] = {u.pk: list(reversed(ancestor_ids(u.path))) for u in units}
    wanted = sorted({pk for chain in chains.values() for pk in chain})
    administrative: set[int] = set()
    officers: dict[int, list[Any]] = defaultdict(list)
    for ids in _chunks(wanted):
        administrative |= set(OrgUnit.objects.filter(pk__in=ids, kind__is_administrative=True)
                              .values_list("pk", flat=True))
        for m in (Membership.objects.filter(org_unit_id__in=ids, role__in=CHANGE_ROLES, revoked_at__isnull=True,
                                            user__is_active=True).select_related("user").order_by("pk")):
            officers[m.org_unit_id].append(m.user)
    out: dict[int, list[Any]] = {}
    for unit_id, chain in chains.items():
        users: dict[int, Any] = {}
        for pk in chain:
            for user in officers.get(pk, []):
                users.setdefault(user.pk, user)
            if pk in administrative:
                break
        out[unit_id] = list(users.values())
    return out


def disclosure_items(today: dt.date) -> list[Item]:
    items = []
    for code in checks.CODES:
        rows = (Disclosure.objects.filter(checks.problem_q(code, today)).select_related("org_unit", "category")
                .order_by("pk"))
        for d in rows.iterator(chunk_size=CHUNK):
            found = [p for p in checks.problems(d, today) if p.code == code]
            body = f"{d.title}\n{found[0].message}" if found else d.title
            items.append(Item(d.org_unit, f"disclosure:{d.pk}:{code}",
                              _("Disclosure: %(problem)s") % {"problem": checks.CODES[code]}, body,
                              _url("disclosures:disclosure_detail", d.pk)))
    return items


def quarterly_items(today: dt.date) -> list[Item]:
    """Communes with officers and an ended quarter (of this year or the last) without a posted list."""
    wanted = checks.quarters_to_check(today)
    if not wanted:
        return []
    units = list(OrgUnit.objects.current().filter(kind__code="commune").filter(
        Q(pk__in=Membership.objects.filter(role__in=CHANGE_ROLES, revoked_at__isnull=True).values("org_unit_id")))
        .order_by("path"))
    posted: set[tuple[int, int, int]] = set()
    for ids in _chunks([u.pk for u in units]):
        posted |= set(QuarterlyList.objects.filter(org_unit_id__in=ids, year__in={y for y, _q in wanted})
                      .values_list("org_unit_id", "year", "quarter"))
    items = []
    for unit in units:
        for year, quarter in wanted:
            if (unit.pk, year, quarter) in posted:
                continue
            if unit.valid_from and quarter_bounds(year, quarter)[1] < unit.valid_from:
                continue  # the commune did not exist yet
            url = reverse("disclosures:quarterly") + f"?unit={unit.pk}&year={year}&quarter={quarter}"
            items.append(Item(unit, f"quarterly:{unit.pk}:{year}:{quarter}",
                              _("The list of disclosures of quarter %(q)d/%(y)d was not posted") % {
                                  "q": quarter, "y": year},
                              _("Post the list of what %(unit)s disclosed in the quarter (Law 10/2022, Art. 12).")
                              % {"unit": unit.name}, url))
    return items


def response_items(today: dt.date) -> list[Item]:
    items = []
    for d in decisions.not_sent_in_time(today).select_related("org_unit").iterator(chunk_size=CHUNK):
        items.append(Item(d.org_unit, f"decision:{d.pk}:not-sent",
                          _("A residents' decision was not sent to the commune in time"),
                          _("%(title)s: to be sent by %(due)s.") % {"title": d.title, "due": fmt_date(d.send_due_on)},
                          _url("disclosures:decision_detail", d.pk)))
    for f in boards.overdue_findings(today).select_related("addressed_to").iterator(chunk_size=CHUNK):
        items.append(Item(f.addressed_to, f"finding:{f.pk}:overdue",
                          _("The response to a people's board finding is overdue"),
                          _("%(title)s: response due on %(due)s.") % {"title": f.subject,
                                                                     "due": fmt_date(f.response_due_on)},
                          _url("disclosures:finding_detail", f.pk)))
    for s in supervision.overdue_supervisions(today).select_related("org_unit").iterator(chunk_size=CHUNK):
        items.append(Item(s.org_unit, f"supervision:{s.pk}:overdue",
                          _("The response to a Front supervision is overdue"),
                          _("%(title)s: response due on %(due)s.") % {"title": s.subject,
                                                                     "due": fmt_date(s.response_due_on)},
                          _url("disclosures:supervision_detail", s.pk)))
    return items


def run(today: dt.date | None = None) -> dict[str, int]:
    """Send what is due today; returns how many problems were found and how many notifications were new."""
    today = today or timezone.localdate()
    items = disclosure_items(today) + quarterly_items(today) + response_items(today)
    distinct = list({i.unit.pk: i.unit for i in items}.values())
    who = recipients(distinct)
    sent = 0
    for item in items:
        sent += notify(who.get(item.unit.pk, []), title=item.title, body=item.body, url=item.url, key=item.key)
    return {"problems": len(items), "sent": sent}


class Command(VietnameseCommand):
    help = "Notify communes' officers of late or short disclosures, missing quarterly lists and overdue responses."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="Check as of this day (YYYY-MM-DD); today by default.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                self.stderr.write(_("The date must be written YYYY-MM-DD."))
                raise SystemExit(2) from None
        result = run(today)
        self.stdout.write(_("%(problems)d problems found, %(sent)d notifications sent.") % result)
