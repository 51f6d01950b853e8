"""Deadlines of hospital care, for the supervision ledger: the follow-up tests
after discharge, in the weeks the protocol names (``[discharge]
follow_up_weeks``: weeks 2 and 4, 出院后第2周和第4周随访复查). Each item carries
its own due time (the end of its week); the follow-up of week ``w`` is done by
the first test sampled from the start of that week."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.deadlines import Item, deadline, window_start
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import area_filter
from zhanyi.places.models import Area

from .actions.common import rule
from .models import Admission


@deadline(
    "care.follow_up", gettext_lazy("Follow-up test after discharge"), "", owner="coordination"
)
def follow_ups(area: Area | None, now: dt.datetime) -> list[Item]:
    """Follow-ups past the end of their week without a test, and those done late lately."""
    items = []
    discharged = (
        Admission.objects.filter(
            discharged_at__lt=now - dt.timedelta(days=7), **area_filter(area, "area__path")
        )
        .select_related("person", "area")
        .prefetch_related("tests")
    )
    for admission in discharged:
        assert admission.discharged_at is not None
        sampled = sorted(t.sampled_at for t in admission.tests.all())
        for week in rule(admission.protocol).follow_up_weeks:
            start = admission.discharged_at + dt.timedelta(days=7 * (week - 1))
            due = admission.discharged_at + dt.timedelta(days=7 * week)
            done = next((s for s in sampled if s >= start), None)
            if done is not None and done > now:
                done = None
            open_late = done is None and due < now
            closed_late = done is not None and due < done and done >= window_start(now)
            if open_late or closed_late:
                items.append(
                    Item(
                        deadline="care.follow_up",
                        what=_("Follow-up test in week %(week)d after discharge") % {"week": week},
                        whose=mask_name(admission.person.name),
                        area=admission.area,
                        due_at=due,
                        closed_at=done,
                        link=reverse("care:admission", args=[admission.pk]),
                    )
                )
    return items
