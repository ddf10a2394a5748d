from django.urls import path

from . import views, views_forms, views_regimes, views_submissions

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("forms/", views_forms.form_list, name="forms"),
    path("forms/new/", views_forms.form_new, name="form_new"),
    path("forms/<int:pk>/", views_forms.form_detail, name="form"),
    path("forms/<int:pk>/publish/", views_forms.form_publish, name="form_publish"),
    path("forms/<int:pk>/new-version/", views_forms.form_new_version, name="form_new_version"),
    path("forms/<int:pk>/<str:kind>/add/", views_forms.part_edit, name="part_add"),
    path("forms/<int:pk>/<str:kind>/<int:part_pk>/", views_forms.part_edit, name="part_edit"),
    path("forms/<int:pk>/<str:kind>/<int:part_pk>/delete/", views_forms.part_delete, name="part_delete"),
    path("regimes/new/", views_regimes.regime_new, name="regime_new"),
    path("regimes/<int:pk>/", views_regimes.regime_detail, name="regime"),
    path("regimes/<int:pk>/open-period/", views_regimes.period_open, name="period_open"),
    path("periods/<int:pk>/", views_regimes.period_detail, name="period"),
    path("periods/<int:pk>/edit/", views_regimes.period_edit, name="period_edit"),
    path("periods/<int:pk>/close/", views_regimes.period_close, name="period_close"),
    path("periods/<int:pk>/synthesis.docx", views_regimes.period_synthesis, name="period_synthesis"),
    path("periods/<int:pk>/values.xlsx", views_regimes.period_values, name="period_values"),
    path("submissions/<int:pk>/", views_submissions.submission_detail, name="submission"),
    path("submissions/<int:pk>/template.xlsx", views_submissions.submission_template, name="submission_template"),
    path("submissions/<int:pk>/upload/", views_submissions.submission_upload, name="submission_upload"),
    path("submissions/<int:pk>/review/", views_submissions.submission_review, name="submission_review"),
    path("submissions/<int:pk>/reopen/", views_submissions.submission_reopen, name="submission_reopen"),
    path("submissions/<int:pk>/history/", views_submissions.submission_history, name="submission_history"),
]
