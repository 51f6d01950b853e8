"""The benchmarks' synthetic city (合成城市) in a database of their own: shared set-up.

``zhanyi bench screening`` and ``zhanyi bench search`` both need the synthetic
city's areas, places, households and persons imported through the app's own
bulk import, generated once per size and seed (``bench-data/…/city-N-SEED``)
and loaded once into a scratch database. Set-up, not measured.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TextIO

import pyarrow.parquet as pq

from zhanyi.core.db import dialect
from zhanyi.engine.synth import SynthConfig, generate


class NotABenchDatabase(RuntimeError):
    """The configured database is not one the benchmark may write its city to."""


def people_arg(value: str) -> int:
    """``--people``: small, medium, full or a number (``1_000_000``, ``1,000,000``)."""
    value = value.strip().replace("_", "").replace(",", "")
    return SynthConfig.for_scale(int(value) if value.isdigit() else value).people


def say(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


def generate_city(options: dict, out: TextIO) -> Path:
    """The folder of the city of ``options["people"]`` and ``options["seed"]``
    under ``options["data_dir"]``, generated on first use."""
    cfg = SynthConfig.for_scale(options["people"], seed=options["seed"])
    city_dir = options["data_dir"] / f"city-{cfg.people}-{cfg.seed}"
    if not (city_dir / "manifest.json").exists():
        say(out, f"set-up: generating a city of {cfg.people:,} people…")
        t = time.perf_counter()
        generate(cfg, city_dir, stays=False)
        say(out, f"set-up: city in {time.perf_counter() - t:.0f} s")
    return city_dir


def load_city(city_dir: Path, out: TextIO, *, bench: str) -> None:
    """Import the city into the configured database, which must hold no persons;
    ``bench`` names the benchmark in the import's records."""
    from django.core.management import call_command
    from django.db import transaction

    from zhanyi.core.audit import SystemActor
    from zhanyi.people.actions.imports import do_import_persons
    from zhanyi.people.models import Person
    from zhanyi.places.actions import do_import_areas, do_import_places

    actor = SystemActor(f"bench:{bench}")
    call_command("migrate", verbosity=0, interactive=False)
    if Person.objects.exists():
        raise NotABenchDatabase(
            "This database holds persons already; point DATABASE_URL at a scratch database "
            f"(e.g. postgres://postgres@127.0.0.1:5432/zhanyi_{bench}_bench)."
        )

    def stream(path: Path):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
            yield from batch.to_pylist()

    t = time.perf_counter()
    with transaction.atomic():
        do_import_areas(
            acting_user=actor,
            rows=pq.read_table(city_dir / "areas.parquet").to_pylist(),
            source_ref=city_dir.name,
        )
        do_import_places(
            acting_user=actor,
            rows=pq.read_table(city_dir / "places.parquet").to_pylist(),
            source_ref=city_dir.name,
        )
    say(out, "set-up: importing households and persons (bulk, COPY on PostgreSQL)…")
    counts = do_import_persons(
        acting_user=actor,
        households=stream(city_dir / "households.parquet"),
        persons=stream(city_dir / "people.parquet"),
        source="synthetic",
        source_ref=city_dir.name,
        batch_size=20_000,
    )
    say(out, f"set-up: {counts} in {time.perf_counter() - t:.0f} s")
    # Planner statistics now, as autovacuum would a while after the COPY: a
    # database cloned from this one (the benches' templates) starts with no
    # row counts of its own and autovacuum would never analyze it, so each
    # query over the persons would be planned for an empty table.
    dialect.analyze("places_area", "people_household", "people_person")
    if counts.bad_households or counts.bad_persons:
        raise NotABenchDatabase(
            f"the city did not load whole: {counts}; first {counts.problems[0]}"
        )
