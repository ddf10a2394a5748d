from django.urls import path

from . import views

app_name = "legal"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_add, name="add"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/merge/", views.document_merge, name="merge"),
]
