"""One "world" for the permission matrix: the same objects in four units, each marked with a canary.

The units, seen from the commune ``C`` whose officials are the users under test:

- ``C``: the own commune (``A1`` of the root ``tree`` fixture);
- ``S``: a sibling commune under the same province (``A2``);
- ``P``: the parent province (``A``);
- ``Q``: a commune of another province (``B1``).

Every unit gets one object of each kind that has a page or an API operation, built through the
apps' own services (as the system, ``actor=None``), and every object carries a unique canary
string (``CANARY-<unit>-<kind>-Z``) in its title, name or text, so a test can grep any response for
data of an object the caller must not see. Objects are left in their private state (plans in
draft, disclosures not published...) unless a public page needs them otherwise; the few public
objects are listed in ``PUBLIC_KINDS``.

The world is built once per test module inside an outer transaction that is rolled back at the
end (see ``world_fixture``); each test runs in a savepoint inside it, so the world never leaks into
another module's tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from danvan.orgs.roles import Role

UNITS = {"C": "A1", "S": "A2", "P": "A", "Q": "B1"}
ROLES = [r.value for r in Role]
PASSWORD = "mat-khau-rat-dai-2026"  # noqa: S105 (a test password)

# Kinds whose canary may legitimately reach anyone (public portal data): excluded from the leak scan.
PUBLIC_KINDS = frozenset({"pubdisclosure", "pubsurvey", "unit"})


def canary(unit_key: str, kind: str) -> str:
    return f"CANARY-{unit_key}-{kind}-Z"


@dataclass
class World:
    units: dict[str, Any]
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, username: str | None) -> Any:
        """A test client signed in as ``username`` (None: anonymous), made once per world.

        Signing in writes a session; doing it once per module instead of once per request keeps
        the thousands of requests of the matrix fast.
        """
        from django.test import Client

        key = username or ""
        if key not in self.clients:
            c = Client()
            if username is not None:
                c.force_login(self.users[username])
            self.clients[key] = c
        return self.clients[key]

    def obj(self, unit_key: str, kind: str) -> Any:
        return self.objects[unit_key][kind]

    def canaries(self, unit_keys: list[str] | set[str]) -> list[str]:
        return [canary(k, kind) for k in unit_keys for kind in self.objects.get(k, {}) if kind not in PUBLIC_KINDS]


def _today() -> dt.date:
    return timezone.localdate()


def _ago(days: int) -> dt.date:
    return _today() - dt.timedelta(days=days)


def _seed_rows() -> None:
    """A transactional test earlier in the run may have flushed the rows the migrations seed."""
    from danvan.orgs.models import OrgKind
    from danvan.petitions.models import DeadlineRule, PetitionField, ReceptionRule
    from danvan.surveys.models import Service

    if not OrgKind.objects.exists():
        import_module("danvan.orgs.migrations.0002_unit_kinds").add_kinds(apps, None)
    if not DeadlineRule.objects.exists():
        import_module("danvan.petitions.migrations.0002_load_deadline_rules").load(apps, None)
    if not PetitionField.objects.exists():
        import_module("danvan.petitions.migrations.0004_load_fields").load(apps, None)
    if not ReceptionRule.objects.exists():
        import_module("danvan.petitions.migrations.0006_load_reception_rules").load(apps, None)
    if not Service.objects.exists():
        import_module("danvan.surveys.migrations.0002_services").add(apps, None)


def build_tree() -> dict[str, Any]:
    """The root conftest's ``tree`` (same names and codes), built outside a function-scoped fixture."""
    from danvan.orgs import services
    from danvan.orgs.models import OrgKind

    kinds = {k.code: k for k in OrgKind.objects.all()}

    def mk(kind: str, name: str, parent: Any, code: str = "") -> Any:
        return services.create_unit(actor=None, kind=kinds[kind], name=name, parent=parent, code=code,
                                    audit_event=False)

    t: dict[str, Any] = {}
    t["A"] = mk("province", "Tỉnh Lai Châu", None, "12")
    t["A1"] = mk("commune", "Xã Bình Lư", t["A"], "03440")
    t["A1v"] = mk("village", "Bản Thẳm", t["A1"])
    t["A2"] = mk("commune", "Phường Tân Phong", t["A"], "03388")
    t["A2v"] = mk("village", "Bản Mường", t["A2"])
    t["Adep"] = mk("department", "Sở Nội vụ", t["A"], "12-SNV")
    t["B"] = mk("province", "Tỉnh Thái Nguyên", None, "19")
    t["B1"] = mk("commune", "Phường Bắc Kạn", t["B"], "01843")
    t["B1v"] = mk("village", "Tổ 1", t["B1"])
    return t


# --------------------------------------------------------------------------- per-app builders


def _plans(key: str, unit: Any, out: dict[str, Any]) -> None:
    from danvan.plans import services

    plan = services.create_plan(actor=None, issuer=unit, title=canary(key, "plan"), year=_today().year)
    section = services.add_section(actor=None, plan=plan, title=canary(key, "plansection"), number="I")
    out["plan"] = plan
    out["plansection"] = section
    out["plantask"] = services.add_task(actor=None, plan=plan, text=canary(key, "plantask"), section=section,
                                        lead_unit=unit, due_on=_today() + dt.timedelta(days=30))
    out["plantarget"] = services.add_target(actor=None, plan=plan, text=canary(key, "plantarget"), value=90, unit="%")
    out["planassignment"] = services.add_assignment(actor=None, plan=plan, unit_name=unit.name, unit=unit,
                                                    duties=canary(key, "planassignment"))
    out["plandeadline"] = services.add_deadline(actor=None, plan=plan, text=canary(key, "plandeadline"),
                                                due_on=_today() + dt.timedelta(days=60))
    plan.refresh_from_db()
    out["plan"] = plan
    issued = services.create_plan(actor=None, issuer=unit, title=canary(key, "issuedplan"), year=_today().year,
                                  place="Lai Châu", signer_name="Nguyễn Văn A", signer_position="Chủ tịch",
                                  signer_authority="TM.")
    services.add_task(actor=None, plan=issued, text=canary(key, "issuedtask"), lead_unit=unit,
                      due_on=_today() + dt.timedelta(days=30))
    issued.refresh_from_db()
    out["issuedplan"] = services.issue_plan(actor=None, plan=issued, expected_version=issued.lock_version,
                                            issued_on=_ago(5))


def _petitions(key: str, unit: Any, out: dict[str, Any], handler: Any | None) -> None:
    from danvan.petitions import mediation, reception, services
    from danvan.petitions.models import PetitionField

    fld = PetitionField.objects.order_by("pk").first()
    received = _ago(3)
    out["petition"] = services.receive_petition(
        actor=None, org_unit=unit, received_on=received, channel="direct", kind="complaint",
        summary=canary(key, "petition"), content=canary(key, "petitioncontent"), filer_name=canary(key, "filer"),
        field=fld,
    )
    out["denunciation"] = services.receive_petition(
        actor=None, org_unit=unit, received_on=received, channel="direct", kind="denunciation",
        summary=canary(key, "denunciation"), field=fld,
        identity={"name": canary(key, "whistleblower"), "address": canary(key, "wbaddress")},
    )
    if handler is not None:
        services.assign_handler(actor=None, petition=out["denunciation"], user=handler)
    out["receptionsession"] = reception.schedule_session(
        actor=None, org_unit=unit, date=_today() + dt.timedelta(days=7), host_name=canary(key, "receptionsession"), location="Trụ sở",
        published=False,
    )
    out["visit"] = reception.record_visit(
        actor=None, org_unit=unit, visited_on=_ago(2), visitor_name=canary(key, "visitor"),
        visitor_address="Bản", id_number="012345678901", summary=canary(key, "visit"), kind="recommendation",
        handling="guided",
    )
    out["mediation"] = mediation.open_mediation(
        actor=None, org_unit=unit, subject=canary(key, "mediation"), parties=canary(key, "parties"),
        opened_on=_ago(5), mediators=[{"name": "Lò Văn Thanh", "role": "Tổ trưởng"}],
    )


def _surveys(key: str, unit: Any, out: dict[str, Any]) -> None:
    from danvan.surveys import services

    survey = services.create_survey(actor=None, org_unit=unit, title=canary(key, "survey"), template="sipas")
    out["survey"] = services.publish(actor=None, survey=survey, expected_version=survey.lock_version)
    out["desk"] = services.create_desk(actor=None, org_unit=unit, code=f"quay-{key.lower()}",
                                       name=canary(key, "desk"))


def _grassroots(key: str, unit: Any, village: Any, out: dict[str, Any]) -> None:
    from danvan.disclosures import boards, consultations, decisions, services, supervision
    from danvan.disclosures.models import DisclosureCategory

    cat = DisclosureCategory.objects.order_by("pk").first()
    out["disclosure"] = services.create_disclosure(
        actor=None, org_unit=unit, category=cat, title=canary(key, "disclosure"), content=canary(key, "discontent"),
        decided_on=_ago(10),
    )
    out["decision"] = decisions.record_decision(
        actor=None, org_unit=village or unit, matter="convention", title=canary(key, "decision"), form="ballot",
        held_on=_ago(4), decided_on=_ago(4), households_total=50, households_participating=40, votes_for=30,
        votes_against=10,
    )
    out["consultation"] = consultations.create_consultation(
        actor=None, org_unit=unit, matter=_consultation_matter(), title=canary(key, "consultation"),
        opens_on=_today() + dt.timedelta(days=5), closes_on=_today() + dt.timedelta(days=30),
        draft=canary(key, "consultdraft"), is_public=True,
    )
    board = boards.create_board(actor=None, org_unit=unit, kind="inspection", name=canary(key, "board"),
                                term_starts_on=_ago(400), term_ends_on=_today() + dt.timedelta(days=700))
    out["board"] = board
    out["boardmember"] = boards.add_member(actor=None, board=board, full_name=canary(key, "boardmember"),
                                           position="member", joined_on=_ago(300))
    out["finding"] = boards.record_finding(actor=None, board=board, found_on=_today(), subject=canary(key, "finding"),
                                           findings=canary(key, "findingtext"), addressed_to=unit)
    out["supervision"] = supervision.record_supervision(
        actor=None, org_unit=unit, by_name="MTTQ", kind="critique", subject=canary(key, "supervision"),
        starts_on=_ago(3),
    )


def _consultation_matter() -> str:
    from danvan.disclosures.models import Consultation

    field_ = Consultation._meta.get_field("matter")
    return str(field_.choices[0][0]) if field_.choices else "other"


def _dialogues(key: str, unit: Any, out: dict[str, Any]) -> None:
    from danvan.dialogues import commitments, services

    d = services.create_dialogue(actor=None, org_unit=unit, kind="citizens", title=canary(key, "dialogue"),
                                 held_on=_ago(2), minutes=canary(key, "minutes"), is_public=False)
    out["dialogue"] = d
    out["commitment"] = commitments.add_commitment(actor=None, dialogue=d, text=canary(key, "commitment"),
                                                   owner_unit=unit, due_on=_today() + dt.timedelta(days=20),
                                                   is_public=False)


def _practices(key: str, unit: Any, out: dict[str, Any]) -> None:
    from danvan.practices import commendations, programmes, services
    from danvan.practices.models import PracticeField

    out["practice"] = services.register_practice(
        actor=None, org_unit=unit, year=_today().year, name=canary(key, "practice"),
        field=PracticeField.objects.order_by("pk").first(), goals=canary(key, "goals"), starts_on=_ago(100),
        responsible_person=canary(key, "responsible"),
    )
    out["commendation"] = commendations.commend(
        actor=None, awarding_unit=unit, year=_today().year, level=_commendation_level(unit),
        recipient_kind="collective", recipient_name=canary(key, "commendation"), org_unit=unit, awarded_on=_ago(2),
    )
    p = programmes.create_programme(actor=None, org_unit=unit, name=canary(key, "programme"), starts_on=_ago(30),
                                    ends_on=_today() + dt.timedelta(days=30), description=canary(key, "progdesc"))
    out["programme"] = p
    out["programmemember"] = programmes.add_member(actor=None, programme=p, full_name=canary(key, "progmember"))
    out["programmestep"] = programmes.add_step(actor=None, programme=p, title=canary(key, "progstep"),
                                               ends_on=_today() + dt.timedelta(days=10))
    out["programmecriterion"] = programmes.add_criterion(actor=None, programme=p, name=canary(key, "progcrit"))


def _commendation_level(unit: Any) -> str:
    return "province" if unit.kind.code == "province" else "commune"


def _oversight(key: str, unit: Any, doc: Any, out: dict[str, Any]) -> None:
    from danvan.oversight import services

    out["dissemination"] = services.record_dissemination(
        actor=None, org_unit=unit, title=canary(key, "dissemination"), held_on=_ago(10), documents=[doc],
        participants=40,
    )
    year = _today().year
    out["inspectionplan"] = services.create_inspection_plan(
        actor=None, org_unit=unit, kind="self", year=year, title=canary(key, "inspectionplan"),
        starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31),
    )
    insp = services.record_inspection(actor=None, inspector=unit, org_unit=unit, starts_on=_ago(40), ends_on=_ago(38),
                                      findings=canary(key, "inspection"))
    out["inspection"] = insp
    out["followup"] = services.add_action(actor=None, inspection=insp, text=canary(key, "followup"), owner_unit=unit,
                                          due_on=_today() + dt.timedelta(days=10))


def _league(key: str, unit: Any, out: dict[str, Any]) -> None:
    from danvan.dashboard.models import LeagueTable

    # The registry of figures depends on the apps loaded; the table's pages read criteria by key only.
    out["league"] = LeagueTable.objects.create(owner=unit, name=canary(key, "league"),
                                               criteria=[{"key": "petitions.received", "weight": 1}])


def _reports(world: World, tree: dict[str, Any]) -> None:
    """Each unit owns a form and a regime with an open period over the units below it; C, S and Q also
    have their own submission in the period of their province's regime."""
    from danvan.orgs.models import OrgKind
    from danvan.reports import services
    from danvan.reports.models import PeriodKind, Submission

    kinds = {k.code: k for k in OrgKind.objects.all()}
    owners = [("C", tree["A1"], "village"), ("S", tree["A2"], "village"), ("P", tree["A"], "commune"),
              ("Q", tree["B1"], "village"), ("Qp", tree["B"], "commune")]
    periods = {}
    for key, owner, reporter in owners:
        label = key[0] if key != "Qp" else "Qp"
        form = services.create_form(actor=None, owner=owner, code=f"form-{key.lower()}",
                                    name=canary(label, "reportform"))
        section = services.save_section(actor=None, form=form, number="I", title=canary(label, "reportsection"))
        services.save_indicator(actor=None, form=form, data={
            "code": "sessions", "name": canary(label, "indicator"), "value_type": "count", "aggregation": "sum",
            "section": section,
        })
        form = services.publish_form(actor=None, form=form)
        regime = services.create_regime(actor=None, owner=owner, name=canary(label, "regime"), form=form,
                                        reporter_kinds=[kinds[reporter]], period_kinds=[PeriodKind.ANNUAL])
        period = services.open_period(actor=None, regime=regime, kind=PeriodKind.ANNUAL, year=_today().year,
                                      due_on=dt.date(_today().year, 12, 28))
        periods[key] = period
        if key != "Qp":
            world.objects[key].update(reportform=form, regime=regime, period=period,
                                      reportsection=section, indicator=form.indicators.first())
    for key, parent in (("C", "P"), ("S", "P"), ("Q", "Qp")):
        world.objects[key]["submission"] = Submission.objects.get(period=periods[parent], org_unit=world.units[key])


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _upload(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _files(key: str, out: dict[str, Any]) -> None:
    """A file of each app that serves files, named with the canary (file names show in lists)."""
    from danvan.dialogues import attachments as dialogue_files
    from danvan.disclosures import attachments as grassroots_files
    from danvan.petitions import attachments as petition_files
    from danvan.petitions import notices
    from danvan.practices import attachments as practice_files

    out["petitionfile"] = petition_files.store_attachment(actor=None, file=_upload(f"{canary(key, 'petitionfile')}.pdf"),
                                                          petition=out["petition"])
    out["notice"] = notices.issue_notice(actor=None, kind="acceptance", org_unit=out["unit"],
                                         petition=out["petition"])
    out["grassrootsfile"] = grassroots_files.add(actor=None, owner=out["disclosure"],
                                                 file=_upload(f"{canary(key, 'grassrootsfile')}.pdf"))
    out["dialoguefile"] = dialogue_files.add(actor=None, owner=out["dialogue"],
                                             file=_upload(f"{canary(key, 'dialoguefile')}.pdf"))
    out["practicefile"] = practice_files.add(actor=None, owner=out["practice"],
                                             file=_upload(f"{canary(key, 'practicefile')}.pdf"))


def _survey_parts(key: str, out: dict[str, Any]) -> None:
    from danvan.surveys import responses
    from danvan.surveys.models import Question, QuestionKind, Section

    survey = out["survey"]
    version = survey.versions.exclude(published_at=None).order_by("-number").first()
    questions = list(Question.objects.filter(section__version=version).select_related("section")
                     .order_by("section__order", "order"))
    answers: dict[str, Any] = {}
    for q in questions:
        if q.kind == QuestionKind.LIKERT:
            answers[q.key] = 4
        elif q.kind == QuestionKind.CHOICE:
            values = [v for v, _label in responses.options(q)]
            if values:
                answers[q.key] = values[0]
        elif q.kind == QuestionKind.TEXT:
            answers[q.key] = canary(key, "answer")[: q.max_length]
    out["response"] = responses.submit_response(survey=survey, answers=answers, channel="web", desk=out["desk"],
                                                idempotency_key=f"matrix-{key}")
    out["surveysection"] = Section.objects.filter(version=version).order_by("order").first()
    out["surveyquestion"] = questions[0]


def _public_objects(key: str, unit: Any, out: dict[str, Any]) -> None:
    """Objects a public page shows to anyone: a published disclosure."""
    from danvan.disclosures import services
    from danvan.disclosures.models import DisclosureCategory

    cat = DisclosureCategory.objects.order_by("pk").first()
    d = services.create_disclosure(actor=None, org_unit=unit, category=cat, title=canary(key, "pubdisclosure"),
                                   content="Công khai", decided_on=_ago(12))
    out["pubdisclosure"] = services.publish_disclosure(actor=None, disclosure=d, expected_version=d.lock_version,
                                                       disclosed_on=_ago(1))


def _notifications(world: World) -> None:
    from danvan.notifications import services

    for key in UNITS:
        services.notify([world.users[f"{key}:officer"]], title=canary(key, "notification"), body="", url="/")
        world.objects[key]["notification"] = _last_notification(world.users[f"{key}:officer"])


def _last_notification(user: Any) -> Any:
    from danvan.notifications.models import Notification

    return Notification.objects.filter(user=user).order_by("-pk").first()


def _users(world: World, tree: dict[str, Any]) -> None:
    from danvan.accounts.models import User
    from danvan.accounts.services import create_api_token
    from danvan.orgs.models import Membership

    def make(name: str, *grants: tuple[Any, str]) -> Any:
        user = User.objects.create_user(username=name, password=PASSWORD, email=f"{name}@example.vn",
                                        full_name=name)
        for unit, role in grants:
            Membership.objects.create(user=user, org_unit=unit, role=role)
        world.users[name] = user
        _, secret = create_api_token(user=user, name="matrix")
        world.tokens[name] = secret
        return user

    # Users of the own commune, one per role; of the province (the "child" relation, objects of C
    # seen from above); and officers of S (to own S's notifications, tokens and memberships).
    for role in ROLES:
        make(f"C:{role}", (world.units["C"], role))
        make(f"P:{role}", (world.units["P"], role))
    make("S:officer", (world.units["S"], "officer"))
    make("Q:officer", (world.units["Q"], "officer"))
    make("nobody")


def build_world() -> World:
    from danvan.accounts.models import ApiToken
    from danvan.legal.services import register_document
    from danvan.orgs.models import Membership

    _seed_rows()
    tree = build_tree()
    world = World(units={k: tree[v] for k, v in UNITS.items()})
    world.extra["tree"] = tree
    _users(world, tree)
    doc = register_document(actor=None, doc_type="directive", number="33", symbol="CT/TW", issued_on=None,
                            issuer="Ban Bí thư", title="Về tăng cường công tác dân vận")
    world.extra["legal_document"] = doc
    world.extra["handler"] = world.users["C:case_handler"]
    villages = {"C": tree["A1v"], "S": tree["A2v"], "P": None, "Q": tree["B1v"]}
    for key, unit in world.units.items():
        out: dict[str, Any] = {"unit": unit}
        world.objects[key] = out
        handler = world.users["C:case_handler"] if key == "C" else None
        _plans(key, unit, out)
        _petitions(key, unit, out, handler)
        _surveys(key, unit, out)
        _grassroots(key, unit, villages[key], out)
        _dialogues(key, unit, out)
        _practices(key, unit, out)
        _oversight(key, unit, doc, out)
        _league(key, unit, out)
        _files(key, out)
        _survey_parts(key, out)
        _public_objects(key, unit, out)
    _reports(world, tree)
    _notifications(world)
    for key in UNITS:
        world.objects[key]["membership"] = Membership.objects.get(user=world.users[f"{key}:officer"])
        world.objects[key]["token"] = ApiToken.objects.get(user=world.users[f"{key}:officer"])
    return world


@pytest.fixture(scope="module", name="world")
def world_fixture(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """The world, built once per module inside a transaction rolled back at the end of the module."""
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            for name in built.users:
                built.client(name)
            built.client(None)
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
