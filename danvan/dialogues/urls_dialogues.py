"""Officials' dialogue and commitment pages, under /dialogues/ (namespace ``dialogues``)."""

from django.urls import path

from . import views, views_commitments, views_files, views_print

urlpatterns = [
    path("", views.dialogue_list, name="list"),
    path("new/", views.dialogue_create, name="create"),
    path("<int:pk>/", views.dialogue_detail, name="detail"),
    path("<int:pk>/edit/", views.dialogue_edit, name="edit"),
    path("<int:pk>/held/", views.dialogue_held, name="held"),
    path("<int:pk>/cancel/", views.dialogue_cancel, name="cancel"),
    path("<int:pk>/delete/", views.dialogue_delete, name="delete"),
    path("<int:pk>/print/", views_print.dialogue_print, name="print"),
    path("<int:pk>/print.docx", views_print.dialogue_print_docx, name="print_docx"),
    path("<int:pk>/commitments/new/", views_commitments.commitment_add, name="commitment_add"),
    path("<int:pk>/report-back/", views_commitments.report_back, name="report_back"),
    path("commitments/", views_commitments.commitment_list, name="commitments"),
    path("commitments/<int:pk>/", views_commitments.commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/edit/", views_commitments.commitment_edit, name="commitment_edit"),
    path("commitments/<int:pk>/progress/", views_commitments.commitment_progress, name="commitment_progress"),
    path("commitments/<int:pk>/delete/", views_commitments.commitment_delete, name="commitment_delete"),
    path("files/<int:pk>/", views_files.attachment, name="attachment"),
    path("files/add/", views_files.attachment_add, name="attachment_add"),
    path("files/<int:pk>/remove/", views_files.attachment_remove, name="attachment_remove"),
]
