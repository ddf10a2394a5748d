"""The Django admin for system administrators: kinds are editable reference data; units and
memberships are shown read-only, because their writes must go through the services (audit,
tree paths, scope checks) — the unit pages do that. Revoking memberships is an admin action
that calls the service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Membership, OrgKind, OrgUnit, UnitSuccession


@admin.register(OrgKind)
class OrgKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "rank", "is_administrative")
    ordering = ("rank", "code")
    search_fields = ("code", "name")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # units point at kinds; a kind is retired by leaving it unused


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    fields = ("successor", "effective_on", "note")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("successor units")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "code", "division_type", "parent", "valid_from", "valid_to")
    list_filter = ("kind", ("valid_to", admin.EmptyFieldListFilter))
    search_fields = ("name", "search_name", "code")
    list_select_related = ("kind", "parent")
    show_full_result_count = False  # no COUNT(*) over the whole country on every page
    readonly_fields = (
        "kind", "name", "code", "division_type", "parent", "path", "valid_from", "valid_to",
        "email", "phone", "address", "created_at", "updated_at",
    )
    fields = readonly_fields
    inlines = [SuccessionInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "org_unit", "granted_by", "created_at", "revoked_at")
    list_filter = ("role", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__email", "user__full_name", "org_unit__name", "org_unit__code")
    list_select_related = ("user", "org_unit", "granted_by")
    raw_id_fields = ("user", "org_unit", "granted_by")
    show_full_result_count = False
    readonly_fields = ("user", "org_unit", "role", "granted_by", "created_at", "revoked_at")
    fields = readonly_fields
    actions = ["revoke"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Read-only admins hide actions that need change permission; revoking goes through the service.
        actions = super().get_actions(request)
        if request.user.is_superuser:
            func, name, desc = self.get_action("revoke")  # type: ignore[misc]
            actions["revoke"] = (func, name, desc)
        return actions

    @admin.action(description=_("Revoke the selected roles"))
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for m in queryset.filter(revoked_at__isnull=True):
            try:
                services.revoke_membership(actor=request.user, membership=m)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{m}: {exc}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("%(n)d roles revoked.") % {"n": done}, messages.SUCCESS)
