"""Checks of an uploaded file shared by every app that keeps files (petitions, disclosures, dialogues).

A file must be one of the accepted types, and its content (sniffed from its first bytes with
``filetype``; for the zip-based office formats also by the part that makes them one) must be the
type its extension says: an executable or a plain zip renamed ``.pdf``/``.docx`` is refused as
disguised. The name kept is the file's own name without any folder or control character.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NAME_MAX = 255
# extension → (filetype's extension for the content, the content type served)
ALLOWED: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "jpg": ("jpg", "image/jpeg"),
    "jpeg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
}
# The part without which a zip is not that office document.
_ZIP_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "odt": "content.xml"}


def max_bytes() -> int:
    return int(getattr(settings, "DANVAN_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def clean_name(raw: Any) -> str:
    """The file's own name: no folder (either slash), no control characters, NFC, at most 255 characters."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: NAME_MAX - len(ext) - 1] + "." + ext) if dot and len(ext) < 10 else name[:NAME_MAX]
    return name


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _zip_has(data: bytes, part: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return part in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def sniff(name: str, data: bytes) -> str:
    """The content type to serve, or ``ValidationError`` on ``file`` if the type is refused or disguised."""
    ext = extension(name)
    if ext not in ALLOWED:
        raise ValidationError({"file": _("Only PDF, JPEG, PNG, DOCX, XLSX and ODT files are accepted.")})
    expected, content_type = ALLOWED[ext]
    kind = filetype.guess(data)
    found = kind.extension if kind is not None else ""
    if found != expected or (expected in _ZIP_PART and not _zip_has(data, _ZIP_PART[expected])):
        raise ValidationError({"file": _(
            "The file's content is not what its name says (.%(ext)s): it was refused as disguised.") % {"ext": ext}})
    return content_type


def read_all(file: Any) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    if hasattr(file, "chunks"):
        return b"".join(file.chunks())
    return bytes(file.read())


def save_checked(file: Any, *, folder: str) -> dict[str, Any]:
    """Check an upload and store it under ``MEDIA_ROOT/<folder>/<year>/<month>/`` with a random name.

    Returns the columns of a ``danvan.core.models.StoredFile`` (except the owner and the uploader), or
    raises ``ValidationError`` on ``file``: missing, empty, too large, refused or disguised type. The
    caller saves the row in its transaction; a file saved for a row that is then rolled back is an
    orphan on disk, never a row without its file.
    """
    import hashlib
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    if file is None or not hasattr(file, "read"):
        raise ValidationError({"file": _("Choose a file.")})
    name = clean_name(getattr(file, "name", ""))
    data = read_all(file)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    if len(data) > max_bytes():
        raise ValidationError({"file": _("The file is larger than %(mb)s MB.") % {"mb": round(max_bytes() / 1048576, 1)}})
    content_type = sniff(name, data)
    local = timezone.localtime(timezone.now())
    path = default_storage.save(f"{folder}/{local:%Y}/{local:%m}/{uuid.uuid4().hex}.{extension(name)}",
                                ContentFile(data))
    return {"file": path, "original_name": name, "content_type": content_type, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "uploaded_at": timezone.now()}


def read_stored(path: str) -> bytes:
    """The bytes of a stored file (never served by URL: views return them after a permission check)."""
    from django.core.files.storage import default_storage

    with default_storage.open(path, "rb") as handle:
        return bytes(handle.read())


MAX_PER_RECORD = 50
REASON_MAX = 500


def attach(model: Any, link: dict[str, Any], *, actor: Any, file: Any, folder: str) -> Any:
    """Keep one checked file for a record: a ``StoredFile`` row of ``model`` linked by ``link``.

    At most ``MAX_PER_RECORD`` live files a record. The file is written first and removed again if
    the row cannot be saved, so a refused or rolled-back row leaves no file behind it. The caller
    holds the permission check and the audit event (they are the record's, not the file's).
    """
    from django.core.files.storage import default_storage
    from django.db import transaction

    from .writes import user_or_none

    if model.objects.filter(deleted_at__isnull=True, **link).count() >= MAX_PER_RECORD:
        raise ValidationError({"file": _("At most %(n)d files can be attached.") % {"n": MAX_PER_RECORD}})
    columns = save_checked(file, folder=folder)
    try:
        with transaction.atomic():
            return model.objects.create(uploaded_by=user_or_none(actor), **columns, **link)
    except Exception:
        default_storage.delete(columns["file"])
        raise


def mark_removed(row: Any, reason: Any) -> str:
    """Soft-remove a file row the caller has locked: it stays on disk and in the audit trail.

    The reason is required; a file removed already is refused. Returns the cleaned reason for the
    caller's audit event.
    """
    from django.utils import timezone

    from .writes import clean_field_text

    text, error = clean_field_text(reason, REASON_MAX, required=True, multiline=True)
    if error:
        raise ValidationError({"reason": error})
    if row.deleted_at is not None:
        raise ValidationError({"file": _("This file was already removed.")})
    row.deleted_at = timezone.now()
    row.save(update_fields=["deleted_at"])
    return text
