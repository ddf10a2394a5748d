"""Files of dialogues (minutes, photos, the list of participants) and of commitments (evidence).

Checked on the way in by ``danvan.core.uploads.save_checked`` (type, size, disguise), stored under
a random name outside any served URL; the only way to a file is ``open_for``, after a permission
check. Who may add or remove: the host unit's editors for a dialogue's files; for a commitment's
evidence also the owner unit's editors (the ones who report its progress). Who may download:
whoever may see the dialogue or the commitment. Removal is soft, with a reason, audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.uploads import attach, mark_removed, read_stored

from .models import Attachment, Commitment, Dialogue

FOLDER = "dialogues"


def _write_perm(owner: Any) -> str:
    return "dialogues.update_commitment" if isinstance(owner, Commitment) else "dialogues.change_dialogue"


def may_change(user: Any, owner: Any) -> bool:
    """Whether ``user`` may add or remove files of ``owner`` (for the pages' buttons)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(_write_perm(owner), owner))


def _host_unit(owner: Any) -> Any:
    return owner.org_unit if isinstance(owner, Dialogue) else owner.dialogue.org_unit


def _live_owner(owner: Any) -> Any:
    """The owner's row, locked; ``ValidationError`` if it is not a dialogue or commitment in use."""
    fresh: Any
    if isinstance(owner, Dialogue):
        fresh = Dialogue.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=owner.pk)
        gone = fresh.deleted_at is not None
    elif isinstance(owner, Commitment):
        fresh = (Commitment.objects.select_for_update(of=("self",))
                 .select_related("dialogue__org_unit", "owner_unit").get(pk=owner.pk))
        gone = fresh.deleted_at is not None or fresh.dialogue.deleted_at is not None
    else:
        raise ValidationError({"owner": _("Choose the dialogue or the commitment the file belongs to.")})
    if gone:
        raise ValidationError({"owner": _("This record has been deleted.")})
    return fresh


@transaction.atomic
def add(*, actor: Any, owner: Any, file: Any) -> Attachment:
    """Check and keep one file of a dialogue or a commitment; errors are on ``file``."""
    fresh = _live_owner(owner)
    if actor is not None and not may_change(actor, fresh):
        raise PermissionDenied(_("You may not add files here."))
    link = {"dialogue": fresh} if isinstance(fresh, Dialogue) else {"commitment": fresh}
    attachment = attach(Attachment, link, actor=actor, file=file, folder=FOLDER)
    audit.record("dialogues.attachment.add", actor=actor, obj=fresh, org_unit=_host_unit(fresh),
                 summary={"attachment": attachment.pk, "name": attachment.original_name, "size": attachment.size,
                          "content_type": attachment.content_type})
    return attachment


def _owner_of(attachment: Attachment) -> Any:
    return attachment.dialogue if attachment.dialogue_id is not None else attachment.commitment


@transaction.atomic
def remove(*, actor: Any, attachment: Attachment, reason: Any) -> Attachment:
    """Mark the file removed (it stays on disk and in the audit trail); the reason is required."""
    row = (Attachment.objects.select_for_update(of=("self",))
           .select_related("dialogue__org_unit", "commitment__dialogue__org_unit", "commitment__owner_unit")
           .get(pk=attachment.pk))
    owner = _owner_of(row)
    if actor is not None and not may_change(actor, owner):
        raise PermissionDenied(_("You may not remove files here."))
    text = mark_removed(row, reason)
    audit.record("dialogues.attachment.remove", actor=actor, obj=owner, org_unit=_host_unit(owner),
                 summary={"attachment": row.pk, "name": row.original_name, "reason": text})
    attachment.deleted_at = row.deleted_at
    return row


def may_read(user: Any, attachment: Attachment) -> bool:
    if not getattr(user, "is_authenticated", False) or attachment.deleted_at is not None:
        return False
    if attachment.dialogue_id is not None:
        return bool(user.has_perm("dialogues.view_dialogue", attachment.dialogue))
    return bool(user.has_perm("dialogues.view_commitment", attachment.commitment))


def open_for(user: Any, attachment: Attachment) -> tuple[bytes, str, str]:
    """(bytes, original name, content type) for a user who may see the owner; ``PermissionDenied`` otherwise."""
    if not may_read(user, attachment):
        raise PermissionDenied(_("You are not allowed to download this file."))
    return read_stored(str(attachment.file.name)), attachment.original_name, attachment.content_type
