"""/api/v1/me and /api/v1/tokens: who the caller is, and the caller's own personal tokens.

Tokens are always looked up among the caller's own, so another user's token id answers 404
exactly like an id that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Path, Router, Schema, Status
from pydantic import Field

from danvan.api.auth import caller
from danvan.api.errors import AUTH_ERRORS, error_responses
from danvan.orgs.models import Membership

from .models import ApiToken
from .services import create_api_token, revoke_api_token

router = Router(tags=["me"])


class MembershipOut(Schema):
    unit_id: int = Field(description="The unit the role is held for; it reaches the unit's whole subtree.")
    unit_name: str = Field(description="The unit's name.")
    role: str = Field(description="Role code: admin, head, officer, reception_officer, case_handler, front_supervisor, viewer.")
    role_label: str = Field(description="The role's name, in Vietnamese.")


class MeOut(Schema):
    id: int = Field(description="The user's id.")
    username: str = Field(description="Login name.")
    full_name: str = Field(description="Name to show.")
    email: str = Field(description="E-mail address; may be empty.")
    memberships: list[MembershipOut] = Field(description="Active roles, in tree order of their units.")


class TokenOut(Schema):
    id: int = Field(description="The token's id, for revoking it.")
    name: str = Field(description="The name the owner gave it.")
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: dt.datetime = Field(description="When it was created.")
    expires_at: dt.datetime | None = Field(description="When it stops working; null if it never expires.")
    last_used_at: dt.datetime | None = Field(description="Roughly when it was last used (updated every few minutes).")


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="The token itself, shown this once and never again: store it now.")


class TokenIn(Schema):
    name: str = Field(max_length=100, description="A name to recognise the token by, unique among your active tokens.")
    expires_on: dt.date | None = Field(
        None, description="Last day the token works (a future date); omit for a token that does not expire."
    )


def token_out(t: ApiToken) -> TokenOut:
    return TokenOut(
        id=t.pk, name=t.name, prefix=t.prefix, created_at=t.created_at,
        expires_at=t.expires_at, last_used_at=t.last_used_at,
    )


@router.get("/me", response={200: MeOut, **error_responses(*AUTH_ERRORS)}, summary="The caller", operation_id="me")
def me(request: HttpRequest) -> MeOut:
    """The authenticated user and the roles that decide what every other endpoint shows them."""
    user = caller(request)
    ms = (
        Membership.objects.active().filter(user=user, org_unit__valid_to__isnull=True)
        .select_related("org_unit").order_by("org_unit__path", "role")
    )
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


@router.get(
    "/tokens", response={200: list[TokenOut], **error_responses(*AUTH_ERRORS)},
    summary="My API tokens", operation_id="tokens_list", tags=["tokens"],
)
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    """The caller's tokens that still work (at most 20), newest first. Secrets are never shown again."""
    tokens = ApiToken.objects.usable().filter(user=caller(request)).order_by("-created_at", "-pk")
    return [token_out(t) for t in tokens]


@router.post(
    "/tokens", response={201: TokenCreatedOut, **error_responses(*AUTH_ERRORS, 400, 422)},
    summary="Create an API token", operation_id="tokens_create", tags=["tokens"],
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    """A new personal token acting with the caller's roles. The answer holds the secret, once."""
    token, secret = create_api_token(user=caller(request), name=payload.name, expires_on=payload.expires_on)
    return Status(201, TokenCreatedOut(**token_out(token).model_dump(), secret=secret))


@router.delete(
    "/tokens/{int:token_id}", response={204: None, **error_responses(*AUTH_ERRORS, 404)},
    summary="Revoke an API token", operation_id="tokens_revoke", tags=["tokens"],
)
def revoke_token(
    request: HttpRequest, token_id: Annotated[int, Path(description="The token's id, from `GET /tokens`.")]
) -> HttpResponse:
    """Stops one of the caller's tokens from working, at once. Revoking it again changes nothing."""
    token = ApiToken.objects.filter(user=caller(request), pk=token_id).first() if token_id <= 2**63 - 1 else None
    if token is None:
        raise Http404
    revoke_api_token(actor=caller(request), token=token)
    return HttpResponse(status=204)
