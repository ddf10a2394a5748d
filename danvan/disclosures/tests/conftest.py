"""Fixtures of the grassroots tests: people at every boundary of a commune, the categories, a media folder."""

from __future__ import annotations

from typing import Any

import pytest

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    """officer/head of commune A1, its Front supervisor, a sibling commune's officer, a province viewer,
    another province's officer, a user without membership, and an officer of village A1v."""
    return {
        "officer": make_user("gr_officer", (tree["A1"], "officer")),
        "head": make_user("gr_head", (tree["A1"], "head")),
        "front": make_user("gr_front", (tree["A1"], "front_supervisor")),
        "sibling": make_user("gr_sibling", (tree["A2"], "officer")),
        "province": make_user("gr_province", (tree["A"], "viewer")),
        "other": make_user("gr_other", (tree["B1"], "officer")),
        "nobody": make_user("gr_nobody"),
        "village": make_user("gr_village", (tree["A1v"], "officer")),
    }


@pytest.fixture
def cats(db: Any) -> dict[str, Any]:
    """The 14 categories of migration 0002 by code."""
    from danvan.disclosures.models import DisclosureCategory

    return {c.code: c for c in DisclosureCategory.objects.all()}


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
