"""URLs of the petitions statistics pages (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
