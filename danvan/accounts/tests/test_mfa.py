"""Two-factor authentication: staff roles must set up TOTP, then enter a code at every log-in."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, generate_totp_secret
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from danvan.accounts import services, totp
from danvan.accounts.middleware import mfa_required_for

from .helpers import code_now, form_errors, post_login

pytestmark = pytest.mark.django_db

# Pages a staff user without two-factor must not reach (several apps, the API, the admin site,
# and allauth's own account pages other than two-factor set-up).
BLOCKED = [
    "/",
    "/units/",
    "/account/",
    "/account/tokens/",
    "/audit/",
    "/django-admin/",
    "/accounts/password/change/",
    "/accounts/email/",
]


def vi(msgid: str) -> str:
    with translation.override("vi"):
        return gettext(msgid)


def activate_in_browser(client) -> str:
    """Set up TOTP through allauth's page, as the user would with a phone; returns the secret."""
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": code_now(secret)})
    assert response.status_code == 302, form_errors(response)
    return secret


def with_totp(user) -> str:
    secret = generate_totp_secret()
    services.add_totp_authenticator(actor=None, user=user, secret=secret)
    return secret


def test_staff_without_totp_reaches_nothing_but_the_set_up(client, officer):
    response = post_login(client, "canbo.binhlu")
    assert response.status_code == 302
    for url in BLOCKED:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    api = client.get("/api/v1/me")
    assert api.status_code == 403
    assert api.json()["detail"] == vi("Your role requires two-factor authentication. Set it up first.")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    shown = [str(m) for m in page.context["messages"]]
    assert vi("Your role requires two-factor authentication. Please set it up to continue.") in shown


def test_activating_totp_opens_the_platform_and_makes_recovery_codes(client, officer):
    post_login(client, "canbo.binhlu")
    assert client.get("/").status_code == 302
    activate_in_browser(client)
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    rc = Authenticator.objects.get(user=officer, type=Authenticator.Type.RECOVERY_CODES)
    assert len(rc.wrap().get_unused_codes()) == 10
    assert client.get("/").status_code == 200
    assert client.get("/units/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_activation_with_a_wrong_code_is_refused(client, officer):
    post_login(client, "canbo.binhlu")
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    wrong = "000000" if totp.code_at(secret) != "000000" else "111111"
    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not Authenticator.objects.filter(user=officer).exists()
    assert client.get("/").status_code == 302


def test_user_with_totp_must_enter_a_code_at_login(client, officer):
    secret = with_totp(officer)
    response = post_login(client, "canbo.binhlu")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Between the password and the code the user is not logged in.
    assert client.get("/").status_code == 302
    assert client.get("/").url.startswith(reverse("account_login"))
    response = client.post(reverse("mfa_authenticate"), {"code": "12345"})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    response = client.post(reverse("mfa_authenticate"), {"code": code_now(secret)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_totp_code_cannot_be_replayed(client, officer):
    secret = with_totp(officer)
    post_login(client, "canbo.binhlu")
    code = code_now(secret, margin=6)  # the whole test runs well within one period
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("account_logout"))
    post_login(client, "canbo.binhlu")
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert totp.code_at(secret) == code
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert client.get("/").status_code == 302


def test_recovery_code_works_once(client, officer):
    post_login(client, "canbo.binhlu")
    activate_in_browser(client)
    codes_page = client.get(reverse("mfa_view_recovery_codes"))
    assert codes_page.status_code == 200
    code = Authenticator.objects.get(user=officer, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()[0]
    assert code in codes_page.content.decode()
    client.post(reverse("account_logout"))

    post_login(client, "canbo.binhlu")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    client.post(reverse("account_logout"))

    post_login(client, "canbo.binhlu")
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert client.get("/").status_code == 302


def test_viewer_is_not_forced(client, viewer):
    post_login(client, "xem.binhlu")
    assert client.get("/").status_code == 200
    assert client.get("/units/").status_code == 200


def test_required_roles_are_configurable(client, settings, officer, viewer):
    settings.DANVAN_MFA_REQUIRED_ROLES = ["viewer"]
    post_login(client, "xem.binhlu")
    assert client.get("/").status_code == 302
    client.post(reverse("account_logout"))
    post_login(client, "canbo.binhlu")
    assert client.get("/").status_code == 200


def test_nobody_is_forced_when_no_role_is_listed(client, no_mfa, officer, make_user):
    make_user("root", is_superuser=True, is_staff=True)
    post_login(client, "canbo.binhlu")
    assert client.get("/").status_code == 200
    client.post(reverse("account_logout"))
    post_login(client, "root")
    assert client.get("/").status_code == 200


def test_removing_totp_brings_the_requirement_back(client, officer):
    post_login(client, "canbo.binhlu")
    activate_in_browser(client)
    assert client.get("/").status_code == 200
    Authenticator.objects.filter(user=officer).delete()  # e.g. deactivated on the two-factor page
    client.get(reverse("mfa_index"))  # visiting the two-factor pages re-opens the check
    assert client.get("/").status_code == 302


def test_mfa_required_for(tree, make_user, settings):
    root = make_user("root", is_superuser=True, is_staff=True)
    nobody = make_user("nobody")
    mixed = make_user("mixed", (tree["A1"], "viewer"), (tree["B1"], "case_handler"))
    viewer_only = make_user("viewer", (tree["A"], "viewer"))
    front = make_user("front", (tree["A"], "front_supervisor"))
    assert mfa_required_for(root) is True  # a superuser with no role at all
    assert mfa_required_for(mixed) is True
    assert mfa_required_for(front) is True
    assert mfa_required_for(viewer_only) is False
    assert mfa_required_for(nobody) is False
    assert mfa_required_for(AnonymousUser()) is False
    settings.DANVAN_MFA_REQUIRED_ROLES = []
    assert mfa_required_for(root) is False


def test_superuser_is_forced_too(client, make_user, db):
    make_user("root", is_superuser=True, is_staff=True)
    post_login(client, "root")
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_system_provisioned_totp_rules(officer, viewer):
    with pytest.raises(services.PermissionDenied):
        services.add_totp_authenticator(actor=viewer, user=officer, secret=generate_totp_secret())
    for bad in ["", "short", "0189" * 8, " " + generate_totp_secret()]:
        with pytest.raises(services.ValidationError) as exc:
            services.add_totp_authenticator(actor=None, user=officer, secret=bad)
        assert "secret" in exc.value.message_dict
    secret = with_totp(officer)
    assert totp.secret_of(officer) == secret
    with pytest.raises(services.ValidationError):
        services.add_totp_authenticator(actor=None, user=officer, secret=generate_totp_secret())
    assert totp.secret_of(viewer) is None


def _age_login(client, seconds: int) -> None:
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for r in records:
        r["at"] -= seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def test_set_up_needs_the_password_again_when_the_login_is_old(client, officer):
    post_login(client, "canbo.binhlu")
    _age_login(client, 301)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_changing_an_existing_authenticator_needs_reauthentication(client, officer):
    secret = with_totp(officer)
    Authenticator.objects.filter(user=officer).update(created_at=timezone.now() - dt.timedelta(days=1))
    post_login(client, "canbo.binhlu")
    client.post(reverse("mfa_authenticate"), {"code": code_now(secret)})
    assert client.get("/").status_code == 200
    for url in [reverse("mfa_deactivate_totp"), reverse("mfa_generate_recovery_codes")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "reauthenticate" in response["Location"], url
