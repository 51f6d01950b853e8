"""The quarantine pages' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanyi.core.pickers import UserFormMixin
from zhanyi.people.pickers import PersonField
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField
from zhanyi.quarantine.models import ZONE_ITEMS, ContactKind, RoomState, SiteKind
from zhanyi.quarantine.pickers import RoomField


class SiteForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the site"), max_length=200)
    area = AreaField(
        label=_("Area"), levels=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    lon = forms.FloatField(label=_("Longitude"))
    lat = forms.FloatField(label=_("Latitude"))
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    reserve = forms.BooleanField(label=_("Reserve site"), required=False)


class RoomsForm(forms.Form):
    first = forms.IntegerField(label=_("First room number"), min_value=1)
    last = forms.IntegerField(label=_("Last room number"), min_value=1)
    capacity = forms.IntegerField(label=_("People per room"), min_value=1, max_value=4, initial=1)


class ZonesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item, label in ZONE_ITEMS.items():
            self.fields[item] = forms.BooleanField(label=label, required=False)


class RoomStateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("New state"),
        choices=[
            (s.value, s.label)
            for s in (RoomState.VACANT, RoomState.CLEANING, RoomState.OUT_OF_SERVICE)
        ],
    )


class HealthCheckForm(forms.Form):
    temperature = forms.DecimalField(label=_("Temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = forms.CharField(label=_("Symptoms"), max_length=255, required=False)


class MoveForm(UserFormMixin, forms.Form):
    room = RoomField(label=_("Move to room"))

    def __init__(self, *args, site_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if site_id:
            self.fields["room"].for_site(site_id)


class QueueAddForm(UserFormMixin, forms.Form):
    person = PersonField(label=_("Person"))
    kind = forms.ChoiceField(label=_("Contact kind"), choices=ContactKind.choices)
