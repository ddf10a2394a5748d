"""ALTCHA proof-of-work: signed challenges, verification (signature, expiry, solution, single use), the field."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import altcha as altcha_lib
import pytest
from django import forms
from django.core.cache import cache
from django.test import Client

from danvan.portal import altcha
from danvan.portal.altcha import AltchaField, verify_payload
from danvan.portal.testing import solve_altcha

pytestmark = pytest.mark.django_db
URL = "/public/altcha/challenge"
MESSAGE = "Vui lòng xác nhận bạn không phải là robot (bước kiểm tra chống robot chưa hoàn tất)."


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


class Sample(forms.Form):
    text = forms.CharField(max_length=20)
    altcha = AltchaField()


def _decode(payload: str) -> dict[str, Any]:
    return json.loads(base64.b64decode(payload))


def _encode(data: Any) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


def _signed(**kw: Any) -> dict[str, Any]:
    """A challenge signed with the real keys but chosen parameters."""
    args = {"algorithm": altcha.ALGORITHM, "cost": 10, "counter": 30, "expires_at": int(time.time()) + 600,
            "hmac_secret": altcha._hmac_key(), "hmac_key_secret": altcha._key_secret(), **kw}
    return altcha_lib.create_challenge(**args).to_dict()


def test_challenge_endpoint(settings: Any) -> None:
    c = Client()
    r = c.get(URL)
    assert r.status_code == 200 and r["Content-Type"] == "application/json" and "no-store" in r["Cache-Control"]
    data = r.json()
    params = data["parameters"]
    assert params["algorithm"] == "PBKDF2/SHA-256" and params["cost"] == settings.DANVAN_ALTCHA_COST
    assert abs(params["expiresAt"] - (time.time() + settings.DANVAN_ALTCHA_MAX_AGE)) < 5
    assert len(params["keyPrefix"]) == 32 and params["keySignature"] and len(data["signature"]) == 64
    assert c.get(URL).json()["parameters"]["nonce"] != params["nonce"]  # a new one every time
    assert c.post(URL).status_code == 405


def test_solved_payload_passes_once() -> None:
    payload = solve_altcha(client=Client())
    assert verify_payload(payload) is True
    assert verify_payload(payload) is False  # reused
    assert verify_payload(solve_altcha()) is True  # another challenge: fine


@pytest.mark.parametrize("payload", [
    "", "   ", "not base64 !", base64.b64encode(b"\xff\xfe").decode(), _encode([1, 2]), _encode({"a": 1}),
    _encode({"challenge": None, "solution": None, "test": True}),  # the widget's "test" mode
    _encode({"challenge": {"parameters": "x", "signature": "y"}, "solution": {"counter": 1, "derivedKey": "00"}}),
    "A" * 5000,
])
def test_malformed_payloads_fail(payload: str) -> None:
    assert verify_payload(payload) is False


def test_wrong_signature_fails(settings: Any) -> None:
    settings.DANVAN_ALTCHA_HMAC_KEY = "another-server"  # noqa: S105 - a test key
    foreign = solve_altcha()
    settings.DANVAN_ALTCHA_HMAC_KEY = ""
    assert verify_payload(foreign) is False
    unsigned = altcha_lib.create_challenge(algorithm=altcha.ALGORITHM, cost=10, counter=5,
                                           expires_at=int(time.time()) + 600).to_dict()
    assert verify_payload(solve_altcha(unsigned)) is False


def test_tampered_parameters_fail() -> None:
    data = _decode(solve_altcha())
    data["challenge"]["parameters"]["expiresAt"] += 3600  # live longer
    assert verify_payload(_encode(data)) is False
    data = _decode(solve_altcha())
    data["challenge"]["parameters"]["cost"] = 1  # cheaper
    assert verify_payload(_encode(data)) is False


def test_secret_key_rotation_invalidates(settings: Any) -> None:
    payload = solve_altcha()
    settings.SECRET_KEY = "rotated-" + "z" * 50  # noqa: S105 - a test key
    assert verify_payload(payload) is False


def test_expired_fails() -> None:
    payload = solve_altcha(_signed(expires_at=int(time.time()) - 1))
    assert verify_payload(payload) is False
    assert verify_payload(solve_altcha(_signed())) is True


def test_challenge_living_longer_than_allowed_fails(settings: Any) -> None:
    payload = solve_altcha(_signed(expires_at=int(time.time()) + 10 * settings.DANVAN_ALTCHA_MAX_AGE))
    assert verify_payload(payload) is False


def test_wrong_solution_fails() -> None:
    data = _decode(solve_altcha())
    other = _decode(solve_altcha())
    data["solution"]["derivedKey"] = other["solution"]["derivedKey"]
    assert verify_payload(_encode(data)) is False
    data["solution"]["derivedKey"] = "zz"
    assert verify_payload(_encode(data)) is False
    data["solution"]["derivedKey"] = data["challenge"]["parameters"]["keyPrefix"]  # the half given away
    assert verify_payload(_encode(data)) is False


def test_a_real_cost_is_spent() -> None:
    """The secret counter is in the upper half of the range: the solver must try that many keys."""
    data = _decode(solve_altcha())
    assert 20 <= data["solution"]["counter"] < 40  # test settings: MAX_COUNTER = 40


def test_field() -> None:
    ok = Sample({"text": "xin chào", "altcha": solve_altcha()})
    assert ok.is_valid(), ok.errors
    for data in ({"text": "a"}, {"text": "a", "altcha": ""}, {"text": "a", "altcha": "garbage"}):
        form = Sample(data)
        assert not form.is_valid() and form.errors["altcha"] == [MESSAGE]
    reused = Sample({"text": "lại", "altcha": ok.cleaned_data["altcha"]})
    assert not reused.is_valid() and form.errors["altcha"] == [MESSAGE]


def test_widget_rendering() -> None:
    html = str(Sample()["altcha"])
    assert '<altcha-widget id="id_altcha" name="altcha" challenge="/public/altcha/challenge"' in html
    assert 'auto="onsubmit"' in html and '"hideFooter": true' in html and 'language="vi"' in html
    for asset in ("/static/vendor/altcha/external/altcha.min.js", "/static/vendor/altcha/external/altcha.css",
                  "/static/vendor/altcha/i18n/vi.js", "/static/js/altcha-setup.js",
                  "/static/vendor/altcha/workers/pbkdf2.js"):
        assert asset in html
    assert "<script>" not in html and "http://" not in html and "https://" not in html  # no inline, no remote
    assert 'type="module"' in html and "<noscript>" in html
    bound = Sample({"text": "a"})
    bound.is_valid()
    group = bound["altcha"].as_field_group()
    assert 'role="group"' in group and 'id="id_altcha_error" role="alert"' in group and "<altcha-widget" in group


def test_challenge_rate_limit(settings: Any) -> None:
    settings.DANVAN_PUBLIC_RATE_LIMITS = {"altcha_challenge": (2, 600)}
    c = Client()
    assert [c.get(URL).status_code for _ in range(2)] == [200, 200]
    r = c.get(URL)
    assert r.status_code == 429 and int(r["Retry-After"]) > 0 and r.json() == {"error": "Too many requests"}
    assert Client(REMOTE_ADDR="10.9.8.7").get(URL).status_code == 200  # another address


def test_include_finds_the_form_field() -> None:
    from django.template import Context, Template

    t = Template('{% include "portal/_altcha.html" %}')
    bound = Sample({"text": "a"})
    bound.is_valid()
    html = t.render(Context({"form": bound}))
    assert html.count("<altcha-widget") == 1 and MESSAGE in html and 'role="alert"' in html
    bare = t.render(Context({}))
    assert bare.count("<altcha-widget") == 1 and 'name="altcha"' in bare and 'role="group"' not in bare
