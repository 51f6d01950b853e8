"""The livelihood pages' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.core.pickers import UserFormMixin
from zhanyi.livelihood.models import CareKind, FacilityKind, Good
from zhanyi.people.pickers import PersonField
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField


class FacilityForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("facility", "Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    area = AreaField(
        label=_("Area"), levels=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)


class ReferencePriceForm(forms.Form):
    name = forms.CharField(label=_("Staple good"), max_length=100)
    unit = forms.CharField(label=_("Unit"), max_length=16)
    price = forms.CharField(label=_("Reference price (yuan)"), max_length=16)


class PriceCheckForm(forms.Form):
    good = forms.ModelChoiceField(label=_("Staple good"), queryset=Good.objects.all())
    price = forms.CharField(label=_("Price seen (yuan)"), max_length=16)


class LinkForm(UserFormMixin, forms.Form):
    person = PersonField(label=_("A resident of the sealed home"))
    gate = forms.CharField(label=_("Gate of the sealed compound"), max_length=100)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why the order is declined"), max_length=255)


class HandOverForm(forms.Form):
    volunteer = forms.CharField(label=_("Volunteer's user name"), max_length=150)


class CareForm(UserFormMixin, forms.Form):
    person = PersonField(label=_("Person"))
    kind = forms.ChoiceField(label=_("Kind of care"), choices=CareKind.choices)
    needs = forms.CharField(label=_("Needs (medicine, food, …)"), max_length=255, required=False)


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("What was found and done"), max_length=255)
    close = forms.BooleanField(label=_("Care no longer needed"), required=False)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Your code"), max_length=16)


class OrderForm(forms.Form):
    facility = forms.ChoiceField(label=_("Store"))
    items = forms.CharField(
        label=_("What you need (item and amount, one a line)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=1000,
    )
    phone = forms.CharField(label=_("Your phone, for the store"), max_length=32, required=False)

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [
            (s.pk, f"{s.name} · {s.get_kind_display()}") for s in stores
        ]
