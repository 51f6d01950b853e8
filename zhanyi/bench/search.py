"""Searching persons by their last digits (尾号): the old ``LIKE '%1234'`` against the tail indexes.

Run it on a PostgreSQL database of its own::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhanyi_hc_bench \\
    nice -n 10 .venv/bin/zhanyi bench search              # --people 200000 for a smaller city

Set-up, not measured, kept between runs: the synthetic city of ``--people``
persons (default 1 million; ``zhanyi.engine.synth``, no stays) under
``bench-data/search/``, loaded into the database through the person index's
bulk import as ``zhanyi bench screening`` loads it, with its real-looking
identity numbers and phones. A database that already holds that city is
reused; one that holds other persons is refused.

Measured: ``--searches`` searches for the last digits of persons drawn at
random (by turns the last 4 characters of an identity number, the last 4
digits of a phone, the last 6 of an identity number), each run as the people
search page runs it (the paginator's count and its first page of 25) for a
user of the whole city and one of a county, in two forms in the same run,
taking turns which goes first:

* ``naive``: the search as it was, ``identity_number LIKE '%1234' OR phone
  LIKE '%1234'``, which reads the whole table;
* ``indexed``: ``zhanyi.people.queries.search_persons`` as it is, through the
  ``tail`` lookup and the indexes on the reversed numbers (people/tails.py).

Both must find the same persons (count and first page), or the run stops.
It prints the median, 95th percentile and mean of each (in Python, as the
page sees them), one plan of each (``EXPLAIN ANALYZE`` of the first page; its
execution time, the database's share, is ``plan_*_first_page_ms``) and the
indexes' sizes. ``--index-build`` also drops and
rebuilds the two indexes as the migration builds them and times it (what
migrating a city's live index costs). The last line is one JSON object.
On SQLite both forms are the same scan (there is no index there).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import statistics
import time
from pathlib import Path
from typing import TextIO

from zhanyi.bench.city import NotABenchDatabase, generate_city, load_city, people_arg, say
from zhanyi.core.db import dialect
from zhanyi.engine.synth.config import DEFAULT_SEED

DATA_ROOT = Path.cwd() / "bench-data" / "search"
KINDS = ("identity_4", "phone_4", "identity_6")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--people",
        type=people_arg,
        default=1_000_000,
        help="persons in the index: small, medium, full or a number (default 1,000,000)",
    )
    parser.add_argument("--searches", type=int, default=40, help="searches per user and form")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT)
    parser.add_argument(
        "--index-build",
        action="store_true",
        help="also time dropping and rebuilding the two indexes (PostgreSQL)",
    )


# -- set-up (not measured) -------------------------------------------------------------


def _ensure_city(options: dict, out: TextIO) -> int:
    """The bench city in the database (loaded once); returns its number of persons."""
    import pyarrow.parquet as pq
    from django.core.management import call_command

    from zhanyi.people.models import Person, SourceRecord

    city_dir = generate_city(options, out)
    want = pq.ParquetFile(city_dir / "people.parquet").metadata.num_rows
    call_command("migrate", verbosity=0, interactive=False)
    have = Person.objects.count()
    if have == 0:
        t = time.perf_counter()
        load_city(city_dir, out, bench="search")
        # Fresh tables: give the planner their sizes and the indexed
        # expressions' statistics, as autovacuum would in time.
        dialect.analyze("people_person", vacuum=True)
        dialect.analyze("places_area")
        say(out, f"set-up: city loaded in {time.perf_counter() - t:.0f} s (kept)")
    elif have != want or not SourceRecord.objects.filter(source_ref=city_dir.name).exists():
        raise NotABenchDatabase(
            f"This database holds {have:,} persons that are not the bench's city of "
            f"{want:,} ({city_dir.name}); point DATABASE_URL at a database of its own "
            "(e.g. postgres://postgres@127.0.0.1:5432/zhanyi_hc_bench)."
        )
    return want


def _bench_users():
    from zhanyi.accounts.models import Role, User
    from zhanyi.places.models import Area

    city = Area.objects.get(level="city")
    county = Area.objects.filter(level="county").order_by("-population", "code").first()
    users = {}
    for scope, area in (("city", city), ("county", county)):
        user, _ = User.objects.update_or_create(
            username=f"bench-search-{scope}",
            defaults={
                "role": Role.COMMANDER if scope == "city" else Role.STAFF,
                "jurisdiction": area,
            },
        )
        users[scope] = user
    return users


def _searches(user, n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` (kind, words) pairs: the last digits of persons the user may see, drawn at random."""
    from django.db.models import Max, Min

    from zhanyi.people.queries import persons_for

    rng = random.Random(seed)
    visible = persons_for(user).order_by()
    bounds = visible.aggregate(lo=Min("id"), hi=Max("id"))
    found: list[tuple[str, str]] = []
    while len(found) < n:
        kind = KINDS[len(found) % len(KINDS)]
        person = (
            visible.filter(id__gte=rng.randint(bounds["lo"], bounds["hi"]))
            .order_by("id")
            .values("identity_number", "phone")
            .first()
        )
        number = person["phone"] if kind.startswith("phone") else person["identity_number"]
        length = int(kind.rsplit("_", 1)[1])
        if len(number) >= length + 4:
            found.append((kind, number[-length:]))
    return found


# -- the two forms ---------------------------------------------------------------------


def _naive(user, q: str):
    """The search as it was before the tail indexes (one number, as the bench's are)."""
    from django.db.models import Q

    from zhanyi.engine.phones import PhoneNumberError, normalize_phone, search_digits
    from zhanyi.people.queries import persons_for

    digits = search_digits(q)
    tail = digits + ("X" if q.upper().endswith("X") else "")
    match = Q(identity_number__endswith=tail) | Q(phone__endswith=digits)
    with contextlib.suppress(PhoneNumberError):
        match |= Q(phone=normalize_phone(q))
    return persons_for(user).filter(match)


def _indexed(user, q: str):
    from zhanyi.people.queries import search_persons

    return search_persons(user, q)


FORMS = {"naive": _naive, "indexed": _indexed}


def _page(queryset) -> tuple[int, list[int]]:
    """What the search page reads: the paginator's count and the first page."""
    from django.core.paginator import Paginator

    from zhanyi.people.views.persons import PAGE_SIZE

    page = Paginator(queryset, PAGE_SIZE).get_page(1)
    return page.paginator.count, [p.pk for p in page]


def _explain(queryset) -> str:

    if not dialect.is_postgresql():
        return queryset.explain()
    return queryset.explain(analyze=True, buffers=True)


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def _index_sizes() -> dict:
    from django.db import connection

    from zhanyi.people.tails import INDEXES

    if not dialect.is_postgresql():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
            "WHERE c.relname = ANY(%s) OR c.relname = 'people_person'",
            [list(INDEXES)],
        )
        return {name: round(size / 2**20, 1) for name, size in cursor.fetchall()}


def _index_build(out: TextIO) -> dict:
    """Drop the two indexes and build them again as the migration does, timed."""
    from django.db import connection

    from zhanyi.people.tails import INDEXES

    figures = {}
    with connection.cursor() as cursor:
        for name, column in INDEXES.items():
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            t = time.perf_counter()
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY {name} "
                f"ON people_person (reverse({column}) text_pattern_ops)"
            )
            figures[f"build_{name}_s"] = round(time.perf_counter() - t, 1)
        cursor.execute("ANALYZE people_person")
    say(out, "index build (CONCURRENTLY): " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    return figures


def run(options: dict, out: TextIO) -> dict:

    if options["searches"] < 1:
        raise SystemExit(f"bench search: --searches must be 1 or more, not {options['searches']}")
    options["data_dir"].mkdir(parents=True, exist_ok=True)
    people = _ensure_city(options, out)
    figures: dict = {
        "bench": "search",
        "persons": people,
        "database": dialect.name(),
        "searches": options["searches"],
    }
    if options["index_build"] and dialect.is_postgresql():
        figures |= _index_build(out)
    figures["sizes_mb"] = _index_sizes()
    users = _bench_users()
    searches = {
        scope: _searches(user, options["searches"], options["seed"])
        for scope, user in users.items()
    }
    say(
        out,
        f"bench search: {people:,} persons on {dialect.name()}; {options['searches']} searches "
        f"per user and form for persons the user sees ({', '.join(KINDS)} by turns); "
        "each one the page's count and first page",
    )
    # Warm both forms (caches, the table's pages) before anything is timed.
    for form in FORMS.values():
        _page(form(users["city"], searches["city"][0][1]))
    for scope, user in users.items():
        times: dict[str, list[float]] = {name: [] for name in FORMS}
        matches = []
        for i, (_kind, q) in enumerate(searches[scope]):
            order = list(FORMS) if i % 2 == 0 else list(reversed(FORMS))
            answers = {}
            for name in order:
                t = time.perf_counter()
                answers[name] = _page(FORMS[name](user, q))
                times[name].append(time.perf_counter() - t)
            if answers["naive"] != answers["indexed"]:
                raise AssertionError(
                    f"the two forms disagree for {q!r} ({scope}): "
                    f"naive {answers['naive']}, indexed {answers['indexed']}"
                )
            matches.append(answers["indexed"][0])
        for name in FORMS:
            figures[f"{scope}_{name}"] = _summary(times[name])
        figures[f"{scope}_speedup_median"] = round(
            figures[f"{scope}_naive"]["median_ms"] / figures[f"{scope}_indexed"]["median_ms"], 1
        )
        figures[f"{scope}_matches_median"] = statistics.median(matches)
        say(
            out,
            f"  {scope:6} naive   {figures[f'{scope}_naive']}\n"
            f"  {scope:6} indexed {figures[f'{scope}_indexed']}\n"
            f"  {scope:6} {figures[f'{scope}_speedup_median']}x faster (median); "
            f"median {statistics.median(matches)} persons found per search",
        )
    q = searches["city"][0][1]
    for name, form in FORMS.items():
        plan = _explain(form(users["city"], q)[:25])
        say(out, f"plan ({name}, {q!r}, city user, first page):\n{plan}")
        if executed := re.search(r"Execution Time: ([\d.]+) ms", plan):
            figures[f"plan_{name}_first_page_ms"] = float(executed.group(1))
    say(out, f"sizes (MB): {figures['sizes_mb']}")
    return figures
