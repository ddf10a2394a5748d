"""Roles and accounts pages, and the import/export pages, as an administrator uses them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from danvan.accounts.models import User
from danvan.orgs import services
from danvan.orgs.models import Membership, OrgUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mfa")]

PASSWORD = "mot-mat-khau-that-dai-2026"


def test_memberships_list_shows_unit_and_below_with_bounded_queries(
    client, tree, kinds, make_user, django_assert_max_num_queries
):
    admin = make_user("qtv", (tree["A1"], "admin"))
    make_user("cb", (tree["A1v"], "officer"))
    make_user("khac", (tree["A2"], "officer"))
    for i in range(60):
        v = services.create_unit(actor=admin, kind=kinds["village"], name=f"Thôn {i}", parent=tree["A1"])
        make_user(f"u{i}", (v, "viewer"))
    client.force_login(admin)
    url = reverse("orgs:memberships", args=[tree["A1"].pk])
    with django_assert_max_num_queries(12):
        r = client.get(url)
    users = {m.user.username for m in r.context["memberships"]}
    assert {"qtv", "cb"} <= users and "khac" not in users
    assert len(r.context["memberships"]) == 50 and r.context["more"]
    r2 = client.get(url, {"after": r.context["next_after"]})
    assert len(r2.context["memberships"]) == 12 and not r2.context["more"]


def test_grant_by_email_and_revoke(client, tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    official = make_user("nva")
    client.force_login(admin)
    url = reverse("orgs:memberships", args=[tree["A1"].pk])
    r = client.post(url, {"user": "NVA@example.vn", "role": "officer"})
    assert r.status_code == 302
    m = Membership.objects.active().get(user=official)
    assert m.org_unit_id == tree["A1"].pk and m.granted_by == admin
    r = client.post(url, {"user": "nva", "role": "officer"})  # twice
    assert r.status_code == 200 and "role" in r.context["form"].errors
    assert Membership.objects.active().filter(user=official).count() == 1
    r = client.post(reverse("orgs:revoke", args=[tree["A1"].pk, m.pk]))
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.revoked_at is not None


def test_grant_unknown_user_and_bad_role(client, tree, make_user):
    client.force_login(make_user("qtv", (tree["A1"], "admin")))
    r = client.post(reverse("orgs:memberships", args=[tree["A1"].pk]), {"user": "ghost", "role": "emperor"})
    assert set(r.context["form"].errors) == {"user", "role"}


def test_grant_and_revoke_outside_subtree_are_refused(client, tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    make_user("nva")
    other = make_user("khac", (tree["A2"], "officer"))
    far = make_user("xa", (tree["B1"], "officer"))
    client.force_login(admin)
    for unit in (tree["A2"], tree["B1"], tree["A"]):
        r = client.post(reverse("orgs:memberships", args=[unit.pk]), {"user": "nva", "role": "officer"})
        assert r.status_code == 404
    assert not Membership.objects.filter(user__username="nva").exists()
    for m in (other.memberships.get(), far.memberships.get()):
        # Through the sibling's own URL (not visible) and smuggled under the admin's unit.
        assert client.post(reverse("orgs:revoke", args=[m.org_unit_id, m.pk])).status_code == 404
        assert client.post(reverse("orgs:revoke", args=[tree["A1"].pk, m.pk])).status_code == 404
        m.refresh_from_db()
        assert m.revoked_at is None


def test_revoke_needs_post(client, tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    m = make_user("cb", (tree["A1"], "officer")).memberships.get()
    client.force_login(admin)
    assert client.get(reverse("orgs:revoke", args=[tree["A1"].pk, m.pk])).status_code == 405


def test_create_official_page(client, tree, make_user):
    client.force_login(make_user("qtv", (tree["A1"], "admin")))
    url = reverse("orgs:official_add", args=[tree["A1"].pk])
    page = client.get(url).content.decode()
    assert 'for="id_username"' in page and 'type="password"' in page
    r = client.post(url, {"username": "lethib", "full_name": "Lê Thị B", "email": "b@example.vn",
                          "password": "12345678", "role": "officer"})
    assert r.status_code == 200 and "password" in r.context["form"].errors
    assert not User.objects.filter(username="lethib").exists()
    r = client.post(url, {"username": "lethib", "full_name": "Lê Thị B", "email": "b@example.vn",
                          "password": PASSWORD, "role": "officer"})
    assert r.status_code == 302
    user = User.objects.get(username="lethib")
    assert user.memberships.get().org_unit_id == tree["A1"].pk


def csv_upload(text: str, name: str = "don-vi.csv"):
    f = io.BytesIO(text.encode("utf-8"))
    f.name = name
    return f


def test_import_preview_confirm_and_double_confirm(client, tree, make_user):
    client.force_login(make_user("qtv", (tree["A1"], "admin")))
    url = reverse("orgs:import", args=[tree["A1"].pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"file": csv_upload("Tên,Loại,Mã\nThôn Mới,thôn,TM-1\nBản Thẳm,bản,\n")})
    assert r.status_code == 200
    report = r.context["report"]
    assert [p.name for p in report.to_create] == ["Thôn Mới"] and [x.row for x in report.existing] == [3]
    assert not OrgUnit.objects.filter(code="TM-1").exists()  # preview saves nothing
    token = r.context["token"]
    assert token in r.content.decode()
    r = client.post(url, {"token": token})
    assert r.status_code == 302 and OrgUnit.objects.filter(code="TM-1").count() == 1
    r = client.post(url, {"token": token}, follow=True)  # the same confirmation again
    assert OrgUnit.objects.filter(code="TM-1").count() == 1
    assert r.redirect_chain[-1][0] == url
    r = client.post(url, {"file": csv_upload("Tên,Loại,Mã\nThôn Mới,thôn,TM-1\n")})  # the same file again
    assert not r.context["report"].to_create and "token" not in r.context
    assert OrgUnit.objects.filter(code="TM-1").count() == 1


def test_import_with_errors_shows_rows_and_offers_no_confirmation(client, tree, make_user):
    client.force_login(make_user("qtv", (tree["A1"], "admin")))
    url = reverse("orgs:import", args=[tree["A1"].pk])
    r = client.post(url, {"file": csv_upload("Tên,Loại,Hiệu lực từ\nThôn Tốt,thôn,\n,thôn,\nThôn X,thôn,31/02/2025\n")})
    body = r.content.decode()
    assert [e.row for e in r.context["report"].errors] == [3, 4]
    assert "token" not in r.context and 'name="token"' not in body
    assert "31/02/2025" in body
    assert not OrgUnit.objects.filter(name="Thôn Tốt").exists()


def test_import_a_pdf_renamed_csv(client, tree, make_user):
    client.force_login(make_user("qtv", (tree["A1"], "admin")))
    f = io.BytesIO(b"%PDF-1.4 fake")
    f.name = "don-vi.csv"
    r = client.post(reverse("orgs:import", args=[tree["A1"].pk]), {"file": f})
    assert "PDF" in r.context["report"].errors[0].message


def test_import_too_large_is_refused_before_reading(client, tree, make_user, settings):
    settings.DANVAN_IMPORT_MAX_BYTES = 10
    client.force_login(make_user("qtv", (tree["A1"], "admin")))
    r = client.post(reverse("orgs:import", args=[tree["A1"].pk]), {"file": csv_upload("Tên,Loại\nThôn,thôn\n")})
    assert "file" in r.context["form"].errors


def test_confirm_token_of_another_user_is_useless(client, tree, make_user):
    client.force_login(make_user("qtv", (tree["A1"], "admin")))
    url = reverse("orgs:import", args=[tree["A1"].pk])
    token = client.post(url, {"file": csv_upload("Tên,Loại\nThôn Z,thôn\n")}).context["token"]
    client.force_login(make_user("qtv2", (tree["A1"], "admin")))
    client.post(url, {"token": token})
    assert not OrgUnit.objects.filter(name="Thôn Z").exists()


def test_export_csv_streams_and_xlsx_downloads(client, tree, make_user):
    client.force_login(make_user("cb", (tree["A1"], "officer")))
    url = reverse("orgs:export", args=[tree["A1"].pk])
    r = client.get(url, {"format": "csv"})
    assert r.status_code == 200 and r.streaming and "attachment" in r["Content-Disposition"]
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "Bản Thẳm" in text and "Sở Nội vụ" not in text
    r = client.get(url, {"format": "xlsx"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True).worksheets[0]
    assert [row[2] for row in sheet.iter_rows(values_only=True)][1:] == ["Xã Bình Lư", "Bản Thẳm"]
    assert client.get(url, {"format": "pdf"}).status_code == 400
    assert client.get(reverse("orgs:export", args=[tree["A"].pk])).status_code == 404
