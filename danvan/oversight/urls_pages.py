"""URLs of the dissemination and inspection pages (under /oversight/)."""

from django.urls import path

from . import views_pages as v

urlpatterns = [
    path("", v.home, name="home"),
    path("dissemination/", v.dissemination_list, name="dissemination_list"),
    path("dissemination/new/", v.dissemination_create, name="dissemination_create"),
    path("dissemination/coverage/", v.dissemination_coverage, name="dissemination_coverage"),
    path("dissemination/<int:pk>/", v.dissemination_detail, name="dissemination_detail"),
    path("dissemination/<int:pk>/edit/", v.dissemination_edit, name="dissemination_edit"),
    path("dissemination/<int:pk>/delete/", v.dissemination_delete, name="dissemination_delete"),
    path("plans/", v.inspection_plan_list, name="inspection_plan_list"),
    path("plans/new/", v.inspection_plan_create, name="inspection_plan_create"),
    path("plans/<int:pk>/", v.inspection_plan_detail, name="inspection_plan_detail"),
    path("plans/<int:pk>/delete/", v.inspection_plan_delete, name="inspection_plan_delete"),
    path("inspections/", v.inspection_list, name="inspection_list"),
    path("inspections/new/", v.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", v.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", v.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/delete/", v.inspection_delete, name="inspection_delete"),
    path("inspections/<int:pk>/actions/", v.action_add, name="action_add"),
    path("inspections/<int:pk>/actions/<int:action_pk>/done/", v.action_complete, name="action_complete"),
]
