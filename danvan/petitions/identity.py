"""A whistleblower's identity: stored encrypted, revealed only to the case's handlers, each reveal audited.

The law makes a denunciation filer's identity classified information (Law 25/2018 Arts. 8.3, 9.1.b,
47, 56; DOMAIN.md §4): only the officers handling the case may see it and every access is recorded.
So the identity never sits on ``Petition``; it is a ``FilerIdentity`` row holding one Fernet token
(``danvan.petitions.crypto``), and this module is the only code that reads that token.

What is kept is deliberately short (``FIELDS``): name, address, ID number, phone, e-mail and a
note (for instance where the handwritten original is filed). The law also protects the filer's
spouse, parents and children; they are protected by never being recorded here at all, which is
why an unknown key is refused rather than stored.

Nothing in this module logs, and no error message repeats a submitted value: messages and logs
end up in places (log files, Sentry, the audit log's text) where classified data must not go.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import clean_text, nfc, search_key

from . import crypto
from .models import CaseHandler, FilerIdentity, Petition

# Allowed keys and their maximum lengths.
FIELDS: dict[str, int] = {
    "name": 200,
    "address": 300,
    "id_number": 20,
    "phone": 30,
    "email": 254,
    "note": 1000,
}
REASON_MIN = 10
REASON_MAX = 500
ROTATE_BATCH = 500
# Identity values at least this long (as search keys) must not be copied into the reason of a reveal,
# which goes into the audit log; shorter ones would match ordinary words.
_LEAK_MIN = 4


def _field_label(key: str) -> str:
    # Literal msgids so that makemessages finds them.
    return {
        "name": _("Filer's name"),
        "address": _("Filer's address"),
        "id_number": _("Filer's ID number"),
        "phone": _("Filer's phone"),
        "email": _("Filer's e-mail"),
        "note": _("Note on the filer"),
    }[key]


def _clean_identity(identity: Any) -> dict[str, str]:
    """The identity as it is stored (NFC, blanks collapsed, empty values dropped), or ValidationError.

    Error messages name the field and the rule, never the value.
    """
    if not isinstance(identity, dict):
        raise ValidationError({"identity": _("The filer's identity must be a set of named fields.")})
    unknown = sorted(str(k) for k in identity if k not in FIELDS)
    if unknown:
        raise ValidationError({
            "identity": _("Unknown identity fields: %(fields)s. Allowed: %(allowed)s.")
            % {"fields": ", ".join(unknown), "allowed": ", ".join(FIELDS)}
        })
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for key, limit in FIELDS.items():
        value = identity.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[f"identity.{key}"] = _("%(field)s: enter text.") % {"field": _field_label(key)}
            continue
        value = nfc(value).strip() if key == "note" else clean_text(value)
        if len(value) > limit:
            errors[f"identity.{key}"] = _("%(field)s must be at most %(n)d characters.") % {
                "field": _field_label(key), "n": limit,
            }
        elif value:
            cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError({
            "identity": _("Enter at least one detail of the filer's identity, or record the petition as anonymous.")
        })
    return cleaned


@transaction.atomic
def store_identity(petition: Petition, identity: dict[str, str]) -> None:
    """Encrypt and keep the filer's identity of ``petition``; meant to run inside the intake's transaction.

    The caller (intake) writes the audit event for the petition; this adds none, because an audit
    summary must never carry the content and the event "petition received" already says who did it.
    """
    cleaned = _clean_identity(identity)
    if FilerIdentity.objects.filter(petition=petition).exists():
        raise ValidationError({"identity": _("The filer's identity is already recorded for this petition.")})
    FilerIdentity.objects.create(petition=petition, ciphertext=crypto.encrypt(cleaned))


def can_reveal(user: Any, petition: Petition) -> bool:
    """Only a user with an active assignment as handler of this very case.

    Deliberately not the head, not an administrator of the unit or of a unit above, and not a
    superuser: the law limits the identity to the officers handling the case (Law 25/2018 Art. 47),
    so the only way in is to be assigned, which is itself recorded. A superuser who must see it
    assigns themself first, in the open.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return CaseHandler.objects.filter(petition=petition, user=user, revoked_at__isnull=True).exists()


def _clean_reason(reason: Any) -> str:
    if not isinstance(reason, str):
        raise ValidationError({"reason": _("Enter the reason for seeing the filer's identity.")})
    reason = clean_text(reason)
    if len(reason) < REASON_MIN:
        raise ValidationError({
            "reason": _("Enter the reason for seeing the filer's identity (at least %(n)d characters).")
            % {"n": REASON_MIN}
        })
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("The reason must be at most %(n)d characters.") % {"n": REASON_MAX}})
    return reason


def _leaks(reason: str, identity: dict[str, str]) -> bool:
    """True if the reason repeats an identity value (ignoring case, marks and blanks): it goes to the audit log."""
    haystack = search_key(reason).replace(" ", "")
    for key, value in identity.items():
        if key == "note":
            continue
        needle = search_key(value).replace(" ", "")
        if len(needle) >= _LEAK_MIN and needle in haystack:
            return True
    return False


@transaction.atomic
def reveal_identity(*, actor: Any, petition: Petition, reason: str) -> dict[str, str]:
    """The decrypted identity, for a handler of the case who gives a reason; the reveal is audited.

    The permission is checked before anything else, so that someone else learns nothing, not even
    whether an identity was recorded. The audit event carries the reason only.
    """
    if not can_reveal(actor, petition):
        raise PermissionDenied(_("Only the officers assigned to handle this case may see the filer's identity."))
    cleaned_reason = _clean_reason(reason)
    stored = FilerIdentity.objects.filter(petition=petition).first()
    if stored is None:
        raise ValidationError({"identity": _("No identity of the filer is recorded for this petition.")})
    identity = crypto.decrypt(stored.ciphertext)
    if _leaks(cleaned_reason, identity):
        raise ValidationError({"reason": _("The reason must not contain the filer's identity.")})
    audit.record(
        "petitions.identity.revealed", actor=actor, obj=petition, org_unit=petition.org_unit,
        summary={"reason": cleaned_reason},
    )
    return identity


def rotate_keys(*, batch_size: int = ROTATE_BATCH) -> int:
    """Re-encrypt every stored identity with the newest key; the number re-encrypted.

    One transaction per batch, rows locked while they are rewritten, so that a long run neither
    holds the whole table nor loses a row written meanwhile (new rows are already under the newest
    key). A row that no configured key can read stops the run with its id; batches before it stay
    done, and running again is harmless.
    """
    done = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                FilerIdentity.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk")[:batch_size]
            )
            if not rows:
                return done
            for row in rows:
                try:
                    row.ciphertext = crypto.rotate(row.ciphertext)
                except crypto.IdentityCryptoError as exc:
                    raise crypto.IdentityCryptoError(f"Filer identity #{row.pk}: {exc}") from None
            FilerIdentity.objects.bulk_update(rows, ["ciphertext"])
            audit.record(
                "petitions.identity.keys_rotated",
                summary={"count": len(rows), "first_id": rows[0].pk, "last_id": rows[-1].pk},
            )
        done += len(rows)
        last_pk = rows[-1].pk
