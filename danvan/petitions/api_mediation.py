"""/api/v1/petitions/mediation: placeholder router, filled in by the mediation work."""

from ninja import Router

router = Router(tags=["petitions"])
