"""/api/v1/me: who the caller is and which units they act for."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from danvan.orgs.models import Membership

router = Router(tags=["me"])


class MembershipOut(Schema):
    unit_id: int
    unit_name: str
    role: str
    role_label: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The caller", operation_id="me")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    ms = Membership.objects.active().filter(user=user).select_related("org_unit").order_by("org_unit__path", "role")
    return MeOut(
        id=user.pk,
        username=user.get_username(),
        full_name=str(user),
        email=user.email,
        memberships=[
            MembershipOut(unit_id=m.org_unit_id, unit_name=m.org_unit.name, role=m.role, role_label=str(m.get_role_display()))
            for m in ms
        ],
    )
