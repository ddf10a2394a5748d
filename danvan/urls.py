from django.contrib import admin
from django.urls import include, path

from danvan.api.urls import api
from danvan.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("danvan.accounts.urls")),
    path("units/", include("danvan.orgs.urls")),
    path("audit/", include("danvan.core.urls")),
    path("plans/", include("danvan.plans.urls")),
    path("legal/", include("danvan.legal.urls")),
    path("petitions/", include("danvan.petitions.urls")),
    path("public/petitions/", include("danvan.petitions.urls_public")),
    path("public/surveys/", include("danvan.surveys.urls_public")),
    path("public/grassroots/", include("danvan.disclosures.urls_public")),
    path("public/dialogues/", include("danvan.dialogues.urls_public")),
    path("public/", include("danvan.portal.urls")),
    path("surveys/", include("danvan.surveys.urls")),
    path("grassroots/", include("danvan.disclosures.urls")),
    path("dialogues/", include("danvan.dialogues.urls")),
    path("practices/", include("danvan.practices.urls")),
    path("oversight/", include("danvan.oversight.urls")),
    path("dashboard/", include("danvan.dashboard.urls")),
    path("open311/v2/", include("danvan.petitions.urls_open311")),
    path("reports/", include("danvan.reports.urls")),
    path("notifications/", include("danvan.notifications.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
