"""Helpers shared by the person index's actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from zhanyi.core import audit, jurisdiction
from zhanyi.core.masking import mask_name
from zhanyi.people import queries
from zhanyi.people.models import Household, Person
from zhanyi.places.models import Area


def json_safe(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Area):
        return value.code
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def shown(field_name: str, value: Any) -> Any:
    """A value as the person's history keeps it: dates in ISO form, areas by name and code."""
    if isinstance(value, Area):
        return f"{value.name} ({value.code})"
    if isinstance(value, Household):
        return f"{value.address} (#{value.pk})"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def audit_person(
    action: str, *, acting_user, person: Person, request=None, detail: dict | None = None
):
    # The label carries the masked name only: the audit trail is read by
    # administrators who need to know which record, not whose data.
    return audit.record(
        actor=acting_user,
        action=action,
        obj=person,
        object_label=f"{mask_name(person.name)} #{person.pk}",
        detail=detail or {},
        request=request,
        area=person.village,
    )


def check_place(acting_user, village: Area | None) -> None:
    """A user may put a person only where they can see them afterwards."""
    if village is None:
        if not queries.sees_unplaced(acting_user):
            raise ValidationError(
                {
                    "village": _(
                        "Choose a village: a person without one is visible only at city level."
                    )
                }
            )
    elif not jurisdiction.can_see_area(acting_user, village):
        raise ValidationError(
            {
                "village": _("The village %(village)s is outside your jurisdiction.")
                % {"village": village.name}
            }
        )


def require_person(acting_user, person: Person, capability: str) -> None:
    queries.require_person_access(acting_user, capability)
    if not queries.can_see_person(acting_user, person):
        raise PermissionDenied("person outside your jurisdiction")
