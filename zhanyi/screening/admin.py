"""Admin pages of screening: push sources and the lists received, for looking only.

Records and tasks carry personal data and change only through ``actions``
(with their audit), so they are not here; the screening pages show them,
scoped to the user's jurisdiction.
"""

from __future__ import annotations

from django.contrib import admin

from zhanyi.accounts.roles import has_capability

from .models import PushList, PushSource


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_view_permission(self, request, obj=None) -> bool:
        return has_capability(request.user, "edit_operations")

    def has_module_permission(self, request) -> bool:
        return request.user.is_staff and has_capability(request.user, "edit_operations")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PushSource)
class PushSourceAdmin(ReadOnlyAdmin):
    list_display = ["name", "origin_city", "kind", "created_at"]
    list_filter = ["kind"]


@admin.register(PushList)
class PushListAdmin(ReadOnlyAdmin):
    list_display = [
        "source",
        "filename",
        "file_format",
        "encoding",
        "rows_read",
        "rows_stored",
        "rows_invalid",
        "rows_repeated",
        "received_at",
        "received_by_name",
    ]
    list_filter = ["source", "file_format"]
    exclude = ["error_file"]
