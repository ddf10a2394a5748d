"""Reads of the registry: the searchable list, the plans that cite a document, the registry for the parser.

The registry itself is public knowledge and not scoped; the plans that cite a document are, so
they always go through ``Plan.objects.visible_to(user)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q

from .models import DocType, LegalDocument, LegalDocumentQuerySet
from .references import type_word

PAGE_SIZE = 50


@dataclass
class Page:
    items: list[Any] = field(default_factory=list)
    next_after: str = ""  # opaque cursor for the next page; "" on the last page


def _date_cursor(after: str) -> tuple[dt.date | None, int] | None:
    """ "2021-11-26.17" or "-.17" (no date) → (date, pk); None when malformed (first page)."""
    day, _sep, pk = (after or "").partition(".")
    if not pk.isdigit():
        return None
    if day == "-":
        return None, int(pk)
    try:
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def search_documents(*, q: str = "", doc_type: str = "", after: str = "", limit: int = PAGE_SIZE) -> Page:
    """Newest first (undated last), every word of ``q`` matched ignoring diacritics; keyset-paginated."""
    qs: LegalDocumentQuerySet = LegalDocument.objects.all()
    if q:
        qs = qs.search(q)
    if doc_type and doc_type in DocType.values:
        qs = qs.filter(doc_type=doc_type)
    cursor = _date_cursor(after)
    if cursor is not None:
        day, pk = cursor
        if day is None:
            qs = qs.filter(issued_on__isnull=True, pk__lt=pk)
        else:
            qs = qs.filter(Q(issued_on__lt=day) | Q(issued_on=day, pk__lt=pk) | Q(issued_on__isnull=True))
    rows = list(qs.order_by(F("issued_on").desc(nulls_last=True), "-pk")[: limit + 1])
    page = Page(items=rows[:limit])
    if len(rows) > limit:
        last = rows[limit - 1]
        page.next_after = f"{last.issued_on.isoformat() if last.issued_on else '-'}.{last.pk}"
    return page


def citing_plans(document: LegalDocument, user: Any, *, after: str = "", limit: int = PAGE_SIZE) -> Page:
    """The plans ``user`` may see that cite ``document``, newest year first; others are not counted."""
    from danvan.plans.queries import plans_visible_to

    # The same reach as the plan pages: a commune also sees the issued plans of the levels above it.
    qs = (
        plans_visible_to(user)
        .filter(basis_links__document=document)
        .select_related("issuer")
        .order_by("-year", "-pk")
    )
    year, _sep, pk = (after or "").partition(".")
    if year.isdigit() and pk.isdigit():
        qs = qs.filter(Q(year__lt=int(year)) | Q(year=int(year), pk__lt=int(pk)))
    rows = list(qs[: limit + 1])
    page = Page(items=rows[:limit])
    if len(rows) > limit:
        last = rows[limit - 1]
        page.next_after = f"{last.year}.{last.pk}"
    return page


def find_by_reference(text: str) -> LegalDocument | None:
    """The document a reference names ("33/CT-TTg", "33/ct-ttg", "Số 33/CT-TTg") or its id; None if none."""
    from .references import document_key, split_reference

    text = (text or "").strip()
    if text.isdigit() and len(text) < 12:
        by_id = LegalDocument.objects.filter(pk=int(text)).first()
        if by_id is not None:
            return by_id
    key = document_key(*split_reference(text))
    return LegalDocument.objects.filter(key=key).first() if key else None


def known_documents() -> list[tuple[str, str, str, str | None, str]]:
    """(type word, number, symbol, ISO date or None, issuer) of every document with a number and symbol.

    The shape of the plan parser's built-in ``REGISTRY`` (``parsing.references.Known``), so that
    the parser can be handed the database's registry instead of its fixed list.
    """
    rows = (
        LegalDocument.objects.exclude(key="")
        .order_by("pk")
        .values_list("doc_type", "number", "symbol", "issued_on", "issuer")
    )
    return [
        (type_word(doc_type), number, symbol, issued_on.isoformat() if issued_on else None, issuer)
        for doc_type, number, symbol, issued_on, issuer in rows
    ]
