"""URLs of the "Dân vận khéo" registry under /practices/ (namespace ``practices``)."""

from django.urls import path

from . import views_practices as v

urlpatterns = [
    path("", v.practice_list, name="list"),
    path("new/", v.practice_create, name="create"),
    path("<int:pk>/", v.practice_detail, name="detail"),
    path("<int:pk>/edit/", v.practice_edit, name="edit"),
    path("<int:pk>/updates/new/", v.update_add, name="update_add"),
    path("<int:pk>/evaluate/", v.practice_evaluate, name="evaluate"),
    path("<int:pk>/replicate/", v.practice_replicate, name="replicate"),
    path("<int:pk>/stop/", v.practice_stop, name="stop"),
    path("<int:pk>/delete/", v.practice_delete, name="delete"),
    path("commendations/", v.commendation_list, name="commendation_list"),
    path("commendations/new/", v.commendation_create, name="commendation_create"),
    path("commendations/<int:pk>/delete/", v.commendation_delete, name="commendation_delete"),
    path("criteria/", v.criteria_list, name="criteria_list"),
    path("criteria/new/", v.criteria_create, name="criteria_create"),
    path("registration/", v.registration, name="registration"),
    path("files/<int:pk>/", v.attachment, name="attachment"),
    path("files/add/", v.attachment_add, name="attachment_add"),
    path("files/<int:pk>/remove/", v.attachment_remove, name="attachment_remove"),
]
