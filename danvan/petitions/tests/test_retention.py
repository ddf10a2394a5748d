"""Retention: filed-away petitions destroyed after the legal period, by a recorded decision, and only then."""
# ruff: noqa: F811 - pytest fixtures imported from fixtures_cases are redefined as arguments

from __future__ import annotations

import datetime as dt
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from danvan.accounts.services import create_api_token
from danvan.api.tests.conftest import ApiClient
from danvan.core import audit
from danvan.core.models import AuditEvent
from danvan.core.testing import run_together
from danvan.petitions import attachments, deadlines, mediation, retention
from danvan.petitions.models import (
    Attachment,
    DeadlineRule,
    DestructionDecision,
    FilerIdentity,
    Petition,
    PetitionEvent,
    PetitionField,
)

from .fixtures_cases import bring_to, classify, fields, load_fields, people, receive, step  # noqa: F401

D = dt.date
CANARY_NAME = "Hoàng Thị Canary"
CANARY_TEXT = "NOI-DUNG-CANARY-7f3a"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _field() -> PetitionField:
    load_fields()
    return PetitionField.objects.get(code="land")


def filed(unit: Any, *, days_ago: int = 400, kind: str = "complaint", at: dt.datetime | None = None,
          **kw: Any) -> Petition:
    """A petition of ``unit`` filed away ``days_ago`` days ago (or at ``at``), with a canary name and content."""
    kw.setdefault("received_on", D(2025, 2, 20))
    if kind == "complaint":
        kw.setdefault("filer_name", CANARY_NAME)
        kw.setdefault("filer_address", "Bản Thẳm, xã Bình Lư")
    p = receive(unit, kind=kind, content=f"Nội dung {CANARY_TEXT}", **kw)
    bring_to(p, "filed_away", _field())
    when = at or timezone.now() - dt.timedelta(days=days_ago)
    PetitionEvent.objects.filter(petition=p, action="file_away").update(at=when)
    p.refresh_from_db()
    return p


def decision(**kw: Any) -> dict[str, Any]:
    out = {"number": "15/QĐ-UBND", "decided_on": timezone.localdate(), "signer_name": "Lò Văn Chủ Tịch",
           "signer_title": "Chủ tịch UBND xã", "basis": "Thông tư 05/2021/TT-TTCP: đơn xếp lưu đủ 01 năm."}
    out.update(kw)
    return out


def eligible_ids(unit: Any, today: dt.date | None = None) -> set[int]:
    return {e.petition.pk for e in retention.eligible_for_destruction(unit, today)}


# --------------------------------------------------------------------------- happy path


def test_destroying_removes_personal_data_keeps_tombstone_and_audits(
        tree: Any, people: Any, media: Path, django_capture_on_commit_callbacks: Any) -> None:
    p = filed(tree["A1"])
    att = attachments.store_attachment(actor=people["reception"], petition=p,
                                       file=SimpleUploadedFile("don.pdf", PDF, content_type="application/pdf"))
    stored = media / str(att.file.name)
    assert stored.exists()
    PetitionEvent.objects.filter(petition=p).update(reason=f"Ghi chú nội bộ {CANARY_TEXT}")
    other = filed(tree["A1"], days_ago=10)  # still within its year: untouched
    assert eligible_ids(tree["A1"]) == {p.pk}

    with django_capture_on_commit_callbacks(execute=True):
        d = retention.do_destroy(people["head"], tree["A1"], decision(), [p.pk])
    assert d.replayed is False and d.petition_numbers == [f"{p.number}/{p.number_year}"]

    p.refresh_from_db()
    assert (p.summary, p.content, p.filer_name, p.filer_address, p.search_text, p.filer_key) == ("",) * 6
    assert p.destroyed_at is not None and p.destruction == d
    # The tombstone: number, kind, unit, dates and steps stay.
    assert (p.number, p.number_year, p.kind, p.org_unit_id, p.received_on, p.status) == (
        1, 2025, "complaint", tree["A1"].pk, D(2025, 2, 20), "filed_away")
    assert PetitionEvent.objects.filter(petition=p).count() >= 3
    assert not PetitionEvent.objects.filter(petition=p).exclude(reason="").exists()
    assert not Attachment.objects.filter(petition=p).exists()
    assert not stored.exists()
    # Nothing of the canary is left anywhere in the petitions' rows but the untouched petition's.
    assert not Petition.objects.filter(pk=p.pk, content__contains=CANARY_TEXT).exists()
    assert Petition.objects.filter(filer_name=CANARY_NAME).values_list("pk", flat=True).get() == other.pk
    ev = AuditEvent.objects.filter(action="petitions.retention.destroy").get()
    assert ev.summary["petitions"] == [f"{p.number}/{p.number_year}"] and ev.summary["count"] == 1
    assert CANARY_NAME not in str(ev.summary) and CANARY_TEXT not in str(ev.summary)
    assert audit.verify_chain().ok
    assert eligible_ids(tree["A1"]) == set()


def test_denunciation_identity_is_destroyed(tree: Any, people: Any) -> None:
    p = filed(tree["A1"], kind="denunciation", identity={"name": CANARY_NAME, "id_number": "001099012345"})
    assert FilerIdentity.objects.filter(petition=p).exists()
    retention.do_destroy(people["head"], tree["A1"], decision(), [p.pk])
    assert not FilerIdentity.objects.filter(petition=p).exists()
    assert Petition.objects.get(pk=p.pk).filer_key == ""


def test_a_destroyed_petition_cannot_be_reopened(tree: Any, people: Any) -> None:
    p = filed(tree["A1"])
    retention.do_destroy(people["head"], tree["A1"], decision(), [p.pk])
    p.refresh_from_db()
    with pytest.raises(PermissionDenied):
        step(p, "reopen", people["head"], to="classified", reason="Có tình tiết mới")


# --------------------------------------------------------------------------- the period


def test_period_is_rule_data_counted_from_the_day_after(db: Any) -> None:
    rule = retention.retention_rule(D(2025, 3, 3))
    assert rule is not None and (rule.days, rule.counting, rule.kind) == (365, "calendar_days", "any")
    assert retention.retained_until(D(2025, 3, 3)) == D(2026, 3, 3)  # a Tuesday, a working day
    # A last day on a weekend moves to the next working day (Civil Code Art. 148).
    assert retention.retained_until(D(2025, 3, 7)) == D(2026, 3, 9)  # 07/03/2026 is a Saturday


@pytest.mark.parametrize(("days_after", "eligible"), [(364, False), (365, False), (366, True)])
def test_eligibility_boundary(tree: Any, days_after: int, eligible: bool) -> None:
    filed_at = timezone.make_aware(dt.datetime(2025, 3, 3, 15, 0))
    p = filed(tree["A1"], at=filed_at)
    today = D(2025, 3, 3) + dt.timedelta(days=days_after)
    assert (p.pk in eligible_ids(tree["A1"], today)) is eligible


def test_no_rule_in_force_means_kept(tree: Any) -> None:
    p = filed(tree["A1"])
    DeadlineRule.objects.filter(key="retention").delete()
    deadlines.clear_cache()
    assert p.pk not in eligible_ids(tree["A1"])


def test_open_linked_case_blocks_destruction(tree: Any, people: Any) -> None:
    p = filed(tree["A1"])
    second = receive(tree["A1"], received_on=D(2025, 6, 1))
    Petition.objects.filter(pk=second.pk).update(duplicate_of=p)  # an open case relies on it
    assert p.pk not in eligible_ids(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        retention.do_destroy(people["head"], tree["A1"], decision(), [p.pk])
    assert "petitions" in exc.value.message_dict
    assert Petition.objects.get(pk=p.pk).filer_name == CANARY_NAME
    # Once the linked case is no longer pending, it may go.
    Petition.objects.filter(pk=second.pk).update(status="closed")
    assert p.pk in eligible_ids(tree["A1"])


def test_open_mediation_blocks_destruction(tree: Any, people: Any) -> None:
    p = filed(tree["A1"])
    mediation.open_mediation(actor=people["head"], org_unit=tree["A1"], subject="Tranh chấp ranh giới",
                             parties="Hai hộ", opened_on=D(2025, 5, 1), petition=p,
                             mediators=[{"name": "Hòa giải viên", "role": "tổ trưởng"}])
    assert p.pk not in eligible_ids(tree["A1"])


def test_reopened_petition_is_not_eligible(tree: Any) -> None:
    p = filed(tree["A1"])
    step(p, "reopen", to="classified", reason="Có tình tiết mới")
    assert p.pk not in eligible_ids(tree["A1"])
    # Filed away again (recently): still kept.
    step(p, "file_away", ground="illegible")
    assert p.pk not in eligible_ids(tree["A1"])


def test_closed_after_filing_away_is_eligible(tree: Any) -> None:
    p = filed(tree["A1"])
    step(p, "close")
    assert p.pk in eligible_ids(tree["A1"])


def test_closed_after_resolution_is_not_eligible(tree: Any) -> None:
    p = receive(tree["A1"], received_on=D(2025, 2, 20))
    Petition.objects.filter(pk=p.pk).update(status="closed")
    PetitionEvent.objects.create(petition=p, at=timezone.now() - dt.timedelta(days=500), action="resolve",
                                 from_status="accepted", to_status="resolved")
    assert p.pk not in eligible_ids(tree["A1"])


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize(("who", "unit", "allowed"), [
    ("head", "A1", True),
    ("admin", "A1", True),
    ("province_head", "A1", True),  # a role holds on the subtree (rules.py): the province may decide for its communes
    ("province_head", "A", True),
    ("officer", "A1", False),
    ("reception", "A1", False),
    ("viewer", "A1", False),
    ("province_officer", "A1", False),
    ("other_commune", "A1", False),
    ("other_province", "A1", False),
    ("nobody", "A1", False),
    ("anon", "A1", False),
])
def test_who_may_decide(tree: Any, people: Any, who: str, unit: str, allowed: bool) -> None:
    p = filed(tree["A1"])
    if allowed:
        retention.do_destroy(people[who], tree[unit], decision(), [p.pk])
        assert Petition.objects.get(pk=p.pk).destroyed_at is not None
    else:
        with pytest.raises(PermissionDenied):
            retention.do_destroy(people[who], tree[unit], decision(), [p.pk])
        assert Petition.objects.get(pk=p.pk).destroyed_at is None


def test_sibling_commune_head_cannot_pull_another_communes_petition(tree: Any, people: Any) -> None:
    p = filed(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        retention.do_destroy(people["other_commune"], tree["A2"], decision(), [p.pk])
    assert "petitions" in exc.value.message_dict
    assert Petition.objects.get(pk=p.pk).destroyed_at is None
    assert not DestructionDecision.objects.exists()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("ids", "fields_", "field"), [
    ([], {}, "petitions"),
    (None, {}, "petitions"),
    (["1"], {}, "petitions"),
    ([True], {}, "petitions"),
    ([10**9], {}, "petitions"),  # unknown id
    ("self", {"number": ""}, "number"),
    ("self", {"number": "x" * 51}, "number"),
    ("self", {"signer_name": "x" * 201}, "signer_name"),
    ("self", {"signer_title": ""}, "signer_title"),
    ("self", {"basis": "x" * 2001}, "basis"),
    ("self", {"decided_on": "2026-01-01"}, "decided_on"),
    ("self", {"decided_on": None}, "decided_on"),
    ("self", {"decided_on": "future"}, "decided_on"),
    ("self", {"decided_on": D(1999, 12, 31)}, "decided_on"),
    ("self", {"colour": "red"}, "colour"),
])
def test_bad_input_names_the_field_and_destroys_nothing(tree: Any, people: Any, ids: Any, fields_: dict[str, Any],
                                                       field: str) -> None:
    p = filed(tree["A1"])
    if ids == "self":
        ids = [p.pk]
    if fields_.get("decided_on") == "future":
        fields_ = {"decided_on": timezone.localdate() + dt.timedelta(days=1)}
    with pytest.raises(ValidationError) as exc:
        retention.do_destroy(people["head"], tree["A1"], decision(**fields_), ids)
    assert field in exc.value.message_dict
    assert Petition.objects.get(pk=p.pk).destroyed_at is None and not DestructionDecision.objects.exists()


def test_decision_before_the_end_of_retention_is_refused(tree: Any, people: Any) -> None:
    p = filed(tree["A1"], days_ago=400)
    filed_on = timezone.localdate() - dt.timedelta(days=400)
    until = retention.retained_until(filed_on)
    assert until is not None
    with pytest.raises(ValidationError) as exc:
        retention.do_destroy(people["head"], tree["A1"], decision(decided_on=until), [p.pk])
    assert "decided_on" in exc.value.message_dict
    assert Petition.objects.get(pk=p.pk).destroyed_at is None


def test_one_ineligible_petition_destroys_nothing(tree: Any, people: Any) -> None:
    old, young = filed(tree["A1"]), filed(tree["A1"], days_ago=30)
    with pytest.raises(ValidationError) as exc:
        retention.do_destroy(people["head"], tree["A1"], decision(), [old.pk, young.pk])
    assert f"{young.number}/{young.number_year}" in str(exc.value.message_dict["petitions"])
    assert not Petition.objects.filter(destroyed_at__isnull=False).exists()


def test_changed_list_hash_is_refused(tree: Any, people: Any) -> None:
    a, b = filed(tree["A1"]), filed(tree["A1"])
    with pytest.raises(ValidationError) as exc:
        retention.do_destroy(people["head"], tree["A1"], decision(), [a.pk, b.pk],
                             expected_ids_hash=retention.ids_hash([a.pk]))
    assert "petitions" in exc.value.message_dict
    d = retention.do_destroy(people["head"], tree["A1"], decision(), [a.pk, b.pk],
                             expected_ids_hash=retention.ids_hash([b.pk, a.pk]))
    assert d.petitions.count() == 2


def test_duplicate_decision_number_for_the_unit(tree: Any, people: Any) -> None:
    a, b = filed(tree["A1"]), filed(tree["A1"])
    retention.do_destroy(people["head"], tree["A1"], decision(), [a.pk])
    with pytest.raises(ValidationError) as exc:
        retention.do_destroy(people["head"], tree["A1"], decision(), [b.pk])
    assert "number" in exc.value.message_dict
    assert Petition.objects.get(pk=b.pk).destroyed_at is None
    # Another unit may use the same number.
    c = filed(tree["A2"])
    retention.do_destroy(people["province_head"], tree["A2"], decision(), [c.pk])


def test_double_submit_destroys_nothing_twice(tree: Any, people: Any) -> None:
    p = filed(tree["A1"])
    first = retention.do_destroy(people["head"], tree["A1"], decision(), [p.pk])
    again = retention.do_destroy(people["head"], tree["A1"], decision(), [p.pk])
    assert again.pk == first.pk and again.replayed is True
    assert DestructionDecision.objects.count() == 1
    assert AuditEvent.objects.filter(action="petitions.retention.destroy").count() == 1
    # Another decision number over the same petition: refused with the decision that destroyed it.
    with pytest.raises(ValidationError) as exc:
        retention.do_destroy(people["head"], tree["A1"], decision(number="16/QĐ-UBND"), [p.pk])
    assert "15/QĐ-UBND" in str(exc.value.message_dict["petitions"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections")
def test_two_officials_destroying_the_same_petitions_at_once(tree: Any, people: Any) -> None:
    import_module("danvan.petitions.migrations.0011_retention_destruction").load(apps, None)
    p = filed(tree["A1"])
    results = run_together(
        lambda: retention.do_destroy(people["head"], tree["A1"], decision(number="1/QĐ"), [p.pk]),
        lambda: retention.do_destroy(people["province_head"], tree["A"], decision(number="2/QĐ"), [p.pk]),
    )
    wins = [r for r in results if isinstance(r, DestructionDecision)]
    losses = [r for r in results if isinstance(r, ValidationError)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert DestructionDecision.objects.count() == 1
    assert Petition.objects.get(pk=p.pk).destruction_id == wins[0].pk


def test_concurrent_second_decision_sees_the_first(tree: Any, people: Any) -> None:
    """The same race, sequential (SQLite serialises writers): the second decision finds the tombstone."""
    p = filed(tree["A1"])
    retention.do_destroy(people["head"], tree["A1"], decision(number="1/QĐ"), [p.pk])
    with pytest.raises(ValidationError):
        retention.do_destroy(people["province_head"], tree["A"], decision(number="2/QĐ"), [p.pk])
    assert DestructionDecision.objects.count() == 1


# --------------------------------------------------------------------------- pages


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_list_confirm_destroy_and_decisions(tree: Any, people: Any) -> None:
    a, b = filed(tree["A1"]), filed(tree["A1"])
    client = _login(people["head"])
    r = client.get("/petitions/retention/", {"unit": tree["A1"].pk})
    assert r.status_code == 200
    assert f'value="{a.pk}"' in r.content.decode() and CANARY_NAME not in r.content.decode()
    form = {"unit": tree["A1"].pk, "ids": [a.pk, b.pk], "number": "15/QĐ-UBND",
            "decided_on": timezone.localdate().strftime("%d/%m/%Y"), "signer_name": "Lò Văn Chủ Tịch",
            "signer_title": "Chủ tịch", "basis": "Thông tư 05/2021/TT-TTCP"}
    r = client.post("/petitions/retention/confirm/", form)
    assert r.status_code == 200 and retention.ids_hash([a.pk, b.pk]) in r.content.decode()
    assert not Petition.objects.filter(destroyed_at__isnull=False).exists()  # confirming destroys nothing
    r = client.post("/petitions/retention/destroy/", {**form, "ids_hash": retention.ids_hash([a.pk, b.pk])})
    d = DestructionDecision.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/petitions/retention/decisions/{d.pk}/"
    # Double submit: the same decision, nothing twice.
    r = client.post("/petitions/retention/destroy/", {**form, "ids_hash": retention.ids_hash([a.pk, b.pk])})
    assert r.status_code == 302 and DestructionDecision.objects.count() == 1
    r = client.get(f"/petitions/retention/decisions/{d.pk}/")
    assert r.status_code == 200 and "15/QĐ-UBND" in r.content.decode()
    r = client.get("/petitions/retention/decisions/")
    assert r.status_code == 200 and "15/QĐ-UBND" in r.content.decode()


def test_page_bad_input_comes_back_with_the_field(tree: Any, people: Any) -> None:
    a = filed(tree["A1"])
    client = _login(people["head"])
    r = client.post("/petitions/retention/confirm/", {"unit": tree["A1"].pk, "ids": [a.pk], "number": "",
                                                      "decided_on": "31/12/2999", "signer_name": "A",
                                                      "signer_title": "B", "basis": "C"})
    assert r.status_code == 400
    assert Petition.objects.get(pk=a.pk).destroyed_at is None


@pytest.mark.parametrize("who", ["officer", "other_commune", "other_province", "nobody"])
def test_pages_refuse_others(tree: Any, people: Any, who: str) -> None:
    a = filed(tree["A1"])
    client = _login(people[who])
    r = client.get("/petitions/retention/", {"unit": tree["A1"].pk})
    assert r.status_code in (403, 404) or f'name="ids" value="{a.pk}"' not in r.content.decode()
    r = client.post("/petitions/retention/destroy/", {
        "unit": tree["A1"].pk, "ids": [a.pk], "number": "1/QĐ", "decided_on": timezone.localdate().strftime("%d/%m/%Y"),
        "signer_name": "A", "signer_title": "B", "basis": "C", "ids_hash": retention.ids_hash([a.pk])})
    assert r.status_code in (400, 403, 404)
    assert Petition.objects.get(pk=a.pk).destroyed_at is None


def test_pages_need_login(tree: Any) -> None:
    r = Client().get("/petitions/retention/")
    assert r.status_code == 302 and "login" in r["Location"]


def test_other_province_does_not_see_the_decision(tree: Any, people: Any) -> None:
    p = filed(tree["A1"])
    d = retention.do_destroy(people["head"], tree["A1"], decision(), [p.pk])
    assert _login(people["other_province"]).get(f"/petitions/retention/decisions/{d.pk}/").status_code == 404
    assert _login(people["other_commune"]).get(f"/petitions/retention/decisions/{d.pk}/").status_code == 404


def test_list_page_query_count_does_not_grow(tree: Any, people: Any) -> None:
    for _i in range(3):
        filed(tree["A1"])
    client = _login(people["head"])
    client.get("/petitions/retention/", {"unit": tree["A1"].pk})
    with CaptureQueriesContext(connection) as few:
        client.get("/petitions/retention/", {"unit": tree["A1"].pk})
    for _i in range(5):
        filed(tree["A1"])
    with CaptureQueriesContext(connection) as many:
        r = client.get("/petitions/retention/", {"unit": tree["A1"].pk})
    assert r.content.decode().count('name="ids"') == 8
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(many) <= 14, [q["sql"][:120] for q in many.captured_queries]


# --------------------------------------------------------------------------- API


def _api(user: Any) -> ApiClient:
    _, secret = create_api_token(user=user, name="test")
    return ApiClient(secret)


def test_api_eligible_decide_and_list(tree: Any, people: Any, django_assert_max_num_queries: Any) -> None:
    a, b = filed(tree["A1"]), filed(tree["A1"])
    api = _api(people["head"])
    with django_assert_max_num_queries(8):
        r = api.get("/petitions/retention/eligible", data={"unit": tree["A1"].pk})
    assert r.status_code == 200
    items = r.json()["items"]
    assert {i["id"] for i in items} == {a.pk, b.pk}
    assert CANARY_NAME not in r.content.decode()
    body = {"unit": tree["A1"].pk, "petitions": [a.pk, b.pk], "number": "15/QĐ-UBND",
            "decided_on": timezone.localdate().isoformat(), "signer_name": "Lò Văn Chủ Tịch",
            "signer_title": "Chủ tịch", "basis": "Thông tư 05/2021/TT-TTCP", "ids_hash": r.json()["ids_hash"]}
    r = api.post("/petitions/retention/decisions", json=body)
    assert r.status_code == 201, r.content
    assert r.json()["petitions"] == sorted(r.json()["petitions"]) and len(r.json()["petitions"]) == 2
    r = api.post("/petitions/retention/decisions", json=body)
    assert r.status_code == 200  # the same decision again: nothing twice
    with django_assert_max_num_queries(6):
        r = api.get("/petitions/retention/decisions")
    assert r.status_code == 200 and [d["number"] for d in r.json()["items"]] == ["15/QĐ-UBND"]
    did = r.json()["items"][0]["id"]
    assert api.get(f"/petitions/retention/decisions/{did}").status_code == 200
    assert _api(people["other_province"]).get(f"/petitions/retention/decisions/{did}").status_code == 404


def test_api_refuses_and_validates(tree: Any, people: Any) -> None:
    a = filed(tree["A1"])
    body = {"unit": tree["A1"].pk, "petitions": [a.pk], "number": "1/QĐ", "decided_on": "2999-01-01",
            "signer_name": "A", "signer_title": "B", "basis": "C"}
    r = _api(people["head"]).post("/petitions/retention/decisions", json=body)
    assert r.status_code == 422 and any(e["field"] == "decided_on" for e in r.json()["errors"])
    body["decided_on"] = timezone.localdate().isoformat()
    assert _api(people["officer"]).post("/petitions/retention/decisions", json=body).status_code == 403
    assert _api(people["other_province"]).post("/petitions/retention/decisions", json=body).status_code in (403, 422)
    assert ApiClient().get("/petitions/retention/eligible").status_code == 401
    assert Petition.objects.get(pk=a.pk).destroyed_at is None


# --------------------------------------------------------------------------- command


def test_command_counts_and_never_destroys(tree: Any, capsys: Any) -> None:
    filed(tree["A1"]), filed(tree["A1"]), filed(tree["B1"]), filed(tree["A2"], days_ago=5)
    call_command("petitions_retention")
    out = capsys.readouterr().out
    assert tree["A1"].name in out and tree["B1"].name in out and tree["A2"].name not in out
    assert "2" in out
    assert not Petition.objects.filter(destroyed_at__isnull=False).exists()


def test_a_destroyed_petitions_page_names_the_decision(tree: Any, people: Any) -> None:
    p = filed(tree["A1"])
    d = retention.do_destroy(people["head"], tree["A1"], decision(), [p.pk])
    r = _login(people["head"]).get(reverse("petitions:detail", args=[p.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert f"Đã tiêu hủy theo Quyết định số {d.number} ngày {d.decided_on:%d/%m/%Y}" in body
    assert reverse("petitions:retention_decision", args=[d.pk]) in body
    kept = filed(tree["A1"], days_ago=10)
    assert "Đã tiêu hủy" not in _login(people["head"]).get(reverse("petitions:detail", args=[kept.pk])).content.decode()
