"""The registry's services: registration, editing, updates and reviews, stopping, deleting, and the reads.

The other practices tests reuse ``make_people``, ``make`` and ``upload`` from here (each declares its own small
fixtures over them: the app has no conftest of its own yet).
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation

from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.orgs.models import OrgUnit
from danvan.plans.models import Measurement, Plan, Target
from danvan.practices import queries, services
from danvan.practices.models import Attachment, Practice, PracticeField, PracticeStatus, PracticeUpdate

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are checked in English (the msgids), whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield
TODAY = timezone.localdate()
YEAR = TODAY.year
START = dt.date(YEAR, 1, 15) if TODAY >= dt.date(YEAR, 1, 15) else TODAY
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def make_people(tree: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """At every boundary of commune A1 (Bình Lư) in province A (Lai Châu)."""
    return {
        "officer": make_user("pr_officer", (tree["A1"], "officer")),
        "head": make_user("pr_head", (tree["A1"], "head")),
        "viewer": make_user("pr_viewer", (tree["A1"], "viewer")),
        "sibling": make_user("pr_sibling", (tree["A2"], "officer")),
        "sibling_head": make_user("pr_sibling_head", (tree["A2"], "head")),
        "province": make_user("pr_province", (tree["A"], "head")),
        "padmin": make_user("pr_padmin", (tree["A"], "admin")),
        "pviewer": make_user("pr_pviewer", (tree["A"], "viewer")),
        "other": make_user("pr_other", (tree["B1"], "officer")),
        "badmin": make_user("pr_badmin", (tree["B"], "admin")),
        "nobody": make_user("pr_nobody"),
    }


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    return make_people(tree, make_user)


@pytest.fixture
def fields(db: Any) -> dict[str, PracticeField]:
    """The five fields of migration 0002 by code."""
    return {f.code: f for f in PracticeField.objects.all()}


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make(unit: OrgUnit, name: str = "Dân vận khéo trong xây dựng nông thôn mới", *, actor: Any = None,
         **kw: Any) -> Practice:
    values: dict[str, Any] = {
        "year": YEAR, "field": PracticeField.objects.get(code="economy"), "goals": "Nâng cao thu nhập",
        "starts_on": START, "responsible_person": "Lò Văn Hùng",
    }
    values.update(kw)
    return services.register_practice(actor=actor, org_unit=unit, name=name, **values)


def upload(name: str = "anh.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --------------------------------------------------------------------------- register


def test_register(tree: dict, people: dict, fields: dict) -> None:
    p = make(tree["A1"], "  Bản  không có  người nghiện ", actor=people["officer"], place="Bản Thẳm",
             ethnic_remote=True, ends_on=START + dt.timedelta(days=200), field=fields["defence_security"])
    p.refresh_from_db()
    assert p.name == "Bản không có người nghiện" and p.name_key == "ban khong co nguoi nghien"
    assert p.status == PracticeStatus.REGISTERED and p.ethnic_remote and p.created_by == people["officer"]
    assert p.field.code == "defence_security" and p.registered_by == "collective" and p.person_name == ""
    ev = AuditEvent.objects.get(action="practices.practice.register")
    assert ev.org_unit_id == tree["A1"].pk and ev.summary["name"] == p.name
    # The province's head registers for a commune below it.
    q = make(tree["A1"], "Mô hình khác", actor=people["province"])
    assert q.org_unit == tree["A1"]


def test_register_by_an_individual_needs_the_name(tree: dict, people: dict) -> None:
    with pytest.raises(ValidationError) as exc:
        make(tree["A1"], registered_by="individual")
    assert "person_name" in _errors(exc)
    p = make(tree["A1"], registered_by="individual", person_name="Nguyễn Thị Hoa")
    assert p.person_name == "Nguyễn Thị Hoa"
    # A collective's practice keeps no person's name.
    q = make(tree["A1"], "Khác", person_name="Ai đó")
    assert q.person_name == ""


def test_registered_twice_is_refused(tree: dict, people: dict) -> None:
    make(tree["A1"], "Dân vận khéo trong chuyển đổi số")
    for name in ("Dân vận khéo trong chuyển đổi số", "DÂN VẬN KHÉO  trong chuyen doi so"):
        with pytest.raises(ValidationError) as exc:
            make(tree["A1"], name)
        assert "already registered" in _errors(exc)["name"][0]
    assert Practice.objects.count() == 1
    # Another year, another unit: allowed.
    make(tree["A1"], "Dân vận khéo trong chuyển đổi số", year=YEAR - 1, starts_on=dt.date(YEAR - 1, 3, 1))
    make(tree["A2"], "Dân vận khéo trong chuyển đổi số")
    assert Practice.objects.count() == 3


@pytest.mark.parametrize(("kw", "field"), [
    ({"name": ""}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"name": 12}, "name"),
    ({"goals": ""}, "goals"),
    ({"goals": "g" * 10001}, "goals"),
    ({"year": "2026"}, "year"),
    ({"year": True}, "year"),
    ({"year": 1999}, "year"),
    ({"starts_on": None}, "starts_on"),
    ({"starts_on": "2026-01-01"}, "starts_on"),
    ({"ends_on": dt.date(2000, 1, 1)}, "ends_on"),
    ({"responsible_person": "  "}, "responsible_person"),
    ({"registered_by": "committee"}, "registered_by"),
    ({"ethnic_remote": "yes"}, "ethnic_remote"),
    ({"target": "5"}, "target"),
    ({"place": "p" * 256}, "place"),
])
def test_register_bad_input(tree: dict, kw: dict, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        make(tree["A1"], **kw)
    assert field in _errors(exc)
    assert not Practice.objects.exists()


def test_register_inactive_field_and_bad_unit(tree: dict, fields: dict) -> None:
    PracticeField.objects.filter(code="economy").update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        make(tree["A1"])
    assert "field" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        make("A1", field=fields["culture_society"])  # type: ignore[arg-type]
    assert "org_unit" in _errors(exc)
    OrgUnit.objects.filter(pk=tree["A2"].pk).update(valid_to=TODAY)
    tree["A2"].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        make(tree["A2"], field=fields["culture_society"])
    assert "org_unit" in _errors(exc)


@pytest.mark.parametrize("who", ["viewer", "sibling", "pviewer", "other", "badmin", "nobody"])
def test_register_refused_outside_the_scope(tree: dict, people: dict, who: str) -> None:
    with pytest.raises(PermissionDenied):
        make(tree["A1"], actor=people[who])
    assert not Practice.objects.exists()


def test_target_of_a_plan_above_only(tree: dict) -> None:
    own = Plan.objects.create(issuer=tree["A"], title="Kế hoạch dân vận tỉnh", year=YEAR, status="issued")
    target = Target.objects.create(plan=own, text="95% cơ quan, xã đăng ký 1–2 mô hình", value=Decimal(95),
                                   unit="%", measurement=Measurement.SHARE_OF_UNITS)
    p = make(tree["A1"], target=target)
    assert p.target == target
    elsewhere = Plan.objects.create(issuer=tree["B"], title="Kế hoạch tỉnh khác", year=YEAR)
    for t in (Target.objects.create(plan=elsewhere, text="Khác"),
              Target.objects.create(plan=Plan.objects.create(issuer=tree["A2"], title="Xã bên", year=YEAR),
                                    text="Xã bên")):
        with pytest.raises(ValidationError) as exc:
            make(tree["A1"], "Khác", target=t)
        assert "target" in _errors(exc)
    Plan.objects.filter(pk=own.pk).update(deleted_at=timezone.now())
    with pytest.raises(ValidationError):
        make(tree["A1"], "Khác nữa", target=target)


# --------------------------------------------------------------------------- edit


def test_update_practice(tree: dict, people: dict, fields: dict) -> None:
    p = make(tree["A1"])
    services.update_practice(actor=people["officer"], practice=p, expected_version=1, name="Tên mới",
                             field=fields["political_system"], ethnic_remote=True)
    p.refresh_from_db()
    assert (p.name, p.name_key, p.field.code, p.ethnic_remote, p.lock_version) == (
        "Tên mới", "ten moi", "political_system", True, 2)
    assert AuditEvent.objects.filter(action="practices.practice.update").count() == 1
    # Nothing changed: no new version, no event.
    services.update_practice(actor=people["officer"], practice=p, expected_version=2, name="Tên mới")
    assert p.lock_version == 2 and AuditEvent.objects.filter(action="practices.practice.update").count() == 1


def test_concurrent_edit_is_refused(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    first = Practice.objects.get(pk=p.pk)
    second = Practice.objects.get(pk=p.pk)
    services.update_practice(actor=people["officer"], practice=first, expected_version=1, place="Bản Thẳm")
    with pytest.raises(ConcurrentEditError):
        services.update_practice(actor=people["head"], practice=second, expected_version=1, place="Bản Mới")
    p.refresh_from_db()
    assert p.place == "Bản Thẳm"
    with pytest.raises(ValidationError) as exc:
        services.update_practice(actor=people["head"], practice=second, expected_version="2", place="x")
    assert "expected_version" in _errors(exc)


def test_update_bad_input(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    make(tree["A1"], "Đã có")
    cases: list[tuple[dict[str, Any], str]] = [({"name": "đã CÓ"}, "name"), ({"ends_on": START - dt.timedelta(days=1)}, "ends_on"),
             ({"year": YEAR + 1}, "year"), ({"org_unit": tree["A2"]}, "org_unit"), ({"goals": ""}, "goals")]
    for kw, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.update_practice(actor=people["officer"], practice=p, expected_version=1, **kw)
        assert field in _errors(exc), kw
    p.refresh_from_db()
    assert p.lock_version == 1 and p.name == "Dân vận khéo trong xây dựng nông thôn mới"


@pytest.mark.parametrize("who", ["viewer", "sibling", "pviewer", "other", "nobody"])
def test_update_refused_outside_the_scope(tree: dict, people: dict, who: str) -> None:
    p = make(tree["A1"])
    with pytest.raises(PermissionDenied):
        services.update_practice(actor=people[who], practice=p, expected_version=1, name="X")
    p.refresh_from_db()
    assert p.lock_version == 1


# --------------------------------------------------------------------------- updates and reviews


def _add(p: Practice, kind: str, text: str = "Đã làm", on: dt.date = TODAY, **kw: Any) -> PracticeUpdate:
    return services.add_update(actor=kw.pop("actor", None), practice=p, kind=kind, on=on, text=text, **kw)


def test_updates_move_the_status(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    _add(p, "progress", "Họp bản", actor=people["officer"])
    assert p.status == PracticeStatus.IN_PROGRESS
    _add(p, "interim_review", "Sơ kết")
    assert Practice.objects.get(pk=p.pk).status == PracticeStatus.INTERIM_REVIEWED
    with pytest.raises(ValidationError) as exc:
        _add(p, "interim_review", "Sơ kết lần hai")
    assert "kind" in _errors(exc)
    _add(p, "progress", "Tiếp tục")  # progress after the interim review keeps it reviewed
    assert Practice.objects.get(pk=p.pk).status == PracticeStatus.INTERIM_REVIEWED
    _add(p, "final_review", "Tổng kết")
    assert Practice.objects.get(pk=p.pk).status == PracticeStatus.FINAL_REVIEWED
    for kind in ("progress", "interim_review", "final_review"):
        with pytest.raises(ValidationError) as exc:
            _add(p, kind, "Sau tổng kết")
        assert "kind" in _errors(exc)
    assert PracticeUpdate.objects.filter(practice=p).count() == 4
    assert AuditEvent.objects.filter(action="practices.update.add").count() == 4


def test_update_bad_input_and_double_submit(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    cases: list[tuple[dict[str, Any], str]] = [({"kind": "report"}, "kind"), ({"on": TODAY + dt.timedelta(days=1)}, "on"),
             ({"on": START - dt.timedelta(days=1)}, "on"), ({"on": "hôm nay"}, "on"), ({"text": ""}, "text"),
             ({"text": "t" * 20001}, "text")]
    for kw, field in cases:
        values = {"kind": "progress", "on": TODAY, "text": "Đã làm", **kw}
        with pytest.raises(ValidationError) as exc:
            services.add_update(actor=people["officer"], practice=p, **values)
        assert field in _errors(exc), kw
    _add(p, "progress", "Đã làm")
    with pytest.raises(ValidationError) as exc:
        _add(p, "progress", "Đã làm")
    assert "text" in _errors(exc)
    assert PracticeUpdate.objects.filter(practice=p).count() == 1


def test_update_with_evidence_files(tree: dict, people: dict, media: Any) -> None:
    p = make(tree["A1"])
    u = _add(p, "progress", "Ảnh buổi ra quân", actor=people["officer"], files=[upload("ra-quan.pdf")])
    row = Attachment.objects.get()
    assert row.update == u and row.original_name == "ra-quan.pdf" and row.uploaded_by == people["officer"]
    # A refused file refuses the whole update: no update, no file, status unchanged.
    with pytest.raises(ValidationError) as exc:
        _add(p, "interim_review", "Sơ kết", files=[upload("ok.pdf"), upload("virus.pdf", b"MZ\x90\x00" * 10)])
    assert "files" in _errors(exc)
    assert PracticeUpdate.objects.filter(practice=p).count() == 1 and Attachment.objects.count() == 1
    assert Practice.objects.get(pk=p.pk).status == PracticeStatus.IN_PROGRESS
    assert len(list(media.rglob("*.pdf"))) == 1


@pytest.mark.parametrize("who", ["viewer", "sibling", "pviewer", "other", "nobody"])
def test_progress_refused_outside_the_scope(tree: dict, people: dict, who: str) -> None:
    p = make(tree["A1"])
    with pytest.raises(PermissionDenied):
        _add(p, "progress", actor=people[who])
    assert not PracticeUpdate.objects.exists()


# --------------------------------------------------------------------------- stop, delete


def test_stop(tree: dict, people: dict) -> None:
    p = make(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        services.stop_practice(actor=people["officer"], practice=p, expected_version=1, reason=" ")
    assert "reason" in _errors(exc)
    with pytest.raises(ConcurrentEditError):
        services.stop_practice(actor=people["officer"], practice=p, expected_version=7, reason="Gộp")
    services.stop_practice(actor=people["officer"], practice=p, expected_version=1, reason="Gộp vào mô hình khác")
    assert p.status == PracticeStatus.STOPPED and p.lock_version == 2
    with pytest.raises(ValidationError):
        _add(p, "progress")
    with pytest.raises(ValidationError) as exc:
        services.update_practice(actor=people["officer"], practice=p, expected_version=2, name="X")
    assert "status" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.stop_practice(actor=people["officer"], practice=p, expected_version=2, reason="Lại")
    assert "status" in _errors(exc)


def test_delete(tree: dict, people: dict) -> None:
    p = make(tree["A1"], "Sai tên")
    for who in ("officer", "viewer", "sibling_head", "other"):
        with pytest.raises(PermissionDenied):
            services.delete_practice(actor=people[who], practice=p, reason="Nhập nhầm")
    with pytest.raises(ValidationError) as exc:
        services.delete_practice(actor=people["head"], practice=p, reason="")
    assert "reason" in _errors(exc)
    services.delete_practice(actor=people["head"], practice=p, reason="Nhập nhầm")
    assert Practice.objects.get(pk=p.pk).deleted_at is not None
    assert not queries.practices_for(people["head"]).filter(pk=p.pk).exists()
    assert AuditEvent.objects.get(action="practices.practice.delete").summary["reason"] == "Nhập nhầm"
    # The name is free again; a deleted practice takes nothing more.
    make(tree["A1"], "Sai tên")
    with pytest.raises(ValidationError):
        _add(p, "progress")
    with pytest.raises(ValidationError):
        services.delete_practice(actor=people["head"], practice=p, reason="Lại")


# --------------------------------------------------------------------------- reads


def test_practices_for_each_boundary(tree: dict, people: dict) -> None:
    a1 = make(tree["A1"])
    a2 = make(tree["A2"])
    b1 = make(tree["B1"])
    seen = {who: set(queries.practices_for(people[who]).values_list("pk", flat=True)) for who in people}
    assert seen["officer"] == {a1.pk} and seen["viewer"] == {a1.pk}
    assert seen["sibling"] == {a2.pk}
    assert seen["pviewer"] == {a1.pk, a2.pk}
    assert seen["other"] == {b1.pk} and seen["badmin"] == {b1.pk}
    assert seen["nobody"] == set()


def test_adoptable_for_adds_recognised_practices(tree: dict, people: dict) -> None:
    a1 = make(tree["A1"])
    b1 = make(tree["B1"])
    assert set(queries.adoptable_for(people["sibling"]).values_list("pk", flat=True)) == set()
    Practice.objects.filter(pk=b1.pk).update(recognition_level="province", recognised_on=TODAY)
    assert set(queries.adoptable_for(people["sibling"]).values_list("pk", flat=True)) == {b1.pk}
    assert set(queries.adoptable_for(people["officer"]).values_list("pk", flat=True)) == {a1.pk, b1.pk}


def test_registration_share(tree: dict, django_assert_num_queries: Any) -> None:
    make(tree["A1"], "Một")
    make(tree["A1"], "Hai")
    make(tree["Adep"], "Sở")
    make(tree["A2"], "Năm ngoái", year=YEAR - 1, starts_on=dt.date(YEAR - 1, 2, 1))
    deleted = make(tree["A2"], "Đã xoá")
    services.delete_practice(actor=None, practice=deleted, reason="Nhầm")
    make(tree["B1"], "Tỉnh khác")
    units = OrgUnit.objects.subtree_of(tree["A"]).exclude(kind__code="village")  # A, A1, A2, Adep
    with django_assert_num_queries(1):
        assert queries.registration_share(units, YEAR) == (2, 4)
    assert queries.registration_share(units, YEAR, min_count=2) == (1, 4)
    assert queries.registration_share(units, YEAR - 1) == (1, 4)
    assert queries.registration_share(units.filter(kind__code="commune"), YEAR) == (1, 2)
    assert queries.registration_share(OrgUnit.objects.none(), YEAR) == (0, 0)


def test_spread_lists_adopting_units(tree: dict) -> None:
    from danvan.practices.models import Replication

    p = make(tree["A1"])
    Replication.objects.create(practice=p, org_unit=tree["B1"], adopted_on=TODAY)
    Replication.objects.create(practice=p, org_unit=tree["A2"], adopted_on=START)
    Replication.objects.create(practice=p, org_unit=tree["Adep"], adopted_on=TODAY, deleted_at=timezone.now())
    assert [r.org_unit for r in queries.spread(p)] == [tree["A2"], tree["B1"]]


@pytest.mark.django_db(transaction=True)
def test_two_registrations_at_once_keep_one(tree: dict) -> None:
    """Two submits of the same form at the same moment: one practice, the other gets the error on ``name``."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite writes one transaction at a time; the PostgreSQL run covers the race")
    # A transactional test before this one may have flushed the fields the data migration loaded.
    PracticeField.objects.get_or_create(code="economy", defaults={"name": "Kinh tế"})
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def submit() -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            make(OrgUnit.objects.get(pk=tree["A1"].pk), "Cùng lúc")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("dup" if "name" in exc.message_dict else "other")
        except Exception as exc:  # noqa: BLE001 - shown in the assertion rather than lost in the thread
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["dup", "ok"]
    assert Practice.objects.filter(name_key="cung luc").count() == 1
