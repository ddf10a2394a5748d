"""The ALTCHA challenge endpoint, included by ``portal/urls.py`` under /public/altcha/ (``portal:altcha_challenge``)."""

from django.urls import path

from . import altcha

urlpatterns = [
    path("challenge", altcha.challenge_view, name="altcha_challenge"),
]
