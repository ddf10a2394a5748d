"""Officials' pages for dialogues and commitments (login)."""

from django.urls import include, path

app_name = "dialogues"
urlpatterns = [
    path("", include("danvan.dialogues.urls_dialogues")),
]
