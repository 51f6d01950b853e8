"""The zone pages' forms."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.places.models import Area, Place
from zhanyi.places.risk import Tier

_SPLIT = re.compile(r"[,，、;；\s]+")


def _names(value: str) -> list[str]:
    return [n for n in _SPLIT.split(value or "") if n]


class ProposeForm(forms.Form):
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), choices=Tier.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    areas = forms.CharField(
        label=gettext_lazy("Areas"),
        required=False,
        help_text=gettext_lazy("Names or codes of areas, separated by commas."),
    )
    places = forms.CharField(
        label=gettext_lazy("Places"),
        required=False,
        help_text=gettext_lazy("Names of places (a residential compound), separated by commas."),
    )

    polygon = forms.CharField(
        label=gettext_lazy("Drawn outline"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-outline-input": ""}),
        help_text=gettext_lazy(
            "Draw it on the map (a click adds a corner), or paste a GeoJSON Polygon."
        ),
    )

    def clean_polygon(self) -> str | None:
        return (self.cleaned_data.get("polygon") or "").strip() or None

    def clean_areas(self) -> list[Area]:
        found, errors = [], []
        for name in _names(self.cleaned_data.get("areas", "")):
            matches = list(Area.objects.filter(Q(code=name) | Q(name=name))[:5])
            if not matches:
                errors.append(_("No area is called %(name)s.") % {"name": name})
            elif len(matches) > 1:
                errors.append(
                    _("%(name)s names several areas: give its code (%(codes)s).")
                    % {"name": name, "codes": "、".join(a.code for a in matches)}
                )
            else:
                found.append(matches[0])
        if errors:
            raise forms.ValidationError(errors)
        return found

    def clean_places(self) -> list[Place]:
        found, errors = [], []
        for name in _names(self.cleaned_data.get("places", "")):
            matches = list(Place.objects.filter(name=name).select_related("area")[:5])
            if not matches:
                errors.append(_("No place is called %(name)s.") % {"name": name})
            elif len(matches) > 1:
                errors.append(
                    _("%(name)s names several places: %(where)s.")
                    % {"name": name, "where": "、".join(p.area.name for p in matches)}
                )
            else:
                found.append(matches[0])
        if errors:
            raise forms.ValidationError(errors)
        return found


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
