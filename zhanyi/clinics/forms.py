"""The clinics pages' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.core.pickers import UserFormMixin
from zhanyi.people.pickers import PersonField
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField

from .models import ClinicKind, CodeColour, FollowUp, Medicine, StaffRole, VisitOutcome


class ClinicForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("clinic", "Name of the clinic"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ClinicKind.choices)
    area = AreaField(
        label=_("Area"), levels=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    rooms = forms.IntegerField(label=_("Number of rooms"), min_value=0, max_value=200, initial=4)


class _RoomChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(_("Room %(room)s") % {"room": obj.name})


class TriageForm(UserFormMixin, forms.Form):
    """Pre-triage at the entrance (预检分诊), on a phone."""

    person = PersonField(label=_("Patient"))
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"), max_digits=3, decimal_places=1, required=False
    )
    symptoms = forms.CharField(
        label=_("Respiratory symptoms (cough, sore throat…), if any"),
        max_length=200,
        required=False,
    )
    epidemiological_history = forms.BooleanField(
        label=_("Epidemiological history in the last 14 days (case, contact, risk area)"),
        required=False,
    )
    code_colour = forms.ChoiceField(
        label=_("Health code"), choices=CodeColour.choices, initial=CodeColour.GREEN
    )
    room = _RoomChoice(label=_("Room (if one is free now)"), queryset=None, required=False)

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms


class RoomsForm(forms.Form):
    names = forms.CharField(label=_("New rooms (names separated by commas)"), max_length=500)


class StaffForm(UserFormMixin, forms.Form):
    person = PersonField(label=_("Staff member"))
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)


class CloseVisitForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VisitOutcome.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PharmacyForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("pharmacy", "Name of the pharmacy"), max_length=200)
    area = AreaField(
        label=_("Area"), levels=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)


class _PharmacyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class ReportForm(forms.Form):
    """A pharmacy's report of a buyer, typed at the counter on a phone."""

    pharmacy = _PharmacyChoice(label=_("Pharmacy"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    identity_number = forms.CharField(
        label=_("Identity number (if given)"), max_length=32, required=False
    )
    medicine = forms.ChoiceField(label=_("Medicine"), choices=Medicine.choices)
    medicine_name = forms.CharField(label=_("Medicine bought"), max_length=100, required=False)
    follow_up = forms.ChoiceField(
        label=_("Follow-up"), choices=FollowUp.choices, initial=FollowUp.TEST
    )

    def __init__(self, *args, pharmacies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pharmacy"].queryset = pharmacies
