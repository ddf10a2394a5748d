from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("switch/", views.switch_unit, name="switch"),
    path("<int:pk>/", views.unit_detail, name="detail"),
]
