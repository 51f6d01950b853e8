"""Vaccination (疫苗接种): the article's 7.58 million dose records imported, then coverage.

``zhanyi bench vaccination`` loads a synthetic city into a scratch database
(set-up, not measured: ``bench.city``, the person index's bulk import), writes
the immunisation system's export of ``--doses`` dose records for its people
(the article's mix: 7,575,300 doses; 4,013,600 people with a first dose,
3,811,700 fully vaccinated, so 250,000 single-dose courses), then measures:

- ``import_s``: ``vaccination.actions.do_import_doses`` on the CSV file, as the
  command line and the upload page call it (read, checked, linked to the
  person index by identity number, duplicates looked for, COPY), with
  ``import_cpu_s``, the CPU seconds this process spent in it (all its
  threads; the database server's are not counted), and ``load``, the
  one-minute load average before and after: on a shared machine the wall
  time follows the load, the CPU time does not;
- ``coverage_s``: ``vaccination.queries.coverage`` for the city: by county and
  age band against the targets, as the page, the API and the figures read it
  (from the tallies the import keeps);
- ``recount_s``: ``do_recount_coverage``, the daily job that counts the tallies
  again from the dose rows and the person index (``recount_agrees``: the
  coverage it gives is the one the import's tallies gave).

Run it on PostgreSQL, in a database of its own::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhanyi_vaccination_bench \\
        zhanyi bench vaccination [--doses 7575300] [--people N]

The city (``--people``, by default enough for the first doses) is generated
once under ``--data-dir`` and loaded once; each run deletes the doses of the
previous one. The last line is JSON: ``bench``, ``doses``, ``import_s``,
``import_cpu_s``, ``load``, ``coverage_s``, ``recount_s``, ``recount_agrees``
and the counts read back.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import time
from pathlib import Path
from typing import TextIO

import polars as pl

from zhanyi.bench.city import NotABenchDatabase, generate_city, load_city, say
from zhanyi.engine.synth.doses import ARTICLE_DOSES, VACCINES, export_frame, people_needed

DATA_ROOT = Path.cwd() / "bench-data" / "vaccination"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--doses", type=int, default=ARTICLE_DOSES)
    parser.add_argument("--people", type=int, default=None, help="default: enough for the doses")
    parser.add_argument("--seed", type=int, default=20210916)
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT)


def _people_for(doses: int) -> int:
    """A city with 2 % more people than the first doses need, in steps of 50,000
    (so that a few runs share a city; the full run: 4,100,000)."""
    return math.ceil(people_needed(doses) * 1.02 / 50_000) * 50_000


def _export_file(options: dict, city_dir: Path, out: TextIO) -> Path:
    path = options["data_dir"] / f"doses-{city_dir.name}-{options['doses']}.csv"
    if not path.exists():
        say(out, f"set-up: writing an export of {options['doses']:,} dose records…")
        people = pl.read_parquet(city_dir / "people.parquet", columns=["identity_number", "name"])
        export_frame(people, options["doses"], options["seed"]).write_csv(path)
    return path


def _fresh_start(out: TextIO, city_dir: Path, people: int) -> None:
    from django.core.management import call_command

    from zhanyi.core.audit import SystemActor
    from zhanyi.core.db import dialect
    from zhanyi.people.models import Person
    from zhanyi.vaccination import actions
    from zhanyi.vaccination.models import Dose, DoseImport

    call_command("migrate", verbosity=0, interactive=False)
    if not Person.objects.exists():
        load_city(city_dir, out, bench="vaccination")
    elif Person.objects.count() != people:
        raise NotABenchDatabase(
            "This database holds another city; point DATABASE_URL at a scratch database "
            "(e.g. postgres://postgres@127.0.0.1:5432/zhanyi_vaccination_bench)."
        )
    t = time.perf_counter()
    Dose.objects.all()._raw_delete(Dose.objects.db)
    # The deleted rows freed, as autovacuum would: the import starts from the table a
    # city has, not one whose millions of dead rows every read and write steps over.
    dialect.analyze(Dose, vacuum=True)
    DoseImport.objects.all().delete()
    actions.do_recount_coverage(acting_user=SystemActor("bench:vaccination"))
    say(out, f"set-up: earlier doses removed, people counted in {time.perf_counter() - t:.1f} s")
    for code, name, maker in VACCINES:
        actions.do_add_vaccine(
            acting_user=SystemActor("bench:vaccination"), code=code, name=name, maker=maker
        )


def _cpu_s() -> float:
    """CPU seconds of this process so far (all its threads, user and system):
    on a shared machine the fair figure beside the wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _figures(cov) -> list:
    """What a coverage shows, to compare two."""
    rows = [("total", cov.total), *cov.by_area, *cov.by_band]
    return [(str(k), vars(c)) for k, c in rows] + [cov.by_dose]


def run(options: dict, out: TextIO) -> dict:
    from zhanyi.core.audit import SystemActor
    from zhanyi.core.db import dialect
    from zhanyi.vaccination import actions, queries
    from zhanyi.vaccination.models import Dose, DoseTally

    options["data_dir"].mkdir(parents=True, exist_ok=True)
    options["people"] = options["people"] or _people_for(options["doses"])
    city_dir = generate_city(options, out)
    _fresh_start(out, city_dir, options["people"])
    path = _export_file(options, city_dir, out)
    say(out, f"import: {path.name} ({path.stat().st_size / 1e6:.0f} MB)…")
    t, cpu, load_before = time.perf_counter(), _cpu_s(), os.getloadavg()[0]
    with path.open("rb") as fh:
        run_ = actions.do_import_doses(
            fh, acting_user=SystemActor("bench:vaccination"), filename=path.name
        )
    import_s, import_cpu_s = time.perf_counter() - t, _cpu_s() - cpu
    load = (load_before, os.getloadavg()[0])
    say(
        out,
        f"import: {run_.stored:,} stored, {run_.duplicates:,} duplicates, "
        f"{run_.unknown_persons:,} unknown, {run_.refused:,} refused in {import_s:.1f} s "
        f"({import_cpu_s:.1f} s of CPU in this process; "
        f"load average {load[0]:.1f} → {load[1]:.1f})",
    )
    dialect.analyze(Dose)
    dialect.analyze(DoseTally)
    t = time.perf_counter()
    cov = queries.coverage(None)
    coverage_s = time.perf_counter() - t
    say(
        out,
        f"coverage: {len(cov.by_area)} areas × {len(cov.by_band)} age bands in {coverage_s:.2f} s; "
        f"first dose {cov.total.first_dose:,} ({cov.total.first_pct}%), "
        f"full course {cov.total.full_course:,} ({cov.total.full_pct}%)",
    )
    t = time.perf_counter()
    actions.do_recount_coverage(acting_user=SystemActor("bench:vaccination"), day=cov.day)
    recount_s = time.perf_counter() - t
    agrees = _figures(queries.coverage(None)) == _figures(cov)
    say(
        out,
        f"recount (the daily job) in {recount_s:.1f} s: the tallies kept by the import "
        f"{'agree' if agrees else 'DISAGREE'} with the doses counted again",
    )
    return {
        "bench": "vaccination",
        "doses": run_.stored,
        "import_s": round(import_s, 1),
        "import_cpu_s": round(import_cpu_s, 1),
        "load": [round(x, 1) for x in load],
        "coverage_s": round(coverage_s, 2),
        "recount_s": round(recount_s, 1),
        "recount_agrees": agrees,
        "rows": run_.rows,
        "people": options["people"],
        "first_dose": cov.total.first_dose,
        "full_course": cov.total.full_course,
        "database": "postgresql" if dialect.is_postgresql() else "sqlite",
    }
