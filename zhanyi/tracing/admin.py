"""Admin views of tracing records: read-only, for inspection (writes go through the actions)."""

from django.contrib import admin

from .models import Case, Contact, Exposure, Interview, TrajectoryEntry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ("id", "classification", "status", "area", "reported_at", "investigation_due_at")
    list_filter = ("classification", "status", "protocol")
    raw_id_fields = ("person",)


@admin.register(Contact)
class ContactAdmin(ReadOnly):
    list_display = ("id", "case", "kind", "depth", "area", "identified_at", "released_at")
    list_filter = ("kind", "protocol")
    raw_id_fields = ("person", "via", "case")


@admin.register(Exposure)
class ExposureAdmin(ReadOnly):
    list_display = ("id", "case", "setting", "certainty", "exposed_at")
    raw_id_fields = ("person_a", "person_b", "case")


admin.site.register(TrajectoryEntry, ReadOnly)
admin.site.register(Interview, ReadOnly)
