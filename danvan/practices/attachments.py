"""Evidence files of a practice, of one of its updates (progress, reviews), or of a thematic programme.

One table (``Attachment``, one owner column filled), one set of rules. Checked on the way in by
``danvan.core.uploads`` (type, size, disguise), stored under a random name outside any served URL;
the only way to a file is ``open_for``, which asks the owner's permission again. Whoever may change
the owner may add or remove its files; removing is soft, with a required reason, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.uploads import (
    attach,
    clean_name,
    mark_removed,
    max_bytes,
    read_all,
    read_stored,
    sniff,
)

from .models import Attachment, Practice, PracticeUpdate, Programme

FOLDER = "practices"


@dataclass(frozen=True)
class OwnerKind:
    model: type[models.Model]
    field: str
    related: tuple[str, ...]


# The owner_type of the pages → the owner's model and column; permissions are practices.view/.change on it
# (the rules resolve an update to its practice).
OWNERS: dict[str, OwnerKind] = {
    "practice": OwnerKind(Practice, "practice", ("org_unit",)),
    "update": OwnerKind(PracticeUpdate, "update", ("practice__org_unit",)),
    "programme": OwnerKind(Programme, "programme", ("org_unit",)),
}
_RELATED = ["practice__org_unit", "update__practice__org_unit", "programme__org_unit"]


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


def _parent(owner: Any) -> Any:
    """The record whose unit and life decide: an update's practice, else the owner itself."""
    return owner.practice if isinstance(owner, PracticeUpdate) else owner


def unit_of(owner: Any) -> Any:
    return _parent(owner).org_unit


def _alive(owner: Any) -> bool:
    return owner is not None and getattr(_parent(owner), "deleted_at", None) is None


def may_write(user: Any, owner: Any) -> bool:
    return _alive(owner) and bool(user.has_perm("practices.change", _parent(owner)))


def may_read(user: Any, owner: Any) -> bool:
    return _alive(owner) and bool(user.has_perm("practices.view", _parent(owner)))


def listed(owner: Any) -> list[Attachment]:
    """The owner's files in upload order (one query)."""
    kind = OWNERS[owner_type_of(owner)]
    return list(Attachment.objects.filter(**{kind.field: owner}, deleted_at__isnull=True)
                .order_by("uploaded_at", "pk"))


def by_update(practice: Practice) -> dict[int, list[Attachment]]:
    """The files of every update of a practice, by update id (one query)."""
    out: dict[int, list[Attachment]] = {}
    for row in (Attachment.objects.filter(update__practice=practice, deleted_at__isnull=True)
                .order_by("uploaded_at", "pk")):
        out.setdefault(row.update_id, []).append(row)  # type: ignore[arg-type]
    return out


def check_file(file: Any) -> None:
    """Refuse a bad file before anything is kept (the same checks as ``save_checked``, nothing stored)."""
    if file is None or not hasattr(file, "read"):
        raise ValidationError({"file": _("Choose a file.")})
    data = read_all(file)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    if len(data) > max_bytes():
        raise ValidationError({"file": _("The file is larger than %(mb)s MB.") % {"mb": round(max_bytes() / 1048576, 1)}})
    sniff(clean_name(getattr(file, "name", "")), data)


@transaction.atomic
def add(*, actor: Any, owner: Any, file: Any) -> Attachment:
    """Check and keep one file of ``owner``; ``ValidationError`` on ``file`` says what is wrong."""
    name = owner_type_of(owner)
    kind = OWNERS[name]
    fresh = (kind.model._default_manager.select_for_update(of=("self",)).select_related(*kind.related)
             .filter(pk=owner.pk).first())
    if fresh is None or not _alive(fresh):
        raise ValidationError({"owner_id": _("This record has been deleted.")})
    if actor is not None and not may_write(actor, fresh):
        raise PermissionDenied(_("You may not add files to this record."))
    row = attach(Attachment, {kind.field: fresh}, actor=actor, file=file, folder=FOLDER)
    audit.record("practices.attachment.add", actor=actor, obj=_parent(fresh), org_unit=unit_of(fresh),
                 summary={"attachment": row.pk, "name": row.original_name, "size": row.size,
                          "owner_type": name, "owner_id": fresh.pk})
    return row


@transaction.atomic
def remove(*, actor: Any, attachment: Attachment, reason: Any) -> Attachment:
    """Mark the file removed (it stays on disk and in the audit trail); the reason is required."""
    row = Attachment.objects.select_for_update(of=("self",)).select_related(*_RELATED).get(pk=attachment.pk)
    name, owner = owner_of(row)
    if actor is not None and not may_write(actor, owner):
        raise PermissionDenied(_("You may not remove files of this record."))
    text = mark_removed(row, reason)
    audit.record("practices.attachment.remove", actor=actor, obj=_parent(owner), org_unit=unit_of(owner),
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
