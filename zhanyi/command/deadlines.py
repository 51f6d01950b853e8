"""The headquarters' own deadlines, for the supervision ledger: directives
past their deadline and not done, and findings not rectified by theirs. Each
item carries its own due time (set when it was issued or found)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.core.deadlines import Item, deadline, window_start
from zhanyi.core.metrics import area_filter
from zhanyi.places.models import Area

from .models import Directive, DirectiveState, Finding

OPEN_STATES = [DirectiveState.ISSUED, DirectiveState.ACKNOWLEDGED]


@deadline("command.directive", gettext_lazy("Directive"), owner="coordination")
def directives(area: Area | None, now: dt.datetime) -> list[Item]:
    late = (
        Directive.objects.filter(**area_filter(area, "area__path"))
        .filter(
            Q(state__in=OPEN_STATES, due_at__lt=now)
            | Q(done_at__gt=F("due_at"), done_at__gte=window_start(now), done_at__lte=now)
        )
        .select_related("area", "task_force")
    )
    return [
        Item(
            deadline="command.directive",
            what=_("Directive: %(title)s") % {"title": d.title},
            whose=d.owner_label(),
            area=d.area,
            due_at=d.due_at,
            closed_at=d.done_at,
            link=reverse("command:directive", args=[d.pk]),
            owner=d.task_force.kind if d.task_force_id else "",
        )
        for d in late
    ]


@deadline("command.rectification", gettext_lazy("Rectification of a finding"), owner="supervision")
def rectifications(area: Area | None, now: dt.datetime) -> list[Item]:
    late = (
        Finding.objects.filter(**area_filter(area, "visit__area__path"))
        .filter(
            Q(rectified_at=None, rectify_by__lt=now)
            | Q(
                rectified_at__gt=F("rectify_by"),
                rectified_at__gte=window_start(now),
                rectified_at__lte=now,
            )
        )
        .select_related("visit__area", "visit__group")
    )
    return [
        Item(
            deadline="command.rectification",
            what=_("Rectify: %(finding)s") % {"finding": f.text[:80]},
            whose=f.visit.group.name,
            area=f.visit.area,
            due_at=f.rectify_by,
            closed_at=f.rectified_at,
            link=reverse("command:visit", args=[f.visit_id]),
            owner=f.owner,
        )
        for f in late
    ]
