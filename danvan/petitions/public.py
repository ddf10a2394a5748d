"""The citizen's side without an account: file a recommendation or feedback online, track it, read results.

A filing gets a tracking code (``PA`` + 8 Crockford base32 characters: no I, L, O, U to misread)
and a secret shown once. Only a hash of the secret is kept (``make_password``), so nobody — not
even an administrator reading the database — can track a case in the citizen's place. A replay of
the same submission (same idempotency key) returns the same petition and an empty secret: the
secret cannot be shown again, because it is not kept. Tracking answers ``None`` alike for an
unknown code and for a wrong secret, after the same password check, so neither the answer nor
its timing tells whether a code exists.

What the public sees is always a reduction: a simplified status, the dates of the steps (never
reasons or names), and the result text an officer published after a check that it does not repeat
the filer's name, address or contact.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import rules
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danvan.api.pagination import decode_cursor, encode_cursor, is_dated_key
from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.text import search_key
from danvan.core.writes import check_version, clean_field_text, conditional_update
from danvan.core.writes import raise_if as _raise
from danvan.orgs.models import OrgUnit
from danvan.orgs.scope import scope_of

from . import services
from .locking import conflict_message, lock_alive_petition
from .models import Channel, FilerIdentity, Petition, PetitionField, PetitionKind, PetitionStatus
from .workflow import HANDLING_ROLES

S = PetitionStatus
PUBLIC_KINDS = (PetitionKind.RECOMMENDATION, PetitionKind.FEEDBACK)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PREFIX = "PA"
CODE_LENGTH = 8
CODE_TRIES = 8
KEY_PREFIX = "online:"  # public keys never meet an officer's idempotency keys
CONTACT_MAX = 200
RESULT_MAX = 5000
PAGE_SIZE = 30
LEAK_MIN = 4
# A published text must carry no contact data at all: e-mail addresses and phone-like digit runs.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+?84|0)[\s.-]?\d(?:[\s.-]?\d){7,10}")
# A hash to check against when the code is unknown, so that the answer takes the same time.
_DUMMY_HASH: list[str] = []


class PublicStatus:
    RECEIVED = "received"
    HANDLING = "handling"
    ANSWERED = "answered"
    CLOSED = "closed"


PUBLIC_LABELS: dict[str, Promise] = {
    PublicStatus.RECEIVED: gettext_lazy("Received"),
    PublicStatus.HANDLING: gettext_lazy("Being handled"),
    PublicStatus.ANSWERED: gettext_lazy("Answered"),
    PublicStatus.CLOSED: gettext_lazy("Closed"),
}

_STATUS_MAP = {
    S.RECEIVED: PublicStatus.RECEIVED, S.CLASSIFIED: PublicStatus.RECEIVED,
    S.ACCEPTED: PublicStatus.HANDLING, S.VERIFYING: PublicStatus.HANDLING, S.SUSPENDED: PublicStatus.HANDLING,
    S.FORWARDED: PublicStatus.ANSWERED, S.GUIDED: PublicStatus.ANSWERED, S.RESOLVED: PublicStatus.ANSWERED,
    S.CLOSED: PublicStatus.CLOSED, S.FILED_AWAY: PublicStatus.CLOSED, S.WITHDRAWN: PublicStatus.CLOSED,
}


def public_status(status: str) -> str:
    return _STATUS_MAP.get(status, PublicStatus.HANDLING)  # type: ignore[call-overload]


# --------------------------------------------------------------------------- permission to publish


@rules.predicate
def publishes_results(user: Any, petition: Any) -> bool:
    unit = getattr(petition, "org_unit", None)
    return (unit is not None and getattr(petition, "deleted_at", None) is None
            and scope_of(user).covers(unit.path, HANDLING_ROLES))


rules.add_perm("petitions.publish_result", publishes_results)


# --------------------------------------------------------------------------- codes and secrets


def new_code() -> str:
    return CODE_PREFIX + "".join(secrets.choice(CROCKFORD) for _i in range(CODE_LENGTH))


def normalise_code(code: Any) -> str:
    """What the citizen typed, as stored: upper case, no blanks or dashes, O read as 0 and I, L as 1."""
    if not isinstance(code, str):
        return ""
    raw = re.sub(r"[\s-]", "", code).upper()
    if len(raw) != len(CODE_PREFIX) + CODE_LENGTH or not raw.startswith(CODE_PREFIX):
        return ""
    body = raw[len(CODE_PREFIX):].translate(str.maketrans("OIL", "011"))
    return CODE_PREFIX + body if all(c in CROCKFORD for c in body) else ""


def display_code(code: str) -> str:
    """PA-XXXX-XXXX: easier to copy by hand; ``normalise_code`` reads it back."""
    body = code[len(CODE_PREFIX):]
    return f"{CODE_PREFIX}-{body[:4]}-{body[4:]}"


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(make_password(secrets.token_urlsafe(9)))
    return _DUMMY_HASH[0]


# --------------------------------------------------------------------------- filing


@transaction.atomic
def submit_online(*, org_unit: OrgUnit, kind: str, summary: str, content: str, name: str, address: str = "",
                  contact: str = "", idempotency_key: str, field: PetitionField | None = None,
                  ) -> tuple[Petition, str]:
    """File a recommendation or feedback from the public site: (petition, secret — "" on a replay).

    The contact (a phone or an e-mail to reply to) has no field of its own on the petition: it is
    kept as the last line of the content, which only the unit's officers read.
    """
    errors: dict[str, Any] = {}
    if kind not in PUBLIC_KINDS:
        errors["kind"] = _("Online, you can send a recommendation or feedback only. A complaint or a "
                           "denunciation is filed in person or by post.")
    name, err = clean_field_text(name, services.NAME_MAX, required=True)
    if err:
        errors["name"] = err
    contact, err = clean_field_text(contact, CONTACT_MAX)
    if err:
        errors["contact"] = err
    key, err = clean_field_text(idempotency_key, services.KEY_MAX - len(KEY_PREFIX), required=True)
    if err:
        errors["idempotency_key"] = _("The form has expired: reload the page and submit again.")
    if not isinstance(content, str):
        content = ""
    _raise(errors)
    body = content.strip()
    if contact:
        body = f"{body}\n\n{_('Contact')}: {contact}".strip()
    try:
        petition = services.receive_petition(
            actor=None, org_unit=org_unit, received_on=timezone.localdate(), channel=Channel.ONLINE, kind=kind,
            summary=summary, content=body, filer_name=name, filer_address=address, field=field,
            idempotency_key=KEY_PREFIX + key,
        )
    except ValidationError as exc:
        names = {"filer_name": "name", "filer_address": "address", "org_unit": "org_unit"}
        if hasattr(exc, "error_dict"):
            raise ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()}) from exc
        raise
    if petition.replayed:
        return petition, ""  # a replay: the secret was shown the first time and is not kept
    secret = secrets.token_urlsafe(9)
    hashed = make_password(secret)
    for _try in range(CODE_TRIES):
        code = new_code()
        try:
            with transaction.atomic():
                Petition.objects.filter(pk=petition.pk).update(tracking_code=code, tracking_secret_hash=hashed)
        except IntegrityError:
            continue
        petition.tracking_code, petition.tracking_secret_hash = code, hashed
        break
    else:  # pragma: no cover - 32**8 codes: eight collisions in a row do not happen
        raise ValidationError({"__all__": _("Please submit again.")})
    audit.record("petitions.petition.tracking_code", obj=petition, org_unit=petition.org_unit,
                 summary={"number": petition.number, "year": petition.number_year})
    return petition, secret


# --------------------------------------------------------------------------- tracking


@dataclass
class Step:
    on: dt.date
    status: str
    label: str


@dataclass
class TrackedStatus:
    code: str
    unit_name: str
    kind_label: str
    received_on: dt.date
    status: str
    status_label: str
    steps: list[Step] = field(default_factory=list)
    result: str = ""
    published_at: dt.datetime | None = None


def track(code: Any, secret: Any) -> TrackedStatus | None:
    """The public view of a case, for its code and secret; None for an unknown code or a wrong secret alike."""
    normal = normalise_code(code)
    petition = (Petition.objects.select_related("org_unit")
                .filter(tracking_code=normal, deleted_at__isnull=True).first() if normal else None)
    stored = petition.tracking_secret_hash if petition is not None and petition.tracking_secret_hash else None
    ok = check_password(secret if isinstance(secret, str) else "", stored or _dummy_hash())
    if petition is None or stored is None or not ok:
        return None
    steps: list[Step] = []
    for at, to in petition.events.order_by("at", "pk").values_list("at", "to_status"):
        status = public_status(to)
        if not steps or steps[-1].status != status:
            steps.append(Step(timezone.localdate(at), status, str(PUBLIC_LABELS[status])))
    status = public_status(petition.status)
    published = petition.published_at is not None
    return TrackedStatus(
        code=petition.tracking_code or "", unit_name=petition.org_unit.name, kind_label=petition.get_kind_display(),
        received_on=petition.received_on, status=status, status_label=str(PUBLIC_LABELS[status]), steps=steps,
        result=petition.public_summary if published else "", published_at=petition.published_at,
    )


# --------------------------------------------------------------------------- publishing results


def _filer_values(petition: Petition) -> list[str]:
    """What identifies the filer: the name and address, or a denunciation's protected identity (read, never shown)."""
    values = [petition.filer_name, petition.filer_address]
    contact_label = f"{_('Contact')}: "
    for line in reversed(petition.content.splitlines()):
        if line.startswith(contact_label):
            values.append(line[len(contact_label):])
            break
    if petition.kind == PetitionKind.DENUNCIATION:
        stored = FilerIdentity.objects.filter(petition=petition).first()
        if stored is not None:
            from . import crypto

            values.extend(v for k, v in crypto.decrypt(stored.ciphertext).items() if k != "note")
    return [v for v in values if v]


def leaks_personal_data(text: str, petition: Petition) -> bool:
    """True if the text repeats the filer's name, address or contact (ignoring case, marks and blanks),
    or carries any e-mail address or phone number."""
    if _EMAIL.search(text) or _PHONE.search(text):
        return True
    haystack = search_key(text).replace(" ", "")
    for value in _filer_values(petition):
        needle = search_key(value).replace(" ", "")
        if len(needle) >= LEAK_MIN and needle in haystack:
            return True
    return False


@transaction.atomic
def publish_result(*, actor: Any, petition: Petition, text: str, expected_version: int) -> Petition:
    """Publish the result of a decided case on the public site, in words without the filer's personal data."""
    version = check_version(expected_version)
    fresh = lock_alive_petition(petition)
    if actor is not None and not actor.has_perm("petitions.publish_result", fresh):
        raise PermissionDenied(_("You are not allowed to publish the results of this unit."))
    if fresh.lock_version != version:
        raise ConcurrentEditError(conflict_message())
    if fresh.status not in (S.RESOLVED, S.CLOSED):
        raise ValidationError({"text": _("Only the result of a resolved or closed case can be published.")})
    cleaned, err = clean_field_text(text, RESULT_MAX, required=True, multiline=True)
    if not err and leaks_personal_data(cleaned, fresh):
        err = _("The published text must not contain the filer's name, address or contact details.")
    if err:
        raise ValidationError({"text": err})
    now = timezone.now()
    conditional_update(Petition, fresh, version, conflict_message(), published_at=now, public_summary=cleaned)
    audit.record("petitions.petition.publish_result", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"number": fresh.number, "year": fresh.number_year})
    petition.published_at, petition.public_summary, petition.lock_version = now, cleaned, fresh.lock_version
    return fresh


@transaction.atomic
def unpublish_result(*, actor: Any, petition: Petition, expected_version: int) -> Petition:
    """Take the result off the public site (the text is kept for the officers, published_at cleared)."""
    version = check_version(expected_version)
    fresh = lock_alive_petition(petition)
    if actor is not None and not actor.has_perm("petitions.publish_result", fresh):
        raise PermissionDenied(_("You are not allowed to publish the results of this unit."))
    if fresh.lock_version != version:
        raise ConcurrentEditError(conflict_message())
    conditional_update(Petition, fresh, version, conflict_message(), published_at=None)
    audit.record("petitions.petition.unpublish_result", actor=actor, obj=fresh, org_unit=fresh.org_unit,
                 summary={"number": fresh.number, "year": fresh.number_year})
    petition.published_at, petition.lock_version = None, fresh.lock_version
    return fresh


@dataclass
class PublishedResult:
    """One line of the public results list: nothing about the filer, not even the petition's own summary."""

    unit_name: str
    kind_label: str
    field_name: str
    received_on: dt.date
    published_at: dt.datetime
    text: str


@dataclass
class ResultsPage:
    items: list[PublishedResult]
    next: str | None


_is_key = partial(is_dated_key, parse=dt.datetime.fromisoformat)



def published_results(unit: OrgUnit | None = None, after: str | None = None, limit: int = PAGE_SIZE) -> ResultsPage:
    """Published results, newest first, in ``unit``'s subtree if given; keyset on (published_at, id)."""
    from danvan.orgs.scope import subtree_q

    key = decode_cursor(after, _is_key)
    qs = (Petition.objects.filter(published_at__isnull=False, deleted_at__isnull=True)
          .select_related("org_unit", "field")
          .only("pk", "kind", "received_on", "published_at", "public_summary", "org_unit__name", "field__name"))
    if unit is not None:
        qs = qs.filter(subtree_q([unit.path], prefix="org_unit__"))
    if key is not None:
        at = dt.datetime.fromisoformat(key[0])
        qs = qs.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=key[1]))
    rows = list(qs.order_by("-published_at", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    items = [PublishedResult(
        unit_name=p.org_unit.name, kind_label=p.get_kind_display(), field_name=p.field.name if p.field else "",
        received_on=p.received_on, published_at=p.published_at, text=p.public_summary,  # type: ignore[arg-type]
    ) for p in rows]
    nxt = encode_cursor([rows[-1].published_at.isoformat(), rows[-1].pk]) if more and rows else None  # type: ignore[union-attr]
    return ResultsPage(items, nxt)
