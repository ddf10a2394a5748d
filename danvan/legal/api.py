"""/api/v1/legal: the registry of documents plans cite, searchable without diacritics.

The registry is national and public, so any signed-in caller reads all of it; the plans that cite
a document are scoped like every plan read (``plans_visible_to``), so a document never reveals
plans of another province. Registering is get-or-create on the number and symbol: a document
already known answers 200 with the existing record, a new one 201.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.api.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_LIMIT,
    MAX_SEARCH_LENGTH,
    decode_cursor,
    encode_cursor,
)
from danvan.orgs.models import OrgUnit
from danvan.plans.queries import plans_visible_to

from . import queries, services
from .models import DocType, LegalDocument
from .references import type_word

router = Router(tags=["legal"])

_DOC_CURSOR = re.compile(r"(?:\d{4}-\d{2}-\d{2}|-)\.\d{1,19}")

DocumentId = Annotated[
    int, Path(description="The document's id in the registry; 404 if there is none.")
]


class LegalDocumentOut(Schema):
    id: int = Field(description="The document's id in the registry.")
    doc_type: str = Field(description="Type code: law, decree, directive, resolution, conclusion, plan, other…")
    type_word: str = Field(description="The type as written before the number in Vietnamese, e.g. “Chỉ thị”; empty for other.")
    number: str = Field(description="Number as written, e.g. “33”, “10/2022”; may be empty.")
    symbol: str = Field(description="Symbol as written, e.g. “CT-TTg”, “KL/TW”; may be empty.")
    citation: str = Field(description="How a plan cites it, e.g. “Chỉ thị 33/CT-TTg”.")
    issued_on: dt.date | None = Field(description="Date of issue, if known.")
    issuer: str = Field(description="The issuing body as written, e.g. “Thủ tướng Chính phủ”; may be empty.")
    title: str = Field(description="Summary (trích yếu); may be empty.")
    url: str = Field(description="A link to the published text; may be empty.")
    issuing_unit_id: int | None = Field(description="The unit of the tree that issued it, when it is one of ours.")
    version: str = Field(description="Pass back as `version` when changing the document, to detect a concurrent edit.")


class CitingPlanOut(Schema):
    id: int = Field(description="The plan's id.")
    reference: str = Field(description="Number and symbol, e.g. “05/KH-UBND”, or “…/KH-UBND” for a draft.")
    title: str = Field(description="The plan's title.")
    year: int = Field(description="Implementation year.")
    status: str = Field(description="draft, issued or closed.")
    issuer_id: int = Field(description="The issuing unit's id.")
    issuer_name: str = Field(description="The issuing unit's name.")


class CitingPlanPage(Schema):
    items: list[CitingPlanOut] = Field(description="Plans the caller may see that cite the document, newest year first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class LegalDocumentDetailOut(LegalDocumentOut):
    citing_plans: CitingPlanPage = Field(
        description="The first page of plans citing the document that the caller may see; "
        "later pages from `GET /legal/{document_id}/plans`."
    )


class LegalDocumentPage(Schema):
    items: list[LegalDocumentOut] = Field(description="Documents, newest date of issue first, undated last.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PageParams(Schema):
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION)


class LegalFilters(PageParams):
    q: str | None = Field(
        None, max_length=MAX_SEARCH_LENGTH,
        description="Words to find in the type, number and symbol, issuer and summary, ignoring case and "
        "Vietnamese diacritics (“chi thi 33”, “CT-TTg”).",
    )
    type: str | None = Field(None, max_length=30, description="Only documents of this type code (e.g. `directive`).")


class _DocumentFields(Schema):
    model_config = ConfigDict(extra="forbid")

    number: str | None = Field(
        None, max_length=100,
        description="Number, e.g. “33” or “10/2022”; the whole reference (“33/CT-TTg”) is split when `symbol` is empty.",
    )
    symbol: str | None = Field(None, max_length=60, description="Symbol, e.g. “CT-TTg”.")
    issued_on: dt.date | None = Field(None, description="Date of issue (not in the future).")
    issuer: str | None = Field(None, max_length=255, description="The issuing body as written.")
    title: str | None = Field(None, max_length=2000, description="Summary (trích yếu).")
    url: str | None = Field(None, max_length=200, description="A link to the published text (http or https).")


class LegalDocumentIn(_DocumentFields):
    doc_type: str = Field(
        "", max_length=60,
        description="A type code (`directive`) or the Vietnamese word (“Chỉ thị”); empty for other.",
    )


class LegalDocumentPatchIn(_DocumentFields):
    doc_type: str | None = Field(None, max_length=60, description="A type code or the Vietnamese word.")
    issuing_unit_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The unit of the tree that issued it (inside the caller's units), or null."
    )
    version: str | None = Field(
        None, max_length=64,
        description="The `version` the caller read; if the document changed since, 409 and nothing is saved.",
    )


def citation(doc: LegalDocument) -> str:
    """ "Chỉ thị 33/CT-TTg": the Vietnamese type word is part of the reference (data, not UI text)."""
    word = type_word(doc.doc_type)
    ref = f"{doc.number}/{doc.symbol}" if doc.number and doc.symbol else (doc.number or doc.symbol)
    return f"{word} {ref}".strip() if word and ref else doc.citation


def document_out(doc: LegalDocument) -> LegalDocumentOut:
    return LegalDocumentOut(
        id=doc.pk, doc_type=doc.doc_type, type_word=type_word(doc.doc_type), number=doc.number, symbol=doc.symbol,
        citation=citation(doc), issued_on=doc.issued_on, issuer=doc.issuer, title=doc.title, url=doc.url,
        issuing_unit_id=doc.issuing_unit_id, version=services.document_version(doc),
    )


def _is_document_cursor(value: Any) -> bool:
    if not isinstance(value, str) or not _DOC_CURSOR.fullmatch(value):
        return False
    day = value.partition(".")[0]
    if day == "-":
        return True
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return False
    return True


def _is_plan_cursor(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}\.\d{1,19}", value) is not None


def _document(document_id: int) -> LegalDocument:
    doc = LegalDocument.objects.filter(pk=document_id).first() if 1 <= document_id <= MAX_ID else None
    if doc is None:
        raise Http404
    return doc


def _citing_page(request: HttpRequest, doc: LegalDocument, params: PageParams) -> CitingPlanPage:
    """Through ``plans_visible_to`` (the same rule as ``GET /plans``), newest year first, keyset on (year, id)."""
    after = decode_cursor(params.cursor, _is_plan_cursor)
    qs = plans_visible_to(caller(request)).filter(basis_links__document=doc).select_related("issuer")
    if after is not None:
        year, pk = (int(x) for x in after.split("."))
        qs = qs.filter(Q(year__lt=year) | Q(year=year, pk__lt=pk))
    rows = list(qs.order_by("-year", "-pk")[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return CitingPlanPage(
        items=[
            CitingPlanOut(
                id=p.pk, reference=p.reference, title=p.title, year=p.year, status=p.status,
                issuer_id=p.issuer_id, issuer_name=p.issuer.name,
            )
            for p in rows
        ],
        next_cursor=encode_cursor(f"{rows[-1].year}.{rows[-1].pk}") if more else None,
    )


LIST_ERRORS = error_responses(*AUTH_ERRORS, 422)


@router.get("", response={200: LegalDocumentPage, **LIST_ERRORS}, summary="Search the registry", operation_id="legal_list")
def list_documents(request: HttpRequest, filters: Query[LegalFilters]) -> LegalDocumentPage:
    """Documents of the registry, newest first, one page at a time. `q` matches every word, ignoring diacritics."""
    if filters.type and filters.type not in DocType.values:
        raise ValidationError({"type": _("Choose one of the allowed values.")})
    after = decode_cursor(filters.cursor, _is_document_cursor)
    page = queries.search_documents(
        q=filters.q or "", doc_type=filters.type or "", after=after or "", limit=filters.limit
    )
    return LegalDocumentPage(
        items=[document_out(d) for d in page.items],
        next_cursor=encode_cursor(page.next_after) if page.next_after else None,
    )


@router.post(
    "", response={200: LegalDocumentOut, 201: LegalDocumentOut, **error_responses(*AUTH_ERRORS, 400, 422)},
    summary="Register a document", operation_id="legal_create",
)
def create_document(request: HttpRequest, payload: LegalDocumentIn) -> Status:
    """Adds a document to the registry, or answers 200 with the one already registered under the same number and symbol.

    “33/CT-TTg”, “33/ CT-TTg” and “33/CT-TTG” are one document. A later registration fills what the
    record does not know yet (date, issuer, summary) and never overwrites it. Needs an editing role
    (admin, head, officer) on some unit.
    """
    doc, created = services.find_or_register_document(
        actor=caller(request), doc_type=payload.doc_type, number=payload.number or "", symbol=payload.symbol or "",
        issued_on=payload.issued_on, issuer=payload.issuer or "", title=payload.title or "", url=payload.url or "",
    )
    return Status(201 if created else 200, document_out(doc))


@router.get(
    "/{int:document_id}", response={200: LegalDocumentDetailOut, **error_responses(*AUTH_ERRORS, 404)},
    summary="One document", operation_id="legal_detail",
)
def document_detail(request: HttpRequest, document_id: DocumentId) -> LegalDocumentDetailOut:
    """The document and the first page of the plans citing it that the caller may see (no others are counted)."""
    doc = _document(document_id)
    return LegalDocumentDetailOut(
        **document_out(doc).model_dump(),
        citing_plans=_citing_page(request, doc, PageParams(cursor=None, limit=DEFAULT_LIMIT)),
    )


@router.get(
    "/{int:document_id}/plans", response={200: CitingPlanPage, **error_responses(*AUTH_ERRORS, 404, 422)},
    summary="Plans citing a document", operation_id="legal_citing_plans",
)
def document_plans(request: HttpRequest, document_id: DocumentId, params: Query[PageParams]) -> CitingPlanPage:
    """The plans the caller may see that cite the document, newest year first, one page at a time."""
    return _citing_page(request, _document(document_id), params)


@router.patch(
    "/{int:document_id}", response={200: LegalDocumentOut, **error_responses(*AUTH_ERRORS, 400, 404, 409, 422)},
    summary="Correct a document", operation_id="legal_update",
)
def update_document(request: HttpRequest, document_id: DocumentId, payload: LegalDocumentPatchIn) -> LegalDocumentOut:
    """Changes the fields sent (others stay). A change that makes it another record's twin is refused (422 on
    `number`); a stale `version` answers 409 and saves nothing."""
    doc = _document(document_id)
    fields = payload.model_dump(exclude_unset=True)
    version = fields.pop("version", None)
    if "issuing_unit_id" in fields:
        unit_id = fields.pop("issuing_unit_id")
        unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None
        if unit_id is not None and unit is None:
            raise ValidationError({"issuing_unit_id": _("Choose a unit.")})
        fields["issuing_unit"] = unit
    for name in ("number", "symbol", "issuer", "title", "url", "doc_type"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    try:
        doc = services.update_document(actor=caller(request), document=doc, expected_version=version, **fields)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "issuing_unit" in exc.error_dict:
            renamed = {("issuing_unit_id" if k == "issuing_unit" else k): v for k, v in exc.error_dict.items()}
            raise ValidationError(renamed) from exc
        raise
    return document_out(doc)
