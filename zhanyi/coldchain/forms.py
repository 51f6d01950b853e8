"""The cold-chain pages' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanyi.core.pickers import UserFormMixin
from zhanyi.people.pickers import PersonField
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField

from .models import DOCUMENTS, HandlingStep, SampleKind, SampleResult


class StoreForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the cold store"), max_length=200)
    area = AreaField(
        label=_("Area"), levels=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)


class DocumentsForm(forms.Form):
    """The four documents (四证), each by its number; an empty one is missing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in DOCUMENTS.items():
            self.fields[name] = forms.CharField(label=label, max_length=64, required=False)


class StoreChoiceMixin:
    def set_stores(self, stores) -> None:
        field = self.fields["store"]  # type: ignore[attr-defined]
        field.queryset = stores
        field.label_from_instance = lambda s: s.name


class BatchForm(StoreChoiceMixin, DocumentsForm):
    code = forms.CharField(label=_("Batch number"), max_length=64)
    product = forms.CharField(label=_("Product"), max_length=200)
    origin_country = forms.CharField(label=_("Origin country"), max_length=100)
    weight_tonnes = forms.DecimalField(
        label=_("Weight (tonnes)"), max_digits=10, decimal_places=3, min_value=0
    )
    store = forms.ModelChoiceField(label=_("Cold store"), queryset=None)
    arrived_at = forms.DateTimeField(
        label=_("Arrived at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ImportForm(StoreChoiceMixin, forms.Form):
    file = forms.FileField(label=_("Spreadsheet from customs (xlsx, xls or csv)"))
    store = forms.ModelChoiceField(
        label=_("Cold store, when the file has no store column"), queryset=None, required=False
    )


class HandlingForm(UserFormMixin, forms.Form):
    person = PersonField(label=_("Worker"))
    step = forms.ChoiceField(label=_("Step"), choices=HandlingStep.choices)
    handled_at = forms.DateTimeField(
        label=_("Handled at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class DistributionForm(UserFormMixin, forms.Form):
    buyer = forms.CharField(label=_("Buyer"), max_length=200)
    receiver = PersonField(label=_("Received by"))
    quantity_tonnes = forms.DecimalField(
        label=_("Quantity (tonnes)"), max_digits=10, decimal_places=3, min_value=0
    )
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    area = AreaField(label=_("Area delivered to"))


class SampleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of sample"), choices=SampleKind.choices)
    result = forms.ChoiceField(label=_("Result"), choices=SampleResult.choices)
    sampled_at = forms.DateTimeField(
        label=_("Sampled at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
