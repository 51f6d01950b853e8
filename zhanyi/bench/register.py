"""The population register (人口登记): a city's extract loaded into the person index.

The article's city has 5.05 million people; the goal is their register loaded
in under 15 minutes on PostgreSQL. Run it on a database of its own::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhanyi_register_bench \\
        zhanyi bench register [--rows 5050000] [--in-index 0.9]

Set-up, not measured: the synthetic city of ``--rows`` people
(``zhanyi.engine.synth``, under ``bench-data/register/``); its areas, places
and households, and ``--in-index`` of its people (the others are not known
yet: they are the load's new persons) imported through the person index's
bulk import; the linkage model trained (once per city, as a live city trains
it once and reuses it until the index grows by 10 %). The database is emptied
first when it holds anything (it must be named ``…bench…`` or be SQLite).

The extract is the whole city as the public-security bureau writes it (CSV,
UTF-8; 户号, 姓名, 公民身份号码, 性别, 出生日期, 联系电话, 住址, 与户主关系) with
the month's faults: ``--moved`` of the people at another household's address,
``--new-phone`` with another phone, ``--malformed`` with a wrong check
character (the error file's rows).

Measured, ``load_s``: ``people.actions.register.do_load_register`` on the
file, as the command line, the page and the API call it: read, checked,
addresses resolved, the index's snapshot written (the persons changed since
the model was trained), linked (exact identity number, then the model),
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


def _extract(options: dict, city_dir: Path, out: TextIO) -> Path:
    path = options["data_dir"] / (
        f"register-{city_dir.name}-{options['moved']}-{options['new_phone']}-"
        f"{options['malformed']}.csv"
    )
    if path.exists():
        return path
    say(out, "set-up: writing the extract…")
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
    rng = random.Random(options["seed"])
    n = people.height
    moved = [rng.random() < options["moved"] for _ in range(n)]
    phoned = [rng.random() < options["new_phone"] for _ in range(n)]
    broken = [rng.random() < options["malformed"] for _ in range(n)]
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
    from zhanyi.people.actions.imports import do_import_persons
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
    people = pl.read_parquet(city_dir / "people.parquet").filter(
        _in_index(pl.col("person_id"), options["in_index"])
    )

    def stream(frame: pl.DataFrame):
        for start in range(0, frame.height, 50_000):
            yield from frame.slice(start, 50_000).to_dicts()

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
        counts = do_import_persons(
            acting_user=actor,
            households=stream(pl.read_parquet(city_dir / "households.parquet")),
            persons=stream(people),
            source="synthetic",
            source_ref=city_dir.name,
            batch_size=20_000,
        )
    say(out, f"set-up: {counts} in {time.perf_counter() - t:.0f} s")


def run(options: dict, out: TextIO) -> dict:
    from zhanyi.core.audit import SystemActor
    from zhanyi.core.db import dialect
    from zhanyi.people import linkage
    from zhanyi.people.actions.register import do_load_register

    options["data_dir"].mkdir(parents=True, exist_ok=True)
    options["people"] = options["rows"]
    city_dir = generate_city(options, out)
    path = _extract(options, city_dir, out)
    _fresh_database(city_dir, options, out)
    t = time.perf_counter()
    index = linkage.person_index_path()
    linkage.linkage_model(index)
    model_s = time.perf_counter() - t
    # The load writes the snapshot of the index as every load does (persons
    # change between loads); the model is kept, as a live city keeps it.
    index.unlink()
    say(out, f"set-up: linkage model ready in {model_s:.0f} s")
    say(out, f"load: {path.name} ({path.stat().st_size / 1e6:.0f} MB)…")
    t = time.perf_counter()
    stages: dict[str, float] = {}
    last = [t, ""]

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
    load_s = time.perf_counter() - t
    stages[f"{last[1]}_s"] = round(time.perf_counter() - float(last[0]), 1)
    say(
        out,
        f"load: {load.rows_read:,} rows in {load_s:.1f} s; {load.linked:,} linked "
        f"({load.unchanged:,} unchanged, {load.changed:,} changed, {load.moved:,} moved), "
        f"{load.new:,} new, {load.review:,} to review, {load.rows_invalid:,} refused",
    )
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
        "setup_model_s": round(model_s, 1),
        "database": dialect.name(),
    }
