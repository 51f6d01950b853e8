"""The population register (人口登记): a city's extract loaded into the person index.

The article's city has 5.05 million people; the goal is their register loaded
in under 15 minutes on PostgreSQL. Run it on a database of its own::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhanyi_register_bench \\
        zhanyi bench register [--rows 5050000] [--in-index 0.9]

Set-up: the synthetic city of ``--rows`` people (``zhanyi.engine.synth``,
under ``bench-data/register/``); the database emptied (it must be named
``…bench…`` or be SQLite) and the city's areas and places imported. Then two
loads, each timed:

1. ``first_load_s``: the first month's extract, ``--in-index`` of the people
   as they are, into the empty index (a city's first day: all new, households
   formed from 户号);
2. (not measured: the index's snapshot written and the linkage model trained
   on it, once, as a live city trains it once and reuses it until the index
   grows by 10 %)
3. ``load_s``: the next month's extract, everyone, with the month's faults:
   the others are new (arrivals), the rest link.

The extract is the whole city as the public-security bureau writes it (CSV,
UTF-8; 户号, 姓名, 公民身份号码, 性别, 出生日期, 联系电话, 住址, 与户主关系) with
the month's faults: ``--moved`` of the people at another household's address,
``--new-phone`` with another phone, ``--malformed`` with a wrong check
character (the error file's rows).

Each load is ``people.actions.register.do_load_register`` on the file, as
the command line, the page and the API call it: read, checked,
addresses resolved, the index's snapshot brought up to date (the persons
changed since it was written), linked (exact identity number, then the model),
households formed, the new persons and the changes written, all in one
transaction. The last line is JSON: ``bench``, ``rows``, ``load_s``,
``linked``, ``new``, ``review`` and the other counts.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import TextIO

import polars as pl

from zhanyi.bench.city import NotABenchDatabase, generate_city, people_arg, say

DATA_ROOT = Path.cwd() / "bench-data" / "register"
HEADER = {
    "household_id": "户号",
    "name": "姓名",
    "identity_number": "公民身份号码",
    "sex": "性别",
    "birth_date": "出生日期",
    "phone": "联系电话",
    "address": "住址",
    "relation": "与户主关系",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=people_arg, default=5_050_000, help="people in the city")
    parser.add_argument("--in-index", type=float, default=0.9, help="share already in the index")
    parser.add_argument("--moved", type=float, default=0.02)
    parser.add_argument("--new-phone", type=float, default=0.03)
    parser.add_argument("--malformed", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=20210916)
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT)


def _in_index(person_id: pl.Expr, share: float) -> pl.Expr:
    """The people the index knows before the load: a fixed share, by id."""
    return (person_id.hash(seed=7) % 1000) < int(share * 1000)


def _extract(options: dict, city_dir: Path, out: TextIO, *, first: bool) -> Path:
    """The first month's extract (the people the index will know, as they are)
    or the next month's (everyone, with the month's faults)."""
    faults = (
        (0.0, 0.0, 0.0) if first else (options["moved"], options["new_phone"], options["malformed"])
    )
    share = options["in_index"] if first else 1.0
    path = options["data_dir"] / (
        f"register-{city_dir.name}-{share}-{faults[0]}-{faults[1]}-{faults[2]}.csv"
    )
    if path.exists():
        return path
    say(out, f"set-up: writing the {'first' if first else 'next'} month's extract…")
    people = pl.read_parquet(
        city_dir / "people.parquet",
        columns=[
            "person_id",
            "household_id",
            "name",
            "identity_number",
            "sex",
            "birth_date",
            "phone",
            "address",
        ],
    )
    households = pl.read_parquet(
        city_dir / "households.parquet", columns=["household_id", "address"]
    )
    people = people.filter(_in_index(pl.col("person_id"), share))
    rng = random.Random(options["seed"])
    n = people.height
    moved = [rng.random() < faults[0] for _ in range(n)]
    phoned = [rng.random() < faults[1] for _ in range(n)]
    broken = [rng.random() < faults[2] for _ in range(n)]
    target = [rng.randrange(households.height) for _ in range(n)]
    new_home = households[target]
    frame = people.with_columns(
        pl.Series("_moved", moved),
        pl.Series("_phoned", phoned),
        pl.Series("_broken", broken),
        new_home["household_id"].alias("_to_household"),
        new_home["address"].alias("_to_address"),
    )
    wrong = {str(d): str((d + 1) % 10) for d in range(10)} | {"X": "0"}
    frame = frame.with_columns(
        pl.when(pl.col("_moved"))
        .then(pl.col("_to_household"))
        .otherwise(pl.col("household_id"))
        .alias("household_id"),
        pl.when(pl.col("_moved"))
        .then(pl.col("_to_address"))
        .otherwise(pl.col("address"))
        .alias("address"),
        pl.when(pl.col("_phoned"))
        .then(pl.lit("139") + (pl.col("person_id") % 100_000_000).cast(pl.String).str.zfill(8))
        .otherwise(pl.col("phone").str.replace(r"^\+86", ""))
        .alias("phone"),
        pl.when(pl.col("_broken"))
        .then(
            pl.col("identity_number").str.slice(0, 17)
            + pl.col("identity_number").str.slice(17, 1).replace(wrong)
        )
        .otherwise(pl.col("identity_number"))
        .alias("identity_number"),
        pl.col("sex").replace({"male": "男", "female": "女"}),
        pl.lit("").alias("relation"),
    )
    frame.select([pl.col(c).alias(h) for c, h in HEADER.items()]).write_csv(path)
    return path


def _fresh_database(city_dir: Path, options: dict, out: TextIO) -> None:
    """Empty the scratch database and load the city's areas, places,
    households and the share of its people the index knows."""
    import pyarrow.parquet as pq
    from django.core.management import call_command
    from django.db import connection, transaction

    from zhanyi.core.audit import SystemActor
    from zhanyi.core.db import dialect
    from zhanyi.places.actions import do_import_areas, do_import_places

    name = str(connection.settings_dict["NAME"])
    if "bench" not in name and dialect.is_postgresql():
        raise NotABenchDatabase(
            f"The database {name} is not a bench database; point DATABASE_URL at a scratch "
            "database (e.g. postgres://postgres@127.0.0.1:5432/zhanyi_register_bench)."
        )
    call_command("migrate", verbosity=0, interactive=False)
    t = time.perf_counter()
    call_command("flush", verbosity=0, interactive=False)
    actor = SystemActor("bench:register")
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
    say(out, f"set-up: areas and places in {time.perf_counter() - t:.0f} s")


def _timed_load(path: Path, out: TextIO, label: str):
    """Load ``path`` as the command line does; the load, its seconds and each stage's."""
    from zhanyi.core.audit import SystemActor
    from zhanyi.people.actions.register import do_load_register

    say(out, f"{label}: {path.name} ({path.stat().st_size / 1e6:.0f} MB)…")
    t = time.perf_counter()
    stages: dict[str, float] = {}
    last: list = [t, ""]

    def progress(done: int, total: int | None, stage: str) -> None:
        now = time.perf_counter()
        if last[1]:
            stages[f"{last[1]}_s"] = round(now - float(last[0]), 1)
        last[:] = [now, stage]

    load = do_load_register(
        path,
        filename=path.name,
        kind="hukou",
        acting_user=SystemActor("bench:register"),
        progress=progress,
    )
    seconds = time.perf_counter() - t
    stages[f"{last[1]}_s"] = round(time.perf_counter() - float(last[0]), 1)
    say(
        out,
        f"{label}: {load.rows_read:,} rows in {seconds:.1f} s; {load.linked:,} linked "
        f"({load.unchanged:,} unchanged, {load.changed:,} changed, {load.moved:,} moved), "
        f"{load.new:,} new, {load.review:,} to review, {load.rows_invalid:,} refused, "
        f"{load.households_new:,} new households",
    )
    return load, seconds, stages


def run(options: dict, out: TextIO) -> dict:
    from zhanyi.core.db import dialect
    from zhanyi.people import linkage

    options["data_dir"].mkdir(parents=True, exist_ok=True)
    options["people"] = options["rows"]
    city_dir = generate_city(options, out)
    first_path = _extract(options, city_dir, out, first=True)
    path = _extract(options, city_dir, out, first=False)
    _fresh_database(city_dir, options, out)
    first, first_s, first_stages = _timed_load(first_path, out, "first month (empty index)")
    t = time.perf_counter()
    linkage.linkage_model(linkage.person_index_path())
    model_s = time.perf_counter() - t
    # The snapshot of the index and the model are kept, as a live city keeps
    # them: the next load brings the snapshot up to date with the persons
    # changed since (none here; a city's month changes a few), and the model
    # is kept until the index grows by 10 %.
    say(out, f"set-up: linkage model ready in {model_s:.0f} s")
    load, load_s, stages = _timed_load(path, out, "next month")
    return {
        "bench": "register",
        "rows": load.rows_read,
        "load_s": round(load_s, 1),
        "linked": load.linked,
        "new": load.new,
        "review": load.review,
        "refused": load.rows_invalid,
        "changed": load.changed,
        "moved": load.moved,
        "unchanged": load.unchanged,
        "households_new": load.households_new,
        "stages": stages,
        "first_rows": first.rows_read,
        "first_load_s": round(first_s, 1),
        "first_new": first.new,
        "first_households": first.households_new,
        "first_stages": first_stages,
        "setup_model_s": round(model_s, 1),
        "database": dialect.name(),
    }
