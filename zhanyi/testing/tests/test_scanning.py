"""The scan hot path: codes resolved in one query, merged persons, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhanyi.people.models import Person
from zhanyi.testing import actions
from zhanyi.testing.actions.common import InputError
from zhanyi.testing.models import Sample, Tube

from .factories import SYSTEM, people, person, round_, scan, site


def test_a_merged_persons_codes_reach_the_survivor(world):
    survivor = person(world.village, identity_number="350602199001011234")
    merged = person(world.village)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    found = actions.resolve_codes([f"P{merged.pk}", actions.qr_payload(merged.pk)])
    assert {code: p.pk for code, p in found.items()} == {
        f"P{merged.pk}": survivor.pk,
        actions.qr_payload(merged.pk): survivor.pk,
    }


def test_scanning_a_merged_person_and_their_survivor_samples_the_survivor_once(world):
    survivor, merged = person(world.village), person(world.village)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    r = round_([world.village])
    res = actions.do_scan(
        acting_user=SYSTEM,
        barcode="ZM0001",
        codes=[f"P{merged.pk}", f"P{survivor.pk}"],
        site=site(world.village),
        round=r,
    )
    assert res.accepted == [{"index": 0, "person_id": survivor.pk}]
    assert [(p.row, p.code) for p in res.refused] == [(1, "duplicate")]
    assert list(Sample.objects.values_list("person_id", flat=True)) == [survivor.pk]


def test_a_person_sampled_through_a_merged_record_is_already_sampled_in_the_round(world):
    survivor, merged = person(world.village), person(world.village)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    r = round_([world.village])
    s = site(world.village)
    scan("ZM0002", [survivor], site=s, round=r)
    res = actions.do_scan(
        acting_user=SYSTEM, barcode="ZM0003", codes=[f"P{merged.pk}"], site=s, round=r
    )
    assert res.accepted == []
    assert res.refused[0].code == "already_sampled" and "ZM0002" in res.refused[0].message


def test_a_scan_costs_the_same_few_statements_for_one_code_or_a_full_tube(world):
    """The hot path's statement count does not grow with the codes in a request;
    a whole tube in one request opens its tube without looking for it first."""
    r = round_([world.village], pool_size=10)
    s = site(world.village)
    ps = people(world.village, 21)
    counts = []
    for barcode, group in (("ZQ0001", ps[:1]), ("ZQ0002", ps[1:11]), ("ZQ0001", ps[11:12])):
        with CaptureQueriesContext(connection) as queries:
            scan(barcode, group, site=s, round=r)
        counts.append(len(queries.captured_queries))
        assert counts[-1] <= 10, [q["sql"][:80] for q in queries.captured_queries]
    one_new, whole_new, one_more = counts
    assert whole_new == one_new - 1  # no look-up of the tube
    assert one_more == one_new - 1  # an open tube is found, not opened
    # A whole tube's codes again for a tube that exists (a phone's retry):
    # found after all, locked, and refused as the closed tube it is.
    with CaptureQueriesContext(connection) as queries, pytest.raises(InputError) as refused:
        actions.do_scan(
            acting_user=SYSTEM,
            barcode="ZQ0002",
            codes=[f"P{p.pk}" for p in ps[1:11]],
            site=s,
            round=r,
        )
    assert refused.value.problems[0].code == "closed"
    assert len(queries.captured_queries) <= one_new + 1
    assert Tube.objects.get(barcode="ZQ0002").samples_count == 10


def test_the_scan_context_sees_exactly_what_the_site_and_round_lookups_see(world):
    """``scan_context`` (one plain query) answers as ``get_site_for_user`` and
    ``get_round_for_user`` do, for every kind of user and place."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from zhanyi.testing import queries

    sites = [site(world.village, "本村"), site(world.other_village, "外县")]
    closed = site(world.village2, "已撤")
    closed.active = False
    closed.save(update_fields=["active"])
    rounds = [
        round_([world.city], name="全市"),
        round_([world.county], name="芗城"),
        round_([world.other_village], name="外村"),
        round_([world.village], name="本村"),
    ]

    def answer(fn, *args):
        try:
            return fn(*args).pk
        except Http404:
            return "404"
        except PermissionDenied:
            return "403"

    users = [
        world.commander,
        world.tracer,
        world.village_member,
        world.other_county_staff,
        world.outsider,
    ]
    for user in users:
        for s in [*sites, closed]:
            expected = answer(queries.get_site_for_user, user, s.pk)
            got = answer(lambda u, pk: queries.scan_context(u, pk, None)[0], user, s.pk)
            assert got == expected, (user.username, s.name)
        for r in rounds:
            expected = answer(queries.get_round_for_user, user, r.pk)
            got = answer(lambda u, pk: queries.scan_context(u, None, pk)[1], user, r.pk)
            assert got == expected, (user.username, r.name)
    assert answer(lambda u, pk: queries.scan_context(u, pk, None)[0], world.tracer, 99999) == "404"


def test_a_tube_opened_by_a_concurrent_scan_is_not_opened_twice(world):
    """Two phones scan a new barcode at the same moment: the insert that comes
    second finds the barcode taken, inserts nothing, and the scan uses that tube."""
    from zhanyi.core.rows import insert
    from zhanyi.testing.models import Tube

    r = round_([world.village])
    s = site(world.village)
    scan("ZC0001", people(world.village, 1), site=s, round=r)
    late = Tube(
        barcode="ZC0001", round=r, site=s, area_id=s.area_id, pool_size=10, opened_at=r.starts_at
    )
    assert insert(late, unless_exists="barcode") is False and late.pk is None
    assert Tube.objects.filter(barcode="ZC0001").count() == 1
    fresh = Tube(
        barcode="ZC0002", round=r, site=s, area_id=s.area_id, pool_size=10, opened_at=r.starts_at
    )
    assert insert(fresh, unless_exists="barcode") is True
    assert Tube.objects.get(pk=fresh.pk).barcode == "ZC0002"
