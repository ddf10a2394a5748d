"""Over-level and prolonged flags (placeholder; the flags work fills it in)."""

from __future__ import annotations

from .models import Petition


def flag_over_level(petition: Petition) -> None:
    """Mark a new petition "over-level" when the same matter is still open at a lower level."""
    return None
