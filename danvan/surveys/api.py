"""Placeholder: the surveys API (/api/v1/surveys), filled in by its owner."""

from ninja import Router

router = Router(tags=["surveys"])
