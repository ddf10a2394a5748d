"""The citizen's side of surveys (no login): open, answer step by step, thank you. See views_public."""

from django.urls import path

from . import views_public as v

app_name = "surveys_public"
urlpatterns = [
    path("<str:code>/", v.start, name="start"),
    path("<str:code>/step/<int:n>/", v.step, name="step"),
    path("<str:code>/thanks/", v.thanks, name="thanks"),
]
