"""Writes of the headquarters: setting one up with its task forces."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhanyi.accounts.models import Headquarters, TaskForce, TaskForceKind
from zhanyi.core import audit
from zhanyi.places.models import Area


@transaction.atomic
def do_set_up_headquarters(
    *,
    acting_user,
    area: Area,
    name: str,
    activated_at: dt.datetime | None = None,
    parent: Headquarters | None = None,
    kinds: list[str] | None = None,
) -> Headquarters:
    """A headquarters (指挥部) over ``area`` with its task forces (专班): by
    default the ten of the article's zone headquarters."""
    kinds = list(TaskForceKind.values if kinds is None else kinds)
    hq = Headquarters.objects.create(name=name, area=area, parent=parent, activated_at=activated_at)
    TaskForce.objects.bulk_create(TaskForce(headquarters=hq, kind=kind) for kind in kinds)
    audit.record(
        actor=acting_user,
        action="headquarters.create",
        obj=hq,
        detail={"area": area.code, "task_forces": kinds},
    )
    return hq
