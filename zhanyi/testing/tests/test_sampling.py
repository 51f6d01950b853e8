"""Scanning people into tubes, delivery and receipt, and the bad inputs at each step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.handoffs import schedule
from zhanyi.handoffs.models import Handoff
from zhanyi.testing import actions
from zhanyi.testing.models import Sample, Tube

from .factories import SYSTEM, lab, people, person, round_, scan, scheduled_tests, site


def test_a_person_is_found_by_qr_identity_number_or_person_number(world):
    p = person(world.village, identity_number="350602199001011234")
    found = actions.resolve_codes([actions.qr_payload(p.pk), "350602199001011234", f"P{p.pk}"])
    assert {k: v.pk for k, v in found.items()} == {
        actions.qr_payload(p.pk): p.pk,
        "350602199001011234": p.pk,
        f"P{p.pk}": p.pk,
    }


def test_a_code_a_scanner_ends_with_a_newline_or_space_still_finds_its_person(world):
    ps = people(world.village, 2)
    r = round_([world.village])
    s = site(world.village)
    res = actions.do_scan(
        acting_user=SYSTEM,
        barcode="ZZ0090",
        codes=[f" {actions.qr_payload(ps[0].pk)}\r\n", f"P{ps[1].pk} "],
        site=s,
        round=r,
    )
    assert [a["person_id"] for a in res.accepted] == [ps[0].pk, ps[1].pk]
    assert res.refused == []


def test_a_tube_opens_on_its_first_scan_and_closes_when_full(world):
    ps = people(world.village, 10)
    r = round_([world.village])
    s = site(world.village)
    first = scan("ZZ0001", ps[:4], site=s, round=r)
    assert first.opened and not first.closed
    second = scan("ZZ0001", ps[4:], site=s)
    assert second.closed
    tube = Tube.objects.get(barcode="ZZ0001")
    assert tube.status == "closed" and tube.samples_count == 10 and tube.closed_at


def test_a_scan_into_a_full_tube_is_refused_and_the_others_are_kept(world):
    ps = people(world.village, 7)
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    res = scan("ZZ0002", ps, site=s, round=r)
    assert len(res.accepted) == 5
    assert [p.code for p in res.refused] == ["tube_full", "tube_full"]
    assert res.refused[0].row == 5
    with pytest.raises(actions.InputError, match="closed"):
        scan("ZZ0002", ps[5:], site=s)
    assert Sample.objects.filter(tube__barcode="ZZ0002").count() == 5


def test_a_person_scanned_twice_in_one_round_is_refused_naming_the_first_tube(world):
    p = person(world.village)
    r = round_([world.village])
    s = site(world.village)
    scan("ZZ0003", [p], site=s, round=r)
    res = scan("ZZ0004", [p], site=s, round=r)
    assert res.refused[0].code == "already_sampled"
    assert "ZZ0003" in res.refused[0].message
    assert Sample.objects.filter(person=p).count() == 1


def test_an_unknown_or_unreadable_code_is_refused_with_its_position(world):
    p = person(world.village)
    r = round_([world.village])
    s = site(world.village)
    res = actions.do_scan(
        acting_user=SYSTEM,
        barcode="ZZ0005",
        codes=[actions.qr_payload(p.pk), "zhanyi:person:999999", "hello?"],
        site=s,
        round=r,
    )
    assert [(x.row, x.code) for x in res.refused] == [(1, "unknown"), (2, "unknown")]
    assert "Unreadable" in res.refused[1].message
    assert len(res.accepted) == 1


def test_an_unknown_barcode_without_a_site_is_refused_and_nothing_is_stored(world):
    p = person(world.village)
    with pytest.raises(actions.InputError) as e:
        scan("NOPE0001", [p])
    assert e.value.problems[0].field == "tube" and e.value.problems[0].code == "unknown"
    assert not Sample.objects.exists()


def test_a_field_member_cannot_scan_at_a_site_of_another_village(world):
    p = person(world.village2)
    r = round_([world.township])
    s = site(world.village2, "南昌采样点")
    with pytest.raises(PermissionDenied):
        scan("ZZ0006", [p], site=s, round=r, user=world.village_member)
    with pytest.raises(PermissionDenied):
        scan("ZZ0006", [p], site=s, round=r, user=world.other_county_staff)


def test_every_scan_is_audited_with_the_people_it_took(world):
    ps = people(world.village, 2)
    r = round_([world.village])
    s = site(world.village)
    scan("ZZ0007", ps, site=s, round=r, user=world.village_member)
    event = AuditEvent.objects.get(action="testing.scan")
    assert event.detail["accepted"] == [p.pk for p in ps]
    assert event.actor == world.village_member


def test_a_scheduled_test_from_tracing_is_closed_when_the_person_is_sampled(world):
    p = person(world.village)
    now = timezone.now()
    key = scheduled_tests(
        p, world.village, (now - dt.timedelta(hours=1), now + dt.timedelta(hours=12))
    )
    s = site(world.village)
    scan("ZZ0008", [p], site=s, purpose="scheduled", pool_size=1)
    h = Handoff.objects.get(key=key)
    assert h.status == "done" and "ZZ0008" in h.outcome
    assert Sample.objects.get(person=p).handoff == h


def test_a_sample_in_the_current_window_moves_the_schedule_to_its_next_test(world):
    p = person(world.village)
    now = timezone.now()
    day4 = (now + dt.timedelta(days=3), now + dt.timedelta(days=4))
    key = scheduled_tests(
        p, world.village, (now - dt.timedelta(hours=1), now + dt.timedelta(hours=12)), day4
    )
    scan("ZZ0018", [p], site=site(world.village), purpose="scheduled", pool_size=1)
    h = Handoff.objects.get(key=key)
    # Day 1 is done in the detail; the row waits for day 4, still open.
    assert (h.status, h.not_before, h.due_at) == ("open", *day4)
    assert [(t.day, t.done, t.tube) for t in schedule.tests_of(h.detail)] == [
        (1, True, "ZZ0018"),
        (4, False, ""),
    ]
    assert Sample.objects.get(person=p).handoff == h
    # A second sample the same day belongs to no test: day 4 is not yet due.
    scan("ZZ0019", [p], site=site(world.village, "第二采样点"), purpose="scheduled", pool_size=1)
    h.refresh_from_db()
    assert (h.status, h.not_before) == ("open", day4[0])
    assert Sample.objects.get(tube__barcode="ZZ0019").handoff is None


def test_a_scheduled_test_not_yet_due_stays_open(world):
    p = person(world.village)
    now = timezone.now()
    key = scheduled_tests(
        p, world.village, (now + dt.timedelta(days=3), now + dt.timedelta(days=4))
    )
    scan("ZZ0009", [p], site=site(world.village), purpose="scheduled", pool_size=1)
    assert Handoff.objects.get(key=key).status == "open"


def test_delivery_refuses_the_whole_batch_when_one_tube_is_bad(world):
    ps = people(world.village, 2)
    r = round_([world.village])
    s = site(world.village)
    lb = lab(world.city)
    scan("ZZ0010", ps[:1], site=s, round=r)
    with pytest.raises(actions.InputError) as e:
        actions.do_deliver(acting_user=SYSTEM, site=s, lab=lb, barcodes=["ZZ0010", "GHOST001"])
    assert [(p.row, p.code) for p in e.value.problems] == [(1, "unknown")]
    assert Tube.objects.get(barcode="ZZ0010").batch is None
    batch = actions.do_deliver(acting_user=SYSTEM, site=s, lab=lb, barcodes=["ZZ0010"])
    tube = Tube.objects.get(barcode="ZZ0010")
    assert tube.status == "delivered" and tube.closed_at and tube.delivered_at == batch.delivered_at
    with pytest.raises(actions.InputError, match="Delivered already"):
        actions.do_deliver(acting_user=SYSTEM, site=s, lab=lb, barcodes=["ZZ0010"])
    actions.do_receive_batch(batch, acting_user=SYSTEM)
    assert Tube.objects.get(barcode="ZZ0010").status == "received"
    with pytest.raises(actions.InputError, match="received already"):
        actions.do_receive_batch(batch, acting_user=SYSTEM)


def test_a_bulk_upload_refuses_bad_tubes_by_index_and_stores_the_rest(world):
    ps = people(world.village, 14)
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    at = r.starts_at + dt.timedelta(minutes=5)

    def up(barcode, persons, site_id=s.pk):
        return actions.TubeUpload(barcode, site_id, tuple(p.pk for p in persons), at, at)

    res = actions.do_import_samples(
        acting_user=SYSTEM,
        round=r,
        tubes=[
            up("BULK0001", ps[0:5]),
            up("BULK0002", ps[5:11]),  # six swabs in a 5-in-1 tube
            up("BULK0001", ps[11:12]),  # barcode used twice
            up("BULK0003", [ps[0]]),  # sampled in BULK0001 already
            up("BULK0004", ps[12:14], site_id=999_999),
            actions.TubeUpload("BULK0005", s.pk, (ps[12].pk, ps[13].pk), at),  # not closed
        ],
    )
    assert (res.tubes, res.samples) == (2, 7)
    assert [(p.row, p.field, p.code) for p in res.refused] == [
        (1, "person_ids", "tube_full"),
        (2, "barcode", "duplicate"),
        (3, "person_ids", "already_sampled"),
        (4, "site", "unknown"),
    ]
    assert Tube.objects.get(barcode="BULK0001").status == "closed"
    assert Tube.objects.get(barcode="BULK0005").status == "open"
    assert Sample.objects.filter(round=r).count() == 7
