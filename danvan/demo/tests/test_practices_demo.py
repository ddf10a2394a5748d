"""The demo's issue #8 data: practices in every state, the programme, dissemination, inspections, league table."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from danvan.dashboard.models import LeagueTable
from danvan.demo import data
from danvan.demo.practices import PROGRAMME_NAME, load_demo_practices
from danvan.demo.services import load_demo
from danvan.demo.tests.test_plans import official  # noqa: F401 - the fixture
from danvan.orgs.models import OrgUnit
from danvan.oversight import queries as oversight_queries
from danvan.oversight.models import Dissemination, FollowUpAction, Inspection, InspectionPlan
from danvan.practices import programmes
from danvan.practices.models import Commendation, Evaluation, Practice, Programme, Replication

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(official: Any, settings: Any) -> Any:  # noqa: F811 - uses the imported fixture
    settings.DEBUG = True
    return load_demo()


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Practice, Evaluation, Replication, Commendation, Programme,
                                             Dissemination, InspectionPlan, Inspection, FollowUpAction, LeagueTable))


def test_load_is_complete_and_idempotent(demo):
    assert demo.practices > 30
    binhlu = OrgUnit.objects.get(code=data.COMMUNES["binhlu"], kind__code="commune")
    province = OrgUnit.objects.get(code=data.PROVINCE_CODE, kind__code="province")
    taleng = OrgUnit.objects.get(code=data.COMMUNES["taleng"], kind__code="commune")
    today = timezone.localdate()

    practices = Practice.objects.filter(deleted_at__isnull=True)
    assert set(practices.values_list("status", flat=True)) == {
        "registered", "in_progress", "interim_reviewed", "final_reviewed", "stopped"}
    assert practices.filter(org_unit=binhlu, year=today.year).count() == 5
    assert practices.filter(org_unit__parent=province).exclude(org_unit__kind__code="commune").exists()
    assert practices.filter(ethnic_remote=True).exists() and practices.filter(registered_by="individual").exists()
    assert practices.filter(target__isnull=False).exists()
    road = practices.get(recognition_level="province", org_unit=binhlu)
    assert set(Evaluation.objects.filter(practice=road).values_list("council_unit", "level")) == {
        (binhlu.pk, "commune"), (province.pk, "province")}
    assert Evaluation.objects.filter(level="").exists()  # one below the pass score
    assert list(Replication.objects.filter(practice=road).values_list("org_unit", flat=True)) == [taleng.pk]
    kinds = set(Commendation.objects.values_list("recipient_kind", flat=True))
    assert kinds == {"collective", "individual"}

    p = Programme.objects.get(org_unit=binhlu, name=PROGRAMME_NAME)
    assert p.steering.count() == 3 and p.steps.count() == 5 and p.survey is not None
    assert p.criteria.filter(met=True).exclude(evidence="").exists()
    if today.month >= 4:  # the early steps are due
        assert p.steps.filter(done_on__isnull=False).count() == 2
        assert programmes.late_steps(p, today)

    assert Dissemination.objects.filter(org_unit=binhlu).exists()
    document = Dissemination.objects.filter(org_unit=binhlu).first().documents.first()  # type: ignore[union-attr]
    done, total = oversight_queries.disseminated_share(oversight_queries.coverage_units(province), document)
    assert 0 < done < total  # not every unit yet
    inspection = Inspection.objects.get(inspector=province, org_unit=binhlu)
    assert inspection.plan is not None and inspection.plan.kind == "inspection"
    assert InspectionPlan.objects.filter(org_unit=binhlu, kind="self").exists()
    actions = list(inspection.actions.order_by("due_on"))
    assert len(actions) == 3 and actions[0].done_on is not None
    assert [oversight_queries.is_late(a, today) for a in actions] == [False, True, False]
    table = LeagueTable.objects.get(owner=province, is_default=True)
    assert {c["key"] for c in table.criteria} <= {
        "petitions.on_time_rate", "reports.timeliness_rate", "surveys.satisfaction_index", "dialogues.held",
        "dialogues.commitments_kept_rate", "practices.recognised"}

    counts = _counts()
    actor = get_user_model().objects.get(username="quantri")
    assert load_demo_practices(actor=actor) == 0
    assert load_demo().practices == 0
    assert _counts() == counts
