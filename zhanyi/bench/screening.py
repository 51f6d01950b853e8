"""Screening of a pushed list (协查): 163,000 records against the full city, end to end.

Run it on a scratch PostgreSQL database of its own, with a data folder of its own::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhanyi_h5a_bench \\
    ZHANYI_DATA_DIR=bench-data/screening/var \\
    nice -n 10 .venv/bin/zhanyi bench screening            # --people 200000 for a smaller city

Set-up, not measured, kept between runs under ``bench-data/screening/``:

1. the synthetic city (``--people``, default the full 5.05 million) without stays;
2. the push list of ``--records`` records with its faults and truth
   (``zhanyi.engine.synth.pushlist``), written as the senders do: CSV in GBK
   (``--format``/``--encoding`` to change);
3. a database holding the city, loaded through the person index's bulk import
   (``do_import_persons``, ``COPY`` on PostgreSQL), with the screening app's
   person-index snapshot and linkage model warmed; it is kept as a template
   database ``<name>_tpl_<people>_<seed>`` and the working database is cloned
   from it before every run, so every run starts from the same state.

Measured:

* the engine alone: normalise, resolve addresses and link every record of the
  list (``engine_s``), with precision and recall over all records (rows the
  intake would refuse, such as swapped identity numbers, included);
* end to end through the screening app: ``do_import_push_list`` reads the file,
  validates each row, links, creates new persons, dispatches tasks and stores
  the list (``end_to_end_s``, split into ``intake_read_s`` and ``store_s``);
  precision and recall over the records it stored.

``--messy`` (issue 15) measures the list as other cities write it
(``zhanyi.engine.synth.messy``, xlsx with a title above the header, their
headers, a totals row): read back by the intake's own reading and linked by
the engine (``messy_*``: precision and recall over every row, per fault kind,
and wrong links through an exact identity number); then, unless
``--engine-only``, the same file end to end through ``do_import_push_list``
(``by_fault``, ``wrong_links_by_exact_number``, ``recall_all_rows``).

``--engine-only`` skips the database (any database, SQLite too). The last line
is one JSON object: bench, records, persons_index, end_to_end_s, precision,
recall and the rest.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TextIO

import polars as pl
import pyarrow.parquet as pq

from zhanyi.bench.city import NotABenchDatabase, generate_city, load_city, people_arg, say
from zhanyi.core.db import dialect
from zhanyi.engine.linkage import LinkageModel, link, prepare_index, train_model
from zhanyi.engine.linkage.address import Gazetteer
from zhanyi.engine.synth import SynthConfig
from zhanyi.engine.synth.config import DEFAULT_SEED
from zhanyi.engine.synth.pushlist import generate_push_list, write_push_list

DATA_ROOT = Path.cwd() / "bench-data" / "screening"
RECORDS = 163_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--people",
        type=people_arg,
        default=SynthConfig.for_scale("full").people,
        help="persons in the index: small, medium, full or a number (default full)",
    )
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--encoding", default="gbk", help="for csv: utf-8, gbk or gb18030")
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT)
    parser.add_argument(
        "--engine-only", action="store_true", help="measure the engine alone, no database"
    )
    parser.add_argument(
        "--messy",
        action="store_true",
        help="the list as other cities write it (zhanyi.engine.synth.messy): read by the "
        "intake's reading and checking, linked by the engine, scored per fault kind",
    )


# -- set-up (not measured) -------------------------------------------------------------


def _push_list(options: dict, city_dir: Path, out: TextIO) -> tuple[Path, Path, Path]:
    """The records and truth (Parquet) and the list as a file, generated once."""
    fmt, enc = options["format"], options["encoding"]
    stem = f"list-{city_dir.name}-{options['records']}"
    list_dir = options["data_dir"]
    records_path = list_dir / f"{stem}.records.parquet"
    truth_path = list_dir / f"{stem}.truth.parquet"
    file_path = list_dir / f"{stem}.{enc if fmt == 'csv' else 'utf-8'}.{fmt}"
    if not (records_path.exists() and truth_path.exists()):
        say(out, f"set-up: generating a push list of {options['records']:,} records…")
        people = pl.read_parquet(city_dir / "people.parquet")
        areas = pl.read_parquet(city_dir / "areas.parquet", columns=["code", "name", "level"])
        records, truth = generate_push_list(people, areas, options["records"], seed=options["seed"])
        records.write_parquet(records_path)
        truth.write_parquet(truth_path)
    if not file_path.exists():
        write_push_list(pl.read_parquet(records_path), file_path, fmt, enc)
    return records_path, truth_path, file_path


def _engine_index(options: dict, city_dir: Path, out: TextIO) -> tuple[Path, LinkageModel, dict]:
    figures = {}
    index_path = options["data_dir"] / f"index-{city_dir.name}.parquet"
    model_path = options["data_dir"] / f"model-{city_dir.name}.json"
    if not index_path.exists():
        t = time.perf_counter()
        prepare_index(city_dir / "people.parquet", index_path)
        figures["index_prepare_s"] = round(time.perf_counter() - t, 1)
        say(out, f"set-up: person index normalised in {figures['index_prepare_s']} s")
    if not model_path.exists():
        t = time.perf_counter()
        train_model(pl.read_parquet(index_path)).save(model_path)
        figures["model_train_s"] = round(time.perf_counter() - t, 1)
        say(out, f"set-up: linkage model trained in {figures['model_train_s']} s")
    return index_path, LinkageModel.load(model_path), figures


# -- scoring ---------------------------------------------------------------------------


def score(decisions: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """Precision and recall of the links: ``decisions`` has record_key, decision
    and person_id (the index's person id), ``truth`` record_key and person_id.

    A link is right when it names the true person. Precision: right links over
    all links. Recall: right links over records whose person is in the index
    (a record sent to review or made a new person is a miss).
    """
    j = decisions.join(
        truth.select("record_key", pl.col("person_id").alias("true_id")), on="record_key"
    )
    links = j.filter(pl.col("decision") == "link")
    right = int((links["person_id"] == links["true_id"]).fill_null(False).sum())
    in_index = int(j["true_id"].is_not_null().sum())
    return {
        "links": links.height,
        "right_links": right,
        "wrong_links": links.height - right,
        "precision": round(right / links.height, 5) if links.height else None,
        "recall": round(right / in_index, 5) if in_index else None,
        "review": int((j["decision"] == "review").sum()),
        "new": int((j["decision"] == "new").sum()),
    }


def _engine(
    options: dict, city_dir: Path, records_path: Path, truth_path: Path, out: TextIO
) -> dict:
    index_path, model, figures = _engine_index(options, city_dir, out)
    records = pl.read_parquet(records_path)
    truth = pl.read_parquet(truth_path)
    areas = pl.read_parquet(
        city_dir / "areas.parquet", columns=["code", "name", "level", "parent_code"]
    )
    places = pl.read_parquet(city_dir / "places.parquet", columns=["name", "area_code"])
    t0 = time.perf_counter()
    gazetteer = Gazetteer(areas, places)
    resolved = gazetteer.resolve(records["address"])
    t1 = time.perf_counter()
    result = link(records.with_columns(resolved["village_code"]), index_path, model)
    t2 = time.perf_counter()
    figures |= {
        "engine_s": round(t2 - t0, 2),
        "engine_address_s": round(t1 - t0, 2),
        "engine_linkage_s": round(t2 - t1, 2),
        "addresses_resolved_to_village": round(
            float(resolved["village_code"].is_not_null().mean()), 4
        ),
    }
    scored = score(result, truth)
    figures |= {f"engine_{k}": v for k, v in scored.items()}
    say(
        out,
        f"engine: {records.height:,} records in {figures['engine_s']} s "
        f"(addresses {figures['engine_address_s']} s, linkage {figures['engine_linkage_s']} s); "
        f"precision {scored['precision']}, recall {scored['recall']}",
    )
    return figures


# -- the database part -----------------------------------------------------------------


def _admin_connection():
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    return psycopg.connect(dbname="postgres", autocommit=True, **params)


def _database_exists(cur, name: str) -> bool:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cur.fetchone() is not None


def _clone(source: str, target: str) -> None:
    from django.db import connections

    connections.close_all()
    with _admin_connection() as admin, admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def _warm_snapshot(out: TextIO) -> float:
    from zhanyi.people import linkage

    t = time.perf_counter()
    linkage.linkage_model(linkage.person_index_path())
    return round(time.perf_counter() - t, 1)


def _database_run(
    options: dict,
    city_dir: Path,
    file_path: Path,
    truth_path: Path,
    out: TextIO,
    *,
    first_row: int = 2,
) -> dict:
    from django.db import connection

    dialect.require_postgresql(
        "The end-to-end run clones a template database: run it on PostgreSQL "
        "(DATABASE_URL=postgres://…/zhanyi_h5a_bench), or pass --engine-only.",
        error=NotABenchDatabase,
    )
    work = connection.settings_dict["NAME"]
    template = f"{work}_tpl_{city_dir.name.removeprefix('city-').replace('-', '_')}"
    from django.db import connections

    connections.close_all()
    with _admin_connection() as admin, admin.cursor() as cur:
        have_template = _database_exists(cur, template)
        if not have_template:
            cur.execute(f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{work}"')
    figures: dict = {}
    if not have_template:
        load_city(city_dir, out, bench="screening")
        figures["setup_snapshot_s"] = _warm_snapshot(out)
        _clone(work, template)
        say(out, f"set-up: template database {template} kept for the next runs")
    t = time.perf_counter()
    _clone(template, work)
    figures["setup_clone_s"] = round(time.perf_counter() - t, 1)
    # The screening app's snapshot of the index is per state of the persons
    # table; after the clone it is the template's, normally on disk already.
    figures["index_snapshot_s"] = _warm_snapshot(out)
    return figures | _import(file_path, truth_path, out, first_row=first_row)


def _import(file_path: Path, truth_path: Path, out: TextIO, *, first_row: int = 2) -> dict:
    from zhanyi.core.audit import SystemActor
    from zhanyi.people.models import Person
    from zhanyi.screening.actions import do_import_push_list
    from zhanyi.screening.models import PushRecord, PushSource, ScreeningTask

    actor = SystemActor("bench:screening")
    source = PushSource.objects.create(name="莆田市协查(基准)", origin_city="莆田市")
    marks: dict[str, float] = {}

    def progress(done: int, total: int | None, stage: str) -> None:
        marks.setdefault(stage, time.perf_counter())

    n_persons_before = Person.objects.count()
    t0 = time.perf_counter()
    with open(file_path, "rb") as fh:
        push_list = do_import_push_list(
            source, fh, filename=file_path.name, acting_user=actor, progress=progress
        )
    t1 = time.perf_counter()
    read_s = marks.get("storing", t1) - t0
    say(
        out,
        f"end to end: {push_list.rows_read:,} rows read, {push_list.rows_stored:,} stored, "
        f"{push_list.rows_invalid:,} refused, {push_list.rows_repeated:,} repeated, "
        f"in {t1 - t0:.1f} s (reading and checking {read_s:.1f} s)",
    )
    rows = list(
        PushRecord.objects.filter(push_list=push_list).values_list(
            "row_number", "decision", "person__external_id", "task_id", "village_id"
        )
    )
    stored = pl.DataFrame(
        rows,
        schema={
            "row_number": pl.Int64,
            "decision": pl.String,
            "person_id": pl.Int64,
            "task_id": pl.Int64,
            "village_id": pl.Int64,
        },
        orient="row",
    ).with_columns((pl.col("row_number") - first_row + 1).alias("_n"))
    # Data row k of the file (k from 1) is row_number k + first_row - 1 and
    # record k of the truth.
    truth = pl.read_parquet(truth_path).with_row_index("_n", offset=1)
    stored = stored.join(truth.select("_n", "record_key"), on="_n", how="left")
    scored = score(stored.select("record_key", "decision", "person_id"), truth)
    # Rows the intake refused (a swapped digit fails the check character) go
    # back to the sender to fix; over all rows of the file they count as missed.
    in_index_rows = int(truth["person_id"].is_not_null().sum())
    scored["recall_all_rows"] = (
        round(scored["right_links"] / in_index_rows, 5) if in_index_rows else None
    )
    tasks = ScreeningTask.objects.filter(records__push_list=push_list).distinct()
    methods = dict(
        PushRecord.objects.filter(push_list=push_list).values_list("row_number", "method")
    )
    decided = stored.select("record_key", "decision", "person_id").with_columns(
        pl.Series("method", [methods.get(int(n)) for n in stored["row_number"]], pl.String)
    )
    return {
        "end_to_end_s": round(t1 - t0, 1),
        "intake_read_s": round(read_s, 1),
        "store_s": round(t1 - t0 - read_s, 1),
        "rows_stored": push_list.rows_stored,
        "rows_refused": push_list.rows_invalid,
        "rows_repeated": push_list.rows_repeated,
        "persons_created": Person.objects.count() - n_persons_before,
        "tasks": tasks.count(),
        "tasks_manual": tasks.filter(manual=True).count(),
        "records_without_task": int(stored["task_id"].null_count()),
        "rows_warned": push_list.rows_warned,
        "wrong_links_by_exact_number": _wrong_exact(decided, truth),
        "by_fault": _per_fault(decided, truth),
        **scored,
    }


def _messy_files(
    options: dict, city_dir: Path, records_path: Path, truth_path: Path
) -> tuple[Path, Path]:
    """The messy list (xlsx) and its truth, written once from the generated list."""
    from zhanyi.engine.synth.messy import make_messy, write_messy

    stem = f"messy-{city_dir.name}-{options['records']}"
    file_path = options["data_dir"] / f"{stem}.xlsx"
    messy_truth = options["data_dir"] / f"{stem}.truth.parquet"
    if not file_path.exists() or not messy_truth.exists():
        people = pl.read_parquet(
            city_dir / "people.parquet", columns=["person_id", "identity_number", "household_id"]
        )
        messy, truth = make_messy(
            pl.read_parquet(records_path),
            pl.read_parquet(truth_path),
            people,
            seed=options["seed"],
        )
        truth.write_parquet(messy_truth)
        write_messy(messy, file_path, title="莆田市协查人员名单（第12批）", total_label="合计")
    return file_path, messy_truth


#: The messy list's first data row: a title and a date row, then the header.
MESSY_FIRST_ROW = 4


def _messy(options: dict, city_dir: Path, records_path: Path, truth_path: Path, out: TextIO):
    """The messy list: written as senders write it (xlsx, a title above the
    header, their headers, a totals row), read back row by row by the intake's
    own reading (header search, column mapping, ``clean_row``), linked by the
    engine; precision and recall over every row, and recall per fault kind."""
    from zhanyi.core.tabular import open_rows
    from zhanyi.people.validation import china_today
    from zhanyi.screening import bridge
    from zhanyi.screening.actions.intake import find_header
    from zhanyi.screening.validation import clean_row, is_totals_row, map_columns

    file_path, messy_truth = _messy_files(options, city_dir, records_path, truth_path)
    truth = pl.read_parquet(messy_truth)
    index_path, model, figures = _engine_index(options, city_dir, out)
    areas = pl.read_parquet(
        city_dir / "areas.parquet", columns=["code", "name", "level", "parent_code"]
    )
    t0 = time.perf_counter()
    today = china_today()
    with open(file_path, "rb") as fh:
        rows, _encoding, _total = open_rows(fh, "xlsx")
        header, header_row, _notes = find_header(rows, {})
        columns = map_columns(header, {})
        staged, keys, refused, totals = [], [], 0, 0
        for n, row in enumerate(rows, start=1):
            if is_totals_row(row):
                totals += 1
                continue
            clean = clean_row(row, columns, today)
            if clean.errors:
                refused += 1
                continue
            staged.append(clean.values)
            keys.append(truth["record_key"][n - 1])
    t1 = time.perf_counter()
    frame = pl.DataFrame(staged, infer_schema_length=None).with_columns(
        pl.Series("record_key", range(len(staged)), dtype=pl.Int64)
    )
    records = bridge.records_frame(frame, [None] * frame.height).drop("village_code")
    places = pl.read_parquet(city_dir / "places.parquet", columns=["name", "area_code"])
    resolved = Gazetteer(areas, places).resolve(records["address"])
    result = link(records.with_columns(resolved["village_code"]), index_path, model)
    t2 = time.perf_counter()
    decisions = result.with_columns(pl.Series("record_key", keys, dtype=pl.String))
    scored = score(decisions, truth)
    in_city = int(truth["person_id"].is_not_null().sum())
    by_kind = _per_fault(decisions, truth)
    figures |= {
        "messy_read_s": round(t1 - t0, 1),
        "messy_link_s": round(t2 - t1, 1),
        "messy_header_row": header_row,
        "messy_rows_refused": refused,
        "messy_totals_rows_skipped": totals,
        "messy_rows_in_city": in_city,
        **{f"messy_{k}": v for k, v in scored.items()},
        "messy_wrong_links_by_exact_number": _wrong_exact(decisions, truth),
        "messy_by_fault": by_kind,
    }
    say(
        out,
        f"messy list: {truth.height:,} rows (header on row {header_row}), {refused} refused, "
        f"read in {figures['messy_read_s']} s, linked in {figures['messy_link_s']} s; "
        f"precision {scored['precision']}, recall {scored['recall']} over {in_city:,} rows "
        "of people of the city",
    )
    for kind, figs in by_kind.items():
        say(
            out,
            f"  {kind:24} rows {figs['rows']:>7,}  "
            f"precision {figs['precision']}  recall {figs['recall']}",
        )
    return figures


def _wrong_exact(decisions: pl.DataFrame, truth: pl.DataFrame) -> int:
    """Links to a different person made through an exact identity number."""
    return (
        decisions.join(
            truth.select("record_key", pl.col("person_id").alias("true_id")), on="record_key"
        )
        .filter(
            (pl.col("decision") == "link")
            & (pl.col("method") == "id_exact")
            & (pl.col("person_id") != pl.col("true_id")).fill_null(True)
        )
        .height
    )


def _per_fault(decisions: pl.DataFrame, truth: pl.DataFrame) -> dict[str, dict]:
    """Precision and recall over the rows of each fault kind (a row counts for
    every kind it has); rows the reading refused count as missed."""
    kinds = sorted({k for f in truth["faults"].fill_null("") for k in f.split(",") if k})
    out: dict[str, dict] = {}
    for kind in ["(none)", *kinds]:
        if kind == "(none)":
            rows = truth.filter(pl.col("faults").fill_null("") == "")
        else:
            rows = truth.filter(pl.col("faults").fill_null("").str.split(",").list.contains(kind))
        figs = score(decisions.join(rows.select("record_key"), on="record_key"), rows)
        out[kind] = {"rows": rows.height, "precision": figs["precision"], "recall": figs["recall"]}
    return out


def run(options: dict, out: TextIO) -> dict:
    options["data_dir"].mkdir(parents=True, exist_ok=True)
    city_dir = generate_city(options, out)
    records_path, truth_path, file_path = _push_list(options, city_dir, out)
    if options.get("messy"):
        figures = {"bench": "screening-messy", "records": options["records"]}
        figures |= _messy(options, city_dir, records_path, truth_path, out)
        if not options["engine_only"]:
            messy_file, messy_truth = _messy_files(options, city_dir, records_path, truth_path)
            figures |= _database_run(
                options, city_dir, messy_file, messy_truth, out, first_row=MESSY_FIRST_ROW
            )
        first = ("bench", "records", "messy_precision", "messy_recall")
        return {k: figures[k] for k in first} | figures
    n_people = pq.ParquetFile(city_dir / "people.parquet").metadata.num_rows
    say(out, f"bench screening: {options['records']:,} records against {n_people:,} persons")
    figures: dict = {
        "bench": "screening",
        "records": options["records"],
        "persons_index": n_people,
        "file": f"{options['format']}/{options['encoding'] if options['format'] == 'csv' else ''}",
    }
    figures |= _engine(options, city_dir, records_path, truth_path, out)
    if options["engine_only"]:
        figures |= {
            "end_to_end_s": None,
            "precision": figures["engine_precision"],
            "recall": figures["engine_recall"],
            "note": "engine only: no intake, validation, person creation or dispatch",
        }
        return figures
    figures |= _database_run(options, city_dir, file_path, truth_path, out)
    first = ("bench", "records", "persons_index", "end_to_end_s", "precision", "recall")
    return {k: figures[k] for k in first} | figures
