"""Samples of a batch and the tracing of a positive one: the batch sealed,
and every downstream receiver and every worker who handled it handed to
testing (a test at once) and to their village team (control until the
result), through hand-offs (zhanyi.handoffs)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.coldchain.models import (
    Batch,
    BatchSample,
    BatchState,
    Distribution,
    Handling,
    SampleKind,
    SampleResult,
)
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, Protocol, load_protocol
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
from zhanyi.handoffs.models import HandoffKind
from zhanyi.handoffs.schedule import ScheduledTest

from .common import require


@transaction.atomic
def do_record_sample(
    batch: Batch,
    *,
    kind: str,
    result: str,
    sampled_at: dt.datetime,
    acting_user,
    now: dt.datetime | None = None,
    request=None,
) -> BatchSample:
    """A sample's result; a positive one seals the batch and traces its people."""
    batch = Batch.objects.select_for_update().select_related("store__area").get(pk=batch.pk)
    require(acting_user, "edit_operations", batch.store.area)
    if kind not in SampleKind.values:
        raise ValidationError({"kind": _("Unknown kind of sample: %(kind)s.") % {"kind": kind}})
    if result not in SampleResult.values:
        raise ValidationError({"result": _("A result is negative or positive.")})
    now = now or timezone.now()
    if sampled_at > now:
        raise ValidationError({"sampled_at": _("A sample cannot be taken in the future.")})
    sample = BatchSample.objects.create(
        batch=batch,
        kind=kind,
        result=result,
        sampled_at=sampled_at,
        recorded_by_name=actor_name(acting_user),
    )
    old_state = batch.state
    if result == SampleResult.POSITIVE:
        batch.state = BatchState.SEALED
        batch.save(update_fields=["state"])
        specs = trace_specs(batch, now)
        do_create_handoffs(specs, acting_user=acting_user, origin_label=f"coldchain {batch.code}")
        sample.traced_people = len({s.person_id for s in specs})
        sample.save(update_fields=["traced_people"])
    audit.record(
        actor=acting_user,
        action="coldchain.sample.record",
        obj=batch,
        area=batch.store.area,
        detail={
            "batch": batch.code,
            "kind": kind,
            "result": result,
            "old": old_state,
            "new": batch.state,
            "traced_people": sample.traced_people,
        },
        request=request,
    )
    return sample


def exposed_people(batch: Batch) -> dict[int, dict]:
    """Person id → (area id, how exposed) of every receiver downstream and
    every worker who handled ``batch``: the receiver's own village when known,
    else where the goods were delivered (or the store's area for a worker)."""
    people: dict[int, dict] = {}
    for d in Distribution.objects.filter(batch=batch).select_related("receiver"):
        people.setdefault(
            d.receiver_id,
            {
                "area_id": d.receiver.village_id or d.area_id,
                "role": "receiver",
                "buyer": d.buyer,
            },
        )
    for h in Handling.objects.filter(batch=batch).select_related("person"):
        entry = people.setdefault(
            h.person_id,
            {"area_id": h.person.village_id or batch.store.area_id, "role": "worker"},
        )
        entry.setdefault("steps", []).append(h.step)
    return people


def trace_specs(
    batch: Batch, now: dt.datetime, protocol: Protocol | None = None
) -> list[HandoffSpec]:
    """A test at once and control by the village team, for each exposed person."""
    protocol = protocol or load_protocol(DEFAULT_PROTOCOL)
    # Keyed by the batch: a second positive sample hands nobody on twice.
    origin = f"coldchain.batch:{batch.pk}"
    test_due = now + dt.timedelta(hours=protocol.testing.scheduled_test_window_hours)
    control_due = now + dt.timedelta(hours=protocol.deadlines.control_hours)
    specs = []
    for person_id, exposure in sorted(exposed_people(batch).items()):
        detail = {"batch": batch.code, "product": batch.product, **exposure}
        del detail["area_id"]
        common = {
            "person_id": person_id,
            "area_id": exposure["area_id"],
            "from_task_force": TaskForceKind.LOCKDOWN,
            "origin": origin,
        }
        specs.append(
            HandoffSpec(
                key=f"{origin}:{person_id}:test",
                kind=HandoffKind.TEST,
                to_task_force=TaskForceKind.TESTING,
                due_at=test_due,
                detail={
                    **detail,
                    **schedule.detail_of([ScheduledTest("coldchain", 1, None, test_due)]),
                },
                **common,
            )
        )
        specs.append(
            HandoffSpec(
                key=f"{origin}:{person_id}:control",
                kind=HandoffKind.CONTROL,
                to_task_force=TaskForceKind.COMMUNITY,
                due_at=control_due,
                detail=detail,
                **common,
            )
        )
    return specs
