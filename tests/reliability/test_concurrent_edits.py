"""Two officials editing the same case, report or plan at once: one wins, the other is told, nothing is lost.

Each race is played for real on PostgreSQL: two threads, each with its own database connection,
read the record (so both hold the same ``lock_version``), wait at a barrier, then write at the same
instant. SQLite runs the test database in memory with one writer at a time, so there the same two
writes are interleaved instead — both read, then both write — which is the case the conditional
``UPDATE … WHERE lock_version = …`` exists for (``SELECT … FOR UPDATE`` is a no-op on SQLite).

Every test checks the three promises of issue #9: exactly one write wins; the other gets the
conflict (``ConcurrentEditError`` / HTTP 409 with its message) and changes nothing; the audit log
holds one event, the winner's. "A double submit creates nothing twice" is checked the same way
for the API's idempotency keys.
"""
# ruff: noqa: F811 - pytest fixtures imported from the apps' test modules are redefined as arguments

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, connections

from danvan.accounts.services import create_api_token
from danvan.api.tests.conftest import ApiClient
from danvan.core.exceptions import ConcurrentEditError
from danvan.core.models import AuditEvent
from danvan.petitions import services as petitions
from danvan.petitions.locking import conflict_message
from danvan.petitions.models import Petition, PetitionEvent, PetitionField
from danvan.plans import services as plans
from danvan.plans.models import Plan, Target
from danvan.reports.models import Submission, SubmissionRevision
from danvan.reports.services import submissions as reports
from danvan.reports.tests.conftest import period, small_form  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

_TOKENS = itertools.count(1)
Step = tuple[Callable[[], Any], Callable[[Any], Any]]  # (read the record, write it)


# --------------------------------------------------------------------------- what a flush removes


def _reseed() -> None:
    """Put back the rows the data migrations seed, which the flush after a transactional test removes."""
    from danvan.disclosures.models import DisclosureCategory
    from danvan.orgs.models import OrgKind
    from danvan.petitions.models import DeadlineRule, ReceptionRule
    from danvan.practices.models import PracticeField
    from danvan.surveys.models import Service

    seeds = [
        (OrgKind, "danvan.orgs.migrations.0002_unit_kinds", "add_kinds"),
        (DeadlineRule, "danvan.petitions.migrations.0002_load_deadline_rules", "load"),
        (PetitionField, "danvan.petitions.migrations.0004_load_fields", "load"),
        (ReceptionRule, "danvan.petitions.migrations.0006_load_reception_rules", "load"),
        (DisclosureCategory, "danvan.disclosures.migrations.0002_categories", "load"),
        (PracticeField, "danvan.practices.migrations.0002_fields_and_criteria", "load"),
        (Service, "danvan.surveys.migrations.0002_services", "add"),
    ]
    for model, module, function in seeds:
        if not model.objects.exists():
            getattr(import_module(module), function)(apps, None)


@pytest.fixture(scope="module", autouse=True)
def _seeds_back_after_the_last_flush(django_db_blocker: Any) -> Iterator[None]:
    """Module-scoped, so its teardown runs after the flush of this module's last test: later tests find the seeds."""
    yield
    with django_db_blocker.unblock():
        _reseed()


@pytest.fixture(autouse=True)
def _seeds(transactional_db: Any) -> None:
    _reseed()


# --------------------------------------------------------------------------- the race


def race(*steps: Step) -> list[Any]:
    """Each step reads, all wait, each writes; results are return values or the exceptions raised."""
    results: list[Any] = [None] * len(steps)
    if connection.vendor != "postgresql":
        read = [r() for r, _w in steps]  # both hold the same version...
        for i, (_r, write) in enumerate(steps):  # ...then write, one after the other
            try:
                results[i] = write(read[i])
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                results[i] = exc
        return results
    barrier = threading.Barrier(len(steps))

    def run(i: int, step: Step) -> None:
        try:
            record = step[0]()
            barrier.wait(10)
            results[i] = step[1](record)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(steps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return results


def one_winner(results: list[Any], conflict: str) -> Any:
    """The single success; the other result must be the conflict, with its message (no other error)."""
    wins = [r for r in results if not isinstance(r, BaseException)]
    losses = [r for r in results if isinstance(r, BaseException)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], ConcurrentEditError), repr(losses[0])
    assert losses[0].messages == [conflict]
    return wins[0]


def new_audit(before: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=before, action=action))


def last_seq() -> int:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return int(last or 0)


def client(user: Any) -> ApiClient:
    """A fresh client per call, so that two threads never share one."""
    _, secret = create_api_token(user=user, name=f"test {next(_TOKENS)}")
    return ApiClient(secret)


# --------------------------------------------------------------------------- petitions


@pytest.fixture
def officers(tree: dict[str, Any], make_user: Callable[..., Any], no_mfa: Any) -> dict[str, Any]:
    return {
        "officer": make_user("officer", (tree["A1"], "officer")),
        "reception": make_user("reception", (tree["A1"], "reception_officer")),
        "head": make_user("head", (tree["A1"], "head")),
        "province": make_user("province", (tree["A"], "admin")),
    }


def _petition(tree: dict[str, Any]) -> Petition:
    return petitions.receive_petition(
        actor=None, org_unit=tree["A1"], received_on=dt.date(2026, 7, 10), channel="direct",
        kind="complaint", summary="Khiếu nại quyết định thu hồi đất", filer_name="Nguyễn Văn An",
    )


def test_two_officers_classifying_the_same_petition(tree: dict[str, Any], officers: dict[str, Any]) -> None:
    """Same step, different answers (field of law): one classification stands, the other is refused whole."""
    p = _petition(tree)
    land, other = PetitionField.objects.order_by("order", "pk")[:2]
    before = last_seq()

    def classify(user: Any, field: PetitionField) -> Step:
        return (lambda: Petition.objects.get(pk=p.pk),
                lambda fresh: petitions.transition(
                    actor=user, petition=fresh, action="classify", expected_version=fresh.lock_version,
                    kind="complaint", field=field, eligible=True, competence="own"))

    winner = one_winner(race(classify(officers["officer"], land), classify(officers["reception"], other)),
                        conflict_message())
    saved = Petition.objects.get(pk=p.pk)
    assert saved.status == "classified" and saved.field_id == winner.field_id
    assert saved.lock_version == p.lock_version + 1
    assert PetitionEvent.objects.filter(petition=p, action="classify").count() == 1
    events = new_audit(before, "petitions.petition.classify")
    assert len(events) == 1 and events[0].actor_id == winner_actor(events[0], officers)


def winner_actor(event: AuditEvent, people: dict[str, Any]) -> int:
    """The event's actor must be one of the two who raced (the winner, since there is one event)."""
    assert event.actor_id in {u.pk for u in people.values()}
    return int(event.actor_id)


def test_two_different_steps_on_the_same_petition(tree: dict[str, Any], officers: dict[str, Any]) -> None:
    """The head accepts while the officer files the case away: one of the two steps happens, never both."""
    p = _petition(tree)
    field = PetitionField.objects.order_by("order", "pk").first()
    p = petitions.transition(actor=None, petition=p, action="classify", expected_version=p.lock_version,
                             kind="complaint", field=field, eligible=True, competence="own")
    before = last_seq()

    def read() -> Petition:
        return Petition.objects.get(pk=p.pk)

    results = race(
        (read, lambda f: petitions.transition(actor=officers["head"], petition=f, action="accept",
                                              expected_version=f.lock_version,
                                              accepted_on=dt.date(2026, 7, 21))),
        (read, lambda f: petitions.transition(actor=officers["officer"], petition=f, action="file_away",
                                              expected_version=f.lock_version, ground="illegible")),
    )
    winner = one_winner(results, conflict_message())
    saved = Petition.objects.get(pk=p.pk)
    assert saved.status == winner.status and saved.status in {"accepted", "filed_away"}
    steps = list(PetitionEvent.objects.filter(petition=p).exclude(action__in=["receive", "classify"])
             .values_list("action", flat=True))
    assert len(steps) == 1
    assert len(new_audit(before, f"petitions.petition.{steps[0]}")) == 1
    assert not AuditEvent.objects.filter(seq__gt=before, action__in=[
        "petitions.petition.accept", "petitions.petition.file_away"]).exclude(action=f"petitions.petition.{steps[0]}")


def test_a_stale_petition_version_over_http_is_409_and_changes_nothing(
    tree: dict[str, Any], officers: dict[str, Any]
) -> None:
    p = _petition(tree)
    field = PetitionField.objects.order_by("order", "pk").first()
    stale = p.lock_version
    petitions.transition(actor=officers["officer"], petition=Petition.objects.get(pk=p.pk), action="classify",
                         expected_version=stale, kind="complaint", field=field, eligible=True, competence="own")
    head = client(officers["head"])
    before, saved = last_seq(), Petition.objects.get(pk=p.pk)
    r = head.post(f"/petitions/{p.pk}/transitions", json={
        "action": "accept", "expected_version": stale, "accepted_on": "2026-07-21"})
    assert r.status_code == 409
    assert r.json()["detail"] == conflict_message()
    now = Petition.objects.get(pk=p.pk)
    assert (now.status, now.lock_version, now.updated_at) == (saved.status, saved.lock_version, saved.updated_at)
    assert not AuditEvent.objects.filter(seq__gt=before).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer; the threads need a server")
def test_two_officers_moving_a_petition_over_http(tree: dict[str, Any], officers: dict[str, Any]) -> None:
    p = _petition(tree)
    field = PetitionField.objects.order_by("order", "pk").first()
    officer, reception = client(officers["officer"]), client(officers["reception"])

    def move(api: ApiClient) -> Step:
        return (lambda: Petition.objects.get(pk=p.pk),
                lambda f: api.post(f"/petitions/{p.pk}/transitions", json={
                    "action": "classify", "expected_version": f.lock_version, "kind": "complaint",
                    "field": field.code, "eligible": True, "competence": "own"}))

    results = race(move(officer), move(reception))
    assert sorted(r.status_code for r in results) == [200, 409], results
    assert PetitionEvent.objects.filter(petition=p, action="classify").count() == 1
    assert AuditEvent.objects.filter(action="petitions.petition.classify").count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer; the threads need a server")
def test_a_double_submitted_petition_is_recorded_once(tree: dict[str, Any], officers: dict[str, Any]) -> None:
    body = {"org_unit": tree["A1"].pk, "received_on": "2026-07-10", "channel": "direct", "kind": "complaint",
            "summary": "Khiếu nại quyết định thu hồi đất", "filer_name": "Nguyễn Văn An"}
    clients = [client(officers["reception"]) for _ in range(3)]

    def send(api: ApiClient) -> Step:
        return (lambda: None, lambda _r: api.post("/petitions", json=body, headers={"Idempotency-Key": "gui-hai-lan"}))

    results = race(*(send(c) for c in clients))
    assert sorted(r.status_code for r in results) == [200, 200, 201], results
    assert len({r.json()["id"] for r in results}) == 1
    assert Petition.objects.count() == 1
    assert AuditEvent.objects.filter(action="petitions.petition.receive").count() == 1


# --------------------------------------------------------------------------- reports


@pytest.fixture
def fillers(tree: dict[str, Any], make_user: Callable[..., Any], no_mfa: Any) -> dict[str, Any]:
    return {"commune": make_user("commune", (tree["A1"], "officer")),
            "province": make_user("provinceofficer", (tree["A"], "officer"))}


def test_two_officials_saving_the_same_report(period: Any, tree: dict[str, Any], fillers: dict[str, Any]) -> None:
    s = Submission.objects.get(period=period, org_unit=tree["A1"])
    before = last_seq()

    def save(user: Any, sessions: int) -> Step:
        return (lambda: Submission.objects.get(pk=s.pk),
                lambda fresh: reports.save_draft(actor=user, submission=fresh, values={"sessions": sessions},
                                                 answers=None, expected_version=fresh.lock_version))

    winner = one_winner(race(save(fillers["commune"], 7), save(fillers["province"], 9)),
                        reports._report_conflict())
    saved = Submission.objects.get(pk=s.pk)
    assert saved.values == {"sessions": winner.values["sessions"]}  # the loser's figure is nowhere
    assert saved.lock_version == s.lock_version + 1
    assert SubmissionRevision.objects.filter(submission=s).count() == 1
    assert len(new_audit(before, "reports.submission.saved")) == 1


def test_a_stale_report_version_over_http_is_409_and_changes_nothing(
    period: Any, tree: dict[str, Any], fillers: dict[str, Any]
) -> None:
    s = Submission.objects.get(period=period, org_unit=tree["A1"])
    stale = s.lock_version
    reports.save_draft(actor=fillers["province"], submission=s, values={"sessions": 9}, answers=None,
                       expected_version=stale)
    commune = client(fillers["commune"])
    before = last_seq()
    r = commune.request("PUT", f"/reports/submissions/{s.pk}/values", json={
        "lock_version": stale, "values": {"sessions": 7}, "answers": {}})
    assert r.status_code == 409
    assert r.json()["detail"] == reports._report_conflict()
    saved = Submission.objects.get(pk=s.pk)
    assert saved.values == {"sessions": 9} and saved.lock_version == stale + 1
    assert SubmissionRevision.objects.filter(submission=s).count() == 1
    assert not AuditEvent.objects.filter(seq__gt=before).exists()


@pytest.mark.parametrize("same_person", [False, True], ids=["two-desks", "double-click"])
def test_a_second_submit_arriving_after_the_first_committed(
    period: Any, tree: dict[str, Any], fillers: dict[str, Any], same_person: bool
) -> None:
    """The slow half of the race, on every database: the second request is read after the first committed.

    The double click is still 200 with one submission (it was 409 "already submitted" when the second request
    was served after the first had committed); another desk with the same version is 409 and changes nothing.
    """
    s = Submission.objects.get(period=period, org_unit=tree["A1"])
    s = reports.save_draft(actor=None, submission=s, values={"sessions": 4, "received": 10, "resolved": 8},
                           answers={"highlights": "Tổ chức 4 buổi tuyên truyền."}, expected_version=s.lock_version)
    first = client(fillers["commune"])
    second = client(fillers["commune"] if same_person else fillers["province"])
    body = {"lock_version": s.lock_version}
    assert first.post(f"/reports/submissions/{s.pk}/submit", json=body).status_code == 200
    again = second.post(f"/reports/submissions/{s.pk}/submit", json=body)
    assert again.status_code == (200 if same_person else 409), again.content
    if same_person:
        assert again.json()["status"] == "submitted" and again.json()["lock_version"] == s.lock_version + 1
    saved = Submission.objects.get(pk=s.pk)
    assert saved.status == "submitted" and saved.lock_version == s.lock_version + 1
    assert SubmissionRevision.objects.filter(submission=s, action="submitted").count() == 1
    assert AuditEvent.objects.filter(action="reports.submission.submit").count() == 1


def test_a_stale_version_after_the_report_was_submitted_is_still_409(
    period: Any, tree: dict[str, Any], fillers: dict[str, Any]
) -> None:
    """The double-click pass is narrow: the same person with an older version, or true for lock_version, is 409."""
    s = Submission.objects.get(period=period, org_unit=tree["A1"])
    s = reports.save_draft(actor=None, submission=s, values={"sessions": 4, "received": 10, "resolved": 8},
                           answers={"highlights": "Tổ chức 4 buổi tuyên truyền."}, expected_version=s.lock_version)
    commune = client(fillers["commune"])
    assert commune.post(f"/reports/submissions/{s.pk}/submit", json={"lock_version": s.lock_version}).status_code == 200
    for stale in (s.lock_version - 1, s.lock_version + 1):
        r = commune.post(f"/reports/submissions/{s.pk}/submit", json={"lock_version": stale})
        assert r.status_code == 409, (stale, r.content)
    assert SubmissionRevision.objects.filter(submission=s, action="submitted").count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer; the threads need a server")
@pytest.mark.parametrize("same_person", [False, True], ids=["two-desks", "double-click"])
def test_submitting_the_same_report_twice_at_once_over_http(
    period: Any, tree: dict[str, Any], fillers: dict[str, Any], same_person: bool
) -> None:
    """Two desks: one submission, the other 409. One person's double click: both answered 200, one submission."""
    s = Submission.objects.get(period=period, org_unit=tree["A1"])
    s = reports.save_draft(actor=None, submission=s, values={"sessions": 4, "received": 10, "resolved": 8},
                           answers={"highlights": "Tổ chức 4 buổi tuyên truyền."}, expected_version=s.lock_version)
    first = client(fillers["commune"])
    second = client(fillers["commune"] if same_person else fillers["province"])

    def submit(api: ApiClient) -> Step:
        return (lambda: Submission.objects.get(pk=s.pk),
                lambda f: api.post(f"/reports/submissions/{s.pk}/submit", json={"lock_version": f.lock_version}))

    results = race(submit(first), submit(second))
    codes = sorted(r.status_code for r in results)
    assert codes == ([200, 200] if same_person else [200, 409]), [(r.status_code, r.content) for r in results]
    saved = Submission.objects.get(pk=s.pk)
    assert saved.status == "submitted" and saved.lock_version == s.lock_version + 1
    assert SubmissionRevision.objects.filter(submission=s, action="submitted").count() == 1
    assert AuditEvent.objects.filter(action="reports.submission.submit").count() == 1


# --------------------------------------------------------------------------- plans


@pytest.fixture
def planners(tree: dict[str, Any], make_user: Callable[..., Any], no_mfa: Any) -> dict[str, Any]:
    return {"commune": make_user("planner", (tree["A1"], "officer")),
            "province": make_user("provinceadmin", (tree["A"], "admin"))}


def _plan(tree: dict[str, Any]) -> Plan:
    return plans.create_plan(actor=None, issuer=tree["A1"], title="Kế hoạch công tác dân vận năm 2026", year=2026,
                             place="Lai Châu", signer_name="Nguyễn Văn A", signer_position="CHỦ TỊCH")


def test_two_officials_editing_the_same_plan(tree: dict[str, Any], planners: dict[str, Any]) -> None:
    plan = _plan(tree)
    before = last_seq()

    def edit(user: Any, title: str) -> Step:
        return (lambda: Plan.objects.get(pk=plan.pk),
                lambda fresh: plans.update_plan(actor=user, plan=fresh, expected_version=fresh.lock_version,
                                                title=title))

    winner = one_winner(race(edit(planners["commune"], "Bản của xã"), edit(planners["province"], "Bản của tỉnh")),
                        str(plans._conflict().messages[0]))
    saved = Plan.objects.get(pk=plan.pk)
    assert saved.title == winner.title and saved.lock_version == plan.lock_version + 1
    assert len(new_audit(before, "plans.plan.update")) == 1


def test_two_officials_editing_the_same_target(tree: dict[str, Any], planners: dict[str, Any]) -> None:
    plan = _plan(tree)
    target = plans.add_target(actor=None, plan=plan, text="100% thôn có tổ hòa giải", value=100, unit="%")
    before = last_seq()

    def edit(user: Any, text: str) -> Step:
        return (lambda: (Plan.objects.get(pk=plan.pk), Target.objects.get(pk=target.pk)),
                lambda read: plans.update_target(actor=user, target=read[1], expected_version=read[0].lock_version,
                                                 text=text))

    winner = one_winner(race(edit(planners["commune"], "Chỉ tiêu của xã"), edit(planners["province"], "Của tỉnh")),
                        str(plans._conflict().messages[0]))
    assert Target.objects.get(pk=target.pk).text == winner.text
    assert len(new_audit(before, "plans.target.update")) == 1


def test_a_stale_plan_version_over_http_is_409_and_changes_nothing(
    tree: dict[str, Any], planners: dict[str, Any]
) -> None:
    plan = _plan(tree)
    stale = plan.lock_version
    plans.update_plan(actor=planners["province"], plan=plan, expected_version=stale, title="Bản của tỉnh")
    commune = client(planners["commune"])
    before = last_seq()
    r = commune.request("PATCH", f"/plans/{plan.pk}", json={"lock_version": stale, "title": "Bản của xã"})
    assert r.status_code == 409
    assert r.json()["detail"] == plans._conflict().messages[0]
    saved = Plan.objects.get(pk=plan.pk)
    assert saved.title == "Bản của tỉnh" and saved.lock_version == stale + 1
    assert not AuditEvent.objects.filter(seq__gt=before).exists()
    # The same for a part of the plan: a target added from a stale version is not added.
    r = commune.post(f"/plans/{plan.pk}/targets", json={"lock_version": stale, "text": "Mới"})
    assert r.status_code == 409
    assert not Target.objects.filter(plan=plan).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer; the threads need a server")
def test_two_officials_patching_the_same_plan_over_http(tree: dict[str, Any], planners: dict[str, Any]) -> None:
    plan = _plan(tree)
    commune, province = client(planners["commune"]), client(planners["province"])

    def patch(api: ApiClient, title: str) -> Step:
        return (lambda: Plan.objects.get(pk=plan.pk),
                lambda f: api.request("PATCH", f"/plans/{plan.pk}", json={"lock_version": f.lock_version,
                                                                           "title": title}))

    results = race(patch(commune, "Bản của xã"), patch(province, "Bản của tỉnh"))
    assert sorted(r.status_code for r in results) == [200, 409], results
    winner = next(r for r in results if r.status_code == 200).json()
    saved = Plan.objects.get(pk=plan.pk)
    assert saved.title == winner["title"] and saved.lock_version == winner["lock_version"]
    assert AuditEvent.objects.filter(action="plans.plan.update").count() == 1
