"""Whistleblower protection: the identity is stored encrypted, only an assigned handler reveals it, every
reveal is audited without the identity, and it shows up nowhere else (rows, logs, SQL, messages)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from danvan.core.models import AuditEvent
from danvan.core.text import search_key
from danvan.petitions import crypto
from danvan.petitions.identity import can_reveal, reveal_identity, rotate_keys, store_identity
from danvan.petitions.models import CaseHandler, FilerIdentity, Petition, PetitionEvent

pytestmark = pytest.mark.django_db

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
IDENTITY = {
    "name": "Nguyễn Thị Tố Giác",
    "address": "Số 7 ngõ Kín Đáo, tổ 3",
    "id_number": "001234567890",
    "phone": "0912 345 678",
    "email": "togiac.bimat@thurieng.vn",
    "note": "Bản viết tay lưu ở tủ hồ sơ mật số 2",
}
REASON = "Cần liên hệ người tố cáo để xác minh bổ sung tài liệu"


def _needles() -> list[str]:
    """Every identity value, also as typed without marks, so that a folded copy is caught too."""
    out: set[str] = set()
    for value in IDENTITY.values():
        out |= {value, search_key(value), value.replace(" ", "")}
    return sorted(out)


def assert_no_identity(text: str, where: str) -> None:
    for needle in _needles():
        assert needle not in text, f"identity value found in {where}"


@pytest.fixture(autouse=True)
def keys(settings: Any) -> None:
    settings.DANVAN_IDENTITY_KEYS = [NEW]


def make_petition(unit: Any, number: int = 1) -> Petition:
    return Petition.objects.create(
        org_unit=unit, number=number, number_year=2026, received_on=dt.date(2026, 7, 10), channel="post",
        kind="denunciation", summary="Tố cáo cán bộ địa chính thu tiền trái quy định",
    )


def assign(petition: Petition, user: Any, *, revoked: bool = False) -> CaseHandler:
    now = timezone.now()
    return CaseHandler.objects.create(petition=petition, user=user, assigned_at=now, revoked_at=now if revoked else None)


@pytest.fixture
def case(tree: dict[str, Any]) -> Petition:
    petition = make_petition(tree["A1"])
    store_identity(petition, dict(IDENTITY))
    return petition


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, case: Petition) -> dict[str, Any]:
    A, A1, A2, B = tree["A"], tree["A1"], tree["A2"], tree["B"]
    p: dict[str, Any] = {
        "handler": make_user("xuly", (A1, "case_handler")),
        "assigned_superuser": make_user("sieuxuly", is_superuser=True, is_staff=True),
        "colleague": make_user("canbo", (A1, "officer")),
        "unassigned_handler_role": make_user("xuly2", (A1, "case_handler")),
        "reception": make_user("tiepdan", (A1, "reception_officer")),
        "head": make_user("chutich", (A1, "head")),
        "unit_admin": make_user("quantrixa", (A1, "admin")),
        "province_officer": make_user("canbotinh", (A, "officer")),
        "province_head": make_user("chutichtinh", (A, "head")),
        "province_admin": make_user("quantritinh", (A, "admin")),
        "sibling_commune": make_user("canboxakhac", (A2, "case_handler")),
        "other_province": make_user("canbotinhkhac", (B, "head")),
        "no_membership": make_user("nguoidan"),
        "superuser": make_user("sieuquantri", is_superuser=True, is_staff=True),
        "revoked": make_user("dathoi", (A1, "case_handler")),
        "other_case": make_user("vukhac", (A1, "case_handler")),
        "inactive": make_user("nghiviec", (A1, "case_handler"), is_active=False),
        "anonymous": AnonymousUser(),
    }
    assign(case, p["handler"])
    assign(case, p["assigned_superuser"])
    assign(case, p["revoked"], revoked=True)
    assign(case, p["inactive"])
    assign(make_petition(A1, number=2), p["other_case"])
    return p


ALLOWED = ["handler", "assigned_superuser"]
REFUSED = [
    "colleague", "unassigned_handler_role", "reception", "head", "unit_admin", "province_officer",
    "province_head", "province_admin", "sibling_commune", "other_province", "no_membership", "superuser",
    "revoked", "other_case", "inactive", "anonymous",
]


# --------------------------------------------------------------------------- storing


def test_stored_encrypted_and_two_encryptions_differ(tree: dict[str, Any], case: Petition) -> None:
    other = make_petition(tree["A1"], number=3)
    store_identity(other, dict(IDENTITY))
    first, second = (FilerIdentity.objects.get(petition=p).ciphertext for p in (case, other))
    assert first != second
    for token in (first, second):
        assert_no_identity(token, "ciphertext")
        assert crypto.decrypt(token) == IDENTITY


def test_values_are_cleaned_and_empty_ones_dropped(tree: dict[str, Any]) -> None:
    petition = make_petition(tree["A1"])
    decomposed = "Nguye\u0302\u0303n  Văn   An "  # NFD as typed on a Mac, extra blanks
    store_identity(petition, {"name": decomposed, "phone": "  ", "email": "", "address": None})  # type: ignore[dict-item]
    assert crypto.decrypt(FilerIdentity.objects.get(petition=petition).ciphertext) == {"name": "Nguyễn Văn An"}


@pytest.mark.parametrize(
    ("identity", "field"),
    [
        (None, "identity"),
        ([("name", "Nguyễn Thị Tố Giác")], "identity"),
        ("Nguyễn Thị Tố Giác", "identity"),
        ({}, "identity"),
        ({"name": "   ", "phone": ""}, "identity"),
        ({"name": "Nguyễn Thị Tố Giác", "spouse": "Trần Văn Chồng"}, "identity"),
        ({"name": "Nguyễn Thị Tố Giác", "children": "Trần Văn Con"}, "identity"),
        ({"name": 12345}, "identity.name"),
        ({"name": ["Nguyễn Thị Tố Giác"]}, "identity.name"),
        ({"name": "Tố Giác " * 30}, "identity.name"),
        ({"address": "Số 7 ngõ Kín Đáo " * 30}, "identity.address"),
        ({"id_number": "0012345678901234567890"}, "identity.id_number"),
        ({"phone": "0912345678" * 4}, "identity.phone"),
        ({"email": "togiac" * 50 + "@thurieng.vn"}, "identity.email"),
        ({"note": "Bản viết tay " * 100}, "identity.note"),
    ],
)
def test_bad_identity_refused_naming_the_field_not_the_value(tree: dict[str, Any], identity: Any, field: str) -> None:
    petition = make_petition(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        store_identity(petition, identity)
    assert field in exc.value.message_dict
    text = json.dumps(exc.value.message_dict, ensure_ascii=False)
    for value in ("Tố Giác", "Trần Văn", "0012345678901", "togiactogiac", "Kín Đáo", "Bản viết tay"):
        assert value not in text
    assert not FilerIdentity.objects.exists()


def test_unknown_keys_are_listed_by_name(tree: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        store_identity(make_petition(tree["A1"]), {"name": "Nguyễn Thị Tố Giác", "spouse": "x", "parents": "y"})
    message = exc.value.message_dict["identity"][0]
    assert "parents, spouse" in message and "name, address, id_number, phone, email, note" in message


def test_second_identity_for_same_petition_refused(case: Petition) -> None:
    before = FilerIdentity.objects.get(petition=case).ciphertext
    with pytest.raises(ValidationError) as exc:
        store_identity(case, {"name": "Người Khác Hẳn"})
    assert "identity" in exc.value.message_dict
    assert list(FilerIdentity.objects.values_list("ciphertext", flat=True)) == [before]


def test_rolls_back_with_the_callers_transaction(tree: dict[str, Any]) -> None:
    petition = make_petition(tree["A1"])
    with pytest.raises(RuntimeError), transaction.atomic():
        store_identity(petition, dict(IDENTITY))
        assert FilerIdentity.objects.filter(petition=petition).exists()
        raise RuntimeError("intake failed later")
    assert not FilerIdentity.objects.filter(petition=petition).exists()


def test_missing_key_refuses_to_store(settings: Any, tree: dict[str, Any]) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.DANVAN_IDENTITY_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        store_identity(make_petition(tree["A1"]), dict(IDENTITY))
    assert not FilerIdentity.objects.exists()


# --------------------------------------------------------------------------- who may reveal


@pytest.mark.parametrize("who", ALLOWED)
def test_assigned_handler_reveals(people: dict[str, Any], case: Petition, who: str) -> None:
    assert can_reveal(people[who], case)
    assert reveal_identity(actor=people[who], petition=case, reason=REASON) == IDENTITY


@pytest.mark.parametrize("who", REFUSED)
def test_everyone_else_is_refused(people: dict[str, Any], case: Petition, who: str) -> None:
    before = AuditEvent.objects.count()
    assert not can_reveal(people[who], case)
    with pytest.raises(PermissionDenied) as exc:
        reveal_identity(actor=people[who], petition=case, reason=REASON)
    assert_no_identity(str(exc.value), "the refusal message")
    assert AuditEvent.objects.count() == before


def test_assignment_to_another_case_does_not_open_this_one(people: dict[str, Any], tree: dict[str, Any]) -> None:
    other = Petition.objects.get(org_unit=tree["A1"], number=2)
    assert can_reveal(people["other_case"], other)
    assert not can_reveal(people["handler"], other)


def test_revoking_the_assignment_closes_it(people: dict[str, Any], case: Petition) -> None:
    handler = people["handler"]
    CaseHandler.objects.filter(petition=case, user=handler).update(revoked_at=timezone.now())
    with pytest.raises(PermissionDenied):
        reveal_identity(actor=handler, petition=case, reason=REASON)


def test_can_reveal_is_one_query(people: dict[str, Any], case: Petition, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert can_reveal(people["handler"], case)
    with django_assert_num_queries(0):
        assert not can_reveal(people["anonymous"], case)


def test_outsider_does_not_learn_whether_an_identity_exists(people: dict[str, Any], tree: dict[str, Any]) -> None:
    bare = make_petition(tree["A1"], number=4)
    assign(bare, people["handler"])
    with pytest.raises(PermissionDenied):
        reveal_identity(actor=people["colleague"], petition=bare, reason=REASON)
    with pytest.raises(ValidationError) as exc:
        reveal_identity(actor=people["handler"], petition=bare, reason=REASON)
    assert "identity" in exc.value.message_dict


# --------------------------------------------------------------------------- the reason and the audit log


@pytest.mark.parametrize(
    "reason", [None, "", "   ", "xác minh", "a" * 9, "a" * 501, 1234567890, ["Cần xác minh thêm nội dung"]]
)
def test_reason_is_required_and_bounded(people: dict[str, Any], case: Petition, reason: Any) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        reveal_identity(actor=people["handler"], petition=case, reason=reason)
    assert "reason" in exc.value.message_dict
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("reason", ["a" * 10, "b" * 500])
def test_reason_limits_are_inclusive(people: dict[str, Any], case: Petition, reason: str) -> None:
    assert reveal_identity(actor=people["handler"], petition=case, reason=reason) == IDENTITY


@pytest.mark.parametrize(
    "reason",
    [
        "Gọi cho Nguyễn Thị Tố Giác để hẹn lịch",
        "goi cho NGUYEN THI TO GIAC de hen lich",
        "Gọi số 0912345678 để hẹn lịch làm việc",
        "Gửi thư tới togiac.bimat@thurieng.vn hôm nay",
        "Đối chiếu CCCD 001234567890 với hồ sơ",
    ],
)
def test_reason_must_not_carry_the_identity_into_the_audit_log(
    people: dict[str, Any], case: Petition, reason: str
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        reveal_identity(actor=people["handler"], petition=case, reason=reason)
    assert "reason" in exc.value.message_dict
    assert AuditEvent.objects.count() == before


def test_each_reveal_is_one_audit_event_without_the_identity(people: dict[str, Any], case: Petition) -> None:
    handler = people["handler"]
    for n in (1, 2):
        before = AuditEvent.objects.order_by("seq").last()
        reveal_identity(actor=handler, petition=case, reason=f"  {REASON}   lần {n} ")
        new = list(AuditEvent.objects.filter(seq__gt=before.seq if before else 0))
        assert len(new) == 1
        event = new[0]
        assert event.action == "petitions.identity.revealed"
        assert event.actor == handler
        assert (event.object_type, event.object_id) == ("petitions.petition", str(case.pk))
        assert event.org_unit_id == case.org_unit_id
        assert event.summary == {"reason": f"{REASON} lần {n}"}
        row = serializers.serialize("python", [event])
        assert_no_identity(json.dumps(row, ensure_ascii=False, default=str), "the audit event")
        assert_no_identity(json.dumps(row, default=str), "the audit event (ASCII-escaped)")


def test_undecryptable_record_reveals_nothing_and_audits_nothing(people: dict[str, Any], case: Petition) -> None:
    stored = FilerIdentity.objects.get(petition=case)
    middle = len(stored.ciphertext) // 2
    flipped = "A" if stored.ciphertext[middle] != "A" else "B"
    FilerIdentity.objects.filter(pk=stored.pk).update(
        ciphertext=stored.ciphertext[:middle] + flipped + stored.ciphertext[middle + 1 :]
    )
    before = AuditEvent.objects.count()
    with pytest.raises(crypto.IdentityCryptoError):
        reveal_identity(actor=people["handler"], petition=case, reason=REASON)
    assert AuditEvent.objects.count() == before


# --------------------------------------------------------------------------- nowhere else


def _dump_database() -> str:
    """Every row of every table, serialised, in one string."""
    parts = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        rows = serializers.serialize("python", model._default_manager.all())
        parts.append(json.dumps(rows, ensure_ascii=False, default=str))
    return "\n".join(parts)


def test_identity_appears_nowhere_else(
    tree: dict[str, Any], make_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    for name in (None, "django", "django.db.backends", "danvan"):  # the settings quieten some of them
        caplog.set_level(logging.DEBUG, logger=name)
    handler = make_user("xuly", (tree["A1"], "case_handler"))
    with CaptureQueriesContext(connection) as queries:  # also turns on Django's SQL logging at DEBUG
        petition = make_petition(tree["A1"])
        store_identity(petition, dict(IDENTITY))
        assign(petition, handler)
        assert reveal_identity(actor=handler, petition=petition, reason=REASON) == IDENTITY
        with pytest.raises(ValidationError) as refused:
            store_identity(petition, dict(IDENTITY))
    petition.refresh_from_db()
    stored = FilerIdentity.objects.get(petition=petition)

    assert any("petitions_filer" in q["sql"] for q in queries.captured_queries)  # the capture works
    assert_no_identity("\n".join(q["sql"] for q in queries.captured_queries), "the SQL sent")
    assert caplog.records, "nothing was captured: the log check would prove nothing"
    assert_no_identity(caplog.text, "the logs")
    assert_no_identity("\n".join(repr(r.args) for r in caplog.records), "log arguments")
    assert_no_identity(str(refused.value), "an error message")
    assert_no_identity(f"{petition} {petition!r} {stored} {stored!r}", "str/repr")
    petition_row = {f.name: f.value_from_object(petition) for f in Petition._meta.concrete_fields}
    assert_no_identity(json.dumps(petition_row, ensure_ascii=False, default=str), "the petition row")
    events = serializers.serialize("python", PetitionEvent.objects.filter(petition=petition))
    assert_no_identity(json.dumps(events, ensure_ascii=False, default=str), "the case steps")
    assert_no_identity(_dump_database(), "the database")


# --------------------------------------------------------------------------- key rotation


def test_rotation_reencrypts_everything_so_old_key_can_go(
    settings: Any, tree: dict[str, Any], make_user: Any
) -> None:
    settings.DANVAN_IDENTITY_KEYS = [OLD]
    petitions = [make_petition(tree["A1"], number=n) for n in (1, 2, 3)]
    for p in petitions:
        store_identity(p, {**IDENTITY, "note": f"ghi chú {p.number}"})
    before = {p.pk: FilerIdentity.objects.get(petition=p).ciphertext for p in petitions}

    settings.DANVAN_IDENTITY_KEYS = [NEW, OLD]
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    assert rotate_keys(batch_size=2) == 3
    batches = list(AuditEvent.objects.filter(seq__gt=seq, action="petitions.identity.keys_rotated"))
    assert [e.summary["count"] for e in batches] == [2, 1]
    for event in batches:
        assert_no_identity(json.dumps(serializers.serialize("python", [event]), ensure_ascii=False, default=str),
                           "the rotation audit event")

    settings.DANVAN_IDENTITY_KEYS = [NEW]
    handler = make_user("xuly", (tree["A1"], "case_handler"))
    for p in petitions:
        assert FilerIdentity.objects.get(petition=p).ciphertext != before[p.pk]
        assign(p, handler)
        assert reveal_identity(actor=handler, petition=p, reason=REASON) == {**IDENTITY, "note": f"ghi chú {p.number}"}
    with pytest.raises(crypto.IdentityCryptoError):
        crypto.decrypt(before[petitions[0].pk])  # the old copies needed the old key


def test_rotation_with_nothing_stored(db: Any) -> None:
    assert rotate_keys() == 0


def test_rotation_stops_on_an_unreadable_row_and_names_it(settings: Any, tree: dict[str, Any]) -> None:
    settings.DANVAN_IDENTITY_KEYS = [OLD]
    petition = make_petition(tree["A1"])
    store_identity(petition, dict(IDENTITY))
    stored = FilerIdentity.objects.get(petition=petition)
    settings.DANVAN_IDENTITY_KEYS = [NEW]  # the old key was dropped too early
    with pytest.raises(crypto.IdentityCryptoError, match=f"#{stored.pk}:") as exc:
        rotate_keys()
    assert_no_identity(str(exc.value), "the error")
    assert FilerIdentity.objects.get(pk=stored.pk).ciphertext == stored.ciphertext


def test_command_prints_how_many(settings: Any, case: Petition) -> None:
    settings.DANVAN_IDENTITY_KEYS = [OLD, NEW]
    out = StringIO()
    call_command("petitions_rotate_keys", stdout=out)
    assert out.getvalue().split()[0] == "1"
    settings.DANVAN_IDENTITY_KEYS = [OLD]
    assert crypto.decrypt(FilerIdentity.objects.get(petition=case).ciphertext) == IDENTITY


def test_command_fails_cleanly(settings: Any, case: Petition) -> None:
    settings.DANVAN_IDENTITY_KEYS = []
    with pytest.raises(CommandError, match="DANVAN_IDENTITY_KEYS"):
        call_command("petitions_rotate_keys", stdout=StringIO())
    settings.DANVAN_IDENTITY_KEYS = [OLD]
    with pytest.raises(CommandError, match="cannot be decrypted") as exc:
        call_command("petitions_rotate_keys", stdout=StringIO())
    assert_no_identity(str(exc.value), "the command's error")
    with pytest.raises(CommandError):
        call_command("petitions_rotate_keys", "--batch-size", "0", stdout=StringIO())


def test_command_name_on_the_danvan_cli() -> None:
    from danvan.cli import _translate

    assert _translate(["danvan", "petitions", "rotate-keys"]) == ["danvan", "petitions_rotate_keys"]
