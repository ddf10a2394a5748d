"""Every 4xx under /api/v1 is JSON in one shape; the docs page loads nothing from a CDN."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from danvan.api.errors import pydantic_field, pydantic_message

pytestmark = pytest.mark.django_db


def test_unknown_path_is_json_404(tree, callers):
    for path in ("/nothing-here", "/units/1/unknown", "/tokens/abc", "/", "/units/"):
        r = callers["commune"].api.get(path)
        assert r.status_code == 404
        assert r.json()["detail"] and r.json()["errors"] == []


def test_wrong_method_is_json_405(tree, callers):
    r = callers["commune"].api.request("PUT", "/units")
    assert r.status_code == 405
    assert r.json()["detail"]
    assert "GET" in r["Allow"]


def test_swagger_page_is_off_and_schema_is_served(tree):
    client = Client()
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 404
    assert b"cdn" not in docs.content.lower()
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.json()["info"]["title"] == "danvan API"
    assert "/api/v1/units" in r.json()["paths"]


def test_404_never_echoes_the_exception_text(tree, callers):
    # ninja's default handler would say "Not Found: No OrgUnit matches the given query."
    body = callers["commune"].api.get("/units/987654321").json()
    assert "OrgUnit" not in body["detail"] and "987654321" not in body["detail"]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ({"type": "int_parsing", "loc": ("query", "limit")}, "limit"),
        ({"type": "missing", "loc": ("body", "payload", "name")}, "name"),
        ({"type": "string_too_long", "loc": ("body", "payload", "items", 0, "name"), "ctx": {"max_length": 5}}, "items.0.name"),
        ({"type": "json_invalid", "loc": ("body", "payload")}, None),
    ],
)
def test_pydantic_errors_map_to_fields(error, expected):
    assert pydantic_field(error["loc"]) == expected
    with translation.override("en"):
        message = pydantic_message(error)
    assert message and "Input should" not in message


def test_limits_appear_in_messages():
    with translation.override("en"):
        assert "100" in pydantic_message({"type": "string_too_long", "ctx": {"max_length": 100}})
        assert "200" in pydantic_message({"type": "less_than_equal", "ctx": {"le": 200}})
        assert "1" in pydantic_message({"type": "greater_than_equal", "ctx": {"ge": 1}})
        assert pydantic_message({"type": "something_new"})  # an unknown type still gets a message
