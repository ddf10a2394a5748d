"""Distribution pages (included by urls.py under /surveys/, namespace ``surveys:``): see views_distribution."""

from django.urls import path

from . import views_distribution as v

urlpatterns = [
    path("<int:pk>/distribute/", v.distribute, name="distribute"),
    path("<int:pk>/poster/", v.poster, name="poster"),
    path("<int:pk>/codes/", v.issue_codes, name="issue_codes"),
    path("<int:pk>/codes/sheet/", v.code_sheet, name="code_sheet"),
    path("<int:pk>/paper/", v.paper_entry, name="paper_entry"),
    path("<int:pk>/responses/", v.response_list, name="responses"),
    path("<int:pk>/responses/<int:rid>/void/", v.void, name="void_response"),
    path("<int:pk>/duplicates/", v.duplicate_groups, name="duplicates"),
]
