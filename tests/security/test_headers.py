"""Security headers on every kind of answer: staff pages, the API, the public portal (OWASP ASVS 5.0 V3.4).

The Content-Security-Policy is checked directive by directive: a policy that allows ``'unsafe-inline'``,
``'unsafe-eval'``, a wildcard or a foreign host would let an injected script run, so any of those fails.
Under the production settings the site also sends HSTS, redirects plain HTTP and marks its cookies Secure
(with the ``__Host-`` prefix).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.test import Client

pytestmark = pytest.mark.django_db

EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def directives(header: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def assert_strict_csp(response: Any) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    policy = directives(header)
    for name, sources in EXPECTED.items():
        assert policy.get(name) == sources, (name, policy.get(name))
    every = [s for sources in policy.values() for s in sources]
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:", "blob:"):
        assert unsafe not in every, f"{unsafe} in the CSP: {header}"
    # No directive may fall back to anything wider than the site: every fetch directive is listed or defaults.
    assert set(policy) <= set(EXPECTED) | {"report-uri", "report-to", "upgrade-insecure-requests"}, policy
    assert "Content-Security-Policy-Report-Only" not in response


def assert_other_headers(response: Any) -> None:
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions, permissions


def test_login_page_has_strict_csp(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_strict_csp(response)
    assert_other_headers(response)


def test_staff_page_has_strict_csp(client: Client, tree: dict[str, Any], make_user: Any, no_mfa: None) -> None:
    client.force_login(make_user("hdr-officer", (tree["A1"], "officer")))
    for path in ("/", "/plans/", "/petitions/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/html")
        assert_strict_csp(response)
        assert_other_headers(response)


def test_api_answers_have_strict_csp(client: Client, tree: dict[str, Any], make_user: Any, no_mfa: None) -> None:
    # Refused and accepted answers alike: an error page is no exception.
    refused = client.get("/api/v1/units")
    assert refused.status_code == 401
    assert_strict_csp(refused)
    client.force_login(make_user("hdr-api", (tree["A1"], "officer")))
    ok = client.get("/api/v1/units")
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("application/json")
    assert_strict_csp(ok)
    assert_other_headers(ok)
    assert_strict_csp(client.get("/api/v1/no-such-thing"))


def test_public_portal_has_strict_csp(client: Client, tree: dict[str, Any]) -> None:
    for path in ("/public/", "/public/petitions/submit/", "/public/petitions/track/", "/public/data/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict_csp(response)
        assert_other_headers(response)


def test_not_found_and_static_files_have_csp(client: Client) -> None:
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_strict_csp(missing)


def test_csp_check_of_django_csp_is_clean() -> None:
    from django.core import checks

    errors = [e for e in checks.run_checks(tags=[checks.Tags.security]) if e.id.startswith("csp.")]
    assert errors == []


# ----------------------------------------------------------------------------- production settings


@pytest.fixture
def prod(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The production settings module, loaded with its required environment, its transport rules applied."""
    monkeypatch.setenv("DANVAN_SECRET_KEY", "p" * 30 + "-headers-test-" + "q" * 30)
    monkeypatch.setenv("DANVAN_IDENTITY_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("DANVAN_ALLOWED_HOSTS", "danvan.example.gov.vn")
    # base.py read the environment when it was first imported (by the test settings): give it what it would
    # have read in production.
    base = importlib.import_module("danvan.settings.base")
    monkeypatch.setattr(base, "ALLOWED_HOSTS", ["danvan.example.gov.vn"])
    monkeypatch.setattr(base, "DANVAN_IDENTITY_KEYS", [Fernet.generate_key().decode()])
    sys.modules.pop("danvan.settings.prod", None)
    module = importlib.import_module("danvan.settings.prod")
    sys.modules.pop("danvan.settings.prod", None)
    for name in ("SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                 "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_NAME", "CSRF_COOKIE_SECURE",
                 "CSRF_COOKIE_NAME", "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_NAME", "LANGUAGE_COOKIE_HTTPONLY",
                 "ALLOWED_HOSTS", "CONTENT_SECURITY_POLICY", "X_FRAME_OPTIONS"):
        setattr(settings, name, getattr(module, name))
    return module


def test_production_redirects_http_and_sends_hsts(prod: Any) -> None:
    client = Client(HTTP_HOST="danvan.example.gov.vn")
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://danvan.example.gov.vn/accounts/login/"
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    hsts = secure["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    assert_strict_csp(secure)
    # Behind the reverse proxy: TLS ended there, said by X-Forwarded-Proto.
    proxied = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


def test_production_cookies_are_secure_host_only(prod: Any, tree: dict[str, Any], make_user: Any, no_mfa: None) -> None:
    make_user("hdr-prod")
    client = Client(HTTP_HOST="danvan.example.gov.vn")
    login = client.get("/accounts/login/", secure=True)
    csrf = login.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"] and csrf["httponly"]
    answer = client.post("/accounts/login/", {"login": "hdr-prod", "password": "mat-khau-rat-dai-2026",
                                              "csrfmiddlewaretoken": csrf.value}, secure=True)
    assert answer.status_code == 302, answer.status_code
    session = answer.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["path"] == "/" and not session["domain"]
    assert session["samesite"] == "Lax"
    assert "sessionid" not in answer.cookies  # only the prefixed name


@pytest.mark.parametrize("hosts", ["", "*", "danvan.example.gov.vn,*"])
def test_production_refuses_to_start_without_host_names(monkeypatch: pytest.MonkeyPatch, hosts: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("DANVAN_SECRET_KEY", "k" * 60)
    monkeypatch.setenv("DANVAN_IDENTITY_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("DANVAN_ALLOWED_HOSTS", hosts)
    base = importlib.import_module("danvan.settings.base")
    monkeypatch.setattr(base, "ALLOWED_HOSTS", [h for h in hosts.split(",") if h])
    monkeypatch.setattr(base, "DANVAN_IDENTITY_KEYS", [Fernet.generate_key().decode()])
    sys.modules.pop("danvan.settings.prod", None)
    try:
        with pytest.raises(ImproperlyConfigured, match="DANVAN_ALLOWED_HOSTS"):
            importlib.import_module("danvan.settings.prod")
    finally:
        sys.modules.pop("danvan.settings.prod", None)
