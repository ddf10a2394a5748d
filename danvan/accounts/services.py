"""Writes about users and their tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.core import audit
from danvan.core.text import clean_text
from danvan.orgs.scope import prime_scope

from . import totp
from .models import ApiToken, User, hash_token
from .token_lookup import find_token

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
    # Lock the owner so that two simultaneous requests cannot both pass the checks below. NO KEY UPDATE:
    # the user's other writes (audit events naming them as actor) must not wait for us while we wait
    # for the audit chain's head (a deadlock on PostgreSQL).
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
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
    now = timezone.now()
    found = find_token(hash_token(raw), now)
    if found is None:
        return None
    pk, last_used_at, user, grants = found
    if not user.is_active:
        return None
    prime_scope(user, grants)
    if last_used_at is None or (now - last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=pk).update(last_used_at=now)
    return user


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    password: str,
    email: str = "",
    full_name: str = "",
    position: str = "",
    is_superuser: bool = False,
) -> Any:
    """A new log-in. Only the system (``actor=None``) or a system administrator creates one.

    The password must pass every rule in AUTH_PASSWORD_VALIDATORS; it is stored hashed and never
    written to the audit log.
    """
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only a system administrator can create accounts."))
    User = get_user_model()
    username, email, full_name = clean_text(username), clean_text(email), clean_text(full_name)
    errors: dict[str, Any] = {}
    username_field = User._meta.get_field("username")
    if not username:
        errors["username"] = _("The user name is required.")
    elif len(username) > username_field.max_length:  # type: ignore[operator]
        errors["username"] = _("The user name must be at most %(max)d characters.") % {
            "max": username_field.max_length
        }
    else:
        try:
            for validator in username_field.validators:
                validator(username)
        except ValidationError as exc:
            errors["username"] = exc.messages
        else:
            if User.objects.filter(username__iexact=username).exists():
                errors["username"] = _("This user name is already taken.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
        else:
            if User.objects.filter(email__iexact=email).exists():
                errors["email"] = _("Another account already uses this e-mail address.")
    if len(full_name) > 150:
        errors["full_name"] = _("The full name must be at most 150 characters.")
    user = User(
        username=username, email=email, full_name=full_name, position=clean_text(position)[:150],
        is_superuser=is_superuser, is_staff=is_superuser,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    audit.record(
        "accounts.user.create", actor=actor, obj=user,
        summary={"username": username, "is_superuser": is_superuser},
    )
    return user


@transaction.atomic
def add_totp_authenticator(*, actor: Any, user: Any, secret: str) -> Any:
    """Set up a TOTP authenticator with a secret chosen outside the browser (the demo's fixed one).

    Users set up their own through allauth's page; this is for the system (``actor=None``) only.
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if actor is not None:
        raise PermissionDenied(_("Authenticators are set up by their owner on the two-factor page."))
    if not totp.is_valid_secret(secret):
        raise ValidationError({"secret": _("The secret must be base32 text of at least 16 characters.")})
    # Lock the user's row so that two runs cannot both add one (allauth does the same).
    type(user)._default_manager.select_for_update(no_key=True).get(pk=user.pk)
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        raise ValidationError({"secret": _("This user already has an authenticator.")})
    instance = TOTP.activate(user, secret.upper()).instance
    audit.record("accounts.mfa.totp_add", actor=actor, obj=user, summary={"username": user.get_username()})
    return instance
