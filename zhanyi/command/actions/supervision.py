"""Writes of supervision (督导): the supervision and inspection groups, their
visits and findings, the rectification (整改) of each finding by its deadline,
and accountability (问责) for slow or false work."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.command.models import (
    Accountability,
    Directive,
    Finding,
    GroupKind,
    Measure,
    SupervisionGroup,
    Visit,
)
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area

from .common import require_in_area


def _local(value: dt.datetime) -> str:
    return f"{value.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


def _required(errors: dict, field: str, value: str, message: str) -> str:
    value = value.strip()
    if not value:
        errors[field] = message
    return value


@transaction.atomic
def do_create_group(
    *,
    acting_user,
    name: str,
    kind: str,
    area: Area,
    leader: str = "",
    members: str = "",
    request=None,
) -> SupervisionGroup:
    """A supervision (督导组) or inspection group (督查组) covering ``area``."""
    require_in_area(acting_user, "approve", area)
    errors: dict[str, str] = {}
    name = _required(errors, "name", name, _("A group needs a name."))
    if kind not in GroupKind.values:
        errors["kind"] = _("A group is a supervision group or an inspection group.")
    if name and SupervisionGroup.objects.filter(name=name).exists():
        errors["name"] = _("There is a group named %(name)s already.") % {"name": name}
    if errors:
        raise ValidationError(errors)
    group = SupervisionGroup.objects.create(
        name=name, kind=kind, area=area, leader=leader.strip(), members=members.strip()
    )
    audit.record(
        actor=acting_user,
        action="supervision.group.create",
        obj=group,
        area=area,
        detail={"name": name, "kind": kind, "leader": group.leader},
        request=request,
    )
    return group


@transaction.atomic
def do_record_visit(
    group: SupervisionGroup,
    *,
    acting_user,
    area: Area,
    visited_at: dt.datetime,
    place: str = "",
    notes: str = "",
    now: dt.datetime | None = None,
    request=None,
) -> Visit:
    require_in_area(acting_user, "edit_operations", area)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if not area.path.startswith(group.area.path):
        errors["area"] = _("%(area)s is outside the area %(group)s covers (%(covered)s).") % {
            "area": area.name,
            "group": group.name,
            "covered": group.area.name,
        }
    if visited_at > now:
        errors["visited_at"] = _("A visit at %(when)s has not happened yet.") % {
            "when": _local(visited_at)
        }
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        group=group,
        area=area,
        visited_at=visited_at,
        place=place.strip()[:200],
        notes=notes.strip(),
        recorded_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="supervision.visit",
        obj=visit,
        area=area,
        detail={"group": group.name, "visited_at": visited_at.isoformat(), "place": visit.place},
        request=request,
    )
    return visit


@transaction.atomic
def do_add_finding(
    visit: Visit,
    *,
    acting_user,
    text: str,
    rectify_by: dt.datetime,
    owner: str = "",
    request=None,
) -> Finding:
    """A problem the visit found, to be rectified by ``rectify_by`` (the
    rectification is then a deadline of the supervision ledger)."""
    require_in_area(acting_user, "edit_operations", visit.area)
    errors: dict[str, str] = {}
    text = _required(errors, "text", text, _("Say what the visit found."))
    if owner and owner not in TaskForceKind.values:
        errors["owner"] = _("%(owner)s is not a task force.") % {"owner": owner}
    if rectify_by <= visit.visited_at:
        errors["rectify_by"] = _(
            "The rectification deadline %(due)s is not after the visit (%(visit)s)."
        ) % {
            "due": _local(rectify_by),
            "visit": _local(visit.visited_at),
        }
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(visit=visit, text=text, owner=owner, rectify_by=rectify_by)
    audit.record(
        actor=acting_user,
        action="supervision.finding",
        obj=finding,
        area=visit.area,
        detail={"text": text, "rectify_by": rectify_by.isoformat(), "owner": owner},
        request=request,
    )
    return finding


@transaction.atomic
def do_rectify(
    finding: Finding,
    *,
    acting_user,
    rectification: str,
    now: dt.datetime | None = None,
    request=None,
) -> Finding:
    """The finding's rectification is done: what was done, when."""
    area = finding.visit.area
    require_in_area(acting_user, "edit_operations", area)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    errors: dict[str, str] = {}
    rectification = _required(
        errors, "rectification", rectification, _("Say how the finding was rectified.")
    )
    if finding.rectified_at is not None:
        errors["rectification"] = _("This finding was rectified at %(when)s already.") % {
            "when": _local(finding.rectified_at)
        }
    if errors:
        raise ValidationError(errors)
    finding.rectified_at = now or timezone.now()
    finding.rectified_by_name = actor_name(acting_user)
    finding.rectification = rectification
    finding.save(update_fields=["rectified_at", "rectified_by_name", "rectification"])
    audit.record(
        actor=acting_user,
        action="supervision.rectify",
        obj=finding,
        area=area,
        detail={"rectification": rectification, "late": finding.rectified_at > finding.rectify_by},
        request=request,
    )
    return finding


@transaction.atomic
def do_record_accountability(
    *,
    acting_user,
    area: Area,
    held: str,
    measure: str,
    reason: str,
    finding: Finding | None = None,
    directive: Directive | None = None,
    decided_at: dt.datetime | None = None,
    request=None,
) -> Accountability:
    """An accountability record (问责): who is held to account, how, why."""
    require_in_area(acting_user, "approve", area)
    errors: dict[str, str] = {}
    held = _required(errors, "held", held, _("Name the unit or official held to account."))
    reason = _required(errors, "reason", reason, _("Say why they are held to account."))
    if measure not in Measure.values:
        errors["measure"] = _("Choose a measure: %(choices)s.") % {
            "choices": ", ".join(str(label) for label in Measure.labels)
        }
    if errors:
        raise ValidationError(errors)
    record = Accountability.objects.create(
        area=area,
        held=held[:200],
        measure=measure,
        reason=reason,
        finding=finding,
        directive=directive,
        decided_at=decided_at or timezone.now(),
        recorded_by_name=actor_name(acting_user),
    )
    audit.record(
        actor=acting_user,
        action="supervision.accountability",
        obj=record,
        area=area,
        detail={
            "held": record.held,
            "measure": measure,
            "reason": reason,
            "finding": finding.pk if finding else None,
            "directive": directive.pk if directive else None,
        },
        request=request,
    )
    return record
