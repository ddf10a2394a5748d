"""The survey builder's pages (included by urls.py at /surveys/, namespace ``surveys:``)."""

from django.urls import path

from . import views_builder as v

urlpatterns = [
    path("", v.survey_list, name="list"),
    path("new/", v.survey_new, name="new"),
    path("<int:pk>/", v.survey_detail, name="detail"),
    path("<int:pk>/settings/", v.survey_edit, name="edit"),
    path("<int:pk>/status/<slug:action>/", v.survey_transition, name="transition"),
    path("<int:pk>/index-rule/", v.index_rule, name="index_rule"),
    path("<int:pk>/sections/new/", v.section_add, name="section_add"),
    path("<int:pk>/sections/<int:section_pk>/", v.section_edit, name="section_edit"),
    path("<int:pk>/sections/<int:section_pk>/delete/", v.section_delete, name="section_delete"),
    path("<int:pk>/sections/<int:section_pk>/move/", v.section_move, name="section_move"),
    path("<int:pk>/sections/<int:section_pk>/questions/new/", v.question_add, name="question_add"),
    path("<int:pk>/questions/<int:question_pk>/", v.question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:question_pk>/delete/", v.question_delete, name="question_delete"),
    path("<int:pk>/questions/<int:question_pk>/move/", v.question_move, name="question_move"),
    path("desks/", v.desk_list, name="desk_list"),
    path("desks/<int:desk_pk>/", v.desk_edit, name="desk_edit"),
]
