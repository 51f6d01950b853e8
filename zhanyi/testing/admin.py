"""Admin of the testing app: read-mostly views for administrators."""

from django.contrib import admin

from .models import DeliveryBatch, Lab, ResultImport, SamplingSite, SamplingTeam, TestingRound


@admin.register(TestingRound)
class TestingRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "pool_size", "starts_at", "ends_at"]
    list_filter = ["kind"]
    raw_id_fields = ["area", "schedule"]
    filter_horizontal = []


@admin.register(SamplingSite)
class SamplingSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "active"]
    raw_id_fields = ["area", "place"]


@admin.register(SamplingTeam)
class SamplingTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "lead", "members"]


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "daily_capacity"]
    raw_id_fields = ["area"]


@admin.register(DeliveryBatch)
class DeliveryBatchAdmin(admin.ModelAdmin):
    list_display = ["code", "site", "lab", "delivered_at", "received_at"]


@admin.register(ResultImport)
class ResultImportAdmin(admin.ModelAdmin):
    list_display = [
        "lab",
        "via",
        "filename",
        "rows",
        "stored",
        "refused",
        "positives",
        "submitted_at",
    ]
    readonly_fields = [f.name for f in ResultImport._meta.fields]
