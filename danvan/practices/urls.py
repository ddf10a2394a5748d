"""Officials' pages for good practices ("Dân vận khéo") and thematic programmes (login)."""

from django.urls import include, path

app_name = "practices"
urlpatterns = [
    path("", include("danvan.practices.urls_practices")),
    path("programmes/", include("danvan.practices.urls_programmes")),
]
