"""The checkpoints pages' forms."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanyi.accounts.models import User
from zhanyi.core.pickers import UserFormMixin
from zhanyi.people.pickers import PersonField
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField

from .models import CodeColour, Movement, StationKind
from .pickers import RouteAreaField


class StationForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the checkpoint"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=StationKind.choices)
    area = AreaField(
        label=_("Area"), levels=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
    )
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False)


class ShiftForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    staff = forms.ModelMultipleChoiceField(
        label=_("Staff"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        if station is not None:
            # Accounts that work where the station is: its area or above it.
            ancestors = [station.area.path[:i] for i in range(len(station.area.path) + 1)]
            self.fields["staff"].queryset = User.objects.filter(
                is_active=True,
                jurisdiction__path__in=[p for p in ancestors if p] or [station.area.path],
            ).order_by("username")
        self.fields["staff"].label_from_instance = lambda u: u.get_full_name() or u.username


class CheckForm(UserFormMixin, forms.Form):
    """One check on the phone page; ``client_id`` is made once per form shown."""

    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    station = forms.IntegerField(widget=forms.HiddenInput)
    plate = forms.CharField(
        label=_("Plate"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "placeholder": "闽E12345"}
        ),
    )
    people = forms.IntegerField(label=_("People in the vehicle"), min_value=1, initial=1)
    code_colour = forms.ChoiceField(
        label=_("Health code"), choices=CodeColour.choices, widget=forms.RadioSelect
    )
    test_age_hours = forms.IntegerField(
        label=_("Hours since the negative test"),
        min_value=0,
        required=False,
        help_text=_("Leave empty when no test is shown."),
    )
    origin_area = RouteAreaField(label=_("Coming from (area)"), required=False)
    origin_city = forms.CharField(label=_("or from the city"), max_length=100, required=False)
    destination_area = RouteAreaField(label=_("Going to (area)"), required=False)
    destination = forms.CharField(label=_("Destination"), max_length=100, required=False)
    person = PersonField(label=_("Person (from the index)"), required=False)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    identity_number = forms.CharField(label=_("Identity number"), max_length=32, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)


class PersonForm(UserFormMixin, forms.Form):
    person = PersonField(label=_("Person (from the index)"), required=False)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    identity_number = forms.CharField(label=_("Identity number"), max_length=32, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)


class VesselForm(forms.Form):
    registration = forms.CharField(label=_("Registration"), max_length=32)
    name = forms.CharField(label=_("Vessel name"), max_length=100, required=False)
    home_port = forms.ModelChoiceField(label=_("Home port"), queryset=None)
    skipper = forms.CharField(label=_("Skipper"), max_length=100, required=False)

    def __init__(self, *args, ports=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_port"].queryset = ports


class ReportForm(forms.Form):
    vessel = forms.ModelChoiceField(label=_("Vessel"), queryset=None)
    port = forms.ModelChoiceField(label=_("Port"), queryset=None)
    movement = forms.ChoiceField(label=_("Movement"), choices=Movement.choices)
    crew = forms.IntegerField(label=_("Crew"), min_value=1)
    crew_names = forms.CharField(
        label=_("Crew names"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_back_at = forms.DateTimeField(
        label=_("Due back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, ports=None, vessels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["port"].queryset = ports
        self.fields["vessel"].queryset = vessels


class CrewCheckForm(forms.Form):
    vessel = forms.ModelChoiceField(label=_("Vessel"), queryset=None)
    port = forms.ModelChoiceField(label=_("Port"), queryset=None)
    crew_checked = forms.IntegerField(label=_("Crew checked"), min_value=1)
    fever = forms.IntegerField(label=_("With fever"), min_value=0, initial=0)
    sampled = forms.IntegerField(label=_("Sampled for testing"), min_value=0, initial=0)
    foreign_contact = forms.BooleanField(
        label=_("Contact with foreign people, vessels or goods"), required=False
    )
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)

    def __init__(self, *args, ports=None, vessels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["port"].queryset = ports
        self.fields["vessel"].queryset = vessels


class PatrolForm(forms.Form):
    port = forms.ModelChoiceField(label=_("Port"), queryset=None)
    started_at = forms.DateTimeField(
        label=_("Started at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ended_at = forms.DateTimeField(
        label=_("Ended at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    route = forms.CharField(label=_("Route"), max_length=255)
    vessels_checked = forms.IntegerField(label=_("Vessels checked"), min_value=0, initial=0)
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, ports=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["port"].queryset = ports
