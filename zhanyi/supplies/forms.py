"""The supplies desk's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.core.pickers import UserFormMixin
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField

from .models import HolderKind, Item

MOVEMENT_KINDS = [
    ("received", pgettext_lazy("stock", "Received")),
    ("issued", pgettext_lazy("stock", "Issued")),
    ("transfer", _("Transfer to another holder")),
]


class ChoicesMixin:
    """Holder and item selects labelled by name, never by number."""

    def set_choices(self, holders) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if name in ("holder", "to_holder", "requester", "supplier"):
                field.queryset = holders
                field.label_from_instance = lambda h: h.name
            elif name == "item":
                field.queryset = Item.objects.all()
                field.label_from_instance = lambda i: f"{i.label} ({i.unit_label})"


class HolderForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=HolderKind.choices)
    area = AreaField(
        label=_("Area"),
        levels=[AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE],
    )


class MovementForm(ChoicesMixin, forms.Form):
    holder = forms.ModelChoiceField(label=_("Holder"), queryset=None)
    item = forms.ModelChoiceField(label=_("Item"), queryset=None)
    kind = forms.ChoiceField(label=pgettext_lazy("stock", "Movement"), choices=MOVEMENT_KINDS)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    document_number = forms.CharField(label=_("Document number"), max_length=64)
    to_holder = forms.ModelChoiceField(label=_("To (a transfer)"), queryset=None, required=False)


class PeakUseForm(ChoicesMixin, forms.Form):
    holder = forms.ModelChoiceField(label=_("Holder"), queryset=None)
    item = forms.ModelChoiceField(label=_("Item"), queryset=None)
    peak_daily_use = forms.IntegerField(label=_("Daily use at the peak"), min_value=0)


class RequestForm(ChoicesMixin, forms.Form):
    requester = forms.ModelChoiceField(label=_("Requested by"), queryset=None)
    item = forms.ModelChoiceField(label=_("Item"), queryset=None)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class DecisionForm(ChoicesMixin, forms.Form):
    supplier = forms.ModelChoiceField(label=_("Allocate from"), queryset=None, required=False)
    quantity = forms.IntegerField(
        label=_("Quantity (all asked, if empty)"), min_value=1, required=False
    )
    reason = forms.CharField(label=_("Reason for a refusal"), max_length=255, required=False)
