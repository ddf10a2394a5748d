"""Officials' grassroots-democracy pages (login): disclosures, residents' decisions and consultations, people's
boards and the Front's supervision."""

from django.urls import include, path

app_name = "disclosures"
urlpatterns = [
    path("", include("danvan.disclosures.urls_disclosures")),
    path("", include("danvan.disclosures.urls_decisions")),
    path("", include("danvan.disclosures.urls_boards")),
]
