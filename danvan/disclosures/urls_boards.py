"""URLs of the people's boards and the Front's supervision pages (included by urls.py at /grassroots/)."""

from django.urls import path

from . import views_boards as b
from . import views_supervision as s

urlpatterns = [
    path("boards/", b.board_list, name="board_list"),
    path("boards/new/", b.board_create, name="board_create"),
    path("boards/<int:pk>/", b.board_detail, name="board_detail"),
    path("boards/<int:pk>/edit/", b.board_edit, name="board_edit"),
    path("boards/<int:pk>/delete/", b.board_delete, name="board_delete"),
    path("boards/<int:pk>/members/", b.board_member_add, name="board_member_add"),
    path("boards/members/<int:pk>/end/", b.board_member_end, name="board_member_end"),
    path("boards/<int:pk>/work-plans/", b.board_workplan_add, name="board_workplan_add"),
    path("boards/<int:pk>/findings/new/", b.board_finding_add, name="board_finding_add"),
    path("findings/<int:pk>/", b.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/respond/", b.finding_respond, name="finding_respond"),
    path("supervision/", s.supervision_list, name="supervision_list"),
    path("supervision/new/", s.supervision_create, name="supervision_create"),
    path("supervision/<int:pk>/", s.supervision_detail, name="supervision_detail"),
    path("supervision/<int:pk>/edit/", s.supervision_edit, name="supervision_edit"),
    path("supervision/<int:pk>/respond/", s.supervision_respond, name="supervision_respond"),
    path("supervision/<int:pk>/delete/", s.supervision_delete, name="supervision_delete"),
]
