"""Django admin for the shared kernel: calendar exceptions (saved through the service) and the audit log (read-only)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import AuditChainHead, AuditEvent, CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The national calendar is the system administrator's alone; every save is audited by the service."""

    list_display = ["date", "is_working_day", "note", "updated_at"]
    list_filter = ["is_working_day"]
    search_fields = ["note"]
    date_hierarchy = "date"
    ordering = ["-date"]

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarDay | None = None) -> Any:
        # Moving an exception to another date is a removal plus an addition, each audited.
        return ["date"] if obj is not None else []

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        saved = services.set_calendar_day(request.user, obj.date, obj.is_working_day, obj.note)
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.remove_calendar_day(request.user, obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in list(queryset.values_list("date", flat=True)):
            try:
                services.remove_calendar_day(request.user, day)
            except ValidationError:
                continue  # already removed by someone else meanwhile


class AuditPaginator(Paginator):
    """The unfiltered log's size is the chain head's sequence number: no COUNT(*) over millions of rows."""

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if isinstance(qs, QuerySet) and not qs.query.where:
            head = AuditChainHead.objects.filter(id=1).values_list("last_seq", flat=True).first()
            return int(head or 0)
        return super().count


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Looking only: the log is append-only (the database refuses changes too)."""

    list_display = ["seq", "at", "actor_label", "action", "object_type", "object_id", "org_unit"]
    # No list_filter on action: it would run SELECT DISTINCT over the whole log on every page.
    search_fields = ["=object_id", "=actor_label", "=action"]
    list_select_related = ["org_unit"]
    paginator = AuditPaginator
    show_full_result_count = False
    ordering = ["-seq"]
    readonly_fields = [
        "seq", "at", "actor", "actor_label", "action", "object_type", "object_id", "org_unit",
        "summary", "prev_hash", "hash",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
