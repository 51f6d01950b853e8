"""The care pages' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.core.pickers import UserFormMixin
from zhanyi.people.pickers import PersonField
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField

from .models import Condition, Progress, SampleKind, TestOutcome

PROGRESS_CHOICES = [("", _("not assessed")), *Progress.choices]


def _when(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=_("Empty: now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class WardChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        taken = getattr(obj, "taken", None)
        beds = f" ({taken}/{obj.beds})" if taken is not None else f" ({obj.beds})"
        return f"{obj.hospital.name} · {obj.name}{beds}"


class HospitalForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=200)
    area = AreaField(
        label=_("Area"),
        levels=[AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE],
    )
    designated = forms.BooleanField(label=_("Designated hospital"), required=False, initial=True)


class WardForm(forms.Form):
    hospital = forms.ModelChoiceField(label=_("Hospital"), queryset=None)
    name = forms.CharField(label=_("Ward"), max_length=100)
    beds = forms.IntegerField(label=_("Beds"), min_value=1)

    def __init__(self, *args, hospitals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = hospitals
        self.fields["hospital"].label_from_instance = lambda h: h.name


class AdmitForm(UserFormMixin, forms.Form):
    person = PersonField(label=_("Case"))
    ward = WardChoice(label=_("Ward"), queryset=None)
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    admitted_at = _when(_("Admitted at"))

    def __init__(self, *args, wards=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = wards


class ConditionForm(forms.Form):
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    at = _when(_("Assessed at"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ObservationForm(forms.Form):
    temperature = forms.CharField(label=_("Temperature (°C)"), max_length=8, required=False)
    respiratory = forms.ChoiceField(
        label=_("Respiratory symptoms"), choices=PROGRESS_CHOICES, required=False
    )
    imaging = forms.ChoiceField(label=_("Lung imaging"), choices=PROGRESS_CHOICES, required=False)
    at = _when(_("Observed at"))


class TestForm(forms.Form):
    result = forms.ChoiceField(label=pgettext_lazy("test", "Result"), choices=TestOutcome.choices)
    sample = forms.ChoiceField(label=_("Sample"), choices=SampleKind.choices)
    ct_orf1ab = forms.CharField(label=_("Ct ORF1ab"), max_length=8, required=False)
    ct_n = forms.CharField(label=_("Ct N"), max_length=8, required=False)
    sampled_at = _when(_("Sampled at"))


class TransferForm(forms.Form):
    to_ward = WardChoice(label=pgettext_lazy("transfer", "To"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=255)
    at = _when(_("Transferred at"))

    def __init__(self, *args, wards=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_ward"].queryset = wards


class DischargeForm(forms.Form):
    at = _when(_("Discharged at"))


class CheckInForm(forms.Form):
    temperature = forms.CharField(label=_("Temperature (°C)"), max_length=8)
    symptoms = forms.BooleanField(label=_("Symptoms"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    at = _when(pgettext_lazy("check-in", "Checked at"))


class CloseAlertForm(forms.Form):
    alert = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(label=_("What was done"), max_length=255)
