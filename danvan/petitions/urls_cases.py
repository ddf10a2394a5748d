"""URLs of the petitions app's cases pages (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
