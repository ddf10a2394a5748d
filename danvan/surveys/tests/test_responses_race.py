"""Two sends of one scan session, or of one code, at the same moment (PostgreSQL): exactly one response."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from danvan.surveys import responses, tokens
from danvan.surveys.models import Response

from .test_responses import build_small

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")]


def _race(send: Any, n: int = 4) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(n)

    def run() -> None:
        try:
            barrier.wait()
            send()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(",".join(exc.message_dict))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_same_scan_session(survey_tree: dict) -> None:
    survey = build_small(survey_tree["A1"])
    out = _race(lambda: responses.submit_response(survey=survey, answers={"s1": 5}, scan_session="d" * 32))
    assert out == ["ok", "scan_session", "scan_session", "scan_session"] and Response.objects.count() == 1


def test_same_code(survey_tree: dict, officer_user: Any) -> None:
    survey = build_small(survey_tree["A1"], access="token")
    [code] = tokens.issue_tokens(actor=officer_user, survey=survey, count=1, org_unit=survey_tree["A1"])
    out = _race(lambda: responses.submit_response(survey=survey, answers={"s1": 5}, token_code=code))
    assert out == ["ok", "token", "token", "token"] and Response.objects.count() == 1
