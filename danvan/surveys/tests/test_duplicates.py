"""Suspicious duplicates: same answers, same client, close in time; paper and voided responses left out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from danvan.surveys import duplicates, responses
from danvan.surveys.models import Response, Survey

from .test_responses import build_small

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(survey_tree: dict) -> Survey:
    return build_small(survey_tree["A1"])


def _send(survey: Survey, answers: dict, address: str, minutes_ago: float = 0, **kw: Any) -> Response:
    r = responses.submit_response(survey=survey, answers=answers, client_address=address, **kw)
    if minutes_ago:
        at = timezone.now() - dt.timedelta(minutes=minutes_ago)
        Response.objects.filter(pk=r.pk).update(submitted_at=at, submitted_on=timezone.localdate(at))
    return r


def test_groups(small: Survey, officer_user: Any, head_user: Any) -> None:
    a = [_send(small, {"s1": 5}, "192.0.2.1", m) for m in (3, 2, 1)]
    _send(small, {"s1": 5}, "192.0.2.2")  # another place
    _send(small, {"s1": 4}, "192.0.2.1")  # other answers
    far = _send(small, {"s1": 2, "tx": "x"}, "192.0.2.9", 120)
    _send(small, {"s1": 2, "tx": "x"}, "192.0.2.9", 0)  # same, but two hours apart
    for key in ("p1", "p2"):  # paper: no address, never grouped
        responses.submit_response(survey=small, answers={"s1": 5}, channel="paper", recorded_by=officer_user,
                                  idempotency_key=key)
    groups = duplicates.suspicious_groups(small)
    assert len(groups) == 1
    g = groups[0]
    assert g.count == 3 and g.response_ids == sorted(r.pk for r in a) and g.first_at < g.last_at
    responses.void_response(actor=head_user, response=a[0], reason="Trùng")
    assert duplicates.suspicious_groups(small)[0].count == 2
    assert far.pk not in duplicates.suspicious_groups(small)[0].response_ids


def test_date_filter_and_limit(small: Survey) -> None:
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        for _i in range(2):
            _send(small, {"s1": 5}, ip)
    assert len(duplicates.suspicious_groups(small)) == 3
    assert len(duplicates.suspicious_groups(small, limit=2)) == 2
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert duplicates.suspicious_groups(small, date_from=tomorrow) == []
    assert len(duplicates.suspicious_groups(small, date_to=timezone.localdate())) == 3


def test_one_query_pair(small: Survey, django_assert_max_num_queries: Any) -> None:
    for _i in range(4):
        _send(small, {"s1": 5}, "192.0.2.1")
    with django_assert_max_num_queries(2):
        assert duplicates.suspicious_groups(small)[0].count == 4
