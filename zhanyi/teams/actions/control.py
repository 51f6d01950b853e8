"""Control first, then screen (先管后筛): the village team closes each ``control``
hand-off with the measure it took, and the clock escalates the overdue ones.

Tracing writes a ``control`` hand-off for each new close or secondary contact,
screening for each person found and kept at home, quarantine and testing for
theirs; each is due within the protocol's ``control_hours`` (2 h). The village's
team puts the person under control at home, asks for centralised quarantine
(a ``transfer`` hand-off to the quarantine task force), or reports them not
found; the measure and its time are kept in a ``ControlRecord``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.lengths import too_long
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, load_protocol
from zhanyi.handoffs.actions import HandoffSpec, do_close_handoff, do_create_handoffs
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import LEVEL_DEPTH, Area, AreaLevel
from zhanyi.teams.models import ControlMeasure, ControlRecord

from .common import record, require


def _transfer_hours() -> int:
    return load_protocol(DEFAULT_PROTOCOL).deadlines.transfer_hours


def _request_transfer(handoff: Handoff, at: dt.datetime, acting_user) -> bool:
    """A ``transfer`` hand-off for the person, unless one is open already."""
    if Handoff.objects.filter(
        person_id=handoff.person_id, kind=HandoffKind.TRANSFER, status=HandoffStatus.OPEN
    ).exists():
        return False
    created = do_create_handoffs(
        [
            HandoffSpec(
                key=f"teams.control:{handoff.pk}:transfer",
                kind=HandoffKind.TRANSFER,
                person_id=handoff.person_id,
                area_id=handoff.area_id,
                from_task_force=TaskForceKind.COMMUNITY,
                to_task_force=TaskForceKind.TRANSFER,
                # The contact's origin: quarantine counts its days from the
                # same test schedule.
                origin=handoff.origin,
                due_at=at + dt.timedelta(hours=_transfer_hours()),
            )
        ],
        acting_user=acting_user,
        origin_label=f"teams.control:{handoff.pk}",
    )
    return created > 0


@transaction.atomic
def do_close_control(
    handoff: Handoff,
    *,
    acting_user,
    measure: str,
    measured_at: dt.datetime | None = None,
    note: str = "",
    request=None,
) -> ControlRecord:
    """Close a control task with the measure taken and when (default: now)."""
    handoff = Handoff.objects.select_for_update().select_related("area").get(pk=handoff.pk)
    require(acting_user, "edit_person", handoff.area)
    now = timezone.now()
    measured_at = measured_at or now
    errors: dict[str, Any] = {}
    if handoff.kind != HandoffKind.CONTROL:
        errors["handoff"] = _("This is not a control task (%(kind)s).") % {
            "kind": handoff.get_kind_display()
        }
    elif handoff.status != HandoffStatus.OPEN:
        errors["handoff"] = _("This control task was closed already (%(status)s, %(at)s).") % {
            "status": handoff.get_status_display(),
            "at": timezone.localtime(handoff.closed_at).strftime("%Y-%m-%d %H:%M")
            if handoff.closed_at
            else "",
        }
    if not measure:
        errors["measure"] = _(
            "Say which measure was taken: controlled at home, centralised quarantine"
            " requested, or not found. A control task is not closed without one."
        )
    elif measure not in ControlMeasure.values:
        errors["measure"] = _("Unknown measure: %(measure)s.") % {"measure": measure}
    if timezone.is_naive(measured_at):
        raise ValueError("measured_at must be timezone-aware")
    if measured_at > now + dt.timedelta(minutes=5):
        errors["measured_at"] = _("The measure cannot be taken in the future (%(at)s).") % {
            "at": timezone.localtime(measured_at).strftime("%Y-%m-%d %H:%M")
        }
    if long := too_long(ControlRecord, "note", note):
        errors["note"] = long
    if errors:
        raise ValidationError(errors)
    control, _created = ControlRecord.objects.get_or_create(handoff=handoff)
    control.measure = measure
    control.measured_at = measured_at
    control.note = note
    control.closed_by_name = actor_name(acting_user)
    control.save(update_fields=["measure", "measured_at", "note", "closed_by_name"])
    do_close_handoff(
        handoff,
        acting_user=acting_user,
        outcome=str(ControlMeasure(measure).label),
        request=request,
    )
    transfer = measure == ControlMeasure.CENTRALISED_REQUESTED and _request_transfer(
        handoff, measured_at, acting_user
    )
    record(
        "teams.control.close",
        acting_user=acting_user,
        obj=handoff,
        area=handoff.area,
        detail={
            "person": handoff.person_id,
            "measure": measure,
            "measured_at": measured_at.isoformat(),
            "late": measured_at > handoff.due_at,
            "transfer_requested": transfer,
        },
        request=request,
    )
    return control


def _townships(areas: set[Area]) -> dict[int, int]:
    """Area id → the id of the township above it (itself when it is one or above)."""
    depth = LEVEL_DEPTH[AreaLevel.TOWNSHIP]
    wanted: dict[int, str] = {}
    for area in areas:
        codes = [c for c in area.path.strip("/").split("/") if c]
        if LEVEL_DEPTH.get(area.level, 0) > depth and len(codes) > depth:
            wanted[area.pk] = codes[depth]
    ids = dict(
        Area.objects.filter(code__in=set(wanted.values()), level=AreaLevel.TOWNSHIP).values_list(
            "code", "id"
        )
    )
    return {area.pk: ids.get(wanted.get(area.pk, ""), area.pk) for area in areas}


@transaction.atomic
def do_escalate_overdue_controls(*, acting_user, now: dt.datetime | None = None) -> int:
    """Open control tasks past their deadline go to the township (超时上报), as
    overdue screening tasks do; return how many were escalated now."""
    now = now or timezone.now()
    overdue = list(
        Handoff.objects.filter(kind=HandoffKind.CONTROL, status=HandoffStatus.OPEN, due_at__lt=now)
        .exclude(control_record__escalated_at__isnull=False)
        .select_related("area")
    )
    if not overdue:
        return 0
    townships = _townships({h.area for h in overdue})
    existing = {
        r.handoff_id: r
        for r in ControlRecord.objects.select_for_update().filter(
            handoff_id__in=[h.pk for h in overdue]
        )
    }
    new: list[ControlRecord] = []
    changed: list[ControlRecord] = []
    for handoff in overdue:
        control = existing.get(handoff.pk) or ControlRecord(handoff=handoff)
        control.escalated_at = now
        control.escalated_to_id = townships.get(handoff.area_id, handoff.area_id)
        (changed if control.pk else new).append(control)
    ControlRecord.objects.bulk_create(new, batch_size=1000)
    ControlRecord.objects.bulk_update(changed, ["escalated_at", "escalated_to"], batch_size=1000)
    audit.record(
        actor=acting_user,
        action="teams.control.escalate",
        object_type="handoffs.handoff",
        detail={"escalated": len(overdue), "ids": [h.pk for h in overdue][:1000]},
    )
    return len(overdue)
