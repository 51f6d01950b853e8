"""What the quarantine actions share: local days, children, the room check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import require_capability
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import require_area, root_path
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person
from zhanyi.places.models import Area
from zhanyi.quarantine.models import ACTIVE_STATES, Placement, Room, RoomState, SiteState
from zhanyi.quarantine.rules import age_on, protocol

__all__ = [
    "actor_path",
    "age_on",
    "check_room_takes",
    "is_child",
    "local_midnight",
    "protocol",
    "require",
]


def local_midnight(moment: dt.datetime) -> dt.datetime:
    """The start of ``moment``'s day in local time (Asia/Shanghai)."""
    day = moment.astimezone(LOCAL_TZ).date()
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


def is_child(person: Person, now: dt.datetime) -> bool:
    """Younger than the protocol's age for sharing a room with a parent."""
    age = age_on(person.birth_date, now.astimezone(LOCAL_TZ).date())
    return age is not None and age < protocol().quarantine_sites.child_age


def check_room_takes(room: Room, person: Person, now: dt.datetime) -> None:
    """Refuse a room that cannot take ``person``: in a site not active, being
    cleaned or out of service, shared with another household, full, or holding
    an adult already (adults one to a room; a young child with one parent)."""
    if room.site.state != SiteState.ACTIVE:
        raise ValidationError(
            {"room": _("Site %(site)s is not active.") % {"site": room.site.name}}
        )
    if room.state in (RoomState.CLEANING, RoomState.OUT_OF_SERVICE):
        raise ValidationError(
            {
                "room": _("Room %(room)s is %(state)s.")
                % {"room": room.number, "state": room.get_state_display()}
            }
        )
    others = [
        p.person
        for p in Placement.objects.filter(room=room, state__in=ACTIVE_STATES)
        .exclude(person=person)
        .select_related("person")
    ]
    if any(o.household_id is None or o.household_id != person.household_id for o in others):
        raise ValidationError(
            {"room": _("Room %(room)s is occupied by another household.") % {"room": room.number}}
        )
    if len(others) + 1 > room.capacity:
        raise ValidationError(
            {
                "room": _("Room %(room)s is full: it takes %(capacity)d.")
                % {"room": room.number, "capacity": room.capacity}
            }
        )
    if not is_child(person, now) and any(not is_child(o, now) for o in others):
        raise ValidationError(
            {
                "room": _("Room %(room)s has an adult already: adults one to a room.")
                % {"room": room.number}
            }
        )


def require(
    acting_user: Any, capability: str, area: Area | None = None, *, check_area=True
) -> None:
    """The actor needs ``capability`` and, when ``check_area``, ``area`` inside
    their jurisdiction. A ``SystemActor`` (the command line, the demo, the
    clock) is the operator of the installation and passes."""
    if isinstance(acting_user, SystemActor):
        return
    require_capability(acting_user, capability)
    if check_area:
        require_area(acting_user, area)


def actor_path(acting_user: Any) -> str | None:
    """The area path the actor works in: '' for everything (a ``SystemActor``)."""
    if isinstance(acting_user, SystemActor):
        return ""
    return root_path(acting_user)
