"""The teams' pages' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanyi.accounts.models import User
from zhanyi.core.pickers import UserFormMixin
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField

from .models import ControlMeasure, MemberRole, Shift, TeamKind


class TeamForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the team"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    area = AreaField(
        label=_("Area"),
        levels=[AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE],
    )
    shift = forms.ChoiceField(label=_("Shift"), choices=Shift.choices)


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role in the team"), choices=MemberRole.choices)
    username = forms.CharField(
        label=_("Account (user name)"),
        max_length=150,
        required=False,
        help_text=_("Leave empty for a member without an account."),
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    leader = forms.BooleanField(label=_("Leads the team"), required=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No active account is named %(name)s.") % {"name": username}
            )
        return user


class TrainingForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int)
    course = forms.CharField(label=_("Course"), max_length=100)
    taken_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    passed = forms.BooleanField(label=_("Passed"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, str(m)) for m in members]


class LeaderForm(forms.Form):
    leader = forms.IntegerField(widget=forms.HiddenInput)


class ControlForm(forms.Form):
    # Not required here: the action refuses a close without a measure, in its words.
    measure = forms.ChoiceField(
        label=_("Measure taken"),
        choices=ControlMeasure.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    measured_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
