"""The scan hot path: codes resolved in one query, merged persons, query counts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhanyi.people.models import Person
from zhanyi.testing import actions
from zhanyi.testing.models import Sample

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
    """The hot path's statement count does not grow with the codes in a request."""
    r = round_([world.village], pool_size=10)
    s = site(world.village)
    ps = people(world.village, 11)
    counts = []
    for barcode, group in (("ZQ0001", ps[:1]), ("ZQ0002", ps[1:11])):
        with CaptureQueriesContext(connection) as queries:
            scan(barcode, group, site=s, round=r)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 10, [q["sql"][:80] for q in queries.captured_queries]
