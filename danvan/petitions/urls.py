from django.urls import path

from . import views

app_name = "petitions"
urlpatterns = [
    path("deadlines/", views.deadline_calculator, name="deadlines"),
]
