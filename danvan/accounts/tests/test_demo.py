"""``danvan demo load`` and ``danvan demo otp``: the demo province, its former district and the demo log-ins."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from danvan.accounts import totp
from danvan.core.models import AuditEvent
from danvan.demo import data
from danvan.demo.services import OfficialListMissing, load_demo
from danvan.orgs.loaders import load_official, ward_code
from danvan.orgs.models import Membership, OrgUnit, UnitSuccession

from .helpers import code_now, post_login

pytestmark = pytest.mark.django_db


def vi(msgid: str) -> str:
    with translation.override("vi"):
        return gettext(msgid)


@pytest.fixture
def official(kinds):
    """Province 12 and the demo's communes exactly as the official loader stores them.

    Loading all 3,355 units takes seconds, so most tests use just these; one test below runs on
    the whole official list.
    """
    import vietnam_provinces as vp

    from danvan.orgs import services

    province = services.create_unit(
        actor=None, kind=kinds["province"], name="Lai Châu", parent=None, code="12", audit_event=False
    )
    wards = {ward_code(w.code): w for w in vp.Ward.iter_all() if int(w.province_code) == 12}
    for code in data.COMMUNES.values():
        services.create_unit(
            actor=None, kind=kinds["commune"], name=wards[code].name, parent=province, code=code, audit_event=False
        )
    return province


@pytest.fixture
def demo(official, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_load", stdout=out)
    return out.getvalue()


def current(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code, valid_to__isnull=True)


def test_needs_the_official_list_first(db, settings):
    settings.DEBUG = True
    with pytest.raises(OfficialListMissing):
        load_demo()
    with pytest.raises(CommandError, match="load-official"):
        call_command("demo_load", stdout=StringIO())
    assert not get_user_model().objects.exists()


def test_works_on_the_whole_official_list(db, settings):
    settings.DEBUG = True
    load_official()
    result = load_demo()
    assert result.users == len(data.USERS)
    assert OrgUnit.objects.get(code="03390", valid_to__isnull=True).children.filter(kind__code="village").count() == 3
    assert load_official().changed is False  # the official loader ignores the demo's units


def test_refuses_to_run_without_debug(official, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_load", stdout=StringIO())
    assert not get_user_model().objects.exists()
    assert not OrgUnit.objects.filter(kind__code="village").exists()
    call_command("demo_load", "--force", stdout=StringIO())
    assert get_user_model().objects.filter(username="quantri", is_superuser=True).exists()


def test_builds_the_province(demo, official):
    under = OrgUnit.objects.filter(parent=official, valid_to__isnull=True)
    departments = set(under.filter(kind__code="department").values_list("name", flat=True))
    assert {"Sở Nội vụ", "Sở Tư pháp", "Văn phòng Ủy ban nhân dân tỉnh", "Thanh tra tỉnh", "Sở Tài chính"} <= departments
    assert under.get(kind__code="front").name == "Ủy ban MTTQ Việt Nam tỉnh Lai Châu"
    assert under.get(kind__code="party").name == "Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu"
    villages = OrgUnit.objects.filter(kind__code="village")
    parents = set(villages.values_list("parent__code", flat=True))
    assert parents == set(data.COMMUNES.values())
    assert all(v.name.startswith(("Bản ", "Tổ dân phố ")) for v in villages)
    assert all(v.path.startswith(official.path) for v in OrgUnit.objects.filter(kind__code__in=["village", "department", "front", "party", "district"]))
    fronts = OrgUnit.objects.filter(kind__code="front", parent__kind__code="commune")
    assert fronts.count() == 3
    assert fronts.get(parent=current("03390")).name == "Ủy ban MTTQ Việt Nam xã Bình Lư"


def test_former_district_and_its_communes(demo, official):
    district = OrgUnit.objects.get(name="Huyện Tam Đường")
    assert district.kind.code == "district" and district.parent == official
    assert district.valid_to == dt.date(2025, 6, 30)
    assert not district.is_current()
    former = OrgUnit.objects.filter(parent=district)
    assert former.count() == 13
    assert set(former.values_list("valid_to", flat=True)) == {dt.date(2025, 6, 30)}
    assert set(former.values_list("kind__code", flat=True)) == {"commune"}
    expected = {
        "Thị trấn Tam Đường": "03390", "Xã Sơn Bình": "03390", "Xã Bình Lư": "03390",
        "Xã Tả Lèng": "03405", "Xã Giang Ma": "03405", "Xã Hồ Thầu": "03405",
        "Xã Khun Há": "03430", "Xã Nùng Nàng": "03430",
        "Xã Bản Bo": "03424", "Xã Nà Tăm": "03424", "Xã Bản Giang": "03424", "Xã Bản Hon": "03424", "Xã Thèn Sin": "03424",
    }
    links = {
        (s.predecessor.name, s.successor.code)
        for s in UnitSuccession.objects.filter(predecessor__parent=district).select_related("predecessor", "successor")
    }
    assert links == set(expected.items())
    assert set(UnitSuccession.objects.filter(predecessor__parent=district).values_list("effective_on", flat=True)) == {
        dt.date(2025, 7, 1)
    }
    assert set(district.successors.values_list("code", flat=True)) == {"03390", "03405", "03430", "03424"}
    # The current official list is untouched and its codes stay unique.
    dupes = OrgUnit.objects.filter(valid_to__isnull=True).exclude(code="").values("code").annotate(n=Count("id")).filter(n__gt=1)
    assert not dupes.exists()
    assert current("03390").name == "Xã Bình Lư"


def test_demo_users_roles_and_authenticators(demo, official):
    User = get_user_model()
    assert {u.username for u in User.objects.all()} == {u.username for u in data.USERS}
    root = User.objects.get(username="quantri")
    assert root.is_superuser and root.is_staff
    roles = {(m.user.username, m.org_unit.name, m.role) for m in Membership.objects.select_related("user", "org_unit")}
    assert ("admin.laichau", "Lai Châu", "admin") in roles
    assert ("lanhdao.laichau", "Lai Châu", "head") in roles
    assert ("canbo.laichau", "Sở Nội vụ", "officer") in roles
    assert ("tiepdan.binhlu", "Xã Bình Lư", "reception_officer") in roles
    assert ("xuly.binhlu", "Xã Bình Lư", "case_handler") in roles
    assert ("mttq.laichau", "Ủy ban MTTQ Việt Nam tỉnh Lai Châu", "front_supervisor") in roles
    assert ("xem.taleng", "Xã Tả Lèng", "viewer") in roles
    assert Membership.objects.filter(user__username="canbo.kiemnhiem").count() == 2
    for user in User.objects.all():
        assert user.check_password(data.DEMO_PASSWORD), user.username
        assert (totp.secret_of(user) == data.DEMO_TOTP_SECRET) == (user.username != "xem.taleng"), user.username
    assert not Authenticator.objects.filter(user__username="xem.taleng").exists()


def test_second_run_changes_nothing_and_says_so(demo, settings):
    counts = (OrgUnit.objects.count(), Membership.objects.count(), UnitSuccession.objects.count(),
              Authenticator.objects.count(), AuditEvent.objects.count(), get_user_model().objects.count())
    out = StringIO()
    call_command("demo_load", stdout=out)
    after = (OrgUnit.objects.count(), Membership.objects.count(), UnitSuccession.objects.count(),
             Authenticator.objects.count(), AuditEvent.objects.count(), get_user_model().objects.count())
    assert after == counts
    assert vi("The demo data is already loaded; nothing changed.") in out.getvalue()
    assert load_demo().changed is False


def test_first_run_reports_and_audits(demo):
    assert "nothing changed" not in demo
    event = AuditEvent.objects.get(action="demo.load")
    assert event.actor is None
    assert event.summary["users"] == len(data.USERS)
    assert event.summary["closed_units"] == 14


def test_banner_shows_address_logins_password_and_otp_hint(demo):
    assert "http://127.0.0.1:8000" in demo
    for spec in data.USERS:
        assert spec.username in demo
    assert data.DEMO_PASSWORD in demo
    assert data.DEMO_TOTP_SECRET in demo
    assert "danvan demo otp" in demo


def test_a_demo_staff_user_logs_in_with_password_and_code(demo, client):
    response = post_login(client, "admin.laichau", data.DEMO_PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": code_now(data.DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    user = home.context["user"]
    visible = OrgUnit.objects.visible_to(user)
    assert visible.filter(code="03390").exists()
    assert not visible.filter(code="01").exists()  # another province


def test_the_viewer_logs_in_without_a_code(demo, client):
    assert post_login(client, "xem.taleng", data.DEMO_PASSWORD)["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_the_two_unit_user_gets_the_switcher(demo, client):
    post_login(client, "canbo.kiemnhiem", data.DEMO_PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": code_now(data.DEMO_TOTP_SECRET)})
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert [u.name for u in home.context["switchable_units"]()] == ["Lai Châu", "Phường Tân Phong"]


def test_otp_command(demo, settings):
    out, err = StringIO(), StringIO()
    call_command("demo_otp", "lanhdao.laichau", stdout=out, stderr=err)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert code in {totp.code_at(data.DEMO_TOTP_SECRET, t) for t in (totp.time.time(), totp.time.time() - 30)}
    with pytest.raises(CommandError):
        call_command("demo_otp", "xem.taleng", stdout=StringIO(), stderr=StringIO())  # no authenticator
    with pytest.raises(CommandError):
        call_command("demo_otp", "khong.co.ai", stdout=StringIO(), stderr=StringIO())
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_otp", "lanhdao.laichau", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("demo_otp", "lanhdao.laichau", "--force", stdout=out, stderr=StringIO())
    assert out.getvalue().strip().isdigit()
