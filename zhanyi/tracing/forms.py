"""Forms of the tracing workbench. They parse input; the rules live in the actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.core.pickers import UserFormMixin
from zhanyi.engine.protocol import PROTOCOLS_DIR
from zhanyi.people.pickers import PersonField
from zhanyi.places.pickers import PlaceField

from .models import CaseClassification, Certainty, ExposureSetting, SourceKind

LOCAL_DATETIME = {"type": "datetime-local"}


def protocol_choices() -> list[tuple[str, str]]:
    return [(p.stem, p.stem) for p in sorted(PROTOCOLS_DIR.glob("*.toml"))]


class DateTimeField(forms.DateTimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateTimeInput(attrs=LOCAL_DATETIME))
        super().__init__(**kwargs)


class CaseForm(UserFormMixin, forms.Form):
    """A case entered by hand (the person found in the index by name or number)."""

    person_id = PersonField(
        label=_("Person"),
        help_text=_("Search by name, identity number or phone, and pick the person."),
    )
    classification = forms.ChoiceField(
        label=_("Classification"), choices=CaseClassification.choices
    )
    onset_date = forms.DateField(
        label=_("Symptom onset"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for an asymptomatic infection."),
    )
    sampled_at = DateTimeField(label=_("Sampled at"))
    reported_at = DateTimeField(label=_("Result reported at"))
    isolated_at = DateTimeField(label=_("Isolated at"), required=False)
    hospital = forms.CharField(label=_("Hospital"), max_length=200, required=False)
    protocol_name = forms.ChoiceField(label=_("Protocol"), choices=protocol_choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CaseUpdateForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("Classification"), choices=CaseClassification.choices
    )
    onset_date = forms.DateField(
        label=_("Symptom onset"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    isolated_at = DateTimeField(label=_("Isolated at"), required=False)
    hospital = forms.CharField(label=_("Hospital"), max_length=200, required=False)
    transferred_at = DateTimeField(label=_("Transferred to hospital at"), required=False)


class TrajectoryForm(UserFormMixin, forms.Form):
    start = DateTimeField(label=pgettext_lazy("period", "From"))
    end = DateTimeField(label=pgettext_lazy("period", "Until"), required=False)
    place_id = PlaceField(label=_("Place"), required=False)
    description = forms.CharField(label=_("Where"), max_length=255, required=False)


class InterviewForm(UserFormMixin, forms.Form):
    held_at = DateTimeField(label=_("Held at"))
    interviewee_id = PersonField(label=_("Interviewee"), required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))


class ExposureForm(UserFormMixin, forms.Form):
    """An exposure of the case (or of one of its contacts) with another person.

    The exposed person is either found in the person index or a new person
    (name and phone or identity number), who is checked for duplicates first.
    """

    from_person_id = PersonField(label=_("Exposed to (empty: the case)"), required=False)
    person_id = PersonField(label=_("Exposed person, found in the index"), required=False)
    name = forms.CharField(label=_("or a new person: name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    identity_number = forms.CharField(label=_("Identity number"), max_length=40, required=False)
    setting = forms.ChoiceField(label=_("Setting"), choices=ExposureSetting.choices)
    exposed_at = DateTimeField(label=_("When"))
    certainty = forms.ChoiceField(
        label=_("Certainty"), choices=Certainty.choices, initial=Certainty.CONFIRMED
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("person_id") and not data.get("name"):
            raise forms.ValidationError(
                _("Pick the exposed person from the index, or give a new person's name.")
            )
        return data


class QuarantinedForm(forms.Form):
    quarantined_at = DateTimeField(label=_("In quarantine since"))


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class AssignForm(forms.Form):
    """A case given to a tracing team by hand (流调队), or moved with a reason."""

    team = forms.TypedChoiceField(label=_("Tracing team"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, f"{t.name} · {t.area.name}") for t in teams]


class SourceForm(forms.Form):
    """The probable source of a case's infection (溯源)."""

    kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices)
    source_case = forms.IntegerField(
        label=_("Source case number"),
        required=False,
        min_value=1,
        help_text=_("For another case: its number (#)."),
    )
    origin = forms.CharField(
        label=_("Origin"),
        max_length=200,
        required=False,
        help_text=_(
            "For an imported source: the risk area travelled from, or the cold-chain item."
        ),
    )
    evidence = forms.CharField(
        label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
