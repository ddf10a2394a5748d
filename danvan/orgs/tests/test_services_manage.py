"""Writes to the tree: creating, editing (with stale-save detection), moving, closing, new officials."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.accounts.models import User
from danvan.core.models import AuditEvent
from danvan.orgs import services
from danvan.orgs.models import Membership, OrgUnit, UnitSuccession

pytestmark = pytest.mark.django_db

PASSWORD = "mot-mat-khau-that-dai-2026"


def test_admin_creates_a_village_with_audit(tree, kinds, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    unit = services.create_unit(
        actor=admin, kind=kinds["village"], name="  Thôn  Nà Khoang ", parent=tree["A1"], code="A1-NK",
        valid_from=dt.date(2025, 7, 1),
    )
    assert unit.name == "Thôn Nà Khoang"
    assert unit.path.startswith(tree["A1"].path) and unit.depth == 2
    assert AuditEvent.objects.filter(action="orgs.unit.create", object_id=str(unit.pk), actor=admin).exists()


def test_commune_admin_cannot_create_under_province_or_other_province(tree, kinds, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    for parent in (tree["A"], tree["A2"], tree["B1"]):
        with pytest.raises(PermissionDenied):
            services.create_unit(actor=admin, kind=kinds["village"], name="X", parent=parent)
    assert not OrgUnit.objects.filter(name="X").exists()


def test_officer_cannot_create(tree, kinds, make_user):
    officer = make_user("cb", (tree["A1"], "officer"))
    with pytest.raises(PermissionDenied):
        services.create_unit(actor=officer, kind=kinds["village"], name="X", parent=tree["A1"])


def test_people_cannot_create_official_list_kinds(tree, kinds, make_user):
    admin = make_user("qtv", (tree["A"], "admin"))
    with pytest.raises(ValidationError) as exc:
        services.create_unit(actor=admin, kind=kinds["commune"], name="Xã Mới", parent=tree["A"])
    assert "kind" in exc.value.message_dict


def test_create_rejects_duplicate_code_long_fields_and_closed_parent(tree, kinds, make_user):
    admin = make_user("qtv", (tree["A"], "admin"))
    with pytest.raises(ValidationError) as exc:
        services.create_unit(actor=admin, kind=kinds["department"], name="Sở", parent=tree["A"], code="12-SNV")
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_unit(actor=admin, kind=kinds["department"], name="Sở", parent=tree["A"], code="x" * 33)
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_unit(actor=admin, kind=kinds["department"], name="x" * 256, parent=tree["A"])
    assert "name" in exc.value.message_dict
    services.close_unit(actor=admin, unit=tree["Adep"], last_day=timezone.localdate(), successors=[])
    tree["Adep"].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.create_unit(actor=admin, kind=kinds["other"], name="Phòng", parent=tree["Adep"])
    assert "parent" in exc.value.message_dict


def test_update_with_current_version_saves(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    unit = tree["A1v"]
    unit.refresh_from_db()
    services.update_unit(actor=admin, unit=unit, expected_version=services.unit_version(unit), name="Bản Thẳm Mới")
    unit.refresh_from_db()
    assert unit.name == "Bản Thẳm Mới" and unit.search_name == "ban tham moi"


def test_stale_update_is_refused_and_keeps_the_other_edit(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    other = make_user("qtv2", (tree["A1"], "admin"))
    unit = OrgUnit.objects.get(pk=tree["A1v"].pk)
    version_seen_by_both = services.unit_version(unit)
    services.update_unit(actor=other, unit=unit, expected_version=version_seen_by_both, phone="0213 123 456")
    with pytest.raises(services.ConcurrentEditError):
        services.update_unit(actor=admin, unit=unit, expected_version=version_seen_by_both, name="Tên khác")
    unit.refresh_from_db()
    assert unit.name == "Bản Thẳm" and unit.phone == "0213 123 456"


def test_move_village_between_communes_of_the_province(tree, kinds, make_user):
    admin = make_user("qtv", (tree["A"], "admin"))
    sub = services.create_unit(actor=admin, kind=kinds["other"], name="Tổ 1", parent=tree["A1v"])
    services.move_unit(actor=admin, unit=tree["A1v"], new_parent=tree["A2"])
    village = OrgUnit.objects.get(pk=tree["A1v"].pk)
    sub.refresh_from_db()
    assert village.parent_id == tree["A2"].pk
    assert village.path.startswith(tree["A2"].path) and sub.path.startswith(village.path)
    ev = AuditEvent.objects.get(action="orgs.unit.move")
    assert ev.summary == {"from_parent": tree["A1"].pk, "to_parent": tree["A2"].pk}


def test_unit_cannot_become_its_own_ancestor(tree, make_user):
    admin = make_user("qtv", (tree["A"], "admin"))
    for target in (tree["A1"], tree["A1v"]):
        with pytest.raises(ValidationError) as exc:
            services.move_unit(actor=admin, unit=tree["A1"], new_parent=target)
        assert "parent" in exc.value.message_dict
    assert OrgUnit.objects.get(pk=tree["A1"].pk).parent_id == tree["A"].pk


def test_commune_admin_cannot_move_out_of_their_subtree(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    with pytest.raises(PermissionDenied):
        services.move_unit(actor=admin, unit=tree["A1v"], new_parent=tree["A2"])


def test_close_with_successor_and_refusals(tree, make_user):
    admin = make_user("qtv", (tree["A"], "admin"))
    today = timezone.localdate()
    with pytest.raises(ValidationError):  # still has a current village
        services.close_unit(actor=admin, unit=tree["A1"], last_day=today, successors=[tree["A2"]])
    with pytest.raises(ValidationError):  # future
        services.close_unit(actor=admin, unit=tree["A1v"], last_day=today + dt.timedelta(days=3), successors=[])
    with pytest.raises(PermissionDenied):  # successor in another province
        services.close_unit(actor=admin, unit=tree["A1v"], last_day=today, successors=[tree["B1"]])
    services.move_unit(actor=admin, unit=tree["A1v"], new_parent=tree["A2"])
    services.close_unit(actor=admin, unit=tree["A1"], last_day=today, successors=[tree["A2"]], note="NQ 1656")
    a1 = OrgUnit.objects.get(pk=tree["A1"].pk)
    assert a1.valid_to == today
    assert UnitSuccession.objects.get(predecessor=a1).successor_id == tree["A2"].pk
    with pytest.raises(ValidationError):
        services.close_unit(actor=admin, unit=a1, last_day=today, successors=[])


def test_create_official_makes_account_and_role(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    user = services.create_official(admin, tree["A1"], "nguyenvana", "Nguyễn Văn A", "NVA@Example.vn", PASSWORD, "officer")
    assert user.check_password(PASSWORD) and user.email == "nva@example.vn" and user.full_name == "Nguyễn Văn A"
    assert Membership.objects.get(user=user).org_unit_id == tree["A1"].pk
    assert AuditEvent.objects.filter(action="orgs.official.create").exists()


def test_create_official_bad_input_names_each_field(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    with pytest.raises(ValidationError) as exc:
        services.create_official(admin, tree["A1"], "qtv", "", "not-an-email", "123", "emperor")
    assert set(exc.value.message_dict) == {"username", "full_name", "email", "password", "role"}
    with pytest.raises(ValidationError) as exc:
        services.create_official(admin, tree["A1"], "moi", "Mới", "qtv@example.vn", PASSWORD, "officer")
    assert "email" in exc.value.message_dict
    assert not User.objects.filter(username="moi").exists()


def test_create_official_outside_subtree_is_refused(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    for unit in (tree["A"], tree["A2"], tree["B1"]):
        with pytest.raises(PermissionDenied):
            services.create_official(admin, unit, "moi", "Mới", "moi@example.vn", PASSWORD, "officer")
    assert not User.objects.filter(username="moi").exists()


def test_admin_cannot_revoke_own_admin_role(tree, make_user):
    admin = make_user("qtv", (tree["A1"], "admin"))
    with pytest.raises(ValidationError):
        services.revoke_membership(actor=admin, membership=admin.memberships.get())
    assert admin.memberships.get().revoked_at is None
