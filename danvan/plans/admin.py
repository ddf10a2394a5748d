"""Plans in the Django admin: read-only for system administrators.

Every write to a plan goes through the services (numbering under a lock, obligations, audit,
optimistic concurrency), which the admin's model forms would bypass; the plan pages do the
writing. Closing issued plans at year end is offered as an action that calls the service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Plan, PlanDeadline, PlanObligation, PlanSection, PlanStatus, Target, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SectionInline(ReadOnlyInline):
    model = PlanSection
    fields = ("number", "title", "parent", "order")


class TaskInline(ReadOnlyInline):
    model = Task
    fields = ("section", "text", "lead_unit", "due_on", "status", "progress")


class TargetInline(ReadOnlyInline):
    model = Target
    fields = ("text", "value", "unit", "current_value", "status")


class DeadlineInline(ReadOnlyInline):
    model = PlanDeadline
    fields = ("kind", "text", "due_on")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "issuer", "year", "status", "version", "issued_on", "deleted_at")
    list_filter = ("status", "kind", "year")
    search_fields = ("title", "issuer__name", "symbol")
    list_select_related = ("issuer",)
    raw_id_fields = ("issuer", "amends", "parent_plan", "copied_from")
    inlines = (SectionInline, TaskInline, TargetInline, DeadlineInline)
    actions = ("close_selected",)
    show_full_result_count = False

    @admin.action(description=_("Close the selected issued plans"))
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Plan]) -> None:
        closed = 0
        for plan in queryset.filter(status=PlanStatus.ISSUED, deleted_at__isnull=True):
            try:
                services.close_plan(actor=request.user, plan=plan)
                closed += 1
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{plan}: {exc}", messages.ERROR)
        self.message_user(request, _("%(n)d plans closed.") % {"n": closed}, messages.SUCCESS)


@admin.register(PlanObligation)
class PlanObligationAdmin(ReadOnlyAdmin):
    list_display = ("plan", "org_unit", "due_on", "fulfilled_by", "fulfilled_on")
    list_select_related = ("plan", "org_unit", "fulfilled_by")
    raw_id_fields = ("plan", "org_unit", "fulfilled_by")
    search_fields = ("org_unit__name",)
    show_full_result_count = False
