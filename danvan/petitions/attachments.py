"""Files of petitions and reception visits: checked on the way in, kept out of the web root, served by permission.

On the way in a file must be non-empty, at most ``DANVAN_ATTACHMENT_MAX_BYTES``, one of the
accepted types (PDF, JPEG, PNG, DOCX, XLSX, ODT), and its content (sniffed from its first bytes
with ``filetype``; for the zip-based office formats also by the part that makes them one) must be
the type its extension says: an executable or a plain zip renamed ``.pdf``/``.docx`` is refused as
disguised. The stored name is random (the original name is kept, without any path, only in the
row), under ``MEDIA_ROOT/petitions/<year>/<month>/``; ``MEDIA_URL`` is not served by any URL, so
the only way to a file is ``open_for``.

Who may do what:

- add or delete: a user holding an intake or handling role (``workflow.INTAKE_ROLES`` or
  ``HANDLING_ROLES``) on the case's unit or above — a viewer may read but not change the file;
- download: whoever may see the case (``petitions.view_petition``), or the visit's unit;
- a denunciation's file that identifies the filer (``identifies_filer``, e.g. a handwriting scan)
  is part of the protected identity (Law 25/2018 Art. 47): it is stored encrypted (Fernet, the
  identity keys) and only the case's assigned handlers (``identity.can_reveal``) may download it;
  each such download is audited as a reveal.

Audit summaries of a denunciation's files carry no file name and no free text: a name such as
"don_to_cao_Tran_Van_A.pdf" would leak the filer.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.uploads import clean_name, extension, max_bytes, sniff
from danvan.core.uploads import read_all as _read
from danvan.core.writes import clean_field_text, user_or_none
from danvan.orgs.scope import scope_of

from . import crypto, identity
from .models import Attachment, Petition, PetitionKind, ReceptionVisit
from .workflow import HANDLING_ROLES, INTAKE_ROLES

WRITER_ROLES = INTAKE_ROLES | HANDLING_ROLES
MAX_PER_OWNER = 50
REASON_MAX = 500
def _owner_unit(petition: Petition | None, visit: ReceptionVisit | None) -> Any:
    return petition.org_unit if petition is not None else visit.org_unit if visit is not None else None


def may_write(user: Any, petition: Petition | None = None, visit: ReceptionVisit | None = None) -> bool:
    """An intake or handling role on the unit (a viewer may not add or remove files)."""
    owner = petition if petition is not None else visit
    if owner is None or getattr(owner, "deleted_at", None) is not None:
        return False
    unit = _owner_unit(petition, visit)
    return scope_of(user).covers(unit.path, WRITER_ROLES)


def _may_read(user: Any, attachment: Attachment) -> bool:
    if not getattr(user, "is_authenticated", False) or attachment.deleted_at is not None:
        return False
    if attachment.petition_id is not None:
        return bool(user.has_perm("petitions.view_petition", attachment.petition))
    visit = attachment.visit
    return visit is not None and visit.deleted_at is None and scope_of(user).covers(visit.org_unit.path)


def _is_denunciation(petition: Petition | None, visit: ReceptionVisit | None) -> bool:
    return PetitionKind.DENUNCIATION in (getattr(petition, "kind", ""), getattr(visit, "kind", ""))


@transaction.atomic
def store_attachment(*, actor: Any, file: Any, petition: Petition | None = None, visit: ReceptionVisit | None = None,
                     identifies_filer: bool = False) -> Attachment:
    """Check and keep one file of a petition (or a visit); ``ValidationError`` on ``file`` says what is wrong."""
    if petition is None and visit is None:
        raise ValidationError({"petition": _("Choose the petition or the visit the file belongs to.")})
    if petition is not None and visit is not None and petition.visit_id != visit.pk:
        raise ValidationError({"visit": _("The petition was not recorded at this reception visit.")})
    if petition is not None:
        petition = Petition.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=petition.pk)
    elif visit is not None:
        visit = ReceptionVisit.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=visit.pk)
    if actor is not None and not may_write(actor, petition, visit):
        raise PermissionDenied(_("You are not allowed to add files to this petition."))
    if not isinstance(identifies_filer, bool):
        raise ValidationError({"identifies_filer": _("Choose yes or no.")})
    if identifies_filer and (petition is None or petition.kind != PetitionKind.DENUNCIATION):
        raise ValidationError({"identifies_filer": _(
            "Only a denunciation's files are kept apart as identifying the filer.")})
    if file is None:
        raise ValidationError({"file": _("Choose a file.")})
    name = clean_name(getattr(file, "name", ""))
    if not name:
        raise ValidationError({"file": _("The file has no name.")})
    limit = max_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError({"file": _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1048576, 1)}})
    data = _read(file)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    if len(data) > limit:
        raise ValidationError({"file": _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1048576, 1)}})
    content_type = sniff(name, data)
    owner_filter = {"petition": petition} if petition is not None else {"visit": visit}
    if Attachment.objects.filter(deleted_at__isnull=True, **owner_filter).count() >= MAX_PER_OWNER:
        raise ValidationError({"file": _("At most %(n)d files can be attached.") % {"n": MAX_PER_OWNER}})

    now = timezone.now()
    local = timezone.localtime(now)
    stored = crypto.fernet().encrypt(data) if identifies_filer else data
    suffix = "bin" if identifies_filer else extension(name)
    path = default_storage.save(f"petitions/{local:%Y}/{local:%m}/{uuid.uuid4().hex}.{suffix}", ContentFile(stored))
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                petition=petition, visit=visit, file=path, original_name=name, content_type=content_type,
                size=len(data), sha256=hashlib.sha256(data).hexdigest(), identifies_filer=identifies_filer,
                encrypted=identifies_filer, uploaded_by=user_or_none(actor), uploaded_at=now,
            )
            summary: dict[str, Any] = {"attachment": attachment.pk, "size": len(data),
                                       "content_type": content_type, "identifies_filer": identifies_filer}
            if not _is_denunciation(petition, visit):
                summary["name"] = name
            audit.record("petitions.attachment.add", actor=actor, obj=petition or visit,
                         org_unit=_owner_unit(petition, visit), summary=summary)
    except Exception:
        # No row, no file. (A rollback of the caller's outer transaction can still leave an orphan
        # file with a random name and no row: harmless, and readable by nobody.)
        default_storage.delete(path)
        raise
    return attachment


def open_for(user: Any, attachment: Attachment) -> tuple[bytes, str, str]:
    """(bytes, original name, content type) for a user allowed to read it; ``PermissionDenied`` otherwise.

    A file identifying a denunciation's filer needs an assignment as the case's handler and its
    download is audited as a reveal of the identity.
    """
    if not _may_read(user, attachment):
        raise PermissionDenied(_("You are not allowed to download this file."))
    if attachment.identifies_filer:
        petition = attachment.petition
        if petition is None or not identity.can_reveal(user, petition):
            raise PermissionDenied(_("Only the officers assigned to handle this case may open this file."))
        with transaction.atomic():
            audit.record("petitions.identity.revealed", actor=user, obj=petition, org_unit=petition.org_unit,
                         summary={"reason": "attachment download", "attachment": attachment.pk})
    with default_storage.open(str(attachment.file.name), "rb") as handle:
        data = handle.read()
    if attachment.encrypted:
        data = crypto.fernet().decrypt(data)
    return data, attachment.original_name, attachment.content_type


@transaction.atomic
def delete_attachment(*, actor: Any, attachment: Attachment, reason: str) -> Attachment:
    """Mark the file deleted (it stays on disk and in the audit trail); the reason is required."""
    row = Attachment.objects.select_for_update(of=("self",)).select_related(
        "petition__org_unit", "visit__org_unit").get(pk=attachment.pk)
    petition, visit = row.petition, row.visit
    if actor is not None:
        if not may_write(actor, petition, visit):
            raise PermissionDenied(_("You are not allowed to remove files of this petition."))
        if row.identifies_filer and (petition is None or not identity.can_reveal(actor, petition)):
            raise PermissionDenied(_("Only the officers assigned to handle this case may remove this file."))
    text, error = clean_field_text(reason, REASON_MAX, required=True, multiline=True)
    if error:
        raise ValidationError({"reason": error})
    if row.deleted_at is not None:
        raise ValidationError({"file": _("This file was already removed.")})
    row.deleted_at = timezone.now()
    row.save(update_fields=["deleted_at"])
    summary: dict[str, Any] = {"attachment": row.pk}
    if not _is_denunciation(petition, visit):
        summary["reason"] = text
    audit.record("petitions.attachment.delete", actor=actor, obj=petition or visit,
                 org_unit=_owner_unit(petition, visit), summary=summary)
    attachment.deleted_at = row.deleted_at
    return row
