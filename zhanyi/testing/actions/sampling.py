"""Sampling sites and teams, labs, delivery (送) and lab receipt.

Scanning people into tubes is ``scanning``; this module also closes the
hand-offs a sample fulfils (``_attach_handoffs``), which scans and imports share.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zhanyi.accounts.models import TaskForceKind
from zhanyi.core import audit
from zhanyi.core.actors import actor_name
from zhanyi.core.db.bulk import in_list
from zhanyi.handoffs.actions import do_close_handoff, do_record_scheduled_test
from zhanyi.handoffs.models import Handoff, HandoffKind, HandoffStatus
from zhanyi.places.models import Area, Place
from zhanyi.testing.models import (
    DeliveryBatch,
    Lab,
    Sample,
    SamplingSite,
    SamplingTeam,
    Tube,
    TubeStatus,
)

from .common import (
    InputError,
    Problem,
    now,
    refuse,
    require_operations,
)

#: A tube barcode: what scanners, bulk imports and lab files must match.
_BARCODE = re.compile(r"^[A-Za-z0-9\-]{4,64}$")

# -- sites, teams, labs -----------------------------------------------------------------


@transaction.atomic
def do_create_site(
    *, acting_user, name: str, area: Area, place: Place | None = None, teams: Sequence[str] = ()
) -> SamplingSite:
    require_operations(acting_user, area)
    if not name.strip():
        refuse("name", "required", _("A sampling site needs a name."))
    site = SamplingSite.objects.create(name=name.strip()[:100], area=area, place=place)
    for team in teams:
        SamplingTeam.objects.create(site=site, name=team[:100])
    audit.record(actor=acting_user, action="testing.site_create", obj=site, area=area)
    return site


@transaction.atomic
def do_create_lab(*, acting_user, code: str, name: str, area: Area, daily_capacity: int = 0) -> Lab:
    require_operations(acting_user, area)
    code = code.strip()
    if not code or not name.strip():
        refuse("code", "required", _("A laboratory needs a code and a name."))
    if Lab.objects.filter(code=code).exists():
        refuse("code", "duplicate", _("A laboratory with this code exists."), code)
    lab = Lab.objects.create(
        code=code[:32], name=name.strip()[:100], area=area, daily_capacity=daily_capacity
    )
    audit.record(actor=acting_user, action="testing.lab_create", obj=lab, area=area)
    return lab


def due_kinds(pool_size: int) -> list[str]:
    """The hand-offs a sample in a tube of ``pool_size`` may fulfil: a
    scheduled test in any tube, a re-sampling only in a single tube."""
    if pool_size == 1:
        return [HandoffKind.TEST.value, HandoffKind.RESAMPLE.value]
    return [HandoffKind.TEST.value]


def _attach_handoffs(samples: list[Sample], tube: Tube, at: dt.datetime, acting_user) -> None:
    """Link each sample to the open test or re-sampling hand-off it fulfils.

    A test hand-off carries a schedule (tracing's protocol days,
    ``zhanyi.handoffs.schedule``): a sample inside its current test's window,
    in any tube, marks that test done and moves the hand-off on to the next
    (done after the last). A re-sampling counts only in a single tube, and
    closes.
    """
    ids = [s.person_id for s in samples]
    open_ = Handoff.objects.filter(
        person_id__in=ids,
        kind__in=due_kinds(tube.pool_size),
        status=HandoffStatus.OPEN,
        to_task_force=TaskForceKind.TESTING,
    ).filter(Q(not_before__isnull=True) | Q(not_before__lte=at))
    if not open_.exists():
        return
    by_person: dict[int, Handoff] = {}
    for handoff in open_.order_by("due_at"):
        by_person.setdefault(handoff.person_id, handoff)
    for s in samples:
        h = by_person.get(s.person_id)
        if h is None:
            continue
        s.handoff = h
        outcome = _("Sampled in tube %(b)s") % {"b": tube.barcode}
        if h.kind == HandoffKind.TEST:
            do_record_scheduled_test(
                h, sampled_at=at, tube=tube.barcode, acting_user=acting_user, outcome=outcome
            )
            continue
        if tube.parent_id is None:
            # The single tube resolves the positive pool named by the hand-off.
            tube.parent_id = int(h.origin.rsplit(":", 1)[1])
            tube.save(update_fields=["parent"])
        do_close_handoff(h, acting_user=acting_user, outcome=outcome)


# -- delivery and receipt -----------------------------------------------------------------


@transaction.atomic
def do_deliver(
    *,
    acting_user,
    site: SamplingSite,
    lab: Lab,
    barcodes: Sequence[str],
    code: str = "",
    delivered_at: dt.datetime | None = None,
    request=None,
) -> DeliveryBatch:
    """Send tubes to a lab in one batch. All or nothing: a batch is one box."""
    require_operations(acting_user, site.area)
    at = delivered_at or now()
    barcodes = [b.strip() for b in barcodes if b and b.strip()]
    if not barcodes:
        refuse("barcodes", "required", _("A delivery needs at least one tube."))
    table = Tube._meta.db_table
    # A box holds hundreds or thousands of tubes: their few checked fields in
    # one raw read (no model instance, no queryset per box), not locked: the
    # update below takes only tubes no batch has taken meanwhile, and counts
    # them.
    tubes: dict[str, tuple] = {}
    with connection.cursor() as cursor:
        for where, params in in_list("barcode", set(barcodes), "text"):
            cursor.execute(
                f"SELECT barcode, id, site_id, batch_id, samples_count FROM {table} WHERE {where}",
                params,
            )
            for barcode, *rest in cursor.fetchall():
                tubes[barcode] = rest
    problems = []
    seen = set()
    for i, b in enumerate(barcodes):
        t = tubes.get(b)
        if b in seen:
            problems.append(Problem(i, "barcodes", "duplicate", _("Listed twice."), b))
        elif t is None:
            problems.append(Problem(i, "barcodes", "unknown", _("Unknown tube barcode."), b))
        elif t[1] != site.pk:
            problems.append(Problem(i, "barcodes", "other_site", _("Opened at another site."), b))
        elif t[2] is not None:
            problems.append(Problem(i, "barcodes", "delivered", _("Delivered already."), b))
        elif t[3] == 0:
            problems.append(Problem(i, "barcodes", "empty", _("The tube holds no sample."), b))
        seen.add(b)
    if problems:
        raise InputError(problems)
    code = code.strip() or f"{site.pk}-{lab.code}-{at:%Y%m%d%H%M%S%f}"
    if DeliveryBatch.objects.filter(code=code).exists():
        refuse("code", "duplicate", _("A batch with this code exists."), code)
    batch = DeliveryBatch.objects.create(
        code=code[:64], site=site, lab=lab, delivered_at=at, created_by_name=actor_name(acting_user)
    )
    ids = [t[0] for t in tubes.values()]
    sent = 0
    stamp = connection.ops.adapt_datetimefield_value(at)  # as the ORM stores it
    with connection.cursor() as cursor:
        for where, params in in_list("id", ids, "bigint"):
            # An open tube that is sent is closed as it leaves the site.
            cursor.execute(
                f"UPDATE {table} SET batch_id = %s, delivered_at = %s, status = %s, "
                f"closed_at = COALESCE(closed_at, %s) WHERE batch_id IS NULL AND {where}",
                [batch.pk, stamp, TubeStatus.DELIVERED.value, stamp, *params],
            )
            sent += cursor.rowcount
    if sent != len(ids):
        # Another delivery took some of these tubes since they were read: the
        # box is refused as if they had been delivered already (this
        # transaction's changes are rolled back with the error).
        taken = set(
            Tube.objects.filter(pk__in=ids).exclude(batch=batch).values_list("barcode", flat=True)
        )
        raise InputError(
            [
                Problem(i, "barcodes", "delivered", _("Delivered already."), b)
                for i, b in enumerate(barcodes)
                if b in taken
            ]
        )
    audit.record(
        actor=acting_user,
        action="testing.deliver",
        obj=batch,
        detail={"lab": lab.code, "tubes": sent},
        request=request,
        area=site.area,
    )
    return batch


@transaction.atomic
def do_receive_batch(
    batch: DeliveryBatch, *, acting_user, received_at: dt.datetime | None = None, request=None
) -> DeliveryBatch:
    """The lab signs for a batch (接收)."""
    batch = (
        DeliveryBatch.objects.select_for_update(of=("self",))
        .select_related("site__area")
        .get(pk=batch.pk)
    )
    require_operations(acting_user, batch.site.area)
    if batch.received_at is not None:
        refuse("batch", "received", _("The batch was received already."), batch.code)
    at = received_at or now()
    if at < batch.delivered_at:
        refuse("received_at", "invalid", _("Received before it was delivered."))
    batch.received_at = at
    batch.save(update_fields=["received_at"])
    with connection.cursor() as cursor:
        # No index names the status or the receipt time: a HOT update.
        cursor.execute(
            f"UPDATE {Tube._meta.db_table} SET received_at = %s, status = %s "
            "WHERE batch_id = %s AND status = %s",
            [
                connection.ops.adapt_datetimefield_value(at),  # as the ORM stores it
                TubeStatus.RECEIVED.value,
                batch.pk,
                TubeStatus.DELIVERED.value,
            ],
        )
    audit.record(
        actor=acting_user,
        action="testing.receive",
        obj=batch,
        request=request,
        area=batch.site.area,
    )
    return batch
