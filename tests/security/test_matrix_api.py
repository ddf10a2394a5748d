"""Every operation of docs/openapi.json × role × own / child / sibling / parent / other-province / no role / anonymous.

Operations are read from the committed schema, so a new operation without a row in ``OPERATIONS``
fails ``test_every_operation_is_mapped``. Path parameters are filled with the world's object of
the unit the relation points at. A write is sent with a body built from its request schema (the
required fields with plain values), so that a refused caller is refused by the permission check,
not merely by validation; a refused caller must get 401/403/404 and no canary of the object.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from danvan.core.models import AuditEvent

from . import policy
from .policy_leaks import forbidden_canaries, scan
from .test_matrix_web import Cell, cells_for
from .world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(settings.BASE_DIR) / "docs" / "openapi.json").read_text())
METHODS = ("get", "post", "put", "patch", "delete")

# path template (without /api/v1) → {path parameter: world kind}; the access class per method is in ACCESS.
PARAMS: dict[str, dict[str, str]] = {
    "/dashboard/league-tables/{table_id}": {"table_id": "league"},
    "/dialogues/commitments/{commitment_id}": {"commitment_id": "commitment"},
    "/dialogues/commitments/{commitment_id}/progress": {"commitment_id": "commitment"},
    "/dialogues/{dialogue_id}": {"dialogue_id": "dialogue"},
    "/dialogues/{dialogue_id}/cancel": {"dialogue_id": "dialogue"},
    "/dialogues/{dialogue_id}/commitments": {"dialogue_id": "dialogue"},
    "/dialogues/{dialogue_id}/held": {"dialogue_id": "dialogue"},
    "/dialogues/{dialogue_id}/report-back": {"dialogue_id": "dialogue"},
    "/grassroots/boards/{board_id}": {"board_id": "board"},
    "/grassroots/boards/{board_id}/findings": {"board_id": "board"},
    "/grassroots/boards/{board_id}/members": {"board_id": "board"},
    "/grassroots/boards/{board_id}/members/{member_id}/end": {"board_id": "board", "member_id": "boardmember"},
    "/grassroots/boards/{board_id}/work-plans": {"board_id": "board"},
    "/grassroots/consultations/{consultation_id}": {"consultation_id": "consultation"},
    "/grassroots/consultations/{consultation_id}/close": {"consultation_id": "consultation"},
    "/grassroots/consultations/{consultation_id}/open": {"consultation_id": "consultation"},
    "/grassroots/consultations/{consultation_id}/publish": {"consultation_id": "consultation"},
    "/grassroots/decisions/{decision_id}": {"decision_id": "decision"},
    "/grassroots/decisions/{decision_id}/sent": {"decision_id": "decision"},
    "/grassroots/disclosures/{disclosure_id}": {"disclosure_id": "disclosure"},
    "/grassroots/disclosures/{disclosure_id}/publish": {"disclosure_id": "disclosure"},
    "/grassroots/disclosures/{disclosure_id}/withdraw": {"disclosure_id": "pubdisclosure"},
    "/grassroots/findings/{finding_id}": {"finding_id": "finding"},
    "/grassroots/findings/{finding_id}/respond": {"finding_id": "finding"},
    "/grassroots/supervisions/{supervision_id}": {"supervision_id": "supervision"},
    "/grassroots/supervisions/{supervision_id}/respond": {"supervision_id": "supervision"},
    "/legal/{document_id}": {"document_id": "@legal_document"},
    "/legal/{document_id}/plans": {"document_id": "@legal_document"},
    "/oversight/actions/{action_id}/done": {"action_id": "followup"},
    "/oversight/disseminations/{dissemination_id}": {"dissemination_id": "dissemination"},
    "/oversight/inspection-plans/{plan_id}": {"plan_id": "inspectionplan"},
    "/oversight/inspections/{inspection_id}": {"inspection_id": "inspection"},
    "/oversight/inspections/{inspection_id}/actions": {"inspection_id": "inspection"},
    "/petitions/mediations/{case_id}": {"case_id": "mediation"},
    "/petitions/mediations/{case_id}/close": {"case_id": "mediation"},
    "/petitions/mediations/{case_id}/sessions": {"case_id": "mediation"},
    "/petitions/reception/visits/{visit_id}": {"visit_id": "visit"},
    "/petitions/{petition_id}": {"petition_id": "denunciation"},
    "/petitions/{petition_id}/duplicate-of": {"petition_id": "petition"},
    "/petitions/{petition_id}/duplicates": {"petition_id": "petition"},
    "/petitions/{petition_id}/handlers": {"petition_id": "denunciation"},
    "/petitions/{petition_id}/handlers/{user_id}": {"petition_id": "denunciation", "user_id": "@handler"},
    "/petitions/{petition_id}/identity/reveal": {"petition_id": "denunciation"},
    "/petitions/{petition_id}/transitions": {"petition_id": "petition"},
    "/plans/{plan_id}": {"plan_id": "plan"},
    "/plans/{plan_id}/amend": {"plan_id": "plan"},
    "/plans/{plan_id}/assignments": {"plan_id": "plan"},
    "/plans/{plan_id}/assignments/{part_id}": {"plan_id": "plan", "part_id": "planassignment"},
    "/plans/{plan_id}/close": {"plan_id": "plan"},
    "/plans/{plan_id}/coverage": {"plan_id": "plan"},
    "/plans/{plan_id}/coverage/{part_id}/gaps": {"plan_id": "plan", "part_id": "plantask"},
    "/plans/{plan_id}/deadlines": {"plan_id": "plan"},
    "/plans/{plan_id}/deadlines/{part_id}": {"plan_id": "plan", "part_id": "plandeadline"},
    "/plans/{plan_id}/export.docx": {"plan_id": "plan"},
    "/plans/{plan_id}/issue": {"plan_id": "plan"},
    "/plans/{plan_id}/legal-bases": {"plan_id": "plan"},
    "/plans/{plan_id}/obligations": {"plan_id": "plan"},
    "/plans/{plan_id}/sections": {"plan_id": "plan"},
    "/plans/{plan_id}/sections/{part_id}": {"plan_id": "plan", "part_id": "plansection"},
    "/plans/{plan_id}/targets": {"plan_id": "plan"},
    "/plans/{plan_id}/targets/{part_id}": {"plan_id": "plan", "part_id": "plantarget"},
    "/plans/{plan_id}/targets/{part_id}/value": {"plan_id": "plan", "part_id": "plantarget"},
    "/plans/{plan_id}/tasks": {"plan_id": "plan"},
    "/plans/{plan_id}/tasks/{part_id}": {"plan_id": "plan", "part_id": "plantask"},
    "/plans/{plan_id}/tasks/{part_id}/progress": {"plan_id": "plan", "part_id": "plantask"},
    "/portal/units/{unit_id}/open-data": {"unit_id": "unit"},
    "/practices/commendations/{commendation_id}": {"commendation_id": "commendation"},
    "/practices/programmes/criteria/{criterion_id}/assess": {"criterion_id": "programmecriterion"},
    "/practices/programmes/members/{member_id}": {"member_id": "programmemember"},
    "/practices/programmes/steps/{step_id}": {"step_id": "programmestep"},
    "/practices/programmes/steps/{step_id}/done": {"step_id": "programmestep"},
    "/practices/programmes/{programme_id}": {"programme_id": "programme"},
    "/practices/programmes/{programme_id}/criteria": {"programme_id": "programme"},
    "/practices/programmes/{programme_id}/evaluate": {"programme_id": "programme"},
    "/practices/programmes/{programme_id}/members": {"programme_id": "programme"},
    "/practices/programmes/{programme_id}/steps": {"programme_id": "programme"},
    "/practices/{practice_id}": {"practice_id": "practice"},
    "/practices/{practice_id}/evaluations": {"practice_id": "practice"},
    "/practices/{practice_id}/replications": {"practice_id": "practice"},
    "/practices/{practice_id}/stop": {"practice_id": "practice"},
    "/practices/{practice_id}/updates": {"practice_id": "practice"},
    "/reports/forms/{form_id}": {"form_id": "reportform"},
    "/reports/periods/{period_id}": {"period_id": "period"},
    "/reports/periods/{period_id}/aggregates": {"period_id": "period"},
    "/reports/periods/{period_id}/completeness": {"period_id": "period"},
    "/reports/regimes/{regime_id}": {"regime_id": "regime"},
    "/reports/regimes/{regime_id}/periods": {"regime_id": "regime"},
    "/reports/submissions/{submission_id}": {"submission_id": "submission"},
    "/reports/submissions/{submission_id}/accept": {"submission_id": "submission"},
    "/reports/submissions/{submission_id}/reopen": {"submission_id": "submission"},
    "/reports/submissions/{submission_id}/return": {"submission_id": "submission"},
    "/reports/submissions/{submission_id}/submit": {"submission_id": "submission"},
    "/reports/submissions/{submission_id}/values": {"submission_id": "submission"},
    "/surveys/{survey_id}": {"survey_id": "survey"},
    "/surveys/{survey_id}/close": {"survey_id": "survey"},
    "/surveys/{survey_id}/index": {"survey_id": "survey"},
    "/surveys/{survey_id}/publish": {"survey_id": "survey"},
    "/surveys/{survey_id}/responses": {"survey_id": "survey"},
    "/surveys/{survey_id}/tokens": {"survey_id": "survey"},
    "/tokens/{token_id}": {"token_id": "token"},
    "/units/{unit_id}": {"unit_id": "unit"},
    "/units/{unit_id}/subtree": {"unit_id": "unit"},
    # A destruction decision is not built in the world: a number that does not exist must answer 404.
    "/petitions/retention/decisions/{decision_id}": {"decision_id": "=999999"},
}

# Access class of an object operation by (method, path); unlisted object operations: GET is "read",
# DELETE is "decide", other writes "change". Operations without path parameters are "global".
ACCESS: dict[tuple[str, str], str] = {
    ("post", "/petitions/{petition_id}/identity/reveal"): "handler",
    ("delete", "/tokens/{token_id}"): "self",
    ("get", "/legal/{document_id}"): "global", ("patch", "/legal/{document_id}"): "global",
    ("get", "/legal/{document_id}/plans"): "global",
    ("get", "/portal/units/{unit_id}/open-data"): "publicunit",
    ("post", "/grassroots/supervisions/{supervision_id}/respond"): "change",
    ("patch", "/grassroots/supervisions/{supervision_id}"): "front",
    ("delete", "/grassroots/supervisions/{supervision_id}"): "front",
    ("post", "/reports/submissions/{submission_id}/accept"): "parentreview",
    ("post", "/reports/submissions/{submission_id}/return"): "parentreview",
    ("post", "/reports/submissions/{submission_id}/reopen"): "parentreview",
    ("delete", "/dialogues/commitments/{commitment_id}"): "decide",
    ("get", "/petitions/retention/decisions/{decision_id}"): "global",
    # Published report forms are shared templates any signed-in caller reads (reports.view_form, and the
    # operation's description); the web shows fewer (see the report).
    ("get", "/reports/forms/{form_id}"): "formread",
    # Evaluating a practice is the council's (a unit above), in a state the world's practice is not in.
    ("post", "/practices/{practice_id}/evaluations"): "stateful",
}
PARENT_VISIBLE = {"/reports/regimes/{regime_id}", "/reports/periods/{period_id}",
                  "/reports/periods/{period_id}/aggregates", "/reports/periods/{period_id}/completeness"}


def operations() -> list[tuple[str, str]]:
    return sorted((m, path.removeprefix("/api/v1")) for path, item in SCHEMA["paths"].items()
                  for m in item if m in METHODS)


def test_every_operation_is_mapped() -> None:
    """A new operation with path parameters must name the world objects they take."""
    missing = sorted({p for _m, p in operations() if "{" in p} - set(PARAMS))
    assert not missing, f"operations without a row in PARAMS: {missing}"
    stale = sorted(set(PARAMS) - {p for _m, p in operations()})
    assert not stale, f"PARAMS rows for operations that no longer exist: {stale}"


def access_of(method: str, path: str) -> str:
    if (method, path) in ACCESS:
        return ACCESS[(method, path)]
    if "{" not in path:
        return "public" if path.startswith("/portal/") else "global"
    return {"get": "read", "delete": "decide"}.get(method, "change")


# --------------------------------------------------------------------------- bodies from the schema


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = SCHEMA["components"]["schemas"][name]
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        node = _resolve(options[0]) if options else node
    if "allOf" in node and len(node["allOf"]) == 1:
        node = _resolve(node["allOf"][0])
    return node


def sample(node: dict[str, Any], name: str = "", obj: Any = None) -> Any:
    node = _resolve(node)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        return {k: sample(v, k, obj) for k, v in props.items() if k in node.get("required", [])}
    if kind == "array":
        return [sample(node.get("items", {}), name, obj)] if node.get("minItems") else []
    if kind == "integer":
        if name in ("version", "expected_version", "lock_version") and obj is not None:
            return getattr(obj, "lock_version", 1)
        if name == "year":
            return dt.date.today().year  # noqa: DTZ011 — a body value
        return max(1, int(node.get("minimum", 1)))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    fmt = node.get("format", "")
    if fmt == "date":
        return dt.date.today().isoformat()  # noqa: DTZ011 — a body value, any day will do
    if fmt == "date-time":
        return "2026-01-01T08:00:00+07:00"
    return "Matrix test"


def query_for(method: str, path: str, obj: Any) -> dict[str, Any]:
    """The required query parameters (a deletion's reason and version), so the handler is reached."""
    op = SCHEMA["paths"]["/api/v1" + path][method]
    return {p["name"]: sample(p.get("schema", {}), p["name"], obj) for p in op.get("parameters", [])
            if p.get("in") == "query" and p.get("required")}


def body_for(method: str, path: str, obj: Any) -> dict[str, Any] | None:
    op = SCHEMA["paths"]["/api/v1" + path][method]
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return sample(content["application/json"]["schema"], obj=obj)


# --------------------------------------------------------------------------- the matrix


def fill(world: World, path: str, unit_key: str) -> tuple[str, Any] | None:
    url, last = path, None
    for param, source in PARAMS.get(path, {}).items():
        if source.startswith("="):
            url = url.replace("{" + param + "}", source[1:])
            continue
        if source.startswith("@"):
            value = world.extra[source[1:]]
        else:
            value = world.objects[unit_key].get(source)
            if value is None:
                return None
        last = value
        url = url.replace("{" + param + "}", str(value.pk))
    return "/api/v1" + url, last


def call(client: Client, method: str, url: str, token: str | None, body: Any, query: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if query:
        url += "?" + urlencode(query, doseq=True)
    if method in ("get", "delete"):
        return getattr(client, method)(url, headers=headers)
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json",
                                   headers=headers)


def api_denied(response: Any, relation: str, wrote: bool) -> bool:
    """401/403/404; or, for a caller who may read the object anyway (own unit, unit above), a 422
    that wrote nothing (the handler checked the input before the role: nothing is revealed)."""
    if response.status_code in (401, 403, 404):
        return True
    return relation in ("own", "child") and not wrote and response.status_code == 422


def api_allowed(response: Any) -> bool:
    return response.status_code in (200, 201, 204, 409, 422)


def token_for(world: World, cell: Cell) -> str | None:
    if cell.relation == "anon":
        return None
    if cell.relation == "nobody":
        return world.tokens["nobody"]
    return world.tokens[f"{policy.USER_UNIT[cell.relation]}:{cell.role}"]


def expected(access: str, path: str, cell: Cell) -> bool | None:
    if access == "publicunit":
        return True
    if access == "parentreview":
        if cell.relation == "child":
            return True if cell.role == "admin" else (False if cell.role == "viewer" else None)
        if cell.relation == "own":
            return None
        access = "change"
    return policy.expected(access, cell.relation, cell.role, parent_visible=path in PARENT_VISIBLE)


@pytest.mark.parametrize(("method", "path"), operations())
def test_operation(world: World, method: str, path: str) -> None:
    access = access_of(method, path)
    object_op = "{" in path and access != "global"
    cells = cells_for(access) if object_op else [
        *(Cell("own", role, "C") for role in policy.ALL_ROLES),
        Cell("child", "admin", "C"), Cell("nobody", None, "C"), Cell("anon", None, "C"),
    ]
    problems: list[str] = []
    for cell in cells:
        filled = fill(world, path, cell.unit_key)
        if filled is None:
            continue
        url, obj = filled
        with transaction.atomic():
            before = AuditEvent.objects.count()
            response = call(Client(), method, url, token_for(world, cell), body_for(method, path, obj),
                            query_for(method, path, obj))
            wrote = AuditEvent.objects.count() != before
            transaction.set_rollback(True)
        if response.status_code >= 500:
            problems.append(f"{cell.label} {method.upper()} {url}: server error {response.status_code}")
            continue
        want = expected(access, path, cell) if object_op else (
            False if cell.relation == "anon" and not path.startswith("/portal/") else None)
        if want is True and not api_allowed(response):
            problems.append(f"{cell.label} {method.upper()} {url}: expected allowed, got {response.status_code}")
        elif want is False and not api_denied(response, cell.relation, wrote):
            problems.append(f"{cell.label} {method.upper()} {url}: expected denied, got {response.status_code} "
                            f"{response.content[:200]!r}")
        leaked = scan(response, forbidden_canaries(world, cell, "api:" + _route_name(method, path)))
        if leaked:
            problems.append(f"{cell.label} {method.upper()} {url}: leaks {sorted(leaked)}")
    assert not problems, "\n".join(problems)


def _route_name(method: str, path: str) -> str:
    if path.endswith("/identity/reveal"):
        return "petitions:identity" if method == "post" else path
    return re.sub(r"\W+", "_", path)
