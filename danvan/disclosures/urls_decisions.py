"""URLs of residents' decisions and consultations (included by urls.py under /grassroots/, namespace disclosures)."""

from django.urls import path

from . import views_decisions as v

urlpatterns = [
    path("decisions/", v.decision_list, name="decision_list"),
    path("decisions/new/", v.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", v.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/edit/", v.decision_edit, name="decision_edit"),
    path("decisions/<int:pk>/sent/", v.decision_sent, name="decision_sent"),
    path("decisions/<int:pk>/delete/", v.decision_delete, name="decision_delete"),
    path("consultations/", v.consultation_list, name="consultation_list"),
    path("consultations/new/", v.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", v.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/edit/", v.consultation_edit, name="consultation_edit"),
    path("consultations/<int:pk>/open/", v.consultation_open, name="consultation_open"),
    path("consultations/<int:pk>/close/", v.consultation_close, name="consultation_close"),
    path("consultations/<int:pk>/publish/", v.consultation_publish, name="consultation_publish"),
    path("consultations/<int:pk>/delete/", v.consultation_delete, name="consultation_delete"),
]
