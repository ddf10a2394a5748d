"""URLs of the petitions app's reception pages (included by urls.py at /petitions/reception/)."""

from django.urls import path

from . import views_reception as v

urlpatterns = [
    path("", v.schedule, name="reception"),
    path("sessions/new/", v.session_new, name="reception_session_new"),
    path("sessions/<int:pk>/edit/", v.session_edit, name="reception_session_edit"),
    path("sessions/<int:pk>/cancel/", v.session_cancel, name="reception_session_cancel"),
    path("book/", v.book, name="reception_book"),
    path("book.xlsx", v.book_xlsx, name="reception_book_xlsx"),
    path("book/new/", v.visit_new, name="reception_visit_new"),
    path("book/<int:pk>/", v.visit_detail, name="reception_visit"),
]
