"""Contact-graph expansion at scale: 300 cases, 30,000 close, 300,000 secondary contacts.

``zhanyi bench tracing`` builds (once; reused on later runs) a city block of
persons, then each run: 300 cases with 100 close contacts each, each close
contact with 10 secondary contacts, as exposure edges (plus edges outside
every window that must not count); and times ``do_expand_contacts`` over
every case: the engine (``expand``), storing the contacts and their
hand-offs, and recomputing every contact's health code (``codes``). The last
line is one JSON object of figures.

It writes to the configured database: point ``DATABASE_URL`` at a scratch
database (``zhanyi_h4b_bench``). It refuses a database holding persons it did
not create. A run starts by deleting the previous run's cases, contacts,
hand-offs and codes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from typing import TextIO

import polars as pl
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from zhanyi.core.audit import SystemActor
from zhanyi.core.db import bulk, dialect
from zhanyi.engine.protocol import DEFAULT_PROTOCOL
from zhanyi.handoffs.models import Handoff
from zhanyi.people.models import HealthCode, HealthCodeChange, Person
from zhanyi.places.models import Area, AreaLevel
from zhanyi.tracing.actions import do_expand_contacts
from zhanyi.tracing.models import Case, Contact, Exposure

#: Bench persons have external ids from here; anything else means a real database.
EXTERNAL_BASE = 9_000_000_000_000
ACTOR = SystemActor("bench:tracing")
SETTINGS = ("household", "workplace", "classroom", "vehicle", "meal", "place_visit")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--close-per-case", type=int, default=100)
    parser.add_argument("--secondary-per-close", type=int, default=10)
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2021)


class NotABenchDatabase(RuntimeError):
    pass


def _areas(n_villages: int) -> list[Area]:
    def area(code, name, level, kind, parent):
        obj, _ = Area.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "kind": kind,
                "parent": parent,
                "path": Area.path_for(code, parent),
            },
        )
        return obj

    city = area("B350600", "基准市", AreaLevel.CITY, "city", None)
    county = area("B350681", "基准区", AreaLevel.COUNTY, "district", city)
    township = area("B350681001", "基准街道", AreaLevel.TOWNSHIP, "subdistrict", county)
    return [
        area(f"B350681001{i:04d}", f"基准社区{i}", AreaLevel.VILLAGE, "community", township)
        for i in range(n_villages)
    ]


def _persons(total: int, villages: list[Area], out: TextIO) -> list[int]:
    """``total`` bench persons' ids, created the first time."""
    have = Person.objects.filter(external_id__gte=EXTERNAL_BASE).count()
    if have < total:
        t0 = time.perf_counter()
        rows = [
            Person(
                external_id=EXTERNAL_BASE + i,
                name=f"基准{i}",
                village_id=villages[i % len(villages)].pk,
            )
            for i in range(have, total)
        ]
        Person.objects.bulk_create(rows, batch_size=10_000)
        out.write(f"created {len(rows):,} bench persons in {time.perf_counter() - t0:.1f} s\n")
    return list(
        Person.objects.filter(external_id__gte=EXTERNAL_BASE)
        .order_by("external_id")
        .values_list("pk", flat=True)[:total]
    )


def _reset(person_ids: list[int], out: TextIO) -> None:
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        # Raw deletes: this is the bench's own scratch data, and the ORM's
        # cascade collection over two million rows would take minutes.
        for table in (Handoff._meta.db_table,):
            cur.execute(f"DELETE FROM {table} WHERE origin LIKE 'tracing.contact:%%'")
    bench = Person.objects.filter(external_id__gte=EXTERNAL_BASE)
    for model in (HealthCodeChange, HealthCode):
        model.objects.filter(person__in=bench)._raw_delete(connection.alias)
    for model in (Contact, Exposure):
        model.objects.filter(case__person__in=bench)._raw_delete(connection.alias)
    Case.objects.filter(person__in=bench)._raw_delete(connection.alias)
    # The deleted rows' space and index entries are freed now, as autovacuum
    # would in a live database (it may be off on a scratch server): otherwise
    # each run writes into tables and indexes holding every earlier run's dead
    # rows, and measures that instead.
    dialect.analyze(Handoff, HealthCodeChange, HealthCode, Contact, Exposure, Case, vacuum=True)
    out.write(f"reset the previous run in {time.perf_counter() - t0:.1f} s\n")


def _graph(options, person_ids: list[int], villages: list[Area], now: dt.datetime):
    """Cases and exposure edges: each case's close contacts inside its window,
    their secondary contacts after the close contact's exposure; noise edges
    before every window."""
    rng = random.Random(options["seed"])
    n_cases, per_case, per_close = (
        options["cases"],
        options["close_per_case"],
        options["secondary_per_close"],
    )
    case_pids = person_ids[:n_cases]
    close_pids = person_ids[n_cases : n_cases + n_cases * per_case]
    secondary_pids = person_ids[n_cases + len(close_pids) :]
    village_of = dict(Person.objects.filter(pk__in=case_pids).values_list("pk", "village_id"))
    cases = []
    for pid in case_pids:
        reported = now - dt.timedelta(hours=rng.randint(2, 30))
        cases.append(
            Case(
                person_id=pid,
                area_id=village_of[pid],
                classification="confirmed",
                onset_date=timezone.localdate(reported) - dt.timedelta(days=1),
                sampled_at=reported - dt.timedelta(hours=8),
                reported_at=reported,
                filed_at=reported + dt.timedelta(minutes=30),
                isolated_at=reported,
                protocol=DEFAULT_PROTOCOL,
                report_due_at=reported + dt.timedelta(hours=2),
                investigation_due_at=reported + dt.timedelta(hours=24),
                source=f"bench:{pid}",
            )
        )
    Case.objects.bulk_create(cases, batch_size=5000)
    edges = []
    for i, case in enumerate(cases):
        close = close_pids[i * per_case : (i + 1) * per_case]
        for j, cpid in enumerate(close):
            at = case.isolated_at - dt.timedelta(hours=rng.randint(1, 60))
            edges.append(
                Exposure(
                    case=case,
                    person_a_id=case.person_id,
                    person_b_id=cpid,
                    setting=rng.choice(SETTINGS),
                    exposed_at=at,
                )
            )
            base = (i * per_case + j) * per_close
            for spid in secondary_pids[base : base + per_close]:
                edges.append(
                    Exposure(
                        case=case,
                        person_a_id=cpid,
                        person_b_id=spid,
                        setting=rng.choice(SETTINGS),
                        exposed_at=min(
                            at + dt.timedelta(hours=rng.randint(0, 24)),
                            now - dt.timedelta(minutes=1),
                        ),
                    )
                )
            # Noise: the close contact met someone a week before the case's window.
            if j % 10 == 0:
                edges.append(
                    Exposure(
                        case=case,
                        person_a_id=case.person_id,
                        person_b_id=secondary_pids[(base + 7) % len(secondary_pids)],
                        setting="meal",
                        exposed_at=at - dt.timedelta(days=9),
                    )
                )
    _insert_exposures(edges)
    return cases, len(edges)


def _insert_exposures(edges: list[Exposure]) -> None:
    """The graph's exposures in one bulk write (a third of a million rows;
    ``bulk_create`` takes most of a minute)."""
    created = timezone.now()
    frame = pl.DataFrame(
        [
            (e.case.pk, e.person_a_id, e.person_b_id, e.setting, e.exposed_at, "confirmed", "")
            for e in edges
        ],
        schema={
            "case_id": pl.Int64,
            "person_a_id": pl.Int64,
            "person_b_id": pl.Int64,
            "setting": pl.String,
            "exposed_at": pl.Datetime("us", "UTC"),
            "certainty": pl.String,
            "note": pl.String,
        },
        orient="row",
    ).with_columns(created_at=pl.lit(created).cast(pl.Datetime("us", "UTC")))
    bulk.copy_frame(Exposure, frame)


def run(options: dict, out: TextIO) -> dict:
    call_command("migrate", verbosity=0, interactive=False)
    foreign = Person.objects.filter(external_id__lt=EXTERNAL_BASE) | Person.objects.filter(
        external_id=None
    )
    if foreign.exists():
        raise NotABenchDatabase(
            "This database holds persons the benchmark did not create; point DATABASE_URL "
            "at a scratch database (e.g. postgres://…/zhanyi_h4b_bench)."
        )
    n_cases = options["cases"]
    n_close = n_cases * options["close_per_case"]
    n_secondary = n_close * options["secondary_per_close"]
    villages = _areas(options["villages"])
    person_ids = _persons(n_cases + n_close + n_secondary, villages, out)
    _reset(person_ids, out)
    now = timezone.now()
    t0 = time.perf_counter()
    with transaction.atomic():
        cases, n_edges = _graph(options, person_ids, villages, now)
    out.write(
        f"built {len(cases)} cases and {n_edges:,} exposures in {time.perf_counter() - t0:.1f} s\n"
    )

    t1 = time.perf_counter()
    # The expansion is one transaction; the outer block lets its commit (the
    # deferred checks, the WAL flush) be timed on its own.
    with transaction.atomic():
        result = do_expand_contacts(None, acting_user=ACTOR, as_of=now)
        t2 = time.perf_counter()
    commit = time.perf_counter() - t2
    total = time.perf_counter() - t1
    s = result.seconds
    out.write(
        f"engine {s['engine_s']:.1f} s, store {s['store_s']:.1f} s, "
        f"hand-offs {s['handoffs_s']:.1f} s ({result.handoffs:,}), codes {s['codes_s']:.1f} s "
        f"({result.codes_changed:,} changed), commit {commit:.1f} s\n"
    )
    close = Contact.objects.filter(kind="close").count()
    secondary = Contact.objects.filter(kind="secondary").count()
    return {
        "bench": "tracing",
        "database": dialect.name(),
        "cases": len(cases),
        "exposures": n_edges,
        "close_contacts": close,
        "secondary_contacts": secondary,
        "handoffs": result.handoffs,
        "codes_changed": result.codes_changed,
        "engine_s": round(s["engine_s"], 2),
        "store_s": round(s["store_s"], 2),
        "handoffs_s": round(s["handoffs_s"], 2),
        "expand_s": round(s["engine_s"] + s["store_s"] + s["handoffs_s"], 2),
        "codes_s": round(s["codes_s"], 2),
        "commit_s": round(commit, 2),
        "total_s": round(total, 2),
    }
