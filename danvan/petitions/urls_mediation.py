"""URLs of the petitions app's mediation pages (included by urls.py at /petitions/mediation/)."""

from django.urls import path

from . import views_mediation as v

urlpatterns = [
    path("", v.mediation_list, name="mediation_list"),
    path("new/", v.mediation_new, name="mediation_new"),
    path("<int:pk>/", v.mediation_detail, name="mediation_detail"),
    path("<int:pk>/sessions/", v.mediation_session, name="mediation_session"),
    path("<int:pk>/mediators/", v.mediation_mediator, name="mediation_mediator"),
    path("<int:pk>/close/", v.mediation_close, name="mediation_close"),
    path("<int:pk>/delete/", v.mediation_delete, name="mediation_delete"),
]
