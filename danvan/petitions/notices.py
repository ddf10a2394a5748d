"""Numbered notices the law calls for at a step of a case (placeholder; the notices work fills it in)."""

from __future__ import annotations

from typing import Any

from .models import Notice, Petition, PetitionEvent


def issue_for_step(*, actor: Any, petition: Petition, event: PetitionEvent) -> Notice | None:
    """Issue the notice this step requires, if any, inside the caller's transaction."""
    return None
