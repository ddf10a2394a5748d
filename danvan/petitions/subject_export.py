"""A citizen's own data, exported for them (Law 91/2025/QH15 on personal data protection; Decree 356/2025).

The data subject may ask for their data. An official of the unit (its head, an administrator, or a
reception officer: ``rules.SUBJECT_EXPORT_ROLES``) who has checked the citizen's identity card in
person enters the ID number (CCCD) and the name, with the reason, and gets one JSON file to hand
over. JSON because it is the portable, machine-readable form the right to data portability asks
for and it needs no office software to open; the page also shows what it holds.

Matching is by what identifies the filer, never by content, and the name must agree as well, so a
mistyped number does not hand one citizen another's file:

- reception book entries whose ID number is the one given (non-denunciations keep it in clear);
- petitions received from those entries, and petitions whose filer key (``duplicates.filer_key_for``,
  a keyed hash) is that of the ID number, or of the name and address when an address is given;
- a denunciation only when the official is an assigned handler of it (``identity.can_reveal``):
  anyone else must not learn that this citizen denounced anyone (Law 25/2018 Art. 47), so such a
  case is left out without a trace, and including one is audited as a reveal of the identity.

What the file holds: the citizen's own identity as recorded, and for each of their filings its
number, unit, dates, kind, status, the steps (action and date), the notices issued, the decision and
the published result; for complaints, recommendations and feedback also the summary, content and
file names they gave. What it never holds: another person's identity (the matching reads no other
filer), the content of a denunciation (it is about the person denounced: the denouncer gets the
handling and the result, not the allegations back), the officers' written reasons on the steps and
the names of the handling officers (internal working notes of the case file, Circular 05/2021), and
anything of a petition where the citizen is only mentioned (a denounced person gets nothing).

Each export is audited with a keyed hash of the ID number (never the number itself) and the reason,
and an official may make at most ``DANVAN_SUBJECT_EXPORT_DAILY_LIMIT`` exports in 24 hours.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danvan.core import audit
from danvan.core.models import AuditEvent
from danvan.core.text import search_key
from danvan.core.writes import clean_field_text
from danvan.core.writes import raise_if as _raise
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import subtree_q

from . import crypto, duplicates, identity
from .models import FilerIdentity, Notice, Petition, PetitionEvent, PetitionKind, ReceptionVisit

FORMAT = "danvan.subject-export/1"
ACTION = "petitions.subject.export"
ID_SHAPE = re.compile(r"[0-9A-Za-z]{6,20}")
NAME_MAX = 200
ADDRESS_MAX = 300
REASON_MIN = 10
REASON_MAX = 500
DEFAULT_DAILY_LIMIT = 20
MAX_PETITIONS = 500
MAX_VISITS = 500
# Identity values this long (as search keys) must not appear in the reason: it goes to the audit log.
_LEAK_MIN = 4


def daily_limit() -> int:
    return int(getattr(settings, "DANVAN_SUBJECT_EXPORT_DAILY_LIMIT", DEFAULT_DAILY_LIMIT))


def subject_hash(id_number: str) -> str:
    """The audit log's name for the citizen: keyed, and in its own namespace so it joins no other table."""
    return salted_hmac("danvan.petitions.subject_export", search_key(id_number), algorithm="sha256").hexdigest()


def may_export(user: Any, unit: Any) -> bool:
    return (getattr(user, "is_authenticated", False) and isinstance(unit, OrgUnit)
            and bool(user.has_perm("petitions.export_subject_data", unit)))


def _clean(errors: dict[str, Any], id_number: Any, name: Any, address: Any, reason: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    out["id_number"], error = clean_field_text(id_number, 20, required=True)
    out["id_number"] = out["id_number"].replace(" ", "")
    if error:
        errors["id_number"] = error
    elif not ID_SHAPE.fullmatch(out["id_number"]):
        errors["id_number"] = _("The ID number has 6 to 20 letters or digits.")
    out["name"], error = clean_field_text(name, NAME_MAX, required=True)
    if error:
        errors["name"] = error
    out["address"], error = clean_field_text(address, ADDRESS_MAX)
    if error:
        errors["address"] = error
    out["reason"], error = clean_field_text(reason, REASON_MAX, required=True, multiline=True)
    if error:
        errors["reason"] = error
    elif len(out["reason"]) < REASON_MIN:
        errors["reason"] = _("Enter the reason for the export (at least %(n)d characters).") % {"n": REASON_MIN}
    elif _leaks(out["reason"], out):
        errors["reason"] = _("The reason must not contain the citizen's name or ID number.")
    return out


def _leaks(reason: str, data: dict[str, str]) -> bool:
    haystack = search_key(reason).replace(" ", "")
    for key in ("id_number", "name"):
        needle = search_key(data.get(key, "")).replace(" ", "")
        if len(needle) >= _LEAK_MIN and needle in haystack:
            return True
    return False


def _same_name(a: str, b: str) -> bool:
    return bool(a) and search_key(a) == search_key(b)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _visit_out(v: ReceptionVisit) -> dict[str, Any]:
    return {
        "number": v.number, "year": v.book_year, "unit": v.org_unit.name, "visited_on": _iso(v.visited_on),
        "name": v.visitor_name, "address": v.visitor_address, "id_number": v.id_number,
        "summary": v.summary, "kind": v.kind, "people_count": v.people_count, "handling": v.handling,
        "forwarded_to": v.forwarded_to_name, "refusal_ground": v.refusal_ground,
        "refusal_reason": v.refusal_reason, "follow_up": v.follow_up,
    }


def _petition_out(p: Petition, own_identity: dict[str, str] | None) -> dict[str, Any]:
    denunciation = p.kind == PetitionKind.DENUNCIATION
    out: dict[str, Any] = {
        "number": p.number, "year": p.number_year, "unit": p.org_unit.name, "kind": p.kind, "channel": p.channel,
        "received_on": _iso(p.received_on), "status": p.status, "accepted_on": _iso(p.accepted_on),
        "decision_number": p.decision_number, "decision_on": _iso(p.decision_on), "outcome": p.outcome,
        "published_result": p.public_summary if p.published_at else "",
        "steps": [{"at": _iso(e.at), "action": e.action, "from": e.from_status, "to": e.to_status}
                  for e in p.events.all()],  # type: ignore[attr-defined]
        "notices": [{"kind": n.kind, "number": n.number, "year": n.year, "issued_on": _iso(n.issued_on)}
                    for n in p.notices.all()],  # type: ignore[attr-defined]
    }
    if denunciation:
        out["identity"] = own_identity or {}
    else:
        out.update(summary=p.summary, content=p.content, filer_name=p.filer_name, filer_address=p.filer_address,
                   signers=p.signers,
                   files=[{"name": a.original_name, "uploaded_at": _iso(a.uploaded_at)}
                          for a in p.attachments.all() if a.deleted_at is None])  # type: ignore[attr-defined]
    return out


EXCLUDED = (
    gettext_lazy("Other people's identities and data."),
    gettext_lazy("The content of denunciations, and anything of a petition in which the citizen is only mentioned."),
    gettext_lazy("Officers' written reasons on the steps and the names of the handling officers "
                 "(internal working notes)."),
    gettext_lazy("Petitions destroyed after their retention period."),
)


@transaction.atomic
def export_subject_data(*, actor: Any, unit: OrgUnit, id_number: str, name: str, address: str = "",
                        reason: str) -> dict[str, Any]:
    """The citizen's own data in ``unit``'s subtree, as a JSON-ready dict; audited; ``ValidationError`` naming the field."""
    if not may_export(actor, unit):
        raise PermissionDenied(_("Only the head, an administrator or a reception officer of the unit can export "
                                 "a citizen's data."))
    errors: dict[str, Any] = {}
    data = _clean(errors, id_number, name, address, reason)
    _raise(errors)
    since = timezone.now() - dt.timedelta(hours=24)
    if AuditEvent.objects.filter(actor=actor, action=ACTION, at__gte=since).count() >= daily_limit():
        raise ValidationError({NON_FIELD_ERRORS: _(
            "You have reached the limit of %(n)d exports in 24 hours. Try again later.") % {"n": daily_limit()}})

    in_unit = subtree_q([unit.path], prefix="org_unit__")
    visits = [v for v in ReceptionVisit.objects.filter(in_unit, deleted_at__isnull=True,
                                                       id_number__iexact=data["id_number"])
              .exclude(kind=PetitionKind.DENUNCIATION).select_related("org_unit")
              .order_by("visited_on", "pk")[:MAX_VISITS]
              if _same_name(v.visitor_name, data["name"])]
    keys = [duplicates.filer_key_for("", "", {"id_number": data["id_number"]})]
    if data["address"]:
        keys.append(duplicates.filer_key_for(data["name"], data["address"], None))
    match = Q(filer_key__in=keys) | (Q(visit__in=[v.pk for v in visits]) & ~Q(kind=PetitionKind.DENUNCIATION))
    petitions = list(
        Petition.objects.filter(in_unit, match, deleted_at__isnull=True, destroyed_at__isnull=True)
        .select_related("org_unit")
        .prefetch_related(
            Prefetch("events", queryset=PetitionEvent.objects.only(
                "pk", "petition_id", "at", "action", "from_status", "to_status").order_by("at", "pk")),
            Prefetch("notices", queryset=Notice.objects.only(
                "pk", "petition_id", "kind", "number", "year", "issued_on").order_by("issued_on", "pk")),
            "attachments",
        )
        .order_by("received_on", "pk")[:MAX_PETITIONS]
    )
    denunciations = [p for p in petitions if p.kind == PetitionKind.DENUNCIATION]
    identities = {row.petition_id: row.ciphertext for row in FilerIdentity.objects.filter(
        petition__in=[p.pk for p in denunciations])}
    out_petitions = []
    revealed = []
    for p in petitions:
        own: dict[str, str] | None = None
        if p.kind == PetitionKind.DENUNCIATION:
            if p.anonymous or p.pk not in identities or not identity.can_reveal(actor, p):
                continue  # leave no trace: not even that a denunciation exists
            own = crypto.decrypt(identities[p.pk])
            if not _same_name(own.get("name", ""), data["name"]):
                continue
            revealed.append(p)
        elif not _same_name(p.filer_name, data["name"]):
            continue
        out_petitions.append(_petition_out(p, own))
    for p in revealed:
        audit.record("petitions.identity.revealed", actor=actor, obj=p, org_unit=p.org_unit,
                     summary={"reason": "subject access export"})
    audit.record(ACTION, actor=actor, org_unit=unit, summary={
        "subject": subject_hash(data["id_number"]), "reason": data["reason"],
        "petitions": len(out_petitions), "visits": len(visits),
    })
    return {
        "format": FORMAT,
        "generated_at": _iso(timezone.now()),
        "unit": unit.name,
        "legal_basis": "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15; Nghị định 356/2025/NĐ-CP",
        "subject": {"name": data["name"], "id_number": data["id_number"], "address": data["address"]},
        "petitions": out_petitions,
        "reception_visits": [_visit_out(v) for v in visits],
        "excluded": [str(text) for text in EXCLUDED],
    }
