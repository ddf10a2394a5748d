"""The unit pages for administrators: who may open them, what a save does, what a stale save does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from danvan.orgs import services
from danvan.orgs.models import OrgUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mfa")]

MANAGE = ["orgs:add", "orgs:edit", "orgs:move", "orgs:close", "orgs:memberships", "orgs:official_add", "orgs:import"]


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", [*MANAGE, "orgs:detail", "orgs:export"])
def test_anonymous_is_sent_to_login(client, tree, name):
    r = client.get(reverse(name, args=[tree["A1"].pk]))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("name", [*MANAGE, "orgs:detail", "orgs:export"])
def test_user_without_membership_gets_404(client, tree, make_user, name):
    login(client, make_user("nobody"))
    assert client.get(reverse(name, args=[tree["A1"].pk])).status_code == 404


@pytest.mark.parametrize("name", MANAGE)
def test_officer_may_look_but_not_manage(client, tree, make_user, name):
    login(client, make_user("cb", (tree["A1"], "officer")))
    assert client.get(reverse("orgs:detail", args=[tree["A1"].pk])).status_code == 200
    assert client.get(reverse(name, args=[tree["A1"].pk])).status_code == 403
    assert client.post(reverse(name, args=[tree["A1"].pk]), {"name": "X", "kind": "1"}).status_code == 403


@pytest.mark.parametrize("name", MANAGE)
def test_commune_admin_boundaries(client, tree, make_user, name):
    login(client, make_user("qtv", (tree["A1"], "admin"), (tree["A"], "viewer")))
    assert client.get(reverse(name, args=[tree["A1"].pk])).status_code in (200, 302)
    assert client.get(reverse(name, args=[tree["A"].pk])).status_code == 403  # parent: seen, not administered
    assert client.get(reverse(name, args=[tree["A2"].pk])).status_code == 403  # sibling: seen as viewer only
    assert client.get(reverse(name, args=[tree["B1"].pk])).status_code == 404  # other province: not even seen


def test_commune_admin_cannot_post_under_province_or_sibling(client, tree, kinds, make_user):
    login(client, make_user("qtv", (tree["A1"], "admin")))
    data = {"kind": kinds["village"].pk, "name": "Thôn Lạ"}
    for unit in (tree["A"], tree["A2"], tree["B"]):
        assert client.post(reverse("orgs:add", args=[unit.pk]), data).status_code == 404
    assert not OrgUnit.objects.filter(name="Thôn Lạ").exists()


def test_admin_adds_a_sub_unit(client, tree, kinds, make_user):
    login(client, make_user("qtv", (tree["A1"], "admin")))
    page = client.get(reverse("orgs:add", args=[tree["A1"].pk])).content.decode()
    assert 'for="id_name"' in page and f'value="{kinds["commune"].pk}"' not in page  # no official-list kinds
    r = client.post(
        reverse("orgs:add", args=[tree["A1"].pk]),
        {"kind": kinds["village"].pk, "name": "Thôn Nà Khoang", "code": "", "division_type": "thôn", "valid_from": "01/07/2025"},
    )
    unit = OrgUnit.objects.get(name="Thôn Nà Khoang")
    assert r.status_code == 302 and r["Location"] == reverse("orgs:detail", args=[unit.pk])
    assert unit.parent_id == tree["A1"].pk and unit.valid_from == dt.date(2025, 7, 1)


def test_add_bad_input_names_the_field(client, tree, kinds, make_user):
    login(client, make_user("qtv", (tree["A1"], "admin")))
    r = client.post(
        reverse("orgs:add", args=[tree["A1"].pk]),
        {"kind": kinds["village"].pk, "name": "", "code": "12-SNV", "valid_from": "31/02/2025"},
    )
    assert r.status_code == 200
    assert set(r.context["form"].errors) == {"name", "valid_from"}
    r = client.post(reverse("orgs:add", args=[tree["A1"].pk]), {"kind": kinds["village"].pk, "name": "T", "code": "12-SNV"})
    assert "code" in r.context["form"].errors
    assert not OrgUnit.objects.filter(parent=tree["A1"], name="T").exists()


def test_edit_and_stale_edit_conflict(client, tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    other = make_user("qtv2", (tree["A1"], "admin"))
    login(client, admin)
    url = reverse("orgs:edit", args=[tree["A1v"].pk])
    form = client.get(url).context["form"]
    version = form.initial["version"]
    # Someone else saves in between.
    services.update_unit(actor=other, unit=tree["A1v"], phone="0213 999 999")
    r = client.post(url, {"name": "Bản Thẳm Trên", "code": "", "division_type": "bản", "valid_from": "",
                          "email": "", "phone": "", "address": "", "version": version})
    assert r.status_code == 200
    body = r.content.decode()
    assert "Bản Thẳm Trên" in body  # the user's own input is still in the form
    assert "0213 999 999" in body  # and the other person's values are shown
    assert r.context["form"].non_field_errors()
    unit = OrgUnit.objects.get(pk=tree["A1v"].pk)
    assert unit.name == "Bản Thẳm" and unit.phone == "0213 999 999"
    # Saving again, now knowingly, succeeds.
    data = {"name": "Bản Thẳm Trên", "code": "", "division_type": "bản", "valid_from": "", "email": "",
            "phone": "0213 999 999", "address": "", "version": r.context["form"].data["version"]}
    assert client.post(url, data).status_code == 302
    assert OrgUnit.objects.get(pk=tree["A1v"].pk).name == "Bản Thẳm Trên"


def test_commune_admin_cannot_rename_the_official_commune(client, tree, make_user):
    login(client, make_user("qtv", (tree["A1"], "admin")))
    url = reverse("orgs:edit", args=[tree["A1"].pk])
    version = client.get(url).context["form"].initial["version"]
    r = client.post(url, {"name": "Xã Đổi Tên", "code": "00000", "email": "ubnd@binhlu.vn", "version": version})
    assert r.status_code == 302
    unit = OrgUnit.objects.get(pk=tree["A1"].pk)
    assert unit.name == "Xã Bình Lư" and unit.code == "03440" and unit.email == "ubnd@binhlu.vn"


def test_move_into_own_sub_unit_gets_a_clear_message(client, tree, kinds, make_user):
    admin = make_user("qtv", (tree["A"], "admin"))
    dept = services.create_unit(actor=admin, kind=kinds["department"], name="Phòng", parent=tree["A1"])
    login(client, admin)
    r = client.post(reverse("orgs:move", args=[tree["A1"].pk]), {"new_parent": dept.pk})
    assert r.status_code == 200
    assert "new_parent" in r.context["form"].errors
    assert OrgUnit.objects.get(pk=tree["A1"].pk).parent_id == tree["A"].pk
    r = client.post(reverse("orgs:move", args=[dept.pk]), {"new_parent": tree["A2"].pk})
    assert r.status_code == 302 and OrgUnit.objects.get(pk=dept.pk).parent_id == tree["A2"].pk


def test_close_with_successor_shows_on_detail(client, tree, make_user):
    admin = make_user("qtv", (tree["A"], "admin"))
    login(client, admin)
    services.move_unit(actor=admin, unit=tree["A1v"], new_parent=tree["A2"])
    page = client.get(reverse("orgs:close", args=[tree["A1"].pk])).content.decode()
    assert "Phường Tân Phong" in page and "Tỉnh Thái Nguyên" not in page
    today = timezone.localdate().strftime("%d/%m/%Y")
    r = client.post(reverse("orgs:close", args=[tree["A1"].pk]), {"last_day": today, "successors": [tree["A2"].pk]})
    assert r.status_code == 302
    page = client.get(reverse("orgs:detail", args=[tree["A"].pk]) + "?closed=1").content.decode()
    assert "Xã Bình Lư" in page and "Phường Tân Phong" in page
    detail = client.get(reverse("orgs:detail", args=[tree["A1"].pk])).content.decode()
    assert reverse("orgs:detail", args=[tree["A2"].pk]) in detail
    assert reverse("orgs:edit", args=[tree["A1"].pk]) in detail
    assert reverse("orgs:close", args=[tree["A1"].pk]) not in detail


def test_close_refused_with_current_children(client, tree, make_user):
    login(client, make_user("qtv", (tree["A"], "admin")))
    r = client.post(reverse("orgs:close", args=[tree["A1"].pk]), {"last_day": timezone.localdate().strftime("%d/%m/%Y")})
    assert r.status_code == 200 and "last_day" in r.context["form"].errors
    assert OrgUnit.objects.get(pk=tree["A1"].pk).valid_to is None


def test_detail_shows_actions_only_to_admins(client, tree, make_user):
    url = reverse("orgs:detail", args=[tree["A1"].pk])
    login(client, make_user("cb", (tree["A1"], "officer")))
    assert reverse("orgs:edit", args=[tree["A1"].pk]) not in client.get(url).content.decode()
    login(client, make_user("qtv", (tree["A1"], "admin")))
    assert reverse("orgs:edit", args=[tree["A1"].pk]) in client.get(url).content.decode()


def test_tree_search_without_diacritics_and_next_page(client, tree, kinds, make_user, django_assert_max_num_queries):
    admin = make_user("qtv", (tree["A"], "admin"))
    for i in range(55):
        services.create_unit(actor=admin, kind=kinds["village"], name=f"Thôn Đồng {i:02d}", parent=tree["A2"])
    login(client, admin)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("orgs:tree"), {"q": "thon dong"})
    assert len(r.context["units"]) == 50 and r.context["more"]
    r2 = client.get(reverse("orgs:tree"), {"q": "thon dong", "after": r.context["next_after"]})
    assert len(r2.context["units"]) == 5 and not r2.context["more"]
    assert not {u.pk for u in r.context["units"]} & {u.pk for u in r2.context["units"]}


def test_detail_next_page_and_bounded_queries(client, tree, kinds, make_user, django_assert_max_num_queries):
    admin = make_user("qtv", (tree["A"], "admin"))
    for i in range(60):
        services.create_unit(actor=admin, kind=kinds["village"], name=f"Thôn {i:02d}", parent=tree["A2"])
    login(client, admin)
    url = reverse("orgs:detail", args=[tree["A2"].pk])
    with django_assert_max_num_queries(14):
        r = client.get(url + "?closed=1")
    assert len(r.context["children"]) == 50
    r2 = client.get(url, {"after": r.context["next_after"]})
    names = [u.name for u in r.context["children"]] + [u.name for u in r2.context["children"]]
    assert names == sorted(names) and len(set(names)) == 60
