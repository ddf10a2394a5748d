"""Open311 GeoReport v2 for recommendations and feedback (placeholder)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
