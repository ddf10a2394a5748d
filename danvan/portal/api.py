"""Placeholder: the portal's open data API (/api/v1/portal), filled in by its owner."""

from ninja import Router

router = Router(tags=["portal"])
