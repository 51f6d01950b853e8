"""Set-up of bench testing, not measured: the bench city and its persons, sampling
sites and labs, the bench's user, and a clean slate after earlier runs."""

from __future__ import annotations

import time
from typing import TextIO

from django.db import DatabaseError, connection

from zhanyi.bench.city import say
from zhanyi.core.audit import SystemActor
from zhanyi.core.db import dialect

ACTOR = SystemActor("bench:testing")
CITY = "990000"
EXTERNAL_BASE = 9_000_000_000


def ensure_city(people: int, villages: int, out: TextIO) -> tuple[list[int], list]:
    """Areas and persons of the bench city; returns (person ids, villages)."""
    from zhanyi.people.actions.imports import do_import_persons
    from zhanyi.people.models import Person
    from zhanyi.places.models import Area

    city = Area.objects.filter(code=CITY).first()
    if city is None:
        city = Area.objects.create(
            code=CITY, name="基准市", level="city", kind="city", path=f"/{CITY}/"
        )
    counties = []
    for c in range(4):
        code = f"{CITY[:4]}{c + 1:02d}"
        county, _ = Area.objects.get_or_create(
            code=code,
            defaults={
                "name": f"基准{c + 1}区",
                "level": "county",
                "kind": "district",
                "parent": city,
                "path": f"{city.path}{code}/",
            },
        )
        counties.append(county)
    per_county = max(1, villages // 4)
    want = []
    for ci, county in enumerate(counties):
        township_code = f"{county.code}001"
        township, _ = Area.objects.get_or_create(
            code=township_code,
            defaults={
                "name": f"基准{ci + 1}街道",
                "level": "township",
                "kind": "subdistrict",
                "parent": county,
                "path": f"{county.path}{township_code}/",
            },
        )
        for v in range(per_county):
            code = f"{township_code}{v + 1:03d}"
            want.append((code, township))
    have = set(Area.objects.filter(code__in=[c for c, _ in want]).values_list("code", flat=True))
    Area.objects.bulk_create(
        [
            Area(
                code=c,
                name=f"基准村{c[-5:]}",
                level="village",
                kind="community",
                parent=t,
                path=f"{t.path}{c}/",
            )
            for c, t in want
            if c not in have
        ]
    )
    village_list = list(Area.objects.filter(code__in=[c for c, _ in want]).order_by("code"))
    existing = Person.objects.filter(
        external_id__gte=EXTERNAL_BASE, external_id__lt=EXTERNAL_BASE + people
    ).count()
    if existing < people:
        say(out, f"set-up: importing {people - existing:,} persons (kept for the next run)…")
        t = time.perf_counter()

        def rows():
            for i in range(people):
                yield {
                    "person_id": EXTERNAL_BASE + i,
                    "name": f"受检者{i}",
                    "sex": "male" if i % 2 else "female",
                    "village_code": village_list[i % len(village_list)].code,
                }

        counts = do_import_persons(acting_user=ACTOR, households=[], persons=rows())
        say(out, f"set-up: {counts} in {time.perf_counter() - t:.0f}s")
    # Fresh tables: give the planner their sizes, as autovacuum would in time.
    dialect.analyze("places_area", "people_person")
    ids = list(
        Person.objects.filter(
            external_id__gte=EXTERNAL_BASE, external_id__lt=EXTERNAL_BASE + people
        )
        .order_by("village_id", "id")
        .values_list("id", "village_id")
    )
    return ids, village_list


def loaded_city(code: str) -> tuple[list[tuple[int, int]], list]:
    """A city another bench or a city's own importers loaded: (person id,
    village id) of every person of its villages, and those villages."""
    from zhanyi.people.models import Person
    from zhanyi.places.models import Area

    city = Area.objects.filter(code=code).first()
    if city is None:
        raise SystemExit(f"bench testing: no area has the code {code}")
    dialect.analyze("places_area", "people_person")
    ids = list(
        Person.objects.filter(village__path__startswith=city.path)
        .order_by("village_id", "id")
        .values_list("id", "village_id")
    )
    if not ids:
        raise SystemExit(f"bench testing: {city.name} ({code}) has no persons in its villages")
    villages = sorted({village for _, village in ids})
    return ids, list(Area.objects.filter(pk__in=villages).order_by("code"))


def forget_earlier_runs(out: TextIO) -> None:
    """Delete the rounds of earlier runs (set-up, not measured): a run should
    not be measured against the indexes of every million-row round before it."""
    from zhanyi.testing.models import (
        DeliveryBatch,
        ResultImport,
        RoundTarget,
        Sample,
        TestingRound,
        Tube,
    )

    rounds = list(TestingRound.objects.filter(name__startswith="基准").values_list("pk", flat=True))
    if not rounds:
        return
    t = time.perf_counter()
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(rounds))
        sample, tube = Sample._meta.db_table, Tube._meta.db_table
        # Re-sampling tubes (no round) of the bench's positive pools, then the
        # rounds' samples, tubes and targets, each by an indexed key.
        cursor.execute(
            f"DELETE FROM {sample} WHERE round_id IS NULL AND tube_id IN "
            f"(SELECT r.id FROM {tube} r JOIN {tube} p ON p.id = r.parent_id "
            f"WHERE p.round_id IN ({marks}))",
            rounds,
        )
        cursor.execute(
            f"DELETE FROM {tube} WHERE parent_id IN "
            f"(SELECT id FROM {tube} WHERE round_id IN ({marks}))",
            rounds,
        )
        cursor.execute(f"DELETE FROM {sample} WHERE round_id IN ({marks})", rounds)
        cursor.execute(f"DELETE FROM {tube} WHERE round_id IN ({marks})", rounds)
        cursor.execute(
            f"DELETE FROM {RoundTarget._meta.db_table} WHERE round_id IN ({marks})", rounds
        )
    DeliveryBatch.objects.filter(code__startswith="BOX").filter(tubes__isnull=True).delete()
    ResultImport.objects.filter(lab__code__startswith="BENCH-LAB").delete()
    TestingRound.objects.filter(pk__in=rounds).delete()
    dialect.analyze("testing_sample", "testing_tube", "testing_roundtarget", vacuum=True)
    say(
        out,
        f"set-up: removed {len(rounds)} earlier bench round(s) in {time.perf_counter() - t:.0f}s",
    )


def sites_and_labs(village_list) -> tuple[dict[int, int], list]:
    from zhanyi.testing.models import Lab, SamplingSite

    sites = {s.area_id: s.pk for s in SamplingSite.objects.filter(area__in=village_list)}
    missing = [v for v in village_list if v.pk not in sites]
    SamplingSite.objects.bulk_create(
        [SamplingSite(name=f"{v.name}采样点", area=v) for v in missing]
    )
    sites = {s.area_id: s.pk for s in SamplingSite.objects.filter(area__in=village_list)}
    labs = []
    for i in range(4):
        lab, _ = Lab.objects.get_or_create(
            code=f"BENCH-LAB{i + 1}",
            defaults={
                "name": f"基准检测机构{i + 1}",
                "area": village_list[0].parent.parent.parent,
                "daily_capacity": 50_000,
            },
        )
        labs.append(lab)
    return sites, labs


def bench_user(city):
    from rest_framework.authtoken.models import Token

    from zhanyi.accounts.models import Role, User

    user, _ = User.objects.get_or_create(
        username="bench-testing", defaults={"role": Role.STAFF, "jurisdiction": city}
    )
    Token.objects.get_or_create(user=user)
    return user


def settle(out: TextIO) -> None:
    """Set-up of the scan load (not measured): write out what the round left.

    The round writes gigabytes of WAL and dirty pages just before; the
    checkpoint they force would otherwise run during the scan load, and
    every scan's commit would wait on its disk writes (runs measured p95
    of 80 ms to 1 s that way). The load measures sampling points at work,
    not the tail of a million-row bulk load: a CHECKPOINT first, where the
    bench's database role may run one.
    """
    if not dialect.is_postgresql():
        return
    t = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError as error:
        say(out, f"  note: no CHECKPOINT before the scan load ({error}".strip() + ")")
        return
    say(out, f"set-up: checkpoint before the scan load in {time.perf_counter() - t:.1f}s")
