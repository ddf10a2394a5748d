"""Results and exports (included by urls.py under /surveys/, namespace ``surveys:``)."""

from django.urls import path

from . import views_results as v

urlpatterns = [
    path("results/", v.unit_results, name="results"),
    path("results/index.csv", v.unit_index_csv, name="results_index_csv"),
    path("<int:pk>/results/", v.survey_results, name="survey_results"),
    path("<int:pk>/results/index.csv", v.survey_index_csv, name="survey_index_csv"),
    path("<int:pk>/responses.csv", v.responses_csv, name="responses_csv"),
    path("<int:pk>/responses.xlsx", v.responses_xlsx, name="responses_xlsx"),
]
