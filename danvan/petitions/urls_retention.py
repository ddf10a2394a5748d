"""URLs of retention (destruction decisions) and the personal-data export, included by urls.py."""

from django.urls import path

from . import views_retention as v

urlpatterns = [
    path("retention/", v.eligible, name="retention"),
    path("retention/confirm/", v.confirm, name="retention_confirm"),
    path("retention/destroy/", v.destroy, name="retention_destroy"),
    path("retention/decisions/", v.decisions, name="retention_decisions"),
    path("retention/decisions/<int:pk>/", v.decision_detail, name="retention_decision"),
    path("personal-data/", v.subject_export_page, name="subject_export"),
]
