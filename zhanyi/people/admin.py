"""Admin pages of the person index: for looking, not for changing.

Every change of personal data must go through ``actions`` (validation,
history, audit), so the admin offers no add, change or delete. Opening a
person here is audited like the person page. Numbers are always masked: the
full ones are on the person page, for the roles that need them, rather than here.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhanyi.accounts.roles import has_capability
from zhanyi.core.masking import mask_identity_number, mask_phone
from zhanyi.engine.phones import format_phone

from . import actions
from .models import Household, Person, PersonChange, PersonMerge, SourceRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    # Who may look is the role's capability, as everywhere else in zhanyi,
    # not Django's per-model permission table.
    def has_view_permission(self, request, obj=None) -> bool:
        return has_capability(request.user, "view_person")

    def has_module_permission(self, request) -> bool:
        return request.user.is_staff and has_capability(request.user, "view_person")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SourceRecordInline(admin.TabularInline):
    model = SourceRecord
    fields = ["source", "source_ref", "received_at", "received_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return has_capability(request.user, "view_person")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "name",
        "sex",
        "birth_date",
        "masked_identity_number",
        "masked_phone",
        "village",
        "merged_into",
    ]
    list_select_related = ["village"]
    list_filter = ["sex", "identity_type"]
    search_fields = ["name"]
    fields = [
        "name",
        "identity_type",
        "masked_identity_number",
        "nationality",
        "sex",
        "birth_date",
        "masked_phone",
        "address",
        "village",
        "household",
        "merged_into",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [SourceRecordInline]

    def get_queryset(self, request):
        # Administrators see the index through their jurisdiction, like everyone else.
        from .queries import scope_persons

        return scope_persons(super().get_queryset(request), request.user)

    @admin.display(description=_("identity number"))
    def masked_identity_number(self, person: Person) -> str:
        return mask_identity_number(person.identity_number)

    @admin.display(description=_("phone"))
    def masked_phone(self, person: Person) -> str:
        return mask_phone(format_phone(person.phone))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = self.get_object(request, object_id)
        if person is not None:
            actions.record_person_view(
                acting_user=request.user, person=person, request=request, via="admin"
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["id", "external_id", "address", "village", "grid", "place"]
    list_select_related = ["village", "grid", "place"]
    search_fields = ["address"]


@admin.register(PersonMerge)
class PersonMergeAdmin(ReadOnlyAdmin):
    list_display = ["id", "survivor", "merged", "reason", "merged_by", "merged_at", "undone_at"]
    list_select_related = ["survivor", "merged", "merged_by"]


@admin.register(PersonChange)
class PersonChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "person", "kind", "reason", "changed_by_name", "changed_at"]
    list_select_related = ["person"]
    list_filter = ["kind"]
