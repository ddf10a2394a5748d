"""Test helpers for forms protected by ALTCHA: solve a real challenge as the browser widget would.

There is no bypass switch: tests do the proof-of-work with the cheap cost of the test settings.
"""

from __future__ import annotations

from typing import Any

import altcha as altcha_lib

from . import altcha


def solve_altcha(challenge_json: dict[str, Any] | None = None, *, client: Any = None) -> str:
    """The base64 payload the widget would post for this challenge (a new one when None: fetched
    from ``portal:altcha_challenge`` with ``client`` if given, else made directly)."""
    if challenge_json is None:
        if client is not None:
            from django.urls import reverse

            response = client.get(reverse("portal:altcha_challenge"))
            assert response.status_code == 200, response.status_code  # noqa: S101 - test helper  # nosec B101
            challenge_json = response.json()
        else:
            challenge_json = altcha.create_challenge()
    challenge = altcha_lib.Challenge.from_dict(challenge_json)
    solution = altcha_lib.solve_challenge(challenge, timeout=30)
    if solution is None:  # pragma: no cover - only with an absurd test cost
        raise AssertionError("the ALTCHA challenge could not be solved in 30 s; lower DANVAN_ALTCHA_COST")
    return altcha_lib.Payload(challenge, solution).to_base64()
