"""Publicity's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanyi.core.pickers import UserFormMixin
from zhanyi.places.pickers import AreaField

from .models import MediaKind, MediaLevel

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})
DATE = forms.DateInput(attrs={"type": "date"})


class ConferenceForm(UserFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=400)
    held_at = forms.DateTimeField(label=_("When held"), widget=LOCAL_DATETIME)
    area = AreaField(label=_("Area"))
    place = forms.CharField(label=_("Place"), max_length=400, required=False)
    speakers = forms.CharField(
        label=_("Speakers (one a line: name and post)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    topics = forms.CharField(
        label=_("Topics (one a line)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class NoticeForm(UserFormMixin, forms.Form):
    source = forms.ChoiceField(label=_("Drafted from"), required=False)
    title = forms.CharField(label=_("Title"), max_length=400, required=False)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    area = AreaField(label=_("Area"), required=False)

    def __init__(self, *args, drafts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            ("", _("(written by hand)")),
            *[(f"{d.kind}:{d.key}", d.label) for d in drafts],
        ]


class PublishForm(forms.Form):
    published_on = forms.DateField(label=_("Published on"), widget=DATE)
    channel = forms.CharField(label=_("Published in"), max_length=200, required=False)


class MediaForm(UserFormMixin, forms.Form):
    outlet = forms.CharField(label=_("Outlet"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=MediaLevel.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=MediaKind.choices)
    published_on = forms.DateField(label=_("Published on"), widget=DATE)
    count = forms.IntegerField(label=_("Number of reports"), initial=1, max_value=1_000_000)
    title = forms.CharField(label=_("Title"), max_length=400, required=False)
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    area = AreaField(label=_("Area"))


class OpinionForm(UserFormMixin, forms.Form):
    summary = forms.CharField(label=_("What is said"), max_length=400)
    platform = forms.CharField(label=_("Where it is said"), max_length=200)
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    area = AreaField(label=_("Area"))
    found_at = forms.DateTimeField(label=_("Found at"), widget=LOCAL_DATETIME)


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    resolve = forms.BooleanField(label=_("This resolves it"), required=False)
