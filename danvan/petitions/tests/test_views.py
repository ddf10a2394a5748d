"""The calculator page: login required, dd/mm/yyyy input, each due date with its weekday and legal basis."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/petitions/deadlines/"


@pytest.fixture
def client_in(make_user: Any, no_mfa: None) -> Client:
    client = Client()
    client.force_login(make_user("canbo"))
    return client


def test_url_name() -> None:
    assert reverse("petitions:deadlines") == URL


def test_anonymous_is_sent_to_login() -> None:
    r = Client().get(URL, {"kind": "complaint", "received": "10/07/2026"})
    assert r.status_code == 302 and "login" in r["Location"]


def test_empty_form_renders(client_in: Client) -> None:
    r = client_in.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="received"' in html and 'name="kind"' in html and "dd/mm/yyyy" in html
    assert "<table" not in html


def test_computed_dates_with_weekday_and_basis(client_in: Client) -> None:
    r = client_in.get(URL, {"kind": "complaint", "received": "10/07/2026", "accepted": "21/07/2026",
                            "round": "1", "complex": "on", "remote": "on", "extensions": "0"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Thứ 3, 21/07/2026" in html  # acceptance
    assert "Thứ 2, 21/09/2026" in html  # resolution: 60 days, Saturday → Monday
    assert "Nghị định 155/2026/NĐ-CP, Điều 10" in html and "Luật Khiếu nại 02/2011/QH13, Điều 28" in html
    assert "01/07/2026" in html


def test_engine_errors_beside_the_field(client_in: Client) -> None:
    r = client_in.get(URL, {"kind": "denunciation", "received": "10/07/2026", "round": "2"})
    assert r.status_code == 200
    assert "round" in r.context["form"].errors and "<table" not in r.content.decode()
    r = client_in.get(URL, {"kind": "complaint", "received": "10/07/2026", "accepted": "09/07/2026", "round": "1"})
    assert "accepted" in r.context["form"].errors


def test_form_errors(client_in: Client) -> None:
    r = client_in.get(URL, {"kind": "complaint", "received": "31/02/2026", "round": "1"})
    assert "received" in r.context["form"].errors
    r = client_in.get(URL, {"kind": "petition", "received": "10/07/2026", "round": "1"})
    assert "kind" in r.context["form"].errors
