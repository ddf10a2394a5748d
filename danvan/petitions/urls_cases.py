"""URLs of the petitions app's cases pages (included by urls.py at /petitions/)."""

from django.urls import path

from . import views_cases as v

urlpatterns = [
    path("", v.worklist, name="list"),
    path("new/", v.intake, name="new"),
    path("new/duplicates/", v.duplicate_candidates, name="duplicate_candidates"),
    path("<int:pk>/", v.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", v.act, name="act"),
    path("<int:pk>/identity/", v.reveal, name="identity"),
    path("<int:pk>/handlers/assign/", v.handler_assign, name="handler_assign"),
    path("<int:pk>/handlers/revoke/", v.handler_revoke, name="handler_revoke"),
    path("<int:pk>/duplicate-of/", v.link_duplicate, name="link_duplicate"),
    path("<int:pk>/publish/", v.publish_result, name="publish_result"),
]
