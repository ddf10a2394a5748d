from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("new/copy/", views.plan_copy, name="copy"),
    path("new/derive/", views.plan_derive, name="derive"),
    path("import/", views.plan_import, name="import"),
    path("import/<str:token>/", views.plan_import_review, name="import_review"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/export.docx", views.plan_export, name="export"),
    path("<int:pk>/diff/", views.plan_diff_view, name="diff"),
    path("<int:pk>/issue/", views.plan_issue, name="issue"),
    path("<int:pk>/close/", views.plan_close, name="close"),
    path("<int:pk>/amend/", views.plan_amend, name="amend"),
    path("<int:pk>/delete/", views.plan_delete, name="delete"),
    path("<int:pk>/cascade/", views.plan_cascade, name="cascade"),
    path("<int:pk>/coverage/", views.plan_coverage, name="coverage"),
    path("<int:pk>/sections/add/", views.section_edit, name="section_add"),
    path("<int:pk>/sections/<int:section_pk>/", views.section_edit, name="section_edit"),
    path("<int:pk>/tasks/add/", views.task_edit, name="task_add"),
    path("<int:pk>/tasks/<int:task_pk>/", views.task_edit, name="task_edit"),
    path("<int:pk>/tasks/<int:task_pk>/progress/", views.task_progress, name="task_progress"),
    path("<int:pk>/targets/add/", views.target_edit, name="target_add"),
    path("<int:pk>/targets/<int:target_pk>/", views.target_edit, name="target_edit"),
    path("<int:pk>/targets/<int:target_pk>/value/", views.target_value, name="target_value"),
    path("<int:pk>/assignments/add/", views.assignment_edit, name="assignment_add"),
    path("<int:pk>/assignments/<int:assignment_pk>/", views.assignment_edit, name="assignment_edit"),
    path("<int:pk>/deadlines/add/", views.deadline_edit, name="deadline_add"),
    path("<int:pk>/deadlines/<int:deadline_pk>/", views.deadline_edit, name="deadline_edit"),
    path("<int:pk>/legal-bases/", views.legal_bases_edit, name="legal_bases"),
    path(
        "<int:pk>/<str:part>/<int:part_pk>/delete/", views.part_delete, name="part_delete",
    ),
]
