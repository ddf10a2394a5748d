"""The public address and its QR code."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from danvan.surveys import posters

pytestmark = pytest.mark.django_db


def test_public_url(sipas_survey: Any, desk: Any, officer_user: Any, settings: Any) -> None:
    settings.DANVAN_SITE_URL = ""
    request = RequestFactory().get("/")
    base = f"http://testserver/public/surveys/{sipas_survey.public_code}/"
    assert posters.public_url(request, sipas_survey) == base
    assert posters.public_url(request, sipas_survey, desk=desk, officer=officer_user) == \
        f"{base}?desk={desk.code}&officer={officer_user.pk}"
    settings.DANVAN_SITE_URL = "https://danvan.example.vn/"
    assert posters.public_url(None, sipas_survey, token="ABC") == \
        f"https://danvan.example.vn/public/surveys/{sipas_survey.public_code}/?token=ABC"


def test_qr_svg_is_inline_scalable_and_escaped() -> None:
    svg = str(posters.qr_svg("https://danvan.example.vn/public/surveys/ABCDEFGHJK/?desk=quay-1", title="<b>&"))
    assert svg.startswith('<svg role="img"') and "viewBox" in svg and "width=" not in svg.split(">")[0]
    assert "<title>&lt;b&gt;&amp;</title>" in svg and "<?xml" not in svg and "xmlns" not in svg
