"""The bulk paths of a round: long lists of keys, boxes of tubes delivered at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, transaction

from zhanyi.core.db import dialect
from zhanyi.core.db.bulk import where_in
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.testing import actions
from zhanyi.testing.models import DeliveryBatch, Sample, Tube

from .factories import SYSTEM, lab, people, round_, scan, site


def test_a_lookup_by_thousands_of_keys_finds_exactly_the_stored_ones(world):
    ps = people(world.village, 3)
    r = round_([world.village], pool_size=1)
    s = site(world.village)
    for i, p in enumerate(ps):
        scan(f"LONG{i:04d}", [p], site=s, round=r)
    # More keys than one plain IN list carries (chunks of 5,000 on SQLite,
    # one array on PostgreSQL), the stored ones among them.
    # A lab file's barcodes can hold anything: quotes, commas, braces, spaces.
    odd = ['A"B', "C\\D", "E,F", "{G}", "H'I", "NULL", " J ", "", "K\x00L"]
    wanted = [f"NONE{i:05d}" for i in range(12_000)] + odd + ["LONG0000", "LONG0002"]
    found = set()
    for qs in where_in(Tube.objects.order_by(), "barcode", wanted, "text"):
        found.update(qs.values_list("barcode", flat=True))
    assert found == {"LONG0000", "LONG0002"}
    ids = list(Tube.objects.values_list("pk", flat=True))
    counted = sum(qs.count() for qs in where_in(Tube.objects.all(), "pk", ids * 3, "bigint"))
    assert counted == 3


def test_a_bulk_upload_of_full_tubes_closes_them_and_keeps_each_swab(world):
    ps = people(world.village, 7)
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    at = r.starts_at
    res = actions.do_import_samples(
        acting_user=SYSTEM,
        round=r,
        tubes=[
            # The second tube's people come first: tubes are written in the
            # order of their people, and each keeps its own swabs.
            actions.TubeUpload("UPL00002", s.pk, (ps[6].pk, ps[5].pk), at),
            actions.TubeUpload("UPL00001", s.pk, tuple(p.pk for p in ps[:5]), at),
        ],
    )
    assert (res.tubes, res.samples, res.refused) == (2, 7, [])
    full, part = Tube.objects.get(barcode="UPL00001"), Tube.objects.get(barcode="UPL00002")
    assert (full.status, full.samples_count, full.closed_at) == ("closed", 5, at)
    assert (part.status, part.samples_count, part.closed_at) == ("open", 2, None)
    assert set(full.samples.values_list("person_id", flat=True)) == {p.pk for p in ps[:5]}
    assert set(part.samples.values_list("person_id", flat=True)) == {ps[5].pk, ps[6].pk}
    assert set(full.samples.values_list("round_id", flat=True)) == {r.pk}


@pytest.mark.django_db(transaction=True)
def test_a_box_that_loses_a_tube_to_a_delivery_running_at_the_same_time_is_refused_whole():
    if not dialect.is_postgresql():
        pytest.skip("two writers at once need PostgreSQL's row locks; SQLite locks the file")
    from zhanyi.accounts.testing import build_world

    world = build_world()
    ps = people(world.village, 2)
    r = round_([world.village], pool_size=1)
    s = site(world.village)
    lb = lab(world.city)
    scan("RACE0001", ps[:1], site=s, round=r)
    scan("RACE0002", ps[1:], site=s, round=r)
    first_holds, release = threading.Event(), threading.Event()

    def first_courier():
        try:
            with transaction.atomic():
                actions.do_deliver(
                    acting_user=SYSTEM, site=s, lab=lb, barcodes=["RACE0001"], code="FIRST"
                )
                first_holds.set()
                release.wait(10)
        finally:
            close_old_connections()

    courier = threading.Thread(target=first_courier)
    courier.start()
    assert first_holds.wait(10)
    # The second box reads RACE0001 as not yet delivered (the first box is not
    # committed), then waits on its row until the first commits.
    threading.Timer(0.5, release.set).start()
    with pytest.raises(actions.InputError) as e:
        actions.do_deliver(
            acting_user=SYSTEM, site=s, lab=lb, barcodes=["RACE0002", "RACE0001"], code="SECOND"
        )
    courier.join(10)
    assert [(p.row, p.code) for p in e.value.problems] == [(1, "delivered")]
    assert not DeliveryBatch.objects.filter(code="SECOND").exists()
    assert Tube.objects.get(barcode="RACE0001").batch.code == "FIRST"
    assert Tube.objects.get(barcode="RACE0002").batch is None


def test_times_written_in_bulk_in_china_time_are_found_by_the_same_times(world):
    # Lab files and phones write China time; every bulk write stores times as
    # the ORM does, so a lookup by the same instant finds them on any database.
    ps = people(world.village, 1)
    r = round_([world.village], pool_size=1)
    s, lb = site(world.village), lab(world.city)
    at = r.starts_at.astimezone(LOCAL_TZ) + dt.timedelta(minutes=10)
    actions.do_import_samples(
        acting_user=SYSTEM, round=r, tubes=[actions.TubeUpload("CST00001", s.pk, (ps[0].pk,), at)]
    )
    delivered = at + dt.timedelta(minutes=30)
    batch = actions.do_deliver(
        acting_user=SYSTEM, site=s, lab=lb, barcodes=["CST00001"], delivered_at=delivered
    )
    actions.do_receive_batch(batch, acting_user=SYSTEM, received_at=delivered)
    tested = at + dt.timedelta(hours=1)
    row = actions.ResultRow(2, "CST00001", "negative", tested, tested)
    actions.do_record_results(acting_user=SYSTEM, lab=lb, rows=[row], via="file")
    tube = Tube.objects.filter(
        sampled_at=at, closed_at=at, delivered_at=delivered, received_at=delivered
    ).get(tested_at=tested, reported_at=tested)
    assert tube.barcode == "CST00001"
    assert Sample.objects.filter(sampled_at=at, tube=tube).count() == 1
    assert Tube.objects.filter(delivered_at__gt=at, delivered_at__lt=tested).count() == 1
