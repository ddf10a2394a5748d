"""The committed docs/openapi.json is exactly what the code generates, and the command keeps it so."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from danvan.api import openapi


def test_committed_schema_is_current():
    committed = openapi.COMMITTED.read_text(encoding="utf-8") if openapi.COMMITTED.exists() else ""
    assert committed == openapi.render(), (
        f"{openapi.COMMITTED} differs from the API's schema. Regenerate it with: {openapi.REGENERATE}"
    )


def test_render_is_deterministic_and_sorted():
    text = openapi.render()
    assert text == openapi.render()
    assert text.endswith("}\n") and not text.endswith("\n\n")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["openapi"].startswith("3.")


def test_every_operation_documents_its_errors():
    doc = openapi.schema()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert op.get("description"), f"{method} {path} has no description"
            if op.get("security"):  # public operations (auth=None: the portal's open data) refuse nobody
                assert {"401", "403"} <= set(op["responses"]), f"{method} {path} does not document 401/403"
            else:
                assert path.startswith("/api/v1/portal/"), f"{method} {path} is public: only open data may be"
            for status, resp in op["responses"].items():
                if status.startswith("4"):
                    assert resp["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    for name, schema in doc["components"]["schemas"].items():
        if name.endswith("Out"):
            for field, prop in schema["properties"].items():
                assert prop.get("description") or "$ref" in prop or "items" in prop, f"{name}.{field} has no description"


def test_command_writes_and_checks(tmp_path):
    target = tmp_path / "sub" / "openapi.json"
    call_command("api_openapi", "-o", str(target), stdout=StringIO())
    assert target.read_text(encoding="utf-8") == openapi.render()
    call_command("api_openapi", "--check", "-o", str(target), stdout=StringIO())
    target.write_text(target.read_text(encoding="utf-8").replace("danvan API", "old API"), encoding="utf-8")
    with pytest.raises(CommandError, match="api openapi"):
        call_command("api_openapi", "--check", "-o", str(target), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("api_openapi", "--check", "-o", str(tmp_path / "missing.json"), stdout=StringIO())


def test_command_prints_to_stdout():
    out = StringIO()
    call_command("api_openapi", stdout=out)
    assert out.getvalue() == openapi.render()


def test_response_checker_rejects_drift():
    """The checker every API test uses must catch an undocumented field, a wrong type and an unlisted status."""
    from django.http import JsonResponse
    from jsonschema import ValidationError

    from .conftest import checker

    good = {"id": 1, "username": "u", "full_name": "U", "email": "", "memberships": []}
    checker().check("GET", "/api/v1/me", JsonResponse(good))
    with pytest.raises(ValidationError):
        checker().check("GET", "/api/v1/me", JsonResponse({**good, "password": "x"}))
    with pytest.raises(ValidationError):
        checker().check("GET", "/api/v1/me", JsonResponse({**good, "id": "1"}))
    with pytest.raises(AssertionError):
        checker().check("GET", "/api/v1/me", JsonResponse({"detail": "x"}, status=404))


def test_schema_names_are_unique_across_apps():
    """ninja names a component after its class: two apps' ``UnitRefOut`` would silently become one."""
    from ninja import Schema

    from danvan.api.urls import api  # noqa: F401 - imports every router, so every schema class exists

    components = set(openapi.schema()["components"]["schemas"])
    seen: dict[str, str] = {}
    clashes = []
    todo = list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__name__ not in components or not cls.__module__.startswith("danvan."):
            continue
        if cls.__name__.endswith("Params"):
            continue  # query models: ninja spreads them into parameters, no body refers to them
        where = f"{cls.__module__}.{cls.__qualname__}"
        if seen.setdefault(cls.__name__, where) != where:
            clashes.append((cls.__name__, seen[cls.__name__], where))
    assert clashes == []
