"""The demo's reception and petitions: schedules with a shortfall, Bình Lư's book, cases in every colour."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from danvan.demo import data
from danvan.demo.petitions import load_demo_petitions
from danvan.demo.services import load_demo
from danvan.demo.tests.test_plans import official  # noqa: F401 - the fixture
from danvan.orgs.models import OrgUnit
from danvan.petitions import crypto, reception
from danvan.petitions.models import CaseHandler, Petition, ReceptionSession, ReceptionVisit
from danvan.petitions.queries import deadline_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(official: Any, settings: Any) -> Any:  # noqa: F811 - uses the imported fixture
    settings.DEBUG = True
    return load_demo()


def test_load_is_complete_and_idempotent(demo):
    assert demo.petitions > 20 and demo.mediations == 2  # the demo loader brings them in
    actor = get_user_model().objects.get(username="quantri")
    counts = (ReceptionSession.objects.count(), ReceptionVisit.objects.count(), Petition.objects.count())
    assert load_demo_petitions(actor=actor) == 0
    assert (ReceptionSession.objects.count(), ReceptionVisit.objects.count(), Petition.objects.count()) == counts

    binhlu = OrgUnit.objects.get(code=data.COMMUNES["binhlu"], kind__code="commune")
    province = OrgUnit.objects.get(code=data.PROVINCE_CODE, kind__code="province")
    today = timezone.localdate()
    assert len(reception.schedule_shortfalls(binhlu, today)) >= 1
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert reception.schedule_shortfalls(province, next_month)
    assert not reception.schedule_shortfalls(province, today)

    visits = ReceptionVisit.objects.filter(org_unit=binhlu)
    assert visits.count() == 8
    assert any(v.is_mass for v in visits)
    assert visits.filter(handling="refused").exists() and visits.filter(handling="forwarded").exists()
    den = visits.get(kind="denunciation")
    assert den.visitor_name == "" and crypto.decrypt(den.identity_ciphertext)["id_number"] == "012095007777"
    petition = den.petitions.get()
    assert CaseHandler.objects.filter(petition=petition, user__username="xuly.binhlu").exists()

    states = {deadline_state(p, today) for p in Petition.objects.filter(status__in=["received", "classified",
                                                                                    "accepted", "verifying"])}
    assert states == {"red", "amber", "green"}
    assert Petition.objects.filter(status="closed").exists() and Petition.objects.filter(status="forwarded").exists()


def test_system_actor_works_too(official: Any, monkeypatch: Any, settings: Any) -> None:  # noqa: F811
    """Without a user (a deployment script), the petitions part loads on top of the rest of the demo."""
    from danvan.demo import services as demo_services

    settings.DEBUG = True
    monkeypatch.setattr(demo_services, "load_demo_petitions", lambda **kw: 0)  # everything but this part first
    load_demo()
    monkeypatch.undo()
    assert Petition.objects.count() == 0
    assert load_demo_petitions(actor=None) > 0
