"""The dashboard (login): targets of every active plan, figures by unit with drill-down, league tables."""

from django.urls import include, path

app_name = "dashboard"
urlpatterns = [
    path("", include("danvan.dashboard.urls_pages")),
]
