"""Ordering and filtering cannot be steered from the query string (issue #9: "SQL injection through ordering").

No page or API operation of danvan takes an ordering from the request: every list is ordered in code (keyset
pagination on fixed fields), and every filter value goes through an allow-list (a choice field, an enum of
the API schema, ``value in X.values``) or a typed parameter, then into the ORM as a *value*, never as a field
name. These tests hold every list the URL configuration has to that, whoever adds the next one:

- parameters a framework would honour elsewhere (``?ordering=``, ``?sort=``, ``?o=``, a lookup on a related
  field such as ``?created_by__password=``) are ignored: the answer is the one without them;
- SQL-shaped values of the parameters the lists do take are refused (400/404/422) or ignored, never a 500;
- no answer carries a password hash, whatever was asked, and the database is intact afterwards.

The lists are found in the URL configuration (every route without an argument), so a new list is covered
without editing this file. The Django admin's own ``?o=`` and lookups are checked too: it ignores a bad
ordering and refuses a lookup it does not allow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

pytestmark = pytest.mark.django_db

# Parameters no list takes: honouring any of them would be ordering or filtering chosen by the caller.
UNKNOWN_PARAMS = {
    "ordering": "-id;DROP TABLE accounts_user;--",
    "sort": "password",
    "order": "__class__",
    "order_by": "password",
    "o": "-password",
    "sort_by": "created_by__password",
    "created_by__password": "x",
    "created_by__password__startswith": "md5",
    "user__password__startswith": "md5",
    "password__startswith": "m",
    "org_unit__memberships__user__password__startswith": "m",
    "__class__": "x",
}

# SQL- and ORM-shaped values for the parameters lists do take (and a few they might).
HOSTILE_VALUES = {
    "q": "' OR 1=1 --",
    "status": "' OR '1'='1",
    "state": "__class__",
    "kind": "password",
    "type": "x'); DROP TABLE legal_legaldocument;--",
    "by": "password",
    "year": "2026;DROP TABLE plans_plan",
    "month": "13/2026' --",
    "quarter": "5 OR 1=1",
    "unit": "1 OR 1=1",
    "org_unit": "-1 UNION SELECT password FROM accounts_user",
    "period": "__class__",
    "page": "-1",
    "limit": "100000",
    "cursor": "eyJfX2NsYXNzX18iOiAxfQ",
    "after": "2026-01-01' OR '1'='1",
    "previous": "__class__",
    "section": "1;DROP",
    "from": "2026-13-45",
    "to": "0000-00-00",
}

# Not lists, or answers that differ on every request by design.
SKIP_PATHS = {
    "/public/altcha/challenge",      # a fresh random challenge each time
    "/i18n/setlang/",                # sets a cookie, POST only
    "/accounts/logout/",
    "/django-admin/logout/",
    "/healthz",
}
SKIP_PREFIXES = ("/static/", "/media")
ALLOWED_STATUSES = {200, 204, 301, 302, 303, 400, 403, 404, 405, 409, 413, 422}


def _routes() -> list[str]:
    """Every route without an argument, as a path (API operations and pages alike)."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            text = str(p.pattern)
            if isinstance(p.pattern, RegexPattern):
                text = text.lstrip("^").rstrip("$")
                if isinstance(p, URLPattern) and re.search(r"[()\[\]*+?\\]", text):
                    continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + text)
            elif "<" not in prefix + text:
                found.append(prefix + text)

    walk(get_resolver().url_patterns, "/")
    return sorted({p for p in found if p not in SKIP_PATHS and not p.startswith(SKIP_PREFIXES)})


@pytest.fixture
def people(tree: dict[str, Any], make_user: Any, no_mfa: None) -> dict[str, Any]:
    from danvan.accounts.models import User

    admin = make_user("ord-admin", (tree["A"], "admin"))
    officer = make_user("ord-officer", (tree["A1"], "officer"))
    root = User.objects.create_superuser("ord-root", "root@example.vn", "mat-khau-rat-dai-2026")
    return {"admin": admin, "officer": officer, "root": root}


def _hashes() -> list[str]:
    from danvan.accounts.models import User

    return [h for h in User.objects.values_list("password", flat=True) if h]


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
_ATTR = re.compile(r'\s(href|action|value|content|hx-get|id|for|aria-labelledby|aria-describedby|data-[\w-]+)="[^"]*"')


def _normalised(response: Any) -> Any:
    """The part of an answer that shows what was listed and in what order.

    JSON is compared whole. In HTML, the CSRF token (masked anew on every render), attribute values that
    may echo the query string (links to the next page, hidden fields) and element ids (charts number
    theirs per process) are blanked: the rows and their order are still compared.
    """
    ctype = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "json" in ctype:
        try:
            return json.loads(body)
        except ValueError:
            return body
    if "html" in ctype:
        text = body.decode("utf-8", "replace")
        return _ATTR.sub(r' \1=""', _CSRF.sub("", text))
    return None  # files (xlsx, csv): status only


def _body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _sweep(client: Client, routes: list[str], hashes: list[str]) -> Iterator[str]:
    """Problems found on ``routes``, one line each."""
    for path in routes:
        # The reference asks with one meaningless parameter too: a page whose search form binds whenever the
        # query string is not empty must be compared bound with bound.
        base = client.get(path, {"_": "1"})
        if base.status_code >= 500:
            yield f"{path}: {base.status_code} without any parameter"
            continue
        expected = _normalised(base)
        got = client.get(path, {"_": "1", **UNKNOWN_PARAMS})
        body = _body(got) if not got.streaming else b""
        if got.status_code != base.status_code:
            yield f"{path}?<unknown ordering/lookup>: {got.status_code}, {base.status_code} without it"
        elif expected is not None and _normalised(got) != expected:
            yield f"{path}?<unknown ordering/lookup>: the answer changed (the parameter was honoured)"
        hostile = client.get(path, HOSTILE_VALUES)
        if hostile.status_code not in ALLOWED_STATUSES:
            yield f"{path}?<hostile values>: {hostile.status_code}"
        for response in (got, hostile):
            content = body if response is got else _body(hostile)
            if any(h.encode() in content for h in hashes):
                yield f"{path}: a password hash in the answer"


def _assert_clean(problems: list[str]) -> None:
    assert not problems, "Ordering/filtering steered from the query string:\n  " + "\n  ".join(problems)


def test_route_discovery_finds_the_lists() -> None:
    routes = _routes()
    # A guard on the guard: if discovery broke, every sweep below would pass on nothing.
    for path in ("/plans/", "/petitions/", "/api/v1/units", "/api/v1/petitions", "/public/", "/dashboard/"):
        assert path in routes, path
    assert len(routes) > 100


def test_staff_pages_ignore_caller_ordering_and_lookups(client: Client, people: dict[str, Any]) -> None:
    from danvan.accounts.models import User

    client.force_login(people["admin"])
    routes = [r for r in _routes() if not r.startswith(("/api/", "/public/", "/django-admin/", "/open311/"))]
    users = User.objects.count()
    _assert_clean(list(_sweep(client, routes, _hashes())))
    assert User.objects.count() == users


def test_api_lists_ignore_caller_ordering_and_lookups(client: Client, people: dict[str, Any]) -> None:
    client.force_login(people["admin"])
    routes = [r for r in _routes() if r.startswith(("/api/", "/open311/"))]
    _assert_clean(list(_sweep(client, routes, _hashes())))


def test_api_unit_list_keeps_its_order(client: Client, people: dict[str, Any], tree: dict[str, Any]) -> None:
    """A list with rows: the order is the code's (tree path), not the one asked for."""
    client.force_login(people["admin"])
    plain = client.get("/api/v1/units")
    assert plain.status_code == 200
    names = [u["name"] for u in plain.json()["items"]]
    assert len(names) >= 4  # the province and its units
    for params in ({"ordering": "-id"}, {"ordering": "-name"}, {"sort": "-pk"}, {"order_by": "-path"},
                   {"name__startswith": "Xã"}, {"parent__memberships__user__password__startswith": "md5"}):
        answer = client.get("/api/v1/units", params)
        assert answer.status_code == 200, params
        assert [u["name"] for u in answer.json()["items"]] == names, params


def test_api_typed_filters_refuse_hostile_values(client: Client, people: dict[str, Any]) -> None:
    """Filter values go through the schema: a wrong type or an unknown choice is a 422 naming the field."""
    client.force_login(people["admin"])
    for path, params in [
        ("/api/v1/units", {"parent": "1 OR 1=1"}),
        ("/api/v1/petitions", {"status": "' OR '1'='1"}),
        ("/api/v1/dashboard/trend", {"by": "password"}),
        ("/api/v1/plans", {"year": "2026;DROP TABLE plans_plan"}),
    ]:
        answer = client.get(path, params)
        assert answer.status_code in {400, 422}, (path, answer.status_code)
        fields = {e.get("field") for e in answer.json().get("errors", [])}
        assert fields & set(params), (path, answer.json())


def test_public_pages_ignore_caller_ordering_and_lookups(client: Client, people: dict[str, Any]) -> None:
    routes = [r for r in _routes() if r.startswith(("/public/", "/open311/", "/accounts/login/"))]
    _assert_clean(list(_sweep(client, routes, _hashes())))


def test_django_admin_ignores_bad_ordering_and_refuses_password_lookups(client: Client, people: dict[str, Any]) -> None:
    client.force_login(people["root"])
    from django.contrib import admin
    from django.urls import reverse

    changelists = [reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin.site._registry]
    assert "/django-admin/orgs/orgunit/" in changelists
    hashes = _hashes()
    problems = []
    for path in changelists:
        for params in ({"o": "-99;DROP"}, {"o": "password"}, {"created_by__password__startswith": "md5"},
                       {"password__startswith": "md5"}, {"user__password__startswith": "md5"}):
            answer = client.get(path, params)
            # Django: a bad ?o= is ignored (200); a lookup not allowed is refused (400) or sent back with ?e=1.
            if answer.status_code not in {200, 302, 400}:
                problems.append(f"{path}?{params}: {answer.status_code}")
            if answer.status_code == 200 and list(params)[0] != "o":
                problems.append(f"{path}?{params}: a lookup on a password was accepted")
            if any(h.encode() in answer.content for h in hashes):
                problems.append(f"{path}?{params}: a password hash in the answer")
    _assert_clean(problems)
