"""API test fixtures: callers at every scope boundary, and a client that checks each answer against OpenAPI.

Every response an API test receives goes through ``OpenAPIChecker``: its status must be listed
for the operation and its JSON must validate against that status's schema (objects closed to
undocumented fields), so the committed schema cannot drift from what the code returns.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from jsonschema import Draft202012Validator

from danvan.api import openapi

# Queries an API call spends on its caller: the token, then the scope. On PostgreSQL the token's query
# brings the scope along (danvan.orgs.scope.with_grants), so the pair is one statement there.
AUTH_QUERIES = 1 if connection.vendor == "postgresql" else 2


def _closed(node: Any) -> Any:
    """Forbid properties the schema does not name, so an undocumented field fails the test."""
    if isinstance(node, dict):
        node = {k: _closed(v) for k, v in node.items()}
        if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


class OpenAPIChecker:
    def __init__(self) -> None:
        self.doc = openapi.schema()
        self.components = _closed(copy.deepcopy(self.doc["components"]))
        self.routes = [
            (re.compile("^" + re.sub(r"\{[^}/]+\}", "[^/]+", template) + "$"), item)
            # Fewest parameters first, so /petitions/mediations is not taken for /petitions/{id}.
            for template, item in sorted(self.doc["paths"].items(), key=lambda kv: kv[0].count("{"))
        ]

    def validate(self, schema: dict[str, Any], body: Any) -> None:
        full = {**_closed(copy.deepcopy(schema)), "components": self.components}
        Draft202012Validator(full, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)

    def check(self, method: str, path: str, response: Any) -> None:
        status = str(response.status_code)
        assert status[0] in "245", f"{method} {path} answered {status}"
        item = next((item for rx, item in self.routes if rx.match(path)), None)
        op = item.get(method.lower()) if item else None
        if op is None:  # an unknown path or method still answers in the error shape
            assert status in {"404", "405"}, f"{method} {path}: undocumented operation answered {status}"
            self.validate({"$ref": "#/components/schemas/ErrorOut"}, json.loads(response.content))
            return
        responses = op["responses"]
        assert status in responses, f"{method} {path} answered {status}, which its OpenAPI operation does not list"
        content = responses[status].get("content")
        if content is None:
            assert response.content == b"", f"{method} {path} {status} should have no body"
            return
        assert response["Content-Type"].startswith("application/json")
        self.validate(content["application/json"]["schema"], json.loads(response.content))


_CHECKER: OpenAPIChecker | None = None


def checker() -> OpenAPIChecker:
    global _CHECKER
    if _CHECKER is None:
        _CHECKER = OpenAPIChecker()
    return _CHECKER


class ApiClient:
    """A Django test client aimed at /api/v1 that validates every answer against the schema."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        url = "/api/v1" + path
        headers = {**self.headers, **kwargs.pop("headers", {})}
        call = getattr(self.client, method.lower())
        if "json" in kwargs:
            kwargs["data"] = kwargs.pop("json")
            kwargs["content_type"] = "application/json"
        response = call(url, headers=headers, **kwargs)
        checker().check(method, url.split("?")[0], response)
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


PLAN_PART = re.compile(r"^/plans/(\d+)/(sections|tasks|targets|assignments|deadlines)(/\d+)?$")


class VersionedApiClient(ApiClient):
    """A client that, like a real one, sends the plan's ``lock_version`` as it reads it now.

    Edits of a plan's parts require the version they were based on (a stale one is 409, a missing
    one 422). Tests of other behaviour would otherwise each read it first; a test that sends
    ``lock_version`` itself (a stale one, ``None`` for "missing") is left alone.
    """

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        match = PLAN_PART.match(path.split("?")[0])
        if match and method.upper() in ("POST", "PATCH", "PUT", "DELETE"):
            from danvan.plans.models import Plan

            version = Plan.objects.filter(pk=int(match.group(1))).values_list("lock_version", flat=True).first()
            if version is not None and method.upper() == "DELETE":
                if "lock_version=" not in path:
                    path += ("&" if "?" in path else "?") + f"lock_version={version}"
            elif version is not None and isinstance(kwargs.get("json", {}), dict):
                body = dict(kwargs.get("json", {}))
                if "lock_version" not in body:
                    body["lock_version"] = version
                elif body["lock_version"] is None:
                    del body["lock_version"]
                kwargs["json"] = body
        return super().request(method, path, **kwargs)


@dataclass
class Caller:
    user: Any
    token: str
    api: ApiClient


@pytest.fixture
def caller(make_user: Callable[..., Any]) -> Callable[..., Caller]:
    """``caller("name", (unit, role), ...)``: a user with a personal token and a client using it."""
    from danvan.accounts.services import create_api_token

    def make(username: str, *grants: tuple[Any, str]) -> Caller:
        user = make_user(username, *grants)
        _, secret = create_api_token(user=user, name="test")
        return Caller(user, secret, VersionedApiClient(secret))

    return make


@pytest.fixture
def callers(tree: dict[str, Any], caller: Callable[..., Caller]) -> dict[str, Caller]:
    """One caller per boundary: own commune, sibling commune, parent province, other province, no role."""
    return {
        "commune": caller("commune", (tree["A1"], "officer")),
        "sibling": caller("sibling", (tree["A2"], "officer")),
        "province": caller("province", (tree["A"], "admin")),
        "other": caller("other", (tree["B1"], "officer")),
        "nobody": caller("nobody"),
    }


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()
