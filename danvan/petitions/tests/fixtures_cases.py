"""Fixtures for the case-handling tests: people with every role around commune A1, and petitions in any state.

Imported by the test modules that need them (``from .fixtures_cases import *``), so the shared
conftest stays small.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from danvan.petitions import services
from danvan.petitions.models import Petition, PetitionField, PetitionStatus

D = dt.date
RECEIVED = D(2026, 7, 10)  # a Friday, under the 2026 rules
ACCEPTED = D(2026, 7, 21)

# role name → (unit key in the tree, role); "nobody" has no membership, "anon" is not logged in.
PEOPLE = {
    "reception": ("A1", "reception_officer"),
    "officer": ("A1", "officer"),
    "handler": ("A1", "case_handler"),
    "head": ("A1", "head"),
    "viewer": ("A1", "viewer"),
    "admin": ("A1", "admin"),
    "province_officer": ("A", "officer"),
    "province_head": ("A", "head"),
    "other_commune": ("A2", "head"),
    "other_commune_officer": ("A2", "officer"),
    "other_province": ("B", "head"),
    "other_province_officer": ("B1", "officer"),
}


def load_fields() -> None:
    """Transactional tests start after a flush that removed the seeded fields: put them back."""
    if not PetitionField.objects.exists():
        import_module("danvan.petitions.migrations.0004_load_fields").load(apps, None)


@pytest.fixture
def fields(db: Any) -> dict[str, PetitionField]:
    load_fields()
    return {f.code: f for f in PetitionField.objects.all()}


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: Any) -> dict[str, Any]:
    out = {name: make_user(name, (tree[unit], role)) for name, (unit, role) in PEOPLE.items()}
    out["nobody"] = make_user("nobody")
    out["anon"] = AnonymousUser()
    return out


def receive(unit: Any, actor: Any = None, **kw: Any) -> Petition:
    """A first-round complaint received on 10/07/2026 unless told otherwise."""
    kw.setdefault("received_on", RECEIVED)
    kw.setdefault("channel", "direct")
    kw.setdefault("kind", "complaint")
    kw.setdefault("summary", "Khiếu nại quyết định thu hồi đất")
    if kw["kind"] == "denunciation":
        kw.setdefault("identity", {"name": "Trần Thị Tố Giác", "address": "Bản Thẳm"})
    elif kw["kind"] == "complaint" and kw.get("channel") != "forwarded" and not kw.get("anonymous"):
        kw.setdefault("filer_name", "Nguyễn Văn An")
    return services.receive_petition(actor=actor, org_unit=unit, **kw)


def step(petition: Petition, action: str, actor: Any = None, **data: Any) -> Petition:
    return services.transition(actor=actor, petition=petition, action=action,
                               expected_version=petition.lock_version, **data)


def classify(petition: Petition, field: PetitionField, actor: Any = None, **kw: Any) -> Petition:
    kw.setdefault("kind", petition.kind)
    kw.setdefault("eligible", True)
    kw.setdefault("competence", "own")
    return step(petition, "classify", actor, field=field, **kw)


# How to reach each state from "received", with the system as actor.
def bring_to(petition: Petition, status: str, field: PetitionField) -> Petition:
    S = PetitionStatus
    if status == S.RECEIVED:
        return petition
    classify(petition, field)
    if status == S.CLASSIFIED:
        return petition
    if status == S.FORWARDED:
        return step(petition, "forward", to_name="Thanh tra tỉnh")
    if status == S.GUIDED:
        return step(petition, "guide", reason="Hướng dẫn gửi Tòa án")
    if status == S.FILED_AWAY:
        return step(petition, "file_away", ground="illegible")
    if status == S.WITHDRAWN:
        return step(petition, "withdraw", reason="Người khiếu nại rút đơn")
    step(petition, "accept", accepted_on=ACCEPTED)
    if status == S.ACCEPTED:
        return petition
    if status == S.VERIFYING:
        return step(petition, "start_verification")
    if status == S.SUSPENDED:
        return step(petition, "suspend", reason="Chờ kết quả giám định", suspended_on=D(2026, 8, 1))
    step(petition, "resolve", decision_number="12/QĐ-UBND", decision_on=D(2026, 8, 15), outcome="partly")
    if status == S.RESOLVED:
        return petition
    return step(petition, "close")
