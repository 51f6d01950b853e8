"""The scan's hand-written statements (zhanyi.testing.fastpath.scan) against
the ORM's (actions.scanning.OrmStatements): the same instances, the same
judgements, the same context."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from rest_framework.authtoken.models import Token

from zhanyi.handoffs.models import HandoffKind
from zhanyi.people.models import Person
from zhanyi.testing import actions, queries
from zhanyi.testing.actions.scanning import OrmStatements
from zhanyi.testing.fastpath.lane import ScanLane
from zhanyi.testing.fastpath.scan import ScanStatements
from zhanyi.testing.models import Tube

from .factories import people, person, round_, scan, scheduled_tests, site


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_locked_tube_is_the_instance_the_orm_loads(world):
    r = round_([world.village])
    s = site(world.village)
    scan("FP000001", people(world.village, 3), site=s, round=r)
    fast, ordinary = ScanStatements.lock_tube("FP000001"), OrmStatements.lock_tube("FP000001")
    assert isinstance(fast, Tube) and fast._state.adding is False
    assert _fields(fast) == _fields(ordinary)
    assert fast.area.path == ordinary.area.path == world.village.path
    assert ScanStatements.lock_tube("NOSUCH01") is OrmStatements.lock_tube("NOSUCH01") is None


def test_the_codes_lookup_judges_as_the_orms(world):
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    numbered = person(world.village, identity_number="350602199001011234")
    survivor, merged = person(world.village), person(world.village)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    ps = people(world.village, 4)
    at = timezone.now()
    due = ps[2]
    scheduled_tests(due, world.village, (at - dt.timedelta(hours=1), at + dt.timedelta(hours=9)))
    later = ps[3]
    scheduled_tests(later, world.village, (at + dt.timedelta(days=2), at + dt.timedelta(days=3)))
    scan("FP000002", [ps[0], ps[1]], site=s, round=r)  # sampled in the round, in that tube
    tube = Tube.objects.get(barcode="FP000002")
    ids = [numbered.pk, survivor.pk, merged.pk, *(p.pk for p in ps), 99999999]
    numbers = ["350602199001011234", "110101199001010000"]
    for round_id, tube_id in ((None, None), (r.pk, None), (r.pk, tube.pk), (None, tube.pk)):
        for kinds in ([HandoffKind.TEST], [HandoffKind.TEST, HandoffKind.RESAMPLE]):
            judged = {"round_id": round_id, "tube_id": tube_id, "due_kinds": kinds, "at": at}
            for asked in ((ids, numbers), (ids, []), ([], numbers), (ids[:1], [])):
                fast = sorted(ScanStatements.lookup(*asked, **judged), key=lambda f: f[0])
                ordinary = sorted(OrmStatements.lookup(*asked, **judged), key=lambda f: f[0])
                assert fast == ordinary, (asked, judged)
    judged = {"round_id": r.pk, "tube_id": tube.pk, "due_kinds": [HandoffKind.TEST], "at": at}
    found = {f[0]: f for f in OrmStatements.lookup(ids, numbers, **judged)}
    assert found[merged.pk][2] == survivor.pk and found[numbered.pk][1] == numbered.identity_number
    assert found[ps[0].pk][3].sampled_in == "FP000002" and found[ps[0].pk][3].in_tube
    assert found[due.pk][3].test_due and not found[later.pk][3].test_due


def test_the_lanes_read_of_token_site_and_round_sees_what_the_ordinary_reads_see(world):
    """The lane reads the token's user with the scan's site and round in one
    statement; it answers as DRF's token check and ``queries.scan_context``."""
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
    lane = ScanLane(None)

    def answer(fn, *args):
        try:
            site_, round_ = fn(*args)
        except Http404:
            return "404"
        except PermissionDenied:
            return "403"
        return (_fields(site_) if site_ else None, _fields(round_) if round_ else None)

    def fast(user, site_id, round_id):
        key = Token.objects.get_or_create(user=user)[0].key
        found, context = lane._read(key, site_id, round_id)
        assert found == user
        return context

    users = [
        world.commander,
        world.tracer,
        world.village_member,
        world.other_county_staff,
        world.outsider,
    ]
    places = [(s.pk, None) for s in [*sites, closed]]
    places += [(None, r.pk) for r in rounds] + [(sites[0].pk, rounds[3].pk), (None, None)]
    places += [(99999, None), (None, 99999)]
    for user in users:
        for site_id, round_id in places:
            expected = answer(queries.scan_context, user, site_id, round_id)
            got = answer(fast, user, site_id, round_id)
            assert got == expected, (user.username, site_id, round_id)


def test_a_scan_through_either_statements_answers_and_stores_alike(world):
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    ps = people(world.village, 16)
    outcomes = []
    for statements, group in ((OrmStatements, ps[:8]), (ScanStatements, ps[8:])):
        codes = [actions.qr_payload(p.pk) for p in group[:3]] + ["P99999999", "x"]
        first = actions.do_scan(
            acting_user=world.village_member,
            barcode=f"FP{statements.__name__[:6]}",
            codes=codes,
            site=s,
            round=r,
            statements=statements,
        )
        more = actions.do_scan(
            acting_user=world.village_member,
            barcode=f"FP{statements.__name__[:6]}",
            codes=[actions.qr_payload(p.pk) for p in group[2:6]],
            statements=statements,
        )
        tube = Tube.objects.get(pk=first.tube.pk)
        outcomes.append(
            (
                [(a["index"]) for a in first.accepted + more.accepted],
                [(p.row, p.code) for p in first.refused + more.refused],
                (tube.status, tube.samples_count, first.opened, more.closed),
                sorted(p - group[0].pk for p in tube.samples.values_list("person_id", flat=True)),
            )
        )
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][2] == ("closed", 5, True, True)
