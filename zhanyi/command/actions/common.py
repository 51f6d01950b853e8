"""What the headquarters' writes share: who may take the city's decisions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from zhanyi.accounts.roles import CAPABILITIES, has_capability
from zhanyi.core.audit import SystemActor
from zhanyi.core.jurisdiction import can_see_area
from zhanyi.places.models import AreaLevel


def require_city(acting_user: Any, capability: str) -> None:
    """The actor holds ``capability`` over the whole city (a superuser, or a
    user whose jurisdiction is the city). A ``SystemActor`` (the command line,
    the clock, the demo) is the installation's operator and passes."""
    if isinstance(acting_user, SystemActor):
        return
    if not has_capability(acting_user, capability):
        raise PermissionDenied(_("This needs a headquarters decision-maker."))
    if acting_user.is_superuser and acting_user.jurisdiction_id is None:
        return
    jurisdiction = acting_user.jurisdiction
    if jurisdiction is None or jurisdiction.level != AreaLevel.CITY:
        raise PermissionDenied(_("Only the city's headquarters does this."))


def is_system(acting_user: Any) -> bool:
    return isinstance(acting_user, SystemActor)


def require_in_area(acting_user: Any, capability: str, area) -> None:
    """The actor holds ``capability`` and ``area`` lies within their
    jurisdiction (a ``SystemActor`` passes); the refusal names what and where."""
    if is_system(acting_user):
        return
    if not has_capability(acting_user, capability):
        raise PermissionDenied(
            _("Your role may not do this (it needs: %(capability)s).")
            % {"capability": CAPABILITIES[capability]}
        )
    if not can_see_area(acting_user, area):
        raise PermissionDenied(
            _("%(area)s is outside your jurisdiction.") % {"area": area.name if area else "—"}
        )
