"""Forms of the testing pages (parsing only; the actions check the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanyi.core.pickers import UserFormMixin
from zhanyi.places.pickers import AreaField

from .actions.common import testing_rule
from .models import RoundKind


def pool_size_choices() -> list[tuple[int, str]]:
    """The protocol's pool sizes, its default first (read when a form is built)."""
    rule = testing_rule()
    sizes = sorted(rule.pool_sizes, key=lambda k: (k != rule.default_pool_size, k))
    return [(k, str(k)) for k in sizes]


class RoundForm(UserFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("object", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=RoundKind.choices)
    areas = AreaField(
        label=_("Areas"),
        multiple=True,
        key="code",
        help_text=_("Search by name (or code) and pick one or more areas."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    pool_size = forms.TypedChoiceField(
        label=_("Pool size"),
        coerce=int,
        choices=pool_size_choices,
    )
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=0)
    max_age = forms.IntegerField(label=_("Maximum age"), required=False, min_value=0)


class ScanForm(forms.Form):
    site = forms.IntegerField(label=_("Sampling site"))
    round = forms.IntegerField(label=_("Round"), required=False)
    pool_size = forms.IntegerField(label=_("Pool size"), required=False, min_value=1)
    tube = forms.CharField(label=_("Tube barcode"), max_length=64)
    code = forms.CharField(label=_("Person's code"), max_length=128)


class ResultUploadForm(forms.Form):
    lab = forms.CharField(label=_("Laboratory code"), max_length=32)
    file = forms.FileField(label=_("Result file (CSV)"))


class SampleUploadForm(forms.Form):
    file = forms.FileField(label=_("Offline sampling file (CSV or xlsx)"))


class PoolSizeForm(forms.Form):
    prevalence = forms.FloatField(label=_("Estimated prevalence"), min_value=0, max_value=1)
    cap = forms.IntegerField(label=_("Largest pool allowed"), required=False, min_value=1)
    population = forms.IntegerField(label=_("People to test"), required=False, min_value=0)
