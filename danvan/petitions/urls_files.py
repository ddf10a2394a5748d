"""URLs of the petitions app's files pages (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
