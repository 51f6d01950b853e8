"""The scan hot path: codes resolved in one query, merged persons, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhanyi.core.db import dialect
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.models import Handoff
from zhanyi.people.models import Person
from zhanyi.testing import actions
from zhanyi.testing.actions.common import InputError
from zhanyi.testing.fastpath.scan import ScanStatements
from zhanyi.testing.models import Sample, Tube

from .factories import SYSTEM, people, person, round_, scan, scheduled_tests, site

FAST = {"statements": ScanStatements}


@pytest.fixture(params=["orm", "fast"])
def statements(request):
    """The scan's statements: the ORM's and the scan lane's answer alike."""
    return {"orm": actions.scanning.OrmStatements, "fast": ScanStatements}[request.param]


def test_a_merged_persons_codes_reach_the_survivor(world, statements):
    survivor = person(world.village, identity_number="350602199001011234")
    merged = person(world.village)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    found = actions.resolve_codes(
        [f"P{merged.pk}", actions.qr_payload(merged.pk)], lookup=statements.lookup
    )
    assert {code: p.pk for code, p in found.items()} == {
        f"P{merged.pk}": survivor.pk,
        actions.qr_payload(merged.pk): survivor.pk,
    }


def test_scanning_a_merged_person_and_their_survivor_samples_the_survivor_once(world, statements):
    survivor, merged = person(world.village), person(world.village)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    r = round_([world.village])
    res = actions.do_scan(
        acting_user=SYSTEM,
        barcode="ZM0001",
        codes=[f"P{merged.pk}", f"P{survivor.pk}"],
        site=site(world.village),
        round=r,
        statements=statements,
    )
    assert res.accepted == [{"index": 0, "person_id": survivor.pk}]
    assert [(p.row, p.code) for p in res.refused] == [(1, "duplicate")]
    assert list(Sample.objects.values_list("person_id", flat=True)) == [survivor.pk]


def test_a_person_sampled_through_a_merged_record_is_already_sampled_in_the_round(
    world, statements
):
    survivor, merged = person(world.village), person(world.village)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    r = round_([world.village])
    s = site(world.village)
    scan("ZM0002", [survivor], site=s, round=r, statements=statements)
    res = actions.do_scan(
        acting_user=SYSTEM,
        barcode="ZM0003",
        codes=[f"P{merged.pk}"],
        site=s,
        round=r,
        statements=statements,
    )
    assert res.accepted == []
    assert res.refused[0].code == "already_sampled" and "ZM0002" in res.refused[0].message


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_scan_costs_the_same_few_statements_for_one_code_or_a_full_tube(world):
    """The hot path's statement count does not grow with the codes in a request."""
    r = round_([world.village], pool_size=10)
    s = site(world.village)
    ps = people(world.village, 12)
    counts = []
    for barcode, group in (("ZQ0001", ps[:1]), ("ZQ0002", ps[1:11]), ("ZQ0001", ps[11:12])):
        with CaptureQueriesContext(connection) as queries:
            scan(barcode, group, site=s, round=r, **FAST)
        counts.append(len(_statements(queries)))
        assert counts[-1] <= 10, [q[:80] for q in _statements(queries)]
    one_new, whole_new, one_more = counts
    assert one_more == one_new - 1  # an open tube is found, not opened
    if dialect.is_postgresql():
        assert whole_new == 2  # the codes; the tube, samples and audit record
    else:
        assert whole_new == one_new


@pytest.mark.django_db(transaction=True)
def test_a_whole_new_tube_is_two_statements_and_no_transaction_to_open_or_commit():
    if not dialect.is_postgresql():
        pytest.skip("the one-statement write is PostgreSQL's")
    from zhanyi.accounts.testing import build_world

    world = build_world()
    r = round_([world.village], pool_size=10)
    s = site(world.village)
    ps = people(world.village, 10)
    with CaptureQueriesContext(connection) as queries:
        res = scan("ZW0001", ps, site=s, round=r, **FAST)
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 2 and not any(x.startswith(("BEGIN", "COMMIT")) for x in sql), sql
    tube = Tube.objects.get(barcode="ZW0001")
    assert res.opened and res.closed and res.tube.pk == tube.pk
    assert (tube.status, tube.samples_count, tube.sampled_at, tube.closed_at) == (
        "closed",
        10,
        tube.opened_at,
        tube.opened_at,
    )
    assert set(tube.samples.values_list("person_id", flat=True)) == {p.pk for p in ps}
    event = AuditEvent.objects.get(action="testing.scan", object_id=str(tube.pk))
    assert event.detail["accepted"] == [p.pk for p in ps] and event.detail["closed"] is True


@pytest.mark.django_db(transaction=True)
def test_a_whole_tube_sent_again_writes_nothing_more_and_is_refused_as_closed():
    """A phone's retry of a tube that landed: the one-statement write fails on
    the barcode, nothing of it is kept, and the usual order refuses the closed tube."""
    if not dialect.is_postgresql():
        pytest.skip("the one-statement write is PostgreSQL's")
    from zhanyi.accounts.testing import build_world

    world = build_world()
    r = round_([world.village], pool_size=10)
    s = site(world.village)
    ps, others = people(world.village, 10), people(world.village, 10)
    scan("ZW0002", ps, site=s, round=r, **FAST)
    samples, events = Sample.objects.count(), AuditEvent.objects.count()
    with pytest.raises(InputError) as refused:
        scan("ZW0002", others, site=s, round=r, **FAST)
    assert refused.value.problems[0].code == "closed"
    assert (Sample.objects.count(), AuditEvent.objects.count()) == (samples, events)
    assert Tube.objects.get(barcode="ZW0002").samples_count == 10


def test_a_whole_tube_with_a_scheduled_test_due_fulfils_it_in_the_usual_order(world, statements):
    """A hand-off to fulfil is work for the transaction: a whole tube holding
    a contact whose test is due is written in the usual order, the test done."""
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    ps = people(world.village, 5)
    at = timezone.now()
    key = scheduled_tests(
        ps[2], world.village, (at - dt.timedelta(hours=1), at + dt.timedelta(hours=12))
    )
    res = scan("ZW0003", ps, site=s, round=r, statements=statements)
    assert res.opened and res.closed and len(res.accepted) == 5
    h = Handoff.objects.get(key=key)
    assert h.status == "done" and Sample.objects.get(person=ps[2]).handoff == h
    assert Tube.objects.get(barcode="ZW0003").samples_count == 5


def test_a_tube_opened_by_a_concurrent_scan_is_not_opened_twice(world, statements):
    """Two phones scan a new barcode at the same moment: the insert that comes
    second finds the barcode taken, inserts nothing, and the scan uses that tube."""
    insert = statements.insert_tube
    r = round_([world.village])
    s = site(world.village)
    scan("ZC0001", people(world.village, 1), site=s, round=r)
    late = Tube(
        barcode="ZC0001", round=r, site=s, area_id=s.area_id, pool_size=10, opened_at=r.starts_at
    )
    assert insert(late) is False and late.pk is None
    assert Tube.objects.filter(barcode="ZC0001").count() == 1
    fresh = Tube(
        barcode="ZC0002", round=r, site=s, area_id=s.area_id, pool_size=10, opened_at=r.starts_at
    )
    assert insert(fresh) is True
    assert Tube.objects.get(pk=fresh.pk).barcode == "ZC0002"


@pytest.mark.django_db(transaction=True)
def test_two_phones_sending_a_whole_tube_with_one_barcode_at_once_fill_it_once():
    """The one-statement write of two requests racing for a new barcode: the
    barcode's unique key lets one in; the other's write fails whole and the
    usual order refuses it (the tube is full and closed). Nothing of it lands."""
    if not dialect.is_postgresql():
        pytest.skip("two writers at once need PostgreSQL; SQLite locks the file")
    import threading

    from django.db import close_old_connections

    from zhanyi.accounts.testing import build_world

    world = build_world()
    r = round_([world.village], pool_size=10)
    s = site(world.village)
    groups = [people(world.village, 10), people(world.village, 10)]
    start = threading.Barrier(2)
    outcomes: list = [None, None]

    def phone(i: int) -> None:
        try:
            start.wait(10)
            outcomes[i] = scan("ZW0100", groups[i], site=s, round=r, **FAST)
        except InputError as e:
            outcomes[i] = e
        finally:
            close_old_connections()

    threads = [threading.Thread(target=phone, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [o for o in outcomes if not isinstance(o, InputError)]
    lost = [o for o in outcomes if isinstance(o, InputError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert won[0].opened and won[0].closed and len(won[0].accepted) == 10
    assert [p.code for p in lost[0].problems] == ["closed"]
    tube = Tube.objects.get(barcode="ZW0100")
    assert tube.samples_count == 10 and tube.samples.count() == 10
    assert AuditEvent.objects.filter(action="testing.scan", object_id=str(tube.pk)).count() == 1
