"""URLs of the petitions app's mediation pages (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
