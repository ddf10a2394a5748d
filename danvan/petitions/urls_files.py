"""URLs of the petitions app's files: attachments and the numbered notices (included by urls.py at files/)."""

from django.urls import path

from . import views_files

urlpatterns = [
    path("<int:pk>/", views_files.attachment, name="attachment"),
    path("add/<int:pk>/", views_files.attachment_add, name="attachment_add"),
    path("notices/<int:pk>.docx", views_files.notice_docx, name="notice_docx"),
]
