"""Duplicate candidates and the keys they are matched on (placeholder; issue #5 duplicates work fills it in)."""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac

from danvan.core.text import search_key

SEARCH_TEXT_MAX = 2000


def search_text_for(summary: str, content: str) -> str:
    """The content as matched: no marks, lower case, single spaces, bounded so indexes stay small."""
    return search_key(f"{summary} {content}")[:SEARCH_TEXT_MAX]


def filer_key_for(filer_name: str, filer_address: str, identity: dict[str, Any] | None) -> str:
    """A keyed hash of who filed it: the same filer matches without the name being readable here."""
    source = identity or {}
    id_number = search_key(str(source.get("id_number") or ""))
    name = search_key(str(source.get("name") or filer_name or ""))
    address = search_key(str(source.get("address") or filer_address or ""))
    basis = f"id:{id_number}" if id_number else (f"na:{name}|{address}" if name else "")
    if not basis:
        return ""
    return salted_hmac("danvan.petitions.filer_key", basis, algorithm="sha256").hexdigest()
