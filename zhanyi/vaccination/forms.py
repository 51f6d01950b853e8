"""The vaccination pages' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.core.pickers import UserFormMixin
from zhanyi.people.pickers import PersonField
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField
from zhanyi.vaccination.models import SiteKind, Vaccine


class SiteForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("vaccination", "Name of the site"), max_length=200)
    area = AreaField(
        label=_("Area"), levels=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)


class _SiteChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} · {obj.get_kind_display()}"


class DoseForm(UserFormMixin, forms.Form):
    """The site's phone page: who, which vaccine and dose, the batch."""

    site = _SiteChoice(label=pgettext_lazy("vaccination", "Site"), queryset=None)
    person = PersonField(label=_("Person"))
    vaccine = forms.ModelChoiceField(label=_("Vaccine"), queryset=Vaccine.objects.all())
    dose_number = forms.IntegerField(label=_("Dose"), min_value=1, max_value=9, initial=1)
    batch = forms.CharField(label=_("Batch"), max_length=32, required=False)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class AppointmentForm(UserFormMixin, forms.Form):
    site = _SiteChoice(label=pgettext_lazy("vaccination", "Site"), queryset=None)
    person = PersonField(label=_("Person (one person's appointment)"), required=False)
    work_unit = forms.CharField(
        label=_("Work unit (a team's appointment)"), max_length=200, required=False
    )
    headcount = forms.IntegerField(label=_("Number of people"), min_value=1, initial=1)
    dose_number = forms.IntegerField(label=_("Dose"), min_value=1, max_value=9, initial=1)
    slot_at = forms.DateTimeField(
        label=_("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Export of the immunisation system (CSV, xlsx or xls)"))
    create_unknown = forms.BooleanField(
        label=_("Add people the person index does not hold"), required=False
    )
