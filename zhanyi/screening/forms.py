"""Forms of the screening pages: they parse input; the actions decide what is acceptable."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.core.pickers import UserFormMixin
from zhanyi.places.models import AreaLevel
from zhanyi.places.pickers import AreaField

from .models import PushSource, ScreeningTask
from .validation import FIELDS, TEMPLATE_HEADERS


class UploadForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Pushed by"), queryset=PushSource.objects.none())
    file = forms.FileField(
        label=_("File (xlsx, xls or csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
        required=False,
    )
    # The file kept after "Check the columns" (its saved name): imported when no
    # other file is chosen, so that one upload serves the check and the import.
    kept = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, kept: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = PushSource.objects.filter(kind=PushSource.Kind.PUSH)
        self.kept_name = kept
        # Columns of this file, when its headers are not the usual ones: shown
        # after "Check the columns".
        for field_name, label in FIELDS.items():
            self.fields[f"map_{field_name}"] = forms.CharField(
                label=label, max_length=100, required=False
            )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("file") and not self.uses_kept():
            self.add_error("file", self.fields["file"].error_messages["required"])
        return data

    def uses_kept(self) -> bool:
        """No file chosen, and the page's kept file is the one this session kept."""
        kept = self.cleaned_data.get("kept", "")
        return bool(kept) and kept == self.kept_name and not self.cleaned_data.get("file")

    def mapping(self) -> dict[str, str]:
        return {
            f: self.cleaned_data[f"map_{f}"].strip()
            for f in FIELDS
            if self.cleaned_data.get(f"map_{f}", "").strip()
        }

    def main_fields(self) -> list:
        return [self["source"], self["file"]]

    def map_fields(self) -> list:
        return [self[f"map_{f}"] for f in FIELDS]


class SourceForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("object", "Name"), max_length=100)
    origin_city = forms.CharField(label=_("Origin city"), max_length=100, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field_name, label in FIELDS.items():
            self.fields[f"map_{field_name}"] = forms.CharField(
                label=label,
                max_length=100,
                required=False,
                help_text=_("The column header in this source's files (default: %(header)s).")
                % {"header": TEMPLATE_HEADERS[field_name]},
            )

    def mapping(self) -> dict[str, str]:
        return {
            f: self.cleaned_data.get(f"map_{f}", "")
            for f in FIELDS
            if self.cleaned_data.get(f"map_{f}")
        }


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ScreeningTask.Outcome.choices, widget=forms.RadioSelect
    )
    found_where = forms.CharField(label=_("Where found"), max_length=255, required=False)
    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=[("", "—"), *ScreeningTask.Measure.choices],
        required=False,
    )
    test_arranged = forms.BooleanField(label=_("Test arranged"), required=False)
    current_location = forms.CharField(
        label=_("Where they are now (not in the city)"), max_length=255, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StepForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("contacted", _("Contacted")), ("note", _("Note"))], widget=forms.HiddenInput
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReassignForm(UserFormMixin, forms.Form):
    area = AreaField(label=_("Give the task to"), levels=[AreaLevel.VILLAGE, AreaLevel.TOWNSHIP])
    reason = forms.CharField(label=_("Reason"), max_length=255)


class CampaignForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("object", "Name"), max_length=100)
    villages = AreaField(label=_("Villages"), levels=[AreaLevel.VILLAGE], multiple=True)


class VisitForm(forms.Form):
    letter_delivered = forms.BooleanField(label=_("Letter delivered (一封信)"), required=False)
    questions_asked = forms.BooleanField(label=_("Three questions asked (三询问)"), required=False)
    notice_posted = forms.BooleanField(label=_("Notice posted (一告示)"), required=False)
    nobody_home = forms.BooleanField(label=_("Nobody at home"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    arrival_name = forms.CharField(label=_("Arrival: name"), max_length=100, required=False)
    arrival_identity_number = forms.CharField(
        label=_("Arrival: identity number"), max_length=32, required=False
    )
    arrival_phone = forms.CharField(label=_("Arrival: phone"), max_length=32, required=False)
    arrival_origin = forms.CharField(
        label=_("Arrival: came from (city)"), max_length=100, required=False
    )
    arrival_arrived_at = forms.CharField(
        label=_("Arrival: arrived (YYYY-MM-DD HH:MM)"), max_length=32, required=False
    )

    def arrivals(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("arrival_name"):
            return []
        return [
            {
                "name": data["arrival_name"],
                "identity_number": data.get("arrival_identity_number", ""),
                "phone": data.get("arrival_phone", ""),
                "origin": data.get("arrival_origin", ""),
                "arrived_at": data.get("arrival_arrived_at", ""),
            }
        ]
