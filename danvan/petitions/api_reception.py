"""/api/v1/petitions/reception: placeholder router, filled in by the reception work."""

from ninja import Router

router = Router(tags=["petitions"])
