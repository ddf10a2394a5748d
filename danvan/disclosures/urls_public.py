"""/public/grassroots/: a commune's disclosure calendar and quarters, one disclosure, one consultation, files."""

from django.urls import path

from . import views_public as v

app_name = "disclosures_public"
urlpatterns = [
    path("units/<int:pk>/calendar/", v.calendar, name="calendar"),
    path("units/<int:pk>/quarters/", v.quarters, name="quarters"),
    path("<int:pk>/", v.disclosure, name="disclosure"),
    path("consultations/<int:pk>/", v.consultation, name="consultation"),
    path("files/<int:pk>/", v.attachment, name="attachment"),
]
