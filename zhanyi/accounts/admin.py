"""The Django admin site for accounts.

Administrators do their daily work at ``/accounts/users/``, through the audited
actions. Here, non-superusers may only *look* (scoped like everywhere else);
superusers may also change accounts, and each change is audited. Audit events
are read-only for everyone. The admin site's log-in is throttled and audited
like the main one.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from zhanyi.core import audit
from zhanyi.core.models import AuditEvent

from . import queries
from .forms import AdminLoginForm
from .models import DemoAccount, DemoDatabase, User
from .roles import has_capability

admin.site.login_form = AdminLoginForm


def _superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role and jurisdiction"), {"fields": ("role", "jurisdiction", "task_force", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and jurisdiction"), {"fields": ("role", "jurisdiction", "task_force")}),
    )
    list_display = (
        "username",
        "get_full_name",
        "role",
        "jurisdiction",
        "task_force",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "jurisdiction__name")
    raw_id_fields = ("jurisdiction", "task_force")
    list_select_related = ("jurisdiction", "task_force__headquarters")

    def get_queryset(self, request):
        if _superuser(request):
            return super().get_queryset(request)
        return queries.manageable_users(request.user)

    def has_module_permission(self, request) -> bool:
        return has_capability(request.user, "manage_users")

    def has_view_permission(self, request, obj=None) -> bool:
        return has_capability(request.user, "manage_users")

    def has_add_permission(self, request) -> bool:
        return _superuser(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _superuser(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _superuser(request)

    # Django's own admin log is kept as well; these add the audit records.
    def log_addition(self, request, obj, message):
        audit.record(
            actor=request.user,
            action="user.created",
            obj=obj,
            request=request,
            area=obj.jurisdiction,
            detail={"via": "admin"},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit.record(
            actor=request.user,
            action="user.changed",
            obj=obj,
            request=request,
            area=obj.jurisdiction,
            detail={"via": "admin", "message": str(message)},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit.record(
                actor=request.user,
                action="user.deleted",
                obj=obj,
                request=request,
                area=obj.jurisdiction,
                detail={"via": "admin"},
            )
        return super().log_deletions(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_id", "object_label", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_label", "object_id", "ip")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        return queries.visible_audit_events(request.user)

    def has_module_permission(self, request) -> bool:
        return has_capability(request.user, "view_audit")

    def has_view_permission(self, request, obj=None) -> bool:
        return has_capability(request.user, "view_audit")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _SuperuserReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return _superuser(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _superuser(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DemoDatabase)
class DemoDatabaseAdmin(_SuperuserReadOnly):
    list_display = ("created_at", "seed", "scale")


@admin.register(DemoAccount)
class DemoAccountAdmin(_SuperuserReadOnly):
    list_display = ("user", "created_at")
