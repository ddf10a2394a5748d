"""URLs of the petitions statistics pages (included by urls.py)."""

from django.urls import path

from . import views_stats

urlpatterns = [
    path("", views_stats.statistics_page, name="statistics"),
]
