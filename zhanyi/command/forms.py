"""The headquarters' forms: directives, supervision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.accounts.models import TaskForce, TaskForceKind
from zhanyi.core.pickers import UserFormMixin
from zhanyi.places.models import CoordinateSystem
from zhanyi.places.pickers import AreaField

from . import drills
from .models import GroupKind, Measure

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


class TaskForceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: TaskForce) -> str:
        return f"{obj.headquarters.name} · {obj.get_kind_display()}"


class DirectiveForm(UserFormMixin, forms.Form):
    title = forms.CharField(label=_("What is to be done"), max_length=400)
    body = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    area = AreaField(label=_("Area"))
    task_force = TaskForceChoice(
        label=_("Owning task force"),
        queryset=TaskForce.objects.select_related("headquarters"),
        required=False,
        empty_label=_("(the area's staff)"),
    )
    due_at = forms.DateTimeField(label=_("Deadline"), widget=LOCAL_DATETIME)


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence: what was done"), widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)


class LedgerFilterForm(forms.Form):
    owner = forms.ChoiceField(
        label=_("Task force"),
        choices=[("", _("All task forces")), *TaskForceKind.choices],
        required=False,
    )
    area = forms.CharField(label=_("Area code"), max_length=20, required=False)


class GroupForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    area = AreaField(label=_("Area covered"))
    leader = forms.CharField(label=_("Leader"), max_length=100, required=False)
    members = forms.CharField(
        label=_("Members"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class VisitForm(UserFormMixin, forms.Form):
    area = AreaField(label=_("Area visited"))
    visited_at = forms.DateTimeField(label=_("Visited at"), widget=LOCAL_DATETIME)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class FindingForm(forms.Form):
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(
        label=_("Owning task force"),
        choices=[("", _("(the area's staff)")), *TaskForceKind.choices],
        required=False,
    )
    rectify_by = forms.DateTimeField(label=_("Rectify by"), widget=LOCAL_DATETIME)


class RectifyForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    rectification = forms.CharField(
        label=_("How it was rectified"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AccountabilityForm(UserFormMixin, forms.Form):
    area = AreaField(label=_("Area"))
    held = forms.CharField(label=_("Held to account (unit or post)"), max_length=200)
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class HeadquartersForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=100)
    area = AreaField(label=_("Area"))
    activated_at = forms.DateTimeField(
        label=_("Activated at"), widget=LOCAL_DATETIME, required=False
    )


class TaskForceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Task force"), choices=TaskForceKind.choices)


class LeadForm(forms.Form):
    task_force = forms.IntegerField(widget=forms.HiddenInput)
    lead = forms.CharField(label=_("Lead"), max_length=200, required=False)


class MemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    task_force = forms.TypedChoiceField(label=_("Task force"), coerce=int, choices=[])

    def __init__(self, *args, task_forces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_force"].choices = [(tf.pk, tf.get_kind_display()) for tf in task_forces]


class TwinForm(UserFormMixin, forms.Form):
    county = AreaField(label=_("County"), levels=["county"])
    twin = AreaField(label=_("Twinned with"), levels=["county"])


class MeetingForm(forms.Form):
    held_at = forms.DateTimeField(label=_("When held"), widget=LOCAL_DATETIME)
    chaired_by = forms.CharField(label=_("Chaired by"), max_length=150, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


def parse_pairs(text: str) -> dict[str, str]:
    """``name=value`` lines (or ``name：value``) as a mapping; blank lines skipped."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        left, sep, right = line.replace("：", "=").replace(":", "=").partition("=")
        if not sep or not left.strip() or not right.strip():
            raise forms.ValidationError(
                _("Write each line as name=value: %(line)s") % {"line": line}
            )
        out[left.strip()] = right.strip()
    return out


class DataLoadForm(forms.Form):
    """A file of the city's reference data: division codes, boundaries or places."""

    file = forms.FileField(label=_("File"))
    prefix = forms.CharField(
        label=_("Only codes starting with"),
        required=False,
        max_length=12,
        help_text=_("For a province's file: 3506 keeps one city's areas."),
    )
    tolerance = forms.FloatField(
        label=_("Tolerance (metres)"),
        initial=200.0,
        min_value=0,
        max_value=5000,
        help_text=_("How far a boundary may pass its parent's."),
    )
    categories = forms.CharField(
        label=_("Category mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the file's category=kind, for example 驿站=station."),
    )
    coordinate_system = forms.ChoiceField(
        label=_("Coordinate system"),
        choices=CoordinateSystem.choices,
        initial=CoordinateSystem.WGS84,
        required=False,
        help_text=_(
            "Points or boundaries taken from Amap or Tencent maps are GCJ-02, from Baidu "
            "BD-09: they are converted to WGS-84."
        ),
    )
    mapping = forms.CharField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: field=the file's header, for example code=区划代码."),
    )

    FIELDS_OF = {
        "areas": ("file", "prefix", "mapping"),
        "boundaries": ("file", "tolerance", "coordinate_system"),
        "places": ("file", "categories", "mapping", "coordinate_system"),
    }

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.FIELDS_OF[kind]:
                del self.fields[name]

    def clean_coordinate_system(self) -> str:
        return self.cleaned_data.get("coordinate_system") or CoordinateSystem.WGS84

    def clean_categories(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data.get("categories") or "")

    def clean_mapping(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data.get("mapping") or "")


class PlanVersionForm(forms.Form):
    """A draft of the emergency plan (应急预案): its text and its flowcharts,
    written as the standard flowcharts file is (TOML, ``[[flowchart]]``)."""

    number = forms.IntegerField(label=_("Version"), min_value=1)
    title = forms.CharField(label=_("Title"), max_length=400)
    effective_on = forms.DateField(
        label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(
        label=_("Text (a line starting with # begins a section)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
    )
    flowcharts = forms.CharField(
        label=_("Flowcharts"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "mono"}),
        required=False,
        help_text=_("Empty: those of the version in force, or the standard ones."),
    )


class DrillForm(forms.Form):
    name = forms.SlugField(
        label=_("Drill name"),
        max_length=30,
        help_text=_("Lower-case letters, digits and hyphens."),
    )
    scenario = forms.ChoiceField(
        label=_("Scenario"),
        choices=[(s.name, s.label) for s in drills.SCENARIOS.values()],
    )
