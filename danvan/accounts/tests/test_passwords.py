"""Password rules (OWASP ASVS 5.0 V6.2): 12 to 128 characters, no common or look-alike passwords, no rotation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from .helpers import PASSWORD, form_errors, post_login

pytestmark = pytest.mark.django_db


def codes(password: str, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {str(e.code) for e in exc.error_list}
    return set()


def test_length_limits(viewer):
    assert codes("a-bc-de-fg-h", viewer) == set()  # 12 characters
    assert "password_too_short" in codes("a-bc-de-fg-", viewer)  # 11
    assert codes("n" + "ốc-sên-bò-chậm " * 8 + "x" * 7, viewer) == set()  # 128, Vietnamese letters allowed
    assert "password_too_long" in codes("n" + "ốc-sên-bò-chậm " * 8 + "x" * 8, viewer)  # 129


def test_common_passwords_are_refused_even_when_long_enough(viewer):
    for common in ["qwerty123456", "1q2w3e4r5t6y", "123qweasdzxc"]:
        assert "password_too_common" in codes(common, viewer), common


def test_password_like_the_username_is_refused(make_user):
    user = make_user("nguyenvanbinh.laichau")
    assert "password_too_similar" in codes("nguyenvanbinh.laichau", user)
    assert "password_too_similar" in codes("nguyenvanbinh.laichau1", user)
    assert codes("gió-núi-Tả-Lèng-2026", user) == set()


def test_no_composition_rule(viewer):
    assert codes("chi co chu thuong thoi", viewer) == set()  # lower case and spaces only


def test_help_texts_describe_the_rules():
    text = " ".join(password_validators_help_texts())
    assert "12" in text and "128" in text


def test_set_password_with_validation_through_the_form(client, no_mfa, viewer):
    post_login(client, "xem.binhlu")
    url = reverse("account_change_password")
    bad = {
        "short": "ngan-qua",
        "common": "qwerty123456",
        "similar": "xem.binhlu.example.vn",
        "long": "x" * 129,
    }
    for why, new in bad.items():
        response = client.post(url, {"oldpassword": PASSWORD, "password1": new, "password2": new})
        assert response.status_code == 200, why
        assert "password1" in response.context["form"].errors, why
        viewer.refresh_from_db()
        assert viewer.check_password(PASSWORD), why
    response = client.post(url, {"oldpassword": PASSWORD, "password1": "gió-núi-Tả-Lèng-2026", "password2": "gió-núi-Tả-Lèng-2026"})
    assert response.status_code == 302, form_errors(response)
    viewer.refresh_from_db()
    assert viewer.check_password("gió-núi-Tả-Lèng-2026")
    assert client.get(reverse("home")).status_code == 200  # still logged in after the change


def test_change_password_needs_the_old_one_and_a_match(client, no_mfa, viewer):
    # allauth limits password changes to 5 a minute per user, so each case stays short.
    post_login(client, "xem.binhlu")
    url = reverse("account_change_password")
    new = "gió-núi-Tả-Lèng-2026"
    response = client.post(url, {"oldpassword": "sai-mat-khau-cu-2026", "password1": new, "password2": new})
    assert "oldpassword" in response.context["form"].errors
    response = client.post(url, {"oldpassword": PASSWORD, "password1": new, "password2": new[:-1]})
    assert "password2" in response.context["form"].errors
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


def test_no_forced_rotation(client, viewer):
    get_user_model().objects.filter(pk=viewer.pk).update(
        date_joined=timezone.now() - dt.timedelta(days=5 * 365), last_login=timezone.now() - dt.timedelta(days=400)
    )
    assert post_login(client, "xem.binhlu")["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_create_user_service_applies_the_rules(db, make_user):
    from danvan.accounts import services

    root = make_user("root", is_superuser=True)
    with pytest.raises(ValidationError) as exc:
        services.create_user(actor=root, username="moi", password="ngan")
    assert "password" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_user(actor=root, username="", password="gió-núi-Tả-Lèng-2026")
    assert "username" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_user(actor=root, username="a b", password="gió-núi-Tả-Lèng-2026")
    assert "username" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_user(actor=root, username="x" * 151, password="gió-núi-Tả-Lèng-2026")
    assert "username" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_user(actor=root, username="ROOT", password="gió-núi-Tả-Lèng-2026")
    assert "username" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_user(actor=root, username="moi", email="khong-phai-email", password="gió-núi-Tả-Lèng-2026")
    assert "email" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_user(actor=root, username="moi", email="ROOT@example.vn", password="gió-núi-Tả-Lèng-2026")
    assert "email" in exc.value.message_dict
    assert not get_user_model().objects.filter(username="moi").exists()

    plain = make_user("plain")
    with pytest.raises(services.PermissionDenied):
        services.create_user(actor=plain, username="moi", password="gió-núi-Tả-Lèng-2026")
    user = services.create_user(actor=root, username="moi", email="moi@example.vn", full_name="  Lò  Văn Mới ", password="gió-núi-Tả-Lèng-2026")
    assert user.full_name == "Lò Văn Mới"
    assert user.check_password("gió-núi-Tả-Lèng-2026")
    assert not user.is_superuser

    from danvan.core.models import AuditEvent

    event = AuditEvent.objects.get(action="accounts.user.create", object_id=str(user.pk))
    assert event.actor == root
    assert "gió" not in str(event.summary)
