"""Files of every record of grassroots democracy: a disclosure, a residents' decision, a consultation, a board's
finding, a Front supervision. One table (``Attachment``, one owner column filled), one set of rules.

Checked on the way in by ``danvan.core.uploads`` (type, size, disguise), stored under a random name
outside any served URL; the only way to a file is ``open_for``, which asks the owner's permission
again. Who may add or remove a file: whoever may change the owner — for a finding also the officials
who must answer it, for a supervision the Front's supervisors and the officials of the unit supervised
(they attach their response). Removing is soft, with a required reason, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.uploads import attach, mark_removed, read_stored

from .models import Attachment, BoardFinding, Consultation, Disclosure, FrontSupervision, ResidentDecision

FOLDER = "disclosures"


@dataclass(frozen=True)
class OwnerKind:
    model: type[models.Model]
    field: str
    read: str
    write: tuple[str, ...]


# The owner_type of the pages and the API → the owner's model, column and permissions.
OWNERS: dict[str, OwnerKind] = {
    "disclosure": OwnerKind(Disclosure, "disclosure", "disclosures.view", ("disclosures.change",)),
    "decision": OwnerKind(ResidentDecision, "decision", "disclosures.view", ("disclosures.change",)),
    "consultation": OwnerKind(Consultation, "consultation", "disclosures.view", ("disclosures.change",)),
    "finding": OwnerKind(BoardFinding, "finding", "disclosures.view_finding", ("disclosures.change", "disclosures.respond")),
    "supervision": OwnerKind(FrontSupervision, "supervision", "disclosures.view_supervision",
                             ("disclosures.change_supervision", "disclosures.respond")),
}
_RELATED = ["disclosure__org_unit", "decision__org_unit", "consultation__org_unit", "finding__board__org_unit",
            "finding__addressed_to", "supervision__org_unit", "supervision__front_unit"]


def owner_type_of(owner: Any) -> str:
    for name, kind in OWNERS.items():
        if isinstance(owner, kind.model):
            return name
    raise ValidationError({"owner_type": _("Files cannot be attached to this kind of record.")})


def owner_of(attachment: Attachment) -> tuple[str, Any]:
    for name, kind in OWNERS.items():
        owner = getattr(attachment, kind.field)
        if owner is not None:
            return name, owner
    raise ValidationError({"owner_type": _("This file belongs to no record.")})


def unit_of(owner: Any) -> Any:
    board = getattr(owner, "board", None)
    return board.org_unit if board is not None else owner.org_unit


def may_write(user: Any, owner: Any) -> bool:
    if owner is None or getattr(owner, "deleted_at", None) is not None:
        return False
    kind = OWNERS[owner_type_of(owner)]
    return any(user.has_perm(perm, owner) for perm in kind.write)


def may_read(user: Any, owner: Any) -> bool:
    if owner is None or getattr(owner, "deleted_at", None) is not None:
        return False
    return bool(user.has_perm(OWNERS[owner_type_of(owner)].read, owner))


def listed(owner: Any) -> list[Attachment]:
    """The owner's files in upload order (one query)."""
    kind = OWNERS[owner_type_of(owner)]
    return list(Attachment.objects.filter(**{kind.field: owner}, deleted_at__isnull=True)
                .order_by("uploaded_at", "pk"))


@transaction.atomic
def add(*, actor: Any, owner: Any, file: Any) -> Attachment:
    """Check and keep one file of ``owner``; ``ValidationError`` on ``file`` says what is wrong."""
    name = owner_type_of(owner)
    kind = OWNERS[name]
    fresh = kind.model._default_manager.select_for_update(of=("self",)).filter(pk=owner.pk).first()
    if fresh is None or getattr(fresh, "deleted_at", None) is not None:
        raise ValidationError({"owner_id": _("This record has been deleted.")})
    if actor is not None and not may_write(actor, fresh):
        raise PermissionDenied(_("You may not add files to this record."))
    row = attach(Attachment, {kind.field: fresh}, actor=actor, file=file, folder=FOLDER)
    audit.record("disclosures.attachment.add", actor=actor, obj=fresh, org_unit=unit_of(fresh),
                 summary={"attachment": row.pk, "name": row.original_name, "size": row.size, "owner_type": name})
    return row


@transaction.atomic
def remove(*, actor: Any, attachment: Attachment, reason: Any) -> Attachment:
    """Mark the file removed (it stays on disk and in the audit trail); the reason is required."""
    row = Attachment.objects.select_for_update(of=("self",)).select_related(*_RELATED).get(pk=attachment.pk)
    name, owner = owner_of(row)
    if actor is not None and not may_write(actor, owner):
        raise PermissionDenied(_("You may not remove files of this record."))
    text = mark_removed(row, reason)
    audit.record("disclosures.attachment.remove", actor=actor, obj=owner, org_unit=unit_of(owner),
                 summary={"attachment": row.pk, "name": row.original_name, "owner_type": name, "reason": text})
    attachment.deleted_at = row.deleted_at
    return row


def open_for(user: Any, attachment: Attachment) -> tuple[bytes, str, str]:
    """(bytes, original name, content type) for a user who may read the owner; ``PermissionDenied`` otherwise."""
    if not getattr(user, "is_authenticated", False) or attachment.deleted_at is not None:
        raise PermissionDenied(_("You may not download this file."))
    _name, owner = owner_of(attachment)
    if not may_read(user, owner):
        raise PermissionDenied(_("You may not download this file."))
    return read_stored(str(attachment.file.name)), attachment.original_name, attachment.content_type


def attachment_for(pk: int) -> Attachment | None:
    """The row with its owner loaded (for the download and remove views)."""
    return Attachment.objects.select_related(*_RELATED).filter(pk=pk, deleted_at__isnull=True).first()
