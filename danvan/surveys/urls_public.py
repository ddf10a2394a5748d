"""Placeholder: the citizen's side of surveys (no login), filled in by its owner."""

app_name = "surveys_public"
urlpatterns: list = []
