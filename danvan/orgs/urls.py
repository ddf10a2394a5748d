from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("switch/", views.switch_unit, name="switch"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/add/", views.unit_add, name="add"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/move/", views.unit_move, name="move"),
    path("<int:pk>/close/", views.unit_close, name="close"),
    path("<int:pk>/members/", views.memberships, name="memberships"),
    path("<int:pk>/members/<int:membership_pk>/revoke/", views.membership_revoke, name="revoke"),
    path("<int:pk>/members/new-account/", views.official_add, name="official_add"),
    path("<int:pk>/import/", views.unit_import, name="import"),
    path("<int:pk>/export/", views.unit_export, name="export"),
]
