"""Leaks through filters, searches and exports: a list asked for another unit's data must not give it.

Every list, search and export page (the routes without an object in their address) and every API
list operation is asked by officials of commune C with the filters people try: a search for the
canary prefix, and each usual unit parameter pointing at the sibling commune, the province above
and a commune of another province. No canary of those units' private objects may come back, in
the page, a count, a CSV, an XLSX or a DOCX.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .policy_leaks import forbidden_canaries, scan
from .test_matrix_api import SCHEMA, operations
from .test_matrix_web import ROUTES, Cell
from .world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

UNIT_PARAMS = ("unit", "org_unit", "unit_id", "org_unit_id", "owner", "issuer", "scope", "root")
SEARCH_PARAMS = ("q", "search", "text")


@pytest.fixture(autouse=True)
def _no_mfa(no_mfa: None) -> None:
    """Every role signs in with a password alone here (two-factor has its own tests)."""


def probes(world: World) -> list[dict[str, str]]:
    out = [{p: "CANARY" for p in SEARCH_PARAMS}]
    for key in ("S", "P", "Q"):
        pk = str(world.units[key].pk)
        out.append(dict.fromkeys(UNIT_PARAMS, pk))
    return out


LIST_ROUTES = sorted(name for name, (access, spec) in ROUTES.items() if access == "global" and not spec)


@pytest.mark.parametrize("name", LIST_ROUTES)
def test_web_filters_do_not_reach_other_units(world: World, name: str) -> None:
    url = reverse(name)
    problems = []
    for role in ("admin", "officer", "viewer"):
        client: Client = world.client(f"C:{role}")
        forbidden = forbidden_canaries(world, Cell("own", role, "C"), name)
        for params in probes(world):
            response = client.get(url, params)
            if response.status_code >= 500:
                problems.append(f"C:{role} {url} {params}: server error {response.status_code}")
            leaked = scan(response, forbidden)
            if leaked:
                problems.append(f"C:{role} {url} {params}: leaks {sorted(leaked)}")
    assert not problems, "\n".join(problems)


API_LISTS = sorted(path for method, path in operations() if method == "get" and "{" not in path)


@pytest.mark.parametrize("path", API_LISTS)
def test_api_filters_do_not_reach_other_units(world: World, path: str) -> None:
    declared = {p["name"] for p in SCHEMA["paths"]["/api/v1" + path]["get"].get("parameters", [])
                if p.get("in") == "query"}
    problems = []
    for role in ("admin", "officer", "viewer"):
        headers = {"Authorization": f"Bearer {world.tokens[f'C:{role}']}"}
        forbidden = forbidden_canaries(world, Cell("own", role, "C"), "api:" + path)
        for params in probes(world):
            query = {k: v for k, v in params.items() if k in declared} or params
            response = Client().get("/api/v1" + path, query, headers=headers)
            if response.status_code >= 500:
                problems.append(f"C:{role} {path} {query}: server error {response.status_code}")
            leaked = scan(response, forbidden)
            if leaked:
                problems.append(f"C:{role} {path} {query}: leaks {sorted(leaked)}")
    assert not problems, "\n".join(problems)


def test_identity_is_the_handlers_alone(world: World) -> None:
    """The whistleblower's name reaches the assigned handler through the identity page, and nobody else."""
    from .world import canary

    name = canary("C", "whistleblower")
    denunciation = world.obj("C", "denunciation")
    url = reverse("petitions:identity", kwargs={"pk": denunciation.pk})
    for role in ("admin", "head", "officer", "reception_officer", "front_supervisor", "viewer"):
        for client in (world.client(f"C:{role}"), world.client(f"P:{role}")):
            for method in (client.get, client.post):
                response = method(url)
                assert name.encode() not in response.content, (role, response.status_code)
    handler = world.client("C:case_handler")
    assert name.encode() not in handler.get(url).content  # the form alone shows nothing
    revealed = handler.post(url, {"reason": "Xác minh nội dung tố cáo"})
    assert revealed.status_code == 200
    assert name.encode() in revealed.content
    assert "no-store" in revealed["Cache-Control"]


def test_canaries_are_findable(world: World) -> None:
    """The scanner must find what it looks for (in HTML and in an XLSX), or every leak check above is blind."""
    client = world.client("C:admin")
    page = client.get(reverse("petitions:detail", kwargs={"pk": world.obj("C", "petition").pk}))
    assert scan(page, {"CANARY-C-petition-Z"}) == {"CANARY-C-petition-Z"}
    export = client.get(reverse("surveys:responses_xlsx", kwargs={"pk": world.obj("C", "survey").pk}))
    assert export.status_code == 200
    body: Any = export
    assert scan(body, {"CANARY-C-answer-Z"}) == {"CANARY-C-answer-Z"}


def test_forms_offer_no_draft_of_a_unit_above(world: World) -> None:
    """A commune linking a practice or a programme to a plan is offered its province's issued plans, never
    its drafts (plans/rules.py: "never sees the province's drafts"); the service refuses a draft too."""
    from django.core.exceptions import ValidationError

    from danvan.practices import programmes

    client = world.client("C:officer")
    for name in ("practices:programme_create", "practices:create"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        assert b"CANARY-P-plan-Z" not in page.content, name
    assert b"CANARY-P-issuedplan-Z" in client.get(reverse("practices:programme_create")).content
    officer, commune = world.users["C:officer"], world.units["C"]
    with pytest.raises(ValidationError) as exc:
        programmes.create_programme(actor=officer, org_unit=commune, name="Chương trình thử", starts_on=_day(),
                                    ends_on=_day(30), plan=world.obj("P", "plan"))
    assert "plan" in exc.value.message_dict
    made = programmes.create_programme(actor=officer, org_unit=commune, name="Chương trình thử", starts_on=_day(),
                                       ends_on=_day(30), plan=world.obj("P", "issuedplan"))
    assert made.plan_id == world.obj("P", "issuedplan").pk


def _day(offset: int = 0) -> Any:
    import datetime as dt

    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=offset)
