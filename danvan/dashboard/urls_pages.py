"""The dashboard's pages (included by urls.py under /dashboard/, namespace ``dashboard:``)."""

from django.urls import path

from . import views, views_league

urlpatterns = [
    path("", views.home, name="home"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("trend/", views.trend, name="trend"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("league/", views_league.league_list, name="league_list"),
    path("league/new/", views_league.league_create, name="league_create"),
    path("league/<int:pk>/", views_league.league_detail, name="league"),
    path("league/<int:pk>/export.xlsx", views_league.league_export, name="league_export"),
    path("league/<int:pk>/edit/", views_league.league_edit, name="league_edit"),
    path("league/<int:pk>/delete/", views_league.league_delete, name="league_delete"),
]
