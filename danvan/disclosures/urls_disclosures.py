"""URLs of the disclosures pages and of the attachments of every grassroots record (under /grassroots/)."""

from django.urls import path

from . import views_disclosures as v

urlpatterns = [
    path("", v.home, name="home"),
    path("disclosures/", v.disclosure_list, name="disclosure_list"),
    path("disclosures/new/", v.disclosure_create, name="disclosure_create"),
    path("disclosures/<int:pk>/", v.disclosure_detail, name="disclosure_detail"),
    path("disclosures/<int:pk>/edit/", v.disclosure_edit, name="disclosure_edit"),
    path("disclosures/<int:pk>/publish/", v.disclosure_publish, name="disclosure_publish"),
    path("disclosures/<int:pk>/withdraw/", v.disclosure_withdraw, name="disclosure_withdraw"),
    path("disclosures/<int:pk>/delete/", v.disclosure_delete, name="disclosure_delete"),
    path("calendar/", v.month_calendar, name="calendar"),
    path("quarterly/", v.quarterly, name="quarterly"),
    path("files/<int:pk>/", v.attachment, name="attachment"),
    path("files/add/", v.attachment_add, name="attachment_add"),
    path("files/<int:pk>/remove/", v.attachment_remove, name="attachment_remove"),
]
