"""/public/dialogues/: a dialogue with its public commitments; a unit's dialogues and commitments."""

from django.urls import path

from . import views_public as v

app_name = "dialogues_public"
urlpatterns = [
    path("<int:pk>/", v.dialogue, name="dialogue"),
    path("units/<int:pk>/", v.unit_dialogues, name="unit_dialogues"),
    path("units/<int:pk>/commitments/", v.unit_commitments, name="unit_commitments"),
]
