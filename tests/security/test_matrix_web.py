"""Every web page × every role × own / child / sibling / parent / other-province / no role / anonymous.

The URL patterns are read from the resolver, so a new page without a row in ``ROUTES`` fails
``test_every_url_is_mapped``. Each row names the access class of the page (see policy.py) and the
world object each URL argument takes; the test fills the arguments with the object of the unit the
relation points at, requests the page (a POST with no data when the page answers GET with 405),
compares allow/deny with the policy, and scans every answer for canaries of objects the caller
must not see (policy_leaks.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from danvan.core.models import AuditEvent

from . import policy
from .policy_leaks import forbidden_canaries, scan
from .world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(no_mfa: None) -> None:
    """Two-factor is its own test suite (accounts); here every role signs in with a password alone."""


# --------------------------------------------------------------------------- the routes

# name → (access class, {url kwarg: world kind or a literal "=value"})
R = dict[str, tuple[str, dict[str, str]]]
P = {"pk": "plan"}
ROUTES: R = {
    "home": ("global", {}), "healthz": ("global", {}), "set_language": ("global", {}),
    # accounts
    "accounts:profile": ("global", {}), "accounts:tokens": ("global", {}),
    "accounts:revoke_token": ("self", {"pk": "token"}),
    # units
    "orgs:tree": ("global", {}), "orgs:switch": ("global", {}),
    "orgs:detail": ("read", {"pk": "unit"}), "orgs:add": ("decide", {"pk": "unit"}),
    "orgs:edit": ("decide", {"pk": "unit"}), "orgs:move": ("decide", {"pk": "unit"}),
    "orgs:close": ("decide", {"pk": "unit"}), "orgs:memberships": ("decide", {"pk": "unit"}),
    "orgs:revoke": ("decide", {"pk": "unit", "membership_pk": "membership"}),
    "orgs:official_add": ("decide", {"pk": "unit"}), "orgs:import": ("decide", {"pk": "unit"}),
    "orgs:export": ("read", {"pk": "unit"}),
    "audit:log": ("global", {}),
    # plans
    "plans:list": ("global", {}), "plans:new": ("global", {}), "plans:copy": ("global", {}),
    "plans:derive": ("global", {}), "plans:import": ("global", {}),
    "plans:import_review": ("global", {"token": "=no-such-import"}),
    "plans:detail": ("read", P), "plans:edit": ("change", P), "plans:export": ("read", P),
    "plans:diff": ("stateful", {"pk": "issuedplan"}), "plans:issue": ("decide", P),
    "plans:close": ("decide", {"pk": "issuedplan"}), "plans:amend": ("change", {"pk": "issuedplan"}), "plans:delete": ("change", P), "plans:cascade": ("read", P),
    "plans:coverage": ("read", P), "plans:section_add": ("change", P),
    "plans:section_edit": ("change", {"pk": "plan", "section_pk": "plansection"}),
    "plans:task_add": ("change", P), "plans:task_edit": ("change", {"pk": "plan", "task_pk": "plantask"}),
    "plans:task_progress": ("change", {"pk": "plan", "task_pk": "plantask"}),
    "plans:target_add": ("change", P),
    "plans:target_edit": ("change", {"pk": "plan", "target_pk": "plantarget"}),
    "plans:target_value": ("change", {"pk": "plan", "target_pk": "plantarget"}),
    "plans:assignment_add": ("change", P),
    "plans:assignment_edit": ("change", {"pk": "plan", "assignment_pk": "planassignment"}),
    "plans:deadline_add": ("change", P),
    "plans:deadline_edit": ("change", {"pk": "plan", "deadline_pk": "plandeadline"}),
    "plans:legal_bases": ("change", P),
    "plans:part_delete": ("change", {"pk": "plan", "part": "=task", "part_pk": "plantask"}),
    # legal registry: shared by every unit (documents are national texts)
    "legal:list": ("global", {}), "legal:add": ("global", {}),
    "legal:detail": ("global", {"pk": "@legal_document"}), "legal:edit": ("global", {"pk": "@legal_document"}),
    "legal:merge": ("global", {"pk": "@legal_document"}),
    # petitions
    "petitions:deadlines": ("global", {}), "petitions:list": ("global", {}), "petitions:new": ("global", {}),
    "petitions:duplicate_candidates": ("global", {}),
    "petitions:detail": ("read", {"pk": "denunciation"}),
    "petitions:act": ("change", {"pk": "petition", "action": "=classify"}),
    "petitions:identity": ("handler", {"pk": "denunciation"}),
    "petitions:handler_assign": ("decide", {"pk": "denunciation"}),
    "petitions:handler_revoke": ("decide", {"pk": "denunciation"}),
    "petitions:link_duplicate": ("change", {"pk": "petition"}),
    "petitions:publish_result": ("change", {"pk": "petition"}),
    "petitions:reception": ("global", {}), "petitions:reception_session_new": ("global", {}),
    "petitions:reception_session_edit": ("change", {"pk": "receptionsession"}),
    "petitions:reception_session_cancel": ("change", {"pk": "receptionsession"}),
    "petitions:reception_book": ("global", {}), "petitions:reception_book_xlsx": ("global", {}),
    "petitions:reception_visit_new": ("global", {}), "petitions:reception_visit": ("read", {"pk": "visit"}),
    "petitions:mediation_list": ("global", {}), "petitions:mediation_new": ("global", {}),
    "petitions:mediation_detail": ("read", {"pk": "mediation"}),
    "petitions:mediation_session": ("change", {"pk": "mediation"}),
    "petitions:mediation_mediator": ("change", {"pk": "mediation"}),
    "petitions:mediation_close": ("change", {"pk": "mediation"}),
    "petitions:mediation_delete": ("decide", {"pk": "mediation"}),
    "petitions:attachment": ("read", {"pk": "petitionfile"}),
    "petitions:attachment_add": ("change", {"pk": "petition"}),
    "petitions:notice_docx": ("read", {"pk": "notice"}),
    "petitions:statistics": ("global", {}),
    # retention (destruction of filed-away petitions) and the personal-data export: unit chosen in the
    # form; a destruction decision is not built in the world, so its page is asked for a number that
    # does not exist (must answer 404 to everyone, without a leak).
    "petitions:retention": ("global", {}), "petitions:retention_confirm": ("global", {}),
    "petitions:retention_destroy": ("global", {}), "petitions:retention_decisions": ("global", {}),
    "petitions:retention_decision": ("global", {"pk": "=999999"}), "petitions:subject_export": ("global", {}),
    "petitions_public:schedules": ("global", {}), "petitions_public:submit": ("global", {}),
    "petitions_public:submitted": ("global", {}), "petitions_public:track": ("global", {}),
    "petitions_public:results": ("global", {}),
    # surveys
    "surveys_public:start": ("publicsurvey", {"code": ".survey.public_code"}),
    "surveys_public:step": ("publicsurvey", {"code": ".survey.public_code", "n": "=1"}),
    "surveys_public:thanks": ("publicsurvey", {"code": ".survey.public_code"}),
    "surveys:list": ("global", {}), "surveys:new": ("global", {}),
    "surveys:detail": ("read", {"pk": "survey"}), "surveys:edit": ("change", {"pk": "survey"}),
    "surveys:transition": ("change", {"pk": "survey", "action": "=close"}),
    "surveys:index_rule": ("change", {"pk": "survey"}),
    "surveys:section_add": ("change", {"pk": "survey"}),
    "surveys:section_edit": ("change", {"pk": "survey", "section_pk": "surveysection"}),
    "surveys:section_delete": ("change", {"pk": "survey", "section_pk": "surveysection"}),
    "surveys:section_move": ("change", {"pk": "survey", "section_pk": "surveysection"}),
    "surveys:question_add": ("change", {"pk": "survey", "section_pk": "surveysection"}),
    "surveys:question_edit": ("change", {"pk": "survey", "question_pk": "surveyquestion"}),
    "surveys:question_delete": ("change", {"pk": "survey", "question_pk": "surveyquestion"}),
    "surveys:question_move": ("change", {"pk": "survey", "question_pk": "surveyquestion"}),
    "surveys:desk_list": ("global", {}), "surveys:desk_edit": ("change", {"desk_pk": "desk"}),
    "surveys:distribute": ("read", {"pk": "survey"}), "surveys:poster": ("read", {"pk": "survey"}),
    "surveys:issue_codes": ("change", {"pk": "survey"}), "surveys:code_sheet": ("change", {"pk": "survey"}),
    "surveys:paper_entry": ("change", {"pk": "survey"}), "surveys:responses": ("read", {"pk": "survey"}),
    "surveys:void_response": ("decide", {"pk": "survey", "rid": "response"}),
    "surveys:duplicates": ("read", {"pk": "survey"}),
    "surveys:results": ("global", {}), "surveys:results_index_csv": ("global", {}),
    "surveys:survey_results": ("read", {"pk": "survey"}), "surveys:survey_index_csv": ("read", {"pk": "survey"}),
    "surveys:responses_csv": ("read", {"pk": "survey"}), "surveys:responses_xlsx": ("read", {"pk": "survey"}),
    # grassroots democracy
    "disclosures_public:calendar": ("publicunit", {"pk": "unit"}),
    "disclosures_public:quarters": ("publicunit", {"pk": "unit"}),
    "disclosures_public:disclosure": ("public", {"pk": "disclosure"}),
    "disclosures_public:consultation": ("public", {"pk": "consultation"}),
    "disclosures_public:attachment": ("public", {"pk": "grassrootsfile"}),
    "disclosures:home": ("global", {}), "disclosures:disclosure_list": ("global", {}),
    "disclosures:disclosure_create": ("global", {}),
    "disclosures:disclosure_detail": ("read", {"pk": "disclosure"}),
    "disclosures:disclosure_edit": ("change", {"pk": "disclosure"}),
    "disclosures:disclosure_publish": ("change", {"pk": "disclosure"}),
    "disclosures:disclosure_withdraw": ("change", {"pk": "pubdisclosure"}),
    "disclosures:disclosure_delete": ("decide", {"pk": "disclosure"}),
    "disclosures:calendar": ("global", {}), "disclosures:quarterly": ("global", {}),
    "disclosures:attachment": ("read", {"pk": "grassrootsfile"}),
    "disclosures:attachment_add": ("global", {}),
    "disclosures:attachment_remove": ("change", {"pk": "grassrootsfile"}),
    "disclosures:decision_list": ("global", {}), "disclosures:decision_create": ("global", {}),
    "disclosures:decision_detail": ("read", {"pk": "decision"}),
    "disclosures:decision_edit": ("change", {"pk": "decision"}),
    "disclosures:decision_sent": ("change", {"pk": "decision"}),
    "disclosures:decision_delete": ("decide", {"pk": "decision"}),
    "disclosures:consultation_list": ("global", {}), "disclosures:consultation_create": ("global", {}),
    "disclosures:consultation_detail": ("read", {"pk": "consultation"}),
    "disclosures:consultation_edit": ("change", {"pk": "consultation"}),
    "disclosures:consultation_open": ("change", {"pk": "consultation"}),
    "disclosures:consultation_close": ("change", {"pk": "consultation"}),
    "disclosures:consultation_publish": ("change", {"pk": "consultation"}),
    "disclosures:consultation_delete": ("decide", {"pk": "consultation"}),
    "disclosures:board_list": ("global", {}), "disclosures:board_create": ("global", {}),
    "disclosures:board_detail": ("read", {"pk": "board"}), "disclosures:board_edit": ("change", {"pk": "board"}),
    "disclosures:board_delete": ("decide", {"pk": "board"}),
    "disclosures:board_member_add": ("change", {"pk": "board"}),
    "disclosures:board_member_end": ("change", {"pk": "boardmember"}),
    "disclosures:board_workplan_add": ("change", {"pk": "board"}),
    "disclosures:board_finding_add": ("change", {"pk": "board"}),
    "disclosures:finding_detail": ("read", {"pk": "finding"}),
    "disclosures:finding_respond": ("change", {"pk": "finding"}),
    "disclosures:supervision_list": ("global", {}), "disclosures:supervision_create": ("global", {}),
    "disclosures:supervision_detail": ("read", {"pk": "supervision"}),
    "disclosures:supervision_edit": ("front", {"pk": "supervision"}),
    "disclosures:supervision_respond": ("change", {"pk": "supervision"}),
    "disclosures:supervision_delete": ("front", {"pk": "supervision"}),
    # dialogues
    "dialogues_public:dialogue": ("public", {"pk": "dialogue"}),
    "dialogues_public:unit_dialogues": ("publicunit", {"pk": "unit"}),
    "dialogues_public:unit_commitments": ("publicunit", {"pk": "unit"}),
    "dialogues:list": ("global", {}), "dialogues:create": ("global", {}),
    "dialogues:detail": ("read", {"pk": "dialogue"}), "dialogues:edit": ("change", {"pk": "dialogue"}),
    "dialogues:held": ("change", {"pk": "dialogue"}), "dialogues:cancel": ("change", {"pk": "dialogue"}),
    "dialogues:delete": ("decide", {"pk": "dialogue"}), "dialogues:print": ("read", {"pk": "dialogue"}),
    "dialogues:print_docx": ("read", {"pk": "dialogue"}),
    "dialogues:commitment_add": ("change", {"pk": "dialogue"}),
    "dialogues:report_back": ("change", {"pk": "dialogue"}),
    "dialogues:commitments": ("global", {}),
    "dialogues:commitment_detail": ("read", {"pk": "commitment"}),
    "dialogues:commitment_edit": ("change", {"pk": "commitment"}),
    "dialogues:commitment_progress": ("change", {"pk": "commitment"}),
    "dialogues:commitment_delete": ("decide", {"pk": "commitment"}),
    "dialogues:attachment": ("read", {"pk": "dialoguefile"}), "dialogues:attachment_add": ("global", {}),
    "dialogues:attachment_remove": ("change", {"pk": "dialoguefile"}),
    # practices and programmes
    "practices:list": ("global", {}), "practices:create": ("global", {}),
    "practices:detail": ("read", {"pk": "practice"}), "practices:edit": ("change", {"pk": "practice"}),
    "practices:update_add": ("change", {"pk": "practice"}), "practices:evaluate": ("change", {"pk": "practice"}),
    "practices:replicate": ("global", {"pk": "practice"}), "practices:stop": ("change", {"pk": "practice"}),
    "practices:delete": ("decide", {"pk": "practice"}),
    "practices:commendation_list": ("global", {}), "practices:commendation_create": ("global", {}),
    "practices:commendation_delete": ("decide", {"pk": "commendation"}),
    "practices:criteria_list": ("global", {}), "practices:criteria_create": ("global", {}),
    "practices:registration": ("global", {}),
    "practices:attachment": ("read", {"pk": "practicefile"}), "practices:attachment_add": ("global", {}),
    "practices:attachment_remove": ("change", {"pk": "practicefile"}),
    "practices:programme_list": ("global", {}), "practices:programme_create": ("global", {}),
    "practices:programme_detail": ("read", {"pk": "programme"}),
    "practices:programme_edit": ("change", {"pk": "programme"}),
    "practices:programme_member_add": ("change", {"pk": "programme"}),
    "practices:programme_member_remove": ("change", {"pk": "programme", "member_pk": "programmemember"}),
    "practices:programme_step_add": ("change", {"pk": "programme"}),
    "practices:programme_step_complete": ("change", {"pk": "programme", "step_pk": "programmestep"}),
    "practices:programme_step_remove": ("change", {"pk": "programme", "step_pk": "programmestep"}),
    "practices:programme_criterion_add": ("change", {"pk": "programme"}),
    "practices:programme_criterion_assess": ("change", {"pk": "programme", "criterion_pk": "programmecriterion"}),
    "practices:programme_evaluate": ("change", {"pk": "programme"}),
    "practices:programme_delete": ("decide", {"pk": "programme"}),
    # oversight
    "oversight:home": ("global", {}), "oversight:dissemination_list": ("global", {}),
    "oversight:dissemination_create": ("global", {}), "oversight:dissemination_coverage": ("global", {}),
    "oversight:dissemination_detail": ("read", {"pk": "dissemination"}),
    "oversight:dissemination_edit": ("change", {"pk": "dissemination"}),
    "oversight:dissemination_delete": ("decide", {"pk": "dissemination"}),
    "oversight:inspection_plan_list": ("global", {}), "oversight:inspection_plan_create": ("global", {}),
    "oversight:inspection_plan_detail": ("read", {"pk": "inspectionplan"}),
    "oversight:inspection_plan_delete": ("decide", {"pk": "inspectionplan"}),
    "oversight:inspection_list": ("global", {}), "oversight:inspection_create": ("global", {}),
    "oversight:inspection_detail": ("read", {"pk": "inspection"}),
    "oversight:inspection_edit": ("change", {"pk": "inspection"}),
    "oversight:inspection_delete": ("decide", {"pk": "inspection"}),
    "oversight:action_add": ("change", {"pk": "inspection"}),
    "oversight:action_complete": ("change", {"pk": "inspection", "action_pk": "followup"}),
    # dashboard
    "dashboard:home": ("global", {}), "dashboard:export": ("global", {}), "dashboard:trend": ("global", {}),
    "dashboard:plans": ("global", {}), "dashboard:plan": ("read", P),
    "dashboard:league_list": ("global", {}), "dashboard:league_create": ("global", {}),
    "dashboard:league": ("read", {"pk": "league"}), "dashboard:league_export": ("read", {"pk": "league"}),
    "dashboard:league_edit": ("decide", {"pk": "league"}), "dashboard:league_delete": ("decide", {"pk": "league"}),
    # portal and Open311 (public by design; leak-checked for the private objects)
    "portal:home": ("global", {}), "portal:unit": ("publicunit", {"pk": "unit"}),
    "portal:unit_data_csv": ("publicunit", {"pk": "unit"}), "portal:unit_data_json": ("publicunit", {"pk": "unit"}),
    "portal:open_data": ("global", {}), "portal:national_csv": ("global", {}),
    "portal:national_json": ("global", {}), "portal:altcha_challenge": ("global", {}),
    "open311_services": ("global", {}), "open311_service": ("global", {"code": "=complaint"}),
    "open311_requests": ("global", {}), "open311_request": ("global", {"request_id": "=NO-SUCH-CODE"}),
    # reports
    "reports:home": ("global", {}), "reports:forms": ("global", {}), "reports:form_new": ("global", {}),
    "reports:form": ("read", {"pk": "reportform"}),
    "reports:form_publish": ("change", {"pk": "reportform"}),
    "reports:form_new_version": ("change", {"pk": "reportform"}),
    "reports:part_add": ("change", {"pk": "reportform", "kind": "=indicator"}),
    "reports:part_edit": ("change", {"pk": "reportform", "kind": "=indicator", "part_pk": "indicator"}),
    "reports:part_delete": ("change", {"pk": "reportform", "kind": "=indicator", "part_pk": "indicator"}),
    "reports:regime_new": ("global", {}), "reports:regime": ("read", {"pk": "regime"}),
    "reports:period_open": ("change", {"pk": "regime"}), "reports:period": ("read", {"pk": "period"}),
    "reports:period_edit": ("change", {"pk": "period"}), "reports:period_close": ("decide", {"pk": "period"}),
    "reports:period_synthesis": ("read", {"pk": "period"}), "reports:period_values": ("read", {"pk": "period"}),
    "reports:submission": ("read", {"pk": "submission"}),
    "reports:submission_template": ("read", {"pk": "submission"}),
    "reports:submission_upload": ("change", {"pk": "submission"}),
    "reports:submission_review": ("parentreview", {"pk": "submission"}),
    "reports:submission_reopen": ("parentreview", {"pk": "submission"}),
    "reports:submission_history": ("read", {"pk": "submission"}),
    # notifications
    "notifications:list": ("global", {}), "notifications:read": ("global", {}), "notifications:badge": ("global", {}),
}

# Pages reached by object but open to more than the object's unit, by documented rule:
# the unit below reads what its parent publishes downwards (the regime it reports to and its period).
PARENT_VISIBLE = {"reports:regime", "reports:period", "reports:period_synthesis", "reports:period_values",
                  "reports:form"}

# Patterns deliberately left out, with the reason.
SKIPPED_PREFIXES = {
    "accounts/": "allauth's sign-in, password and two-factor flows: no unit data; covered by accounts/tests",
    "api/v1/": "the API: every operation is in test_matrix_api.py",
    "django-admin/": "the Django admin: staff only; test_admin_is_staff_only below",
}


def _walk(resolver: Any, prefix: str = "", ns: str = "") -> Iterator[tuple[str, str]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + str(p.pattern), ns + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), ns + (p.name or "")


def all_patterns() -> list[tuple[str, str]]:
    return sorted(set(_walk(get_resolver())))


def app_patterns() -> list[tuple[str, str]]:
    return [(route, name) for route, name in all_patterns()
            if not any(route.startswith(prefix) for prefix in SKIPPED_PREFIXES)]


def test_every_url_is_mapped() -> None:
    """A new page must get a row in ROUTES (its access class and its objects) before it ships."""
    names = {name for _route, name in app_patterns()}
    missing = sorted(names - set(ROUTES))
    unnamed = sorted(route for route, name in app_patterns() if not name)
    assert not unnamed, f"unnamed URL patterns cannot be mapped: {unnamed}"
    assert not missing, f"URL patterns without a row in ROUTES: {missing}"
    stale = sorted(set(ROUTES) - names)
    assert not stale, f"ROUTES rows for URLs that no longer exist: {stale}"


# --------------------------------------------------------------------------- requests


@dataclass
class Cell:
    relation: str
    role: str | None
    unit_key: str  # where the object comes from

    @property
    def label(self) -> str:
        return f"{self.relation}:{self.role or '-'}"


def username_for(cell: Cell) -> str | None:
    if cell.relation == "anon":
        return None
    if cell.relation == "nobody":
        return "nobody"
    return f"{policy.USER_UNIT[cell.relation]}:{cell.role}"


def fill(world: World, spec: dict[str, str], unit_key: str) -> dict[str, Any] | None:
    kwargs: dict[str, Any] = {}
    for name, source in spec.items():
        if source.startswith("="):
            value: Any = source[1:]
            kwargs[name] = int(value) if value.isdigit() else value
        elif source.startswith("@"):
            kwargs[name] = world.extra[source[1:]].pk
        elif source.startswith("."):
            kind, attr = source[1:].split(".")
            kwargs[name] = getattr(world.objects[unit_key][kind], attr)
        else:
            obj = world.objects[unit_key].get(source)
            if obj is None:
                return None
            kwargs[name] = obj.pk
    return kwargs


def request(client: Client, url: str) -> Any:
    """GET; a page that only takes POST gets an empty POST (which a refused caller must not get past)."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and "/accounts/login" in response.get("Location", "")


def denied(response: Any, wrote: bool = True) -> bool:
    """Refused: 401/403/404 or sent to log in; or sent back with a message and nothing written (no
    audit event: every write of the platform records one in its transaction). The body of such an
    answer is leak-checked like any other, and the page it sends to is a route of its own."""
    if response.status_code in (401, 403, 404) or is_login_redirect(response):
        return True
    return not wrote and response.status_code in (302, 303, 400, 409, 422)


def allowed(response: Any) -> bool:
    if response.status_code in (200, 204, 400, 409, 422):  # a refused empty POST is validation, not a denial
        return True
    return response.status_code in (301, 302, 303) and not is_login_redirect(response)


def cells_for(access: str) -> list[Cell]:
    out: list[Cell] = []
    relations = ["own", "child", "sibling", "parent", "other"]
    for relation in relations:
        for role in policy.RELATION_ROLES[relation]:
            out.append(Cell(relation, role, policy.RELATION_UNIT[relation]))
    out.append(Cell("nobody", None, "C"))
    out.append(Cell("anon", None, "C"))
    return out


def expected_for(name: str, access: str, cell: Cell, world: World) -> bool | None:
    if access in ("publicunit",):
        return True  # a unit's public pages are public, whoever asks
    if access == "publicsurvey":
        return True  # the world's surveys are published: their public form is open to anyone
    if access == "parentreview":
        # A submission is reviewed by the unit the period belongs to (above the reporter), not by the reporter.
        if cell.relation == "child":
            return True if cell.role == "admin" else (False if cell.role == "viewer" else None)
        if cell.relation == "own":
            return None
        access = "change"
    published = access == "public" and False
    return policy.expected(access, cell.relation, cell.role, published=published,
                           parent_visible=name in PARENT_VISIBLE)


def run_cells(world: World, name: str, access: str, spec: dict[str, str]) -> list[str]:
    problems: list[str] = []
    object_route = access != "global" and bool(spec)
    cells = cells_for(access) if object_route else [
        *(Cell("own", role, "C") for role in policy.ALL_ROLES),
        Cell("child", "admin", "C"), Cell("nobody", None, "C"), Cell("anon", None, "C"),
    ]
    # Refusals first: an allowed POST could change the object for the cells after it, so each
    # request also runs in its own savepoint, rolled back.
    for cell in cells:
        kwargs = fill(world, spec, cell.unit_key)
        if kwargs is None:
            continue  # this unit has no such object (e.g. a province has no submission of its own)
        url = reverse(name, kwargs=kwargs)
        client = world.client(username_for(cell))
        with transaction.atomic():
            before = AuditEvent.objects.count()
            response = request(client, url)
            wrote = AuditEvent.objects.count() != before
            transaction.set_rollback(True)
        if response.status_code >= 500:
            problems.append(f"{cell.label} {url}: server error {response.status_code}")
            continue
        want = expected_for(name, access, cell, world) if object_route else (
            False if cell.relation == "anon" and not public_global(name) else None)
        if want is False and response.status_code == 204 and not response.content:
            want = None  # an empty answer (the anonymous visitor's notification badge) holds nothing
        if want is True and not allowed(response):
            problems.append(f"{cell.label} {url}: expected allowed, got {response.status_code}")
        elif want is False and not denied(response, wrote):
            problems.append(f"{cell.label} {url}: expected denied, got {response.status_code}")
        leaked = scan(response, forbidden_canaries(world, cell, name))
        if leaked:
            problems.append(f"{cell.label} {url}: leaks {sorted(leaked)}")
    return problems


PUBLIC_GLOBAL_PREFIXES = ("portal:", "petitions_public:", "open311_", "healthz", "set_language", "home")


def public_global(name: str) -> bool:
    return name.startswith(PUBLIC_GLOBAL_PREFIXES)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route(world: World, name: str) -> None:
    access, spec = ROUTES[name]
    problems = run_cells(world, name, access, spec)
    assert not problems, "\n".join(problems)


def test_admin_is_staff_only(world: World) -> None:
    """Every page of the Django admin refuses officials of any role and the anonymous visitor."""
    routes = [(route, name) for route, name in all_patterns() if route.startswith("django-admin/")]
    assert routes
    problems = []
    for user in (world.users["C:admin"], world.users["P:admin"], world.users["nobody"], None):
        client = Client()
        if user is not None:
            client.force_login(user)
        for _route, name in routes:
            if not name or name.endswith(":") or name in ("admin:login", "admin:logout"):
                continue  # the admin's own sign-in page is public by nature
            url = _admin_url(name)
            response = client.get(url)
            login = response.status_code == 302 and "/django-admin/login" in response.get("Location", "")
            if not (login or response.status_code in (403, 404)):
                problems.append(f"{getattr(user, 'username', 'anon')} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)


def _admin_url(name: str) -> str:
    for kwargs in ({}, {"object_id": "1"}, {"app_label": "auth"}, {"content_type_id": "1", "object_id": "1"}):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot fill the admin URL {name}")
