"""Writes of the headquarters: setting one up with its task forces, their
leads and members, and the twinning of counties (结对)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhanyi.accounts.models import Headquarters, TaskForce, TaskForceKind, User
from zhanyi.core import audit
from zhanyi.places.models import Area
from zhanyi.quarantine.actions import do_set_twin
from zhanyi.quarantine.models import Twinning

from .common import require_in_area


@transaction.atomic
def do_set_up_headquarters(
    *,
    acting_user,
    area: Area,
    name: str,
    activated_at: dt.datetime | None = None,
    parent: Headquarters | None = None,
    kinds: list[str] | None = None,
    request=None,
) -> Headquarters:
    """A headquarters (指挥部) over ``area`` with its task forces (专班): by
    default the ten of the article's zone headquarters."""
    require_in_area(acting_user, "approve", area)
    kinds = list(TaskForceKind.values if kinds is None else kinds)
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("A headquarters needs a name.")
    unknown = [k for k in kinds if k not in TaskForceKind.values]
    if unknown:
        errors["kinds"] = _("Not task forces: %(kinds)s.") % {"kinds": ", ".join(unknown)}
    existing = Headquarters.objects.filter(area=area).first()
    if existing is not None:
        errors["area"] = _("%(area)s has a headquarters already: %(name)s.") % {
            "area": area.name,
            "name": existing.name,
        }
    if parent is not None and not area.path.startswith(parent.area.path):
        errors["parent"] = _("%(area)s is not within %(parent)s's area.") % {
            "area": area.name,
            "parent": parent.name,
        }
    if errors:
        raise ValidationError(errors)
    hq = Headquarters.objects.create(name=name, area=area, parent=parent, activated_at=activated_at)
    TaskForce.objects.bulk_create(TaskForce(headquarters=hq, kind=kind) for kind in kinds)
    audit.record(
        actor=acting_user,
        action="headquarters.create",
        obj=hq,
        area=area,
        detail={"area": area.code, "task_forces": kinds},
        request=request,
    )
    return hq


@transaction.atomic
def do_add_task_force(hq: Headquarters, *, acting_user, kind: str, request=None) -> TaskForce:
    require_in_area(acting_user, "approve", hq.area)
    if kind not in TaskForceKind.values:
        raise ValidationError({"kind": _("Not task forces: %(kinds)s.") % {"kinds": kind}})
    if hq.task_forces.filter(kind=kind).exists():
        raise ValidationError(
            {
                "kind": _("%(hq)s has a %(task_force)s task force already.")
                % {"hq": hq.name, "task_force": TaskForceKind(kind).label}
            }
        )
    task_force = TaskForce.objects.create(headquarters=hq, kind=kind)
    audit.record(
        actor=acting_user,
        action="headquarters.task_force",
        obj=task_force,
        area=hq.area,
        detail={"kind": kind},
        request=request,
    )
    return task_force


@transaction.atomic
def do_set_task_force_lead(
    task_force: TaskForce, *, acting_user, lead: str, request=None
) -> TaskForce:
    """The leader (a city leader, by name and post) of a task force."""
    hq = task_force.headquarters
    require_in_area(acting_user, "approve", hq.area)
    lead = " ".join(lead.split())
    max_length = TaskForce._meta.get_field("lead").max_length or 100
    if len(lead) > max_length:
        raise ValidationError(
            {
                "lead": _("The lead has %(n)s characters; at most %(max)s.")
                % {"n": len(lead), "max": max_length}
            }
        )
    old = task_force.lead
    task_force.lead = lead
    task_force.save(update_fields=["lead"])
    audit.record(
        actor=acting_user,
        action="headquarters.lead",
        obj=task_force,
        area=hq.area,
        detail={"old": old, "new": lead},
        request=request,
    )
    return task_force


@transaction.atomic
def do_set_member(user: User, *, acting_user, task_force: TaskForce | None, request=None) -> User:
    """Make ``user`` a member of ``task_force`` (None: of no task force). The
    user works within the headquarters' area."""
    old = user.task_force
    for hq_area in {tf.headquarters.area for tf in (old, task_force) if tf is not None}:
        require_in_area(acting_user, "approve", hq_area)
    if task_force is not None:
        area = task_force.headquarters.area
        if user.jurisdiction is None or not user.jurisdiction.path.startswith(area.path):
            raise ValidationError(
                {
                    "user": _("%(user)s does not work within %(area)s.")
                    % {"user": user.get_username(), "area": area.name}
                }
            )
    user.task_force = task_force
    user.save(update_fields=["task_force"])
    audit.record(
        actor=acting_user,
        action="headquarters.member",
        obj=user,
        area=user.jurisdiction,
        detail={
            "old": old.pk if old else None,
            "new": task_force.pk if task_force else None,
            "user": user.get_username(),
        },
        request=request,
    )
    return user


def do_twin_counties(county: Area, twin: Area, *, acting_user, request=None) -> Twinning:
    """Twin ``county`` with ``twin`` (结对): the twin's quarantine sites take the
    county's people when its own are full (the quarantine app's pairing)."""
    require_in_area(acting_user, "approve", county)
    return do_set_twin(county, twin, acting_user=acting_user, request=request)
