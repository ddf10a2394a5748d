"""The citizen-facing pages of petitions (no login): reception schedules, online filing, tracking, results."""

from django.urls import path

from . import views_public as v

app_name = "petitions_public"
urlpatterns = [
    path("", v.schedules, name="schedules"),
    path("submit/", v.submit, name="submit"),
    path("submitted/", v.submitted, name="submitted"),
    path("track/", v.track, name="track"),
    path("results/", v.results, name="results"),
]
