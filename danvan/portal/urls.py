"""/public/: the portal's home, one page per unit, open data; the ALTCHA challenge (``urls_altcha``)."""

from django.urls import include, path

from . import views as v

app_name = "portal"
urlpatterns = [
    path("", v.home, name="home"),
    path("units/<int:pk>/", v.unit_page, name="unit"),
    path("units/<int:pk>/data.csv", v.unit_data_csv, name="unit_data_csv"),
    path("units/<int:pk>/data.json", v.unit_data_json, name="unit_data_json"),
    path("data/", v.open_data, name="open_data"),
    path("data/provinces.csv", v.national_csv, name="national_csv"),
    path("data/provinces.json", v.national_json, name="national_json"),
    path("altcha/", include("danvan.portal.urls_altcha")),
]
