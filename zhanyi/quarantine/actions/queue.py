"""The queue (待转运): everyone who must be placed, as open ``transfer``
hand-offs. Tracing and screening write theirs; a desk adds a person by hand."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.people.models import Person
from zhanyi.quarantine.models import ContactKind

from .common import protocol, require


def contact_days(kind: str) -> int:
    """Days of centralised quarantine the protocol gives a close or secondary contact."""
    stages = dict(protocol().quarantine.stages(kind))
    return stages.get("centralised", 0)


@transaction.atomic
def do_add_to_queue(
    person: Person,
    *,
    kind: str = ContactKind.CLOSE,
    identified_at: dt.datetime | None = None,
    acting_user,
    request=None,
) -> Handoff:
    """A person to be placed, added by hand: a ``transfer`` hand-off like
    tracing's, due the protocol's hours after identification."""
    require(acting_user, "edit_operations", check_area=False)
    if person.village is None:
        raise ValidationError(
            {
                "person": _("%(name)s has no village: the area responsible is unknown.")
                % {"name": person.name}
            }
        )
    require(acting_user, "edit_operations", person.village)
    if kind not in ContactKind.values:
        raise ValidationError({"kind": _("Unknown contact kind: %(kind)s.") % {"kind": kind}})
    days = contact_days(kind)
    if days < 1:
        raise ValidationError(
            {
                "kind": _("The protocol sends a %(kind)s contact home, not to a site.")
                % {"kind": ContactKind(kind).label}
            }
        )
    if Handoff.objects.filter(
        person=person, kind=HandoffKind.TRANSFER, status=HandoffStatus.OPEN
    ).exists():
        raise ValidationError(
            {"person": _("%(name)s is already waiting to be placed.") % {"name": person.name}}
        )
    found = identified_at or timezone.now()
    key = f"quarantine.manual:{person.pk}:{found.timestamp():.0f}"
    do_create_handoffs(
        [
            HandoffSpec(
                key=key,
                kind=HandoffKind.TRANSFER,
                person_id=person.pk,
                area_id=person.village.pk,
                from_task_force=TaskForceKind.QUARANTINE,
                to_task_force=TaskForceKind.TRANSFER,
                origin=f"quarantine.manual:{person.pk}",
                due_at=found + dt.timedelta(hours=protocol().deadlines.transfer_hours),
                detail={"days": days, "kind": kind},
            )
        ],
        acting_user=acting_user,
        origin_label="quarantine: added by hand",
    )
    handoff = Handoff.objects.get(key=key)
    audit.record(
        actor=acting_user,
        action="quarantine.queue.add",
        obj=handoff,
        area=person.village,
        detail={"person": person.pk, "kind": kind, "days": days},
        request=request,
    )
    return handoff
