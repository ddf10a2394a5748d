"""Every write to the legal registry: one transaction and one audit event each.

A document is registered many times over — by hand, and by every imported plan that cites it —
so registering is get-or-create on the number-and-symbol key (see references.py): a second
mention fills what the record does not know yet (date, issuer, summary) and never overwrites
what it does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.text import clean_text, search_key
from danvan.orgs.scope import scope_of

from .models import DocType, LegalDocument
from .references import clean_number, clean_symbol, document_key, resolve_doc_type, split_reference, type_word

LIMITS = {"number": 30, "symbol": 60, "issuer": 255, "title": 2000, "url": 200}
TEXT_FIELDS = ("number", "symbol", "issuer", "title", "url")
EDITABLE = ("doc_type", "number", "symbol", "issued_on", "issuer", "title", "url", "issuing_unit")
# What a later mention may add to a record that lacks it.
FILLABLE = ("issued_on", "issuer", "title", "url")


def _require(actor: Any, perm: str) -> None:
    """``actor=None`` is the system (seed data, imports run by a job)."""
    if actor is None:
        return
    if not actor.has_perm(perm):
        if perm == "legal.merge_documents":
            raise PermissionDenied(_("Only a system or provincial administrator can merge documents."))
        raise PermissionDenied(_("Only officers who draft plans can add or change documents in the registry."))


def _as_date(value: Any, errors: dict[str, str]) -> dt.date | None:
    """A date, or an ISO string. A partial date ("2021-11", "2021") is unknown, not the 1st of the month."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    elif isinstance(value, str):
        text = value.strip()
        if len(text) in (4, 7) and text.replace("-", "").isdigit():
            return None
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            errors["issued_on"] = _("Enter a valid date of issue.")
            return None
    if not isinstance(value, dt.date):
        errors["issued_on"] = _("Enter a valid date of issue.")
        return None
    if value > timezone.localdate():
        errors["issued_on"] = _("The date of issue cannot be in the future.")
        return None
    return value


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Cleaned, validated field values; every problem at once, each under its field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for f in TEXT_FIELDS:
        v = values.get(f)
        if v is None:
            v = ""
        if f == "number" and isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str):
            errors[f] = _("Enter text.")
            v = ""
        out[f] = clean_text(v)
    raw_type = values.get("doc_type")
    doc_type = resolve_doc_type(raw_type) if isinstance(raw_type, str | None) else None
    if doc_type is None:
        errors["doc_type"] = _("Unknown document type “%(value)s”.") % {"value": str(raw_type)[:50]}
    out["doc_type"] = doc_type or DocType.OTHER
    # "33/CT-TTg" typed whole into the number field.
    if out["number"] and not out["symbol"] and not out["number"].replace("/", "").isdigit():
        out["number"], out["symbol"] = split_reference(out["number"])
    out["number"], out["symbol"] = clean_number(out["number"]), clean_symbol(out["symbol"])
    if out["number"] and not out["number"][0].isdigit():
        errors.setdefault("number", _("The number must start with a digit, e.g. 33 or 10/2022."))
    for f, limit in LIMITS.items():
        if len(out[f]) > limit:
            errors.setdefault(f, _("This field must be at most %(n)d characters.") % {"n": limit})
    if out["url"] and "url" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(out["url"])
        except ValidationError:
            errors["url"] = _("Enter a web address starting with http:// or https://.")
    out["issued_on"] = _as_date(values.get("issued_on"), errors)
    if not (out["number"] or out["symbol"] or out["title"]) and "number" not in errors:
        errors["number"] = _("Give the number and symbol of the document, or at least its summary.")
    if "issuing_unit" in values:
        out["issuing_unit"] = values["issuing_unit"]
    if errors:
        raise ValidationError(errors)
    return out


def search_text_of(doc: LegalDocument) -> str:
    """What the list searches: type word, reference as written and as keyed, year, issuer, summary."""
    ref = f"{doc.number}/{doc.symbol}" if doc.number and doc.symbol else (doc.number or doc.symbol)
    parts = [type_word(doc.doc_type), ref, doc.key, str(doc.issued_on.year) if doc.issued_on else "", doc.issuer, doc.title]
    return search_key(" ".join(p for p in parts if p))


def document_version(doc: LegalDocument) -> str:
    """The token an edit form carries to detect a stale save."""
    return doc.updated_at.isoformat() if doc.updated_at else ""


def _reference(values: dict[str, Any] | LegalDocument) -> str:
    get = values.get if isinstance(values, dict) else (lambda f: getattr(values, f))
    return "/".join(p for p in (get("number"), get("symbol")) if p)


def _fill_blanks(actor: Any, doc: LegalDocument, values: dict[str, Any]) -> LegalDocument:
    filled: dict[str, Any] = {}
    for f in FILLABLE:
        if values.get(f) and not getattr(doc, f):
            setattr(doc, f, values[f])
            filled[f] = values[f]
    if doc.doc_type == DocType.OTHER and values.get("doc_type") not in (None, "", DocType.OTHER):
        doc.doc_type = values["doc_type"]
        filled["doc_type"] = doc.doc_type
    if filled:
        doc.search_text = search_text_of(doc)
        doc.save(update_fields=[*filled, "search_text", "updated_at"])
        audit.record("legal.document.complete", actor=actor, obj=doc, summary={"filled": filled})
    return doc


@transaction.atomic
def find_or_register_document(
    *,
    actor: Any,
    doc_type: str,
    number: str,
    symbol: str,
    issued_on: dt.date | str | None,
    issuer: str,
    title: str = "",
    url: str = "",
) -> tuple[LegalDocument, bool]:
    """``register_document`` that also says whether the record is new (the add page tells the user)."""
    _require(actor, "legal.add_document")
    values = _clean_values(
        {"doc_type": doc_type, "number": number, "symbol": symbol, "issued_on": issued_on,
         "issuer": issuer, "title": title, "url": url}
    )
    key = document_key(values["number"], values["symbol"])
    if key:
        existing = LegalDocument.objects.select_for_update().filter(key=key).first()
        if existing is not None:
            return _fill_blanks(actor, existing, values), False
    doc = LegalDocument(key=key, **values)
    doc.search_text = search_text_of(doc)
    try:
        with transaction.atomic():
            doc.save(force_insert=True)
    except IntegrityError:
        # Someone registered the same document between our look-up and our insert: theirs stands.
        existing = LegalDocument.objects.select_for_update().filter(key=key).first() if key else None
        if existing is None:
            raise
        return _fill_blanks(actor, existing, values), False
    audit.record(
        "legal.document.register", actor=actor, obj=doc,
        summary={"reference": _reference(doc), "doc_type": doc.doc_type, "title": doc.title[:200]},
    )
    return doc, True


def register_document(
    *,
    actor: Any,
    doc_type: str,
    number: str,
    symbol: str,
    issued_on: dt.date | str | None,
    issuer: str,
    title: str = "",
    url: str = "",
) -> LegalDocument:
    """The registry's record for a cited document, created when it is new.

    ``doc_type`` is a DocType code or the Vietnamese word ("Chỉ thị"); ``number`` may hold the
    whole reference ("33/CT-TTg") when ``symbol`` is empty; ``issued_on`` may be an ISO string,
    and a partial one ("2021-11") counts as unknown. A document with neither number nor symbol
    cannot be recognised again, so it is stored as a new record each time.
    """
    doc, _created = find_or_register_document(
        actor=actor, doc_type=doc_type, number=number, symbol=symbol, issued_on=issued_on,
        issuer=issuer, title=title, url=url,
    )
    return doc


def _duplicate_error(ref: str) -> ValidationError:
    return ValidationError(
        {"number": _("Another document already has the number and symbol %(ref)s. Merge the two instead.") % {"ref": ref}}
    )


@transaction.atomic
def update_document(
    *, actor: Any, document: LegalDocument, expected_version: str | None = None, **fields: Any
) -> LegalDocument:
    """Correct a record. A change that would make it another record's twin is refused."""
    _require(actor, "legal.change_document")
    doc = LegalDocument.objects.select_for_update().get(pk=document.pk)
    if expected_version is not None and expected_version != document_version(doc):
        raise ConcurrentEditError(
            _("Someone else changed this document after you opened the form. Your changes were not saved: "
              "review the current values and save again.")
        )
    for f in fields:
        if f not in EDITABLE:
            raise ValueError(f"field {f} cannot be changed here")
    values = _clean_values({f: getattr(doc, f) for f in EDITABLE} | fields)
    unit = values.get("issuing_unit")
    if "issuing_unit" in fields and unit is not None and unit != doc.issuing_unit and actor is not None:
        if not scope_of(actor).covers(unit.path):
            raise ValidationError({"issuing_unit": _("You can only link a unit inside your own part of the tree.")})
    key = document_key(values["number"], values["symbol"])
    if key and LegalDocument.objects.filter(key=key).exclude(pk=doc.pk).exists():
        raise _duplicate_error(_reference(values))
    changes = {
        f: [str(getattr(doc, f) or ""), str(values[f] or "")] for f in EDITABLE if f in values and values[f] != getattr(doc, f)
    }
    if not changes:
        return doc
    for f in changes:
        setattr(doc, f, values[f])
    doc.key = key
    doc.search_text = search_text_of(doc)
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError as exc:
        raise _duplicate_error(_reference(values)) from exc
    audit.record("legal.document.update", actor=actor, obj=doc, summary={"changes": changes})
    return doc


@transaction.atomic
def merge_documents(*, actor: Any, keep: LegalDocument, duplicate: LegalDocument) -> LegalDocument:
    """Fold ``duplicate`` into ``keep``: plans citing it cite ``keep`` instead, then it is deleted.

    A plan that cited both keeps one citation, at the earlier of the two positions. What ``keep``
    does not know is taken from ``duplicate``.
    """
    from danvan.plans.models import PlanLegalBasis

    _require(actor, "legal.merge_documents")
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A document cannot be merged into itself.")})
    locked = {d.pk: d for d in LegalDocument.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")}
    if len(locked) != 2:
        raise ValidationError({"duplicate": _("One of the two documents no longer exists.")})
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]

    keep_links = {link.plan_id: link for link in PlanLegalBasis.objects.filter(document=keep)}
    moved = both = 0
    for link in PlanLegalBasis.objects.filter(document=duplicate).order_by("pk"):
        mine = keep_links.get(link.plan_id)
        if mine is None:
            moved += 1
            continue
        both += 1
        if link.order < mine.order:
            PlanLegalBasis.objects.filter(pk=mine.pk).update(order=link.order)
    PlanLegalBasis.objects.filter(document=duplicate, plan_id__in=list(keep_links)).delete()
    PlanLegalBasis.objects.filter(document=duplicate).update(document=keep)
    # Records of other apps that point at a document follow it too.
    for rel in LegalDocument._meta.related_objects:
        if rel.one_to_many and rel.related_model is not PlanLegalBasis:
            rel.related_model._base_manager.filter(**{rel.field.name: duplicate}).update(**{rel.field.name: keep})

    snapshot = {f: str(getattr(duplicate, f) or "") for f in ("doc_type", "number", "symbol", "issued_on", "issuer", "title", "url")}
    filled = [f for f in (*FILLABLE, "issuing_unit") if getattr(duplicate, f) and not getattr(keep, f)]
    for f in filled:
        setattr(keep, f, getattr(duplicate, f))
    if keep.doc_type == DocType.OTHER and duplicate.doc_type != DocType.OTHER:
        keep.doc_type = duplicate.doc_type
        filled.append("doc_type")
    if not keep.number and not keep.symbol and (duplicate.number or duplicate.symbol):
        keep.number, keep.symbol = duplicate.number, duplicate.symbol
        filled += ["number", "symbol"]
    duplicate_pk = duplicate.pk
    duplicate.delete()
    keep.key = document_key(keep.number, keep.symbol)
    keep.search_text = search_text_of(keep)
    keep.save()
    audit.record(
        "legal.document.merge", actor=actor, obj=keep,
        summary={"duplicate_id": duplicate_pk, "duplicate": snapshot, "citations_moved": moved,
                 "citations_joined": both, "filled": filled},
    )
    return keep


def load_core_documents(*, actor: Any = None) -> tuple[int, int]:
    """Register the documents every mass-mobilization plan cites; run again, it adds only what is missing.

    Returns (created, already there).
    """
    from .core_documents import CORE_DOCUMENTS

    created = existing = 0
    with transaction.atomic():
        for item in CORE_DOCUMENTS:
            _doc, new = find_or_register_document(actor=actor, **item)
            created += new
            existing += not new
    return created, existing
