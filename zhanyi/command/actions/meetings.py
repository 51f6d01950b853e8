"""Writes of the daily coordination meeting (每日调度会): recording a meeting,
and the decisions it takes, each recorded as a directive (指令) linked to it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForce
from zhanyi.command.models import Directive, Meeting
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area

from .common import require_city
from .directives import do_issue_directive


def _local(value: dt.datetime) -> str:
    return f"{value.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


@transaction.atomic
def do_record_meeting(
    *,
    acting_user,
    held_at: dt.datetime,
    chaired_by: str = "",
    notes: str = "",
    request=None,
) -> Meeting:
    """Record the city headquarters' daily meeting held (or to be held) at
    ``held_at``: one meeting a time; its pack is generated from the records."""
    require_city(acting_user, "approve")
    if Meeting.objects.filter(held_at=held_at).exists():
        raise ValidationError(
            {"held_at": _("A meeting at %(time)s is recorded already.") % {"time": _local(held_at)}}
        )
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                held_at=held_at,
                chaired_by=" ".join(chaired_by.split()),
                notes=notes.strip(),
                created_by_name=actor_name(acting_user),
            )
    except IntegrityError:
        raise ValidationError(
            {"held_at": _("A meeting at %(time)s is recorded already.") % {"time": _local(held_at)}}
        ) from None
    audit.record(
        actor=acting_user,
        action="meeting.record",
        obj=meeting,
        detail={"held_at": held_at.isoformat(), "chaired_by": meeting.chaired_by},
        request=request,
    )
    return meeting


@transaction.atomic
def do_record_decision(
    meeting: Meeting,
    *,
    acting_user,
    title: str,
    area: Area,
    due_at: dt.datetime,
    body: str = "",
    task_force: TaskForce | None = None,
    now: dt.datetime | None = None,
    request=None,
) -> Directive:
    """A decision the meeting took: a directive issued over ``area`` (the
    directive's own rules: ``approve`` over the area, a deadline after now, a
    task force working there), linked to the meeting. Decisions are recorded
    from the meeting's day on, not before it."""
    now = now or timezone.now()
    held_day = meeting.held_at.astimezone(LOCAL_TZ).date()
    if now.astimezone(LOCAL_TZ).date() < held_day:
        raise ValidationError(
            {
                "meeting": _(
                    "The meeting of %(time)s has not been held yet: its decisions are "
                    "recorded from that day on."
                )
                % {"time": _local(meeting.held_at)}
            }
        )
    return do_issue_directive(
        acting_user=acting_user,
        title=title,
        area=area,
        due_at=due_at,
        body=body,
        task_force=task_force,
        meeting=meeting,
        now=now,
        request=request,
    )
