"""URLs of the thematic programmes pages (under /practices/programmes/)."""

from django.urls import path

from . import views_programmes as v

urlpatterns = [
    path("", v.programme_list, name="programme_list"),
    path("new/", v.programme_create, name="programme_create"),
    path("<int:pk>/", v.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", v.programme_edit, name="programme_edit"),
    path("<int:pk>/members/", v.member_add, name="programme_member_add"),
    path("<int:pk>/members/<int:member_pk>/remove/", v.member_remove, name="programme_member_remove"),
    path("<int:pk>/steps/", v.step_add, name="programme_step_add"),
    path("<int:pk>/steps/<int:step_pk>/done/", v.step_complete, name="programme_step_complete"),
    path("<int:pk>/steps/<int:step_pk>/remove/", v.step_remove, name="programme_step_remove"),
    path("<int:pk>/criteria/", v.criterion_add, name="programme_criterion_add"),
    path("<int:pk>/criteria/<int:criterion_pk>/assess/", v.criterion_assess, name="programme_criterion_assess"),
    path("<int:pk>/evaluate/", v.programme_evaluate, name="programme_evaluate"),
    path("<int:pk>/delete/", v.programme_delete, name="programme_delete"),
]
