"""Writes about users and their tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import clean_text

from .models import ApiToken, hash_token

MAX_ACTIVE_TOKENS = 20


@transaction.atomic
def create_api_token(*, user: Any, name: str, expires_on: dt.date | None = None) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and never stored."""
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": _("Give the token a name so that you recognise it later.")})
    if len(name) > 100:
        raise ValidationError({"name": _("The name must be at most 100 characters.")})
    if expires_on is not None and expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date must be in the future.")})
    if ApiToken.objects.usable().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError({"name": _("You already have the maximum number of active tokens; revoke one first.")})
    if ApiToken.objects.usable().filter(user=user, name=name).exists():
        raise ValidationError({"name": _("You already have an active token with this name.")})
    raw = ApiToken.generate()
    expires_at = None
    if expires_on is not None:
        expires_at = timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:8], expires_at=expires_at)
    audit.record("accounts.token.create", actor=user, obj=token, summary={"name": name})
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record("accounts.token.revoke", actor=actor, obj=token, summary={"name": token.name})
    return token


def authenticate_token(raw: str) -> Any | None:
    """The user a bearer token acts for, or None when it is unknown, revoked or expired."""
    if not raw or not raw.startswith("dvk_") or len(raw) > 200:
        return None
    token = ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
