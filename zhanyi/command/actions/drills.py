"""Writes of drills (演练): started by the city's headquarters or its
administrator, prepared (its database made and its scenario loaded by a
process of the drill), stopped, deleted (its database dropped). The record
is in the live database; the drill's data only in its own
(``zhanyi.command.drills``)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import has_capability
from zhanyi.command import drills
from zhanyi.command.models import Drill, DrillState
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.db import databases
from zhanyi.places.models import Area, AreaLevel

from .common import is_system

NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,29}")
#: How much of the loader's output a failed drill keeps as its message.
MESSAGE_TAIL = 4000


def _city() -> Area | None:
    return Area.objects.filter(level=AreaLevel.CITY).first()


def require_drill_manager(acting_user: Any) -> None:
    """The city's headquarters (``approve``) or its administrator
    (``manage_users``), or the command line."""
    if is_system(acting_user) or acting_user.is_superuser:
        return
    if not (has_capability(acting_user, "approve") or has_capability(acting_user, "manage_users")):
        raise PermissionDenied(_("Drills are run by the headquarters or its administrator."))
    area = acting_user.jurisdiction
    if area is None or area.level != AreaLevel.CITY:
        raise PermissionDenied(_("Only the city's headquarters runs drills."))


def account_of(user: Any) -> dict | None:
    """What the drill copies of the starter's account (their password's
    hash, role and jurisdiction), so they sign in to it as themselves."""
    if is_system(user):
        return None
    return {
        "username": user.username,
        "password": user.password,
        "role": user.role,
        "jurisdiction": user.jurisdiction.code if user.jurisdiction_id else "",
        "first_name": user.first_name,
        "is_superuser": user.is_superuser,
        "is_staff": user.is_staff,
    }


@transaction.atomic
def do_start_drill(
    *, acting_user, name: str, scenario: str, now: dt.datetime | None = None, request=None
) -> Drill:
    """Record a drill of ``scenario`` named ``name``; ``do_prepare_drill``
    then makes its database and loads the scenario."""
    require_drill_manager(acting_user)
    errors: dict[str, str] = {}
    if drills.current():
        raise ValidationError(_("This is a drill: a drill is started from the live system."))
    if not NAME.fullmatch(name):
        errors["name"] = _(
            "A drill's name is up to 30 lower-case letters, digits and hyphens: %(name)s."
        ) % {"name": name}
    elif Drill.objects.filter(name=name).exclude(state=DrillState.DELETED).exists():
        errors["name"] = _("A drill named %(name)s exists; delete it first.") % {"name": name}
    if scenario not in drills.SCENARIOS:
        errors["scenario"] = _("No scenario is named %(scenario)s; there are: %(known)s.") % {
            "scenario": scenario,
            "known": ", ".join(sorted(drills.SCENARIOS)),
        }
    database = ""
    if not errors:
        try:
            database = drills.database_name(name)
        except ValueError as exc:
            errors["name"] = str(exc)
    if errors:
        raise ValidationError(errors)
    drill = Drill.objects.create(
        name=name,
        scenario=scenario,
        database=database,
        started_by_name=actor_name(acting_user),
        started_at=now or timezone.now(),
    )
    audit.record(
        actor=acting_user,
        action="drill.start",
        obj=drill,
        area=_city(),
        detail={"name": name, "scenario": scenario, "database": database},
        request=request,
    )
    return drill


def do_prepare_drill(
    drill: Drill, *, acting_user, account: dict | None = None, out: IO[str] | None = None
) -> Drill:
    """Make the drill's database and load its scenario in a process of the
    drill (``zhanyi drill load``), then record whether it is ready. Not in
    a transaction: PostgreSQL makes a database outside one."""
    require_drill_manager(acting_user)
    if drill.state != DrillState.PREPARING:
        raise ValidationError(
            {
                "state": _("The drill %(name)s is %(state)s, not being prepared.")
                % {"name": drill.name, "state": drill.get_state_display()}
            }
        )
    areas: list[dict[str, Any]] = []
    for row in Area.objects.order_by("path").values(
        "code", "name", "level", "kind", "population", "lon", "lat", "parent__code"
    ):
        data: dict[str, Any] = dict(row)
        data["parent_code"] = data.pop("parent__code") or ""
        areas.append(data)
    drills.write_seed(drill.name, areas=areas, account=account)
    log = io.StringIO()
    databases.create(drill.database)
    code = drills.run(
        drill.name,
        drill.database,
        ["drill", "load", drill.name, "--scenario", drill.scenario],
        out=log,
    )
    if out is not None:
        out.write(log.getvalue())
    return _record_outcome(drill, acting_user, ready=code == 0, output=log.getvalue())


@transaction.atomic
def _record_outcome(drill: Drill, acting_user, *, ready: bool, output: str) -> Drill:
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    drill.state = DrillState.READY if ready else DrillState.FAILED
    drill.ready_at = timezone.now() if ready else None
    drill.message = "" if ready else output[-MESSAGE_TAIL:]
    drill.save(update_fields=["state", "ready_at", "message"])
    audit.record(
        actor=acting_user,
        action="drill.ready" if ready else "drill.failed",
        obj=drill,
        area=_city(),
        detail={"name": drill.name, "scenario": drill.scenario},
    )
    return drill


@transaction.atomic
def do_stop_drill(
    drill: Drill, *, acting_user, now: dt.datetime | None = None, request=None
) -> Drill:
    """End the exercise: the drill's pages refuse work from now on; its
    database stays until the drill is deleted."""
    require_drill_manager(acting_user)
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    if drill.state not in (DrillState.READY, DrillState.FAILED):
        raise ValidationError(
            {
                "state": _("The drill %(name)s is %(state)s: only a ready drill is stopped.")
                % {"name": drill.name, "state": drill.get_state_display()}
            }
        )
    marker = drills.stopped_marker(drill.name)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(drill.name)
    drill.state = DrillState.STOPPED
    drill.stopped_at = now or timezone.now()
    drill.save(update_fields=["state", "stopped_at"])
    audit.record(
        actor=acting_user,
        action="drill.stop",
        obj=drill,
        area=_city(),
        detail={"name": drill.name},
        request=request,
    )
    return drill


def do_delete_drill(drill: Drill, *, acting_user, request=None) -> Drill:
    """Drop the drill's database and remove its folder; the record stays,
    marked deleted, so the audit trail still names it."""
    require_drill_manager(acting_user)
    if drill.state in (DrillState.PREPARING, DrillState.DELETED):
        raise ValidationError(
            {
                "state": _("The drill %(name)s is %(state)s: it cannot be deleted now.")
                % {"name": drill.name, "state": drill.get_state_display()}
            }
        )
    drills.remove(drill.name, drill.database)
    with transaction.atomic():
        drill.state = DrillState.DELETED
        drill.save(update_fields=["state"])
        audit.record(
            actor=acting_user,
            action="drill.delete",
            obj=drill,
            area=_city(),
            detail={"name": drill.name, "database": drill.database},
            request=request,
        )
    return drill
