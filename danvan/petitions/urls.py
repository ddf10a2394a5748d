from django.urls import include, path

from . import views

app_name = "petitions"
urlpatterns = [
    path("deadlines/", views.deadline_calculator, name="deadlines"),
    path("", include("danvan.petitions.urls_cases")),
    path("reception/", include("danvan.petitions.urls_reception")),
    path("mediation/", include("danvan.petitions.urls_mediation")),
    path("files/", include("danvan.petitions.urls_files")),
    path("statistics/", include("danvan.petitions.urls_stats")),
    path("", include("danvan.petitions.urls_retention")),
]
