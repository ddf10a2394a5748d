"""Officials' pages for dissemination sessions and inspections (login)."""

from django.urls import include, path

app_name = "oversight"
urlpatterns = [
    path("", include("danvan.oversight.urls_pages")),
]
