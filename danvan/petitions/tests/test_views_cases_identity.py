"""Whistleblower protection on the case pages: the identity shows only on the identity page's POST, to a handler."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from danvan.core.models import AuditEvent
from danvan.petitions import services

from . import fixtures_cases
from .fixtures_cases import classify, receive

fields, people = fixtures_cases.fields, fixtures_cases.people  # fixtures used by name

pytestmark = pytest.mark.django_db

MARKERS = {"name": "Zqxname Tố Giác", "address": "Zqxaddress Bản Thẳm", "id_number": "ZQX987654321",
           "phone": "0999ZQX111", "email": "zqx@marker.vn"}
NEEDLES = ("Zqxname", "Zqxaddress", "ZQX987654321", "0999ZQX111", "zqx@marker.vn", "zqxname")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def assert_clean(html: str) -> None:
    for needle in NEEDLES:
        assert needle not in html


@pytest.fixture
def case(tree: Any, fields: Any, people: Any) -> Any:
    p = receive(tree["A1"], kind="denunciation", summary="Tố cáo cán bộ địa chính nhận tiền", identity=MARKERS)
    classify(p, fields["officials-conduct"] if "officials-conduct" in fields else next(iter(fields.values())))
    services.assign_handler(actor=None, petition=p, user=people["handler"])
    return p


@pytest.mark.parametrize("who", ["officer", "head", "admin", "province_officer", "province_head", "superuser"])
def test_identity_never_on_list_search_detail_or_act_pages(who: str, people: Any, case: Any,
                                                            make_user: Any) -> None:
    user = make_user("root", is_superuser=True, is_staff=True) if who == "superuser" else people[who]
    c = client_for(user)
    for url, params in (
        ("/petitions/", {}), ("/petitions/", {"q": "zqxname"}), ("/petitions/", {"q": "tố cáo"}),
        ("/petitions/", {"status": "all", "kind": "denunciation"}),
        (f"/petitions/{case.pk}/", {}),
    ):
        r = c.get(url, params)
        assert r.status_code == 200
        # The search box echoes what was typed; nothing else may carry the identity.
        assert_clean(r.content.decode().replace(f'value="{params.get("q", "")}"', ""))
    assert case.pk not in {row["p"].pk for row in c.get("/petitions/", {"q": "zqxname"}).context["rows"]}
    for action in ("accept", "forward", "guide", "file_away"):
        r = c.get(f"/petitions/{case.pk}/act/{action}/")
        assert r.status_code in (200, 403)
        assert_clean(r.content.decode())
    # Not a handler: the identity page is closed, on GET and POST.
    assert c.get(f"/petitions/{case.pk}/identity/").status_code == 403
    r = c.post(f"/petitions/{case.pk}/identity/", {"reason": "Cần xác minh nhân thân người tố cáo"})
    assert r.status_code == 403
    assert_clean(r.content.decode())


def test_the_handler_sees_it_only_on_the_post_response(people: Any, case: Any) -> None:
    c = client_for(people["handler"])
    detail = c.get(f"/petitions/{case.pk}/")
    assert detail.context["can_reveal"] and 'data-testid="reveal-link"' in detail.content.decode()
    assert_clean(detail.content.decode())
    r = c.get(f"/petitions/{case.pk}/identity/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    assert_clean(r.content.decode())
    r = c.post(f"/petitions/{case.pk}/identity/", {"reason": "ngắn"})
    assert r.status_code == 400 and "reason" in r.context["form"].errors
    assert_clean(r.content.decode())
    r = c.post(f"/petitions/{case.pk}/identity/", {"reason": "Cần mời người tố cáo đến làm việc bổ sung"})
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    html = r.content.decode()
    assert "Zqxname" in html and "ZQX987654321" in html
    assert "Zqxname" not in r.request.get("QUERY_STRING", "")
    event = AuditEvent.objects.filter(action="petitions.identity.revealed").latest("pk")
    assert "Zqxname" not in str(event.summary)
    # The handler's own list and detail pages still do not show it.
    assert_clean(c.get("/petitions/").content.decode())
    assert_clean(c.get(f"/petitions/{case.pk}/").content.decode())


def test_a_revoked_handler_loses_access(people: Any, case: Any) -> None:
    services.revoke_handler(actor=None, petition=case, user=people["handler"])
    assert client_for(people["handler"]).get(f"/petitions/{case.pk}/identity/").status_code == 403


def test_the_duplicate_candidates_partial_does_not_leak(people: Any, case: Any, tree: Any) -> None:
    r = client_for(people["reception"]).get("/petitions/new/duplicates/", {
        "summary": "Tố cáo cán bộ địa chính nhận tiền", "filer_name": "Zqxname Tố Giác", "org_unit": tree["A1"].pk})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Zqxaddress" not in html and "ZQX987654321" not in html and "0999ZQX111" not in html


def test_a_complaints_filer_is_not_protected(people: Any, tree: Any) -> None:
    p = receive(tree["A1"], filer_name="Công Khai Văn")
    assert "Công Khai Văn" in client_for(people["officer"]).get(f"/petitions/{p.pk}/").content.decode()
