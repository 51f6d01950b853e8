"""Forms of the person pages. They parse input; the rules live in ``validation``.

A form only turns text into values (a date, a village); whether the identity
number, phone and dates are acceptable is decided by the action, whose
``ValidationError`` is attached back to the form's fields by
``zhanyi.core.forms.add_action_errors``, so the message appears next to the field
it names.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanyi.core.pickers import UserFormMixin
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField

from .models import IdentityType, Sex


class PersonForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    identity_type = forms.ChoiceField(
        label=_("Identity document"),
        choices=IdentityType.choices,
        initial=IdentityType.RESIDENT_ID,
    )
    identity_number = forms.CharField(
        label=_("Identity number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=3,
        required=False,
        help_text=_("Three-letter country code, such as CHN; filled in for resident cards."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.CharField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Filled in from a resident identity number when left empty."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    village = AreaField(label=_("Village or community"), levels=[AreaLevel.VILLAGE], required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        villages = self.fields["village"].queryset.order_by("path")
        if "village" not in self.initial:
            # A five-to-one team works in one village: choose it for them.
            only = list(villages[:2])
            if len(only) == 1:
                self.initial["village"] = only[0].pk

    def person_data(self) -> dict:
        """What the action takes: every field as typed (birth dates and
        numbers are checked by the action, which names the problem)."""
        return dict(self.cleaned_data)


class PersonEditForm(PersonForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=255,
        help_text=_("Kept in the person's history, for example: checked at the door."),
    )

    def __init__(self, *args, user, keep_masked: set[str] = frozenset(), **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        # Fields the user may not read are shown empty; left empty, they stay as they are.
        self.keep_masked = keep_masked
        for name in keep_masked:
            self.fields[name].help_text = (
                _("Leave empty to keep the date on record.")
                if name == "birth_date"
                else _("Leave empty to keep the number on record.")
            )

    def changes(self, current: dict) -> dict:
        """The fields whose typed value differs from what is on record."""
        changes = {}
        for name, value in self.cleaned_data.items():
            if name == "reason" or name not in current:
                continue
            if name in self.keep_masked and not value:
                continue
            old = current[name]
            shown_old = old.isoformat() if hasattr(old, "isoformat") else old
            if (value or None) != (shown_old or None):
                changes[name] = value
        return changes


class MergeForm(forms.Form):
    other = forms.IntegerField(
        label=_("Number of the other record"),
        min_value=1,
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Why they are one person"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OverrideRequestForm(forms.Form):
    """Ask for a manual override of a health code (人工转码)."""

    colour = forms.ChoiceField(label=_("Colour"), choices=[])
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the code's history and the audit trail."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("After this the rules decide the code again."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from .models import Colour

        self.fields["colour"].choices = Colour.choices


class OverrideDecisionForm(forms.Form):
    """Approve, reject or end an override, with a note."""

    decision = forms.ChoiceField(
        choices=[("approve", "approve"), ("reject", "reject"), ("end", "end")],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
