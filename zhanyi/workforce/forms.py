"""The workforce pages' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanyi.core.pickers import UserFormMixin
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField
from zhanyi.workforce.models import Direction, ForceKind, Shift

LEVELS = [AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]


class DeploymentForm(UserFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of force"), choices=ForceKind.choices)
    area = AreaField(label=_("Area"), levels=LEVELS)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1)
    shift = forms.ChoiceField(label=_("Shift"), choices=Shift.choices, initial=Shift.ALL_DAY)
    post = forms.CharField(label=_("Where they serve"), max_length=200, required=False)


class TeamForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=200)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    kind = forms.ChoiceField(label=_("Kind of force"), choices=ForceKind.choices)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1)
    counterpart = forms.CharField(label=_("From or to"), max_length=200)
    area = AreaField(label=_("Our area"), levels=[AreaLevel.CITY, *LEVELS])


class BranchForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=_("Branch name"), max_length=200)
    area = AreaField(label=_("Area"), levels=LEVELS)
    members = forms.IntegerField(label=_("Party members"), min_value=0, initial=0)
    posts = forms.IntegerField(label=_("Party member posts"), min_value=0, initial=0)


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster (xlsx, xls or csv)"))
