"""The citizen-facing pages of petitions (no login): reception schedules, online filing, tracking, results."""

from django.urls import URLPattern

app_name = "petitions_public"
urlpatterns: list[URLPattern] = []
