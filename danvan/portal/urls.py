"""Placeholder: the public portal (no login), filled in by its owner."""

app_name = "portal"
urlpatterns: list = []
