"""Officers' survey pages (login): the builder, distribution (desks, codes, posters, paper entry), results."""

from django.urls import include, path

app_name = "surveys"
urlpatterns = [
    path("", include("danvan.surveys.urls_builder")),
    path("", include("danvan.surveys.urls_distribution")),
    path("", include("danvan.surveys.urls_results")),
]
