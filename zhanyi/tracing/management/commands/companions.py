"""``zhanyi companions ingest|find|purge|feed|feeds``: spatiotemporal companions (时空伴随).

- ``ingest --stays DIR`` (the ``stays/`` folder ``zhanyi synth`` writes, or its
  parent) or ``--records FILE`` (CSV/Parquet of location records or stays):
  build the companion store, day by day, skipping days already there.
- ``find --case ID --from T --to T`` (or ``--onset``/``--sampled`` with
  ``--isolated``, the window then coming from the protocol), ``--cases-file F``
  or ``--all-cases``: companions with their evidence, as a table, CSV or Parquet.
- ``purge``: delete the days past the retention period (audited; the scheduler
  runs it daily).
- ``feed FILE … --operator NAME``: receive an operator's stay files into the
  watched folder; ``feeds [--day D] [--ingest]``: the files by day, what was
  ingested and refused and why (``--ingest``: take the waiting files now).

Times without an offset are local (Asia/Shanghai).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from zhanyi.core.files import DiskFullError, write_whole
from zhanyi.engine.backends import BACKENDS
from zhanyi.engine.companions import (
    CASES,
    Store,
    find_companions,
    ingest_file,
    ingest_stays,
)
from zhanyi.engine.companions.window import DEFAULT_WINDOWS
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, load_protocol

# The same times as ``zhanyi trace``: local when no offset, a usage error naming the option.
from .trace import LOCAL, parse_time


def parse_days(text: str) -> set[dt.date]:
    """``2021-09-03,2021-09-05..2021-09-07``."""
    days: set[dt.date] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("..")
        a = dt.date.fromisoformat(first)
        b = dt.date.fromisoformat(last) if last else a
        days.update(a + dt.timedelta(days=i) for i in range((b - a).days + 1))
    return days


def read_cases(path: Path) -> pa.Table:
    """A cases file: ``person_id, window_start, window_end`` (CSV or Parquet)."""
    columns = ["person_id", "window_start", "window_end"]
    try:
        if path.suffix.lower() == ".parquet":
            table = pq.read_table(path)
            header = table.column_names
        else:
            with path.open(newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                rows = list(reader)
                header = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, pa.ArrowException) as exc:
        raise CommandError(f"{path}: cannot read the cases file ({exc})") from exc
    missing = [c for c in columns if c not in header]
    if missing:
        raise CommandError(f"{path}: missing column(s) {', '.join(missing)}")
    if path.suffix.lower() == ".parquet":
        rows = table.select(columns).to_pylist()
    out = {"person_id": [], "window_start": [], "window_end": []}
    for number, row in enumerate(rows, start=2):
        try:
            out["person_id"].append(int(row["person_id"]))
            for key in ("window_start", "window_end"):
                value = row[key]
                value = parse_time(value) if isinstance(value, str) else value
                out[key].append(value if value.tzinfo else value.replace(tzinfo=dt.UTC))
        except (KeyError, TypeError, ValueError, argparse.ArgumentTypeError) as exc:
            raise CommandError(f"{path}, row {number}: {exc}") from exc
    return pa.table(out, schema=CASES)


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.1f}"


def _period_text(periods: list[dict]) -> str:
    def local(t: dt.datetime) -> str:
        return t.astimezone(LOCAL).strftime("%m-%d %H:%M:%S")

    return "; ".join(f"{local(p['start'])}–{local(p['end'])}" for p in periods)


class Command(BaseCommand):
    help = "Spatiotemporal companions (时空伴随): ingest stays, find companions, purge."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        common = CommandParser(add_help=False)
        common.add_argument(
            "--store",
            type=Path,
            default=None,
            help="store directory (default: DATA_DIR/companions)",
        )
        common.add_argument(
            "--protocol",
            default=DEFAULT_PROTOCOL,
            help="protocol name or TOML path (default: %(default)s)",
        )

        ingest = sub.add_parser("ingest", parents=[common], help="build the store from stays")
        source = ingest.add_mutually_exclusive_group(required=True)
        source.add_argument("--stays", type=Path, help="folder of day=YYYY-MM-DD partitions")
        source.add_argument(
            "--records", type=Path, help="CSV/Parquet of location records or of stays"
        )
        ingest.add_argument(
            "--days",
            type=parse_days,
            default=None,
            help="only these days, e.g. 2021-09-03,2021-09-05..2021-09-07",
        )
        ingest.add_argument(
            "--replace", action="store_true", help="rebuild days already in the store"
        )
        ingest.add_argument("--merge-gap-minutes", type=int, default=None)
        ingest.add_argument(
            "--windows",
            type=int,
            default=DEFAULT_WINDOWS,
            help="keep the compacted lookback of this many latest days (default: %(default)s; "
            "0: none, queries read the daily files)",
        )

        find = sub.add_parser("find", parents=[common], help="companions of cases")
        who = find.add_mutually_exclusive_group(required=True)
        who.add_argument("--case", type=int, help="the case's person_id")
        who.add_argument(
            "--cases-file", type=Path, help="CSV/Parquet of person_id, window_start, window_end"
        )
        who.add_argument(
            "--all-cases",
            action="store_true",
            help="every current case (DATA_DIR/tracing/current-cases.csv|parquet)",
        )
        find.add_argument("--from", dest="window_from", type=parse_time)
        find.add_argument("--to", dest="window_to", type=parse_time)
        find.add_argument(
            "--onset",
            type=dt.date.fromisoformat,
            help="symptom onset date (window from the protocol)",
        )
        find.add_argument(
            "--sampled",
            type=dt.date.fromisoformat,
            help="positive sample date of an asymptomatic case",
        )
        find.add_argument("--isolated", type=parse_time, help="when the case was isolated")
        find.add_argument("--backend", choices=BACKENDS, default="duckdb")
        find.add_argument("--format", choices=["table", "csv", "parquet"], default="table")
        find.add_argument("--output", type=Path, default=None)
        find.add_argument("--limit", type=int, default=50, help="rows shown in a table")

        purge_p = sub.add_parser("purge", parents=[common], help="delete old days")
        purge_p.add_argument(
            "--retention-days",
            type=int,
            default=None,
            help="default: the protocol's retention_days",
        )
        purge_p.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="the day counted from (default: today)",
        )
        purge_p.add_argument("--dry-run", action="store_true")

        feed = sub.add_parser("feed", parents=[common], help="receive an operator's stay file")
        feed.add_argument("file", type=Path, nargs="+", help="one or more stay files")
        feed.add_argument("--operator", default="", help="the operator that sent it")
        feeds = sub.add_parser("feeds", parents=[common], help="the stay files by day")
        feeds.add_argument("--day", type=dt.date.fromisoformat, default=None)
        feeds.add_argument(
            "--ingest",
            action="store_true",
            help="ingest the waiting files now (the scheduler's job)",
        )

    def handle(self, *args, **options) -> None:
        protocol = load_protocol(options["protocol"])
        store = Store(options["store"] or Path(settings.DATA_DIR) / "companions")
        getattr(self, f"do_{options['action']}")(store, protocol, options)

    # -- ingest -------------------------------------------------------------------
    def do_ingest(self, store: Store, protocol, options: dict) -> None:
        rule = protocol.companion
        if options["merge_gap_minutes"] is not None:
            from dataclasses import replace

            rule = replace(rule, merge_gap_minutes=options["merge_gap_minutes"])
        if options["windows"] < 0:
            raise CommandError(f"--windows {options['windows']}: give 0 or more")
        bar = tqdm(desc="ingest", unit="day", file=sys.stderr, disable=options["verbosity"] == 0)

        def progress(day) -> None:
            bar.update(1)
            bar.set_postfix_str(f"{day.day} {day.rows:,} rows → {day.stays:,} stays")

        if options["stays"]:
            folder = options["stays"]
            if (folder / "stays").is_dir():
                folder = folder / "stays"
            if not folder.is_dir():
                raise CommandError(f"{folder}: not a folder")
            from zhanyi.engine.companions.ingest import input_days

            bar.total = len(input_days(folder))
            report = ingest_stays(
                folder,
                store,
                rule,
                days=options["days"],
                replace=options["replace"],
                progress=progress,
                windows=options["windows"],
            )
        else:
            if not options["records"].exists():
                raise CommandError(f"{options['records']}: no such file")
            try:
                report = ingest_file(
                    options["records"],
                    store,
                    rule,
                    days=options["days"],
                    replace=options["replace"],
                    progress=progress,
                    windows=options["windows"],
                )
            except ValueError as exc:  # the file's columns or values, named by the engine
                bar.close()
                raise CommandError(str(exc)) from exc
        bar.close()
        self.stdout.write(
            f"Ingested {len(report.days)} day(s), {report.rows:,} rows → {report.stays:,} "
            f"stays in {report.seconds:.1f}s into {store.root}"
            + (
                f"; skipped {len(report.skipped_days)} day(s) already there "
                "(--replace rebuilds them)"
                if report.skipped_days
                else ""
            )
        )
        if report.windows:
            ends = ", ".join(w.end.isoformat() for w in report.windows)
            self.stdout.write(f"Built the lookback windows ending {ends}")
        if report.rejects:
            kinds = ", ".join(f"{k}: {n:,}" for k, n in report.rejects.items())
            self.stdout.write(f"Rejected rows by kind: {kinds} (see {store.root}/rejects/)")

    # -- find ---------------------------------------------------------------------
    def _cases(self, protocol, options: dict) -> pa.Table:
        if options["cases_file"]:
            return read_cases(options["cases_file"])
        if options["all_cases"]:
            base = Path(settings.DATA_DIR) / "tracing"
            for name in ("current-cases.parquet", "current-cases.csv"):
                if (base / name).exists():
                    return read_cases(base / name)
            raise CommandError(
                f"no current cases: write {base}/current-cases.csv "
                "(person_id, window_start, window_end) or use --cases-file"
            )
        if options["window_from"] and options["window_to"]:
            start, end = options["window_from"], options["window_to"]
        elif options["isolated"] and (options["onset"] or options["sampled"]):
            start, end = protocol.exposure_window(
                options["isolated"], onset_date=options["onset"], sampling_date=options["sampled"]
            )
        else:
            raise CommandError("give --from and --to, or --isolated with --onset or --sampled")
        return pa.table(
            {"person_id": [options["case"]], "window_start": [start], "window_end": [end]},
            schema=CASES,
        )

    def do_find(self, store: Store, protocol, options: dict) -> None:
        if not store.manifest_path.exists():
            raise CommandError(
                f"no companion store at {store.root}; run `zhanyi companions ingest` first"
            )
        cases = self._cases(protocol, options)
        with tqdm(
            total=1,
            desc=f"find ({options['backend']})",
            file=sys.stderr,
            disable=options["verbosity"] == 0,
        ) as bar:
            try:
                result = find_companions(store, cases, protocol.companion, options["backend"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            bar.update(1)
        fmt, output = options["format"], options["output"]
        if fmt == "parquet":
            if not output:
                raise CommandError("--format parquet needs --output")
            try:
                with write_whole(output) as fh:
                    pq.write_table(result, fh)
            except DiskFullError as error:
                raise CommandError(str(error)) from None
        elif fmt == "csv":
            try:
                self._write_csv(result, output)
            except DiskFullError as error:
                raise CommandError(str(error)) from None
        else:
            self._write_table(result, options["limit"])
        if output or fmt == "table":
            people = len(set(result.column("companion_person_id").to_pylist()))
            self.stdout.write(
                f"{people:,} companion(s) of {cases.num_rows} case(s), "
                f"{result.num_rows:,} row(s)" + (f" → {output}" if output else "")
            )

    def _rows(self, result: pa.Table) -> list[list[str]]:
        return [
            [
                str(r["case_person_id"]),
                str(r["companion_person_id"]),
                str(r["cell_id"]),
                f"{r['overlap_minutes']:.1f}",
                _hours(r["case_dwell_s"]),
                _hours(r["companion_dwell_s"]),
                r["dwell_rule_met_by"],
                r["overlap_within"],
                _period_text(r["periods"]),
            ]
            for r in result.to_pylist()
        ]

    HEADER = [
        "case",
        "companion",
        "cell",
        "minutes",
        "case_dwell_h",
        "companion_dwell_h",
        "dwell_rule_met_by",
        "overlap_within",
        "periods (local time)",
    ]

    def _write_table(self, result: pa.Table, limit: int) -> None:
        rows = self._rows(result.slice(0, limit))
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(self.HEADER)]
        for row in [self.HEADER, *rows]:
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if result.num_rows > limit:
            self.stdout.write(f"… {result.num_rows - limit:,} more row(s); use --format csv")

    def _write_csv(self, result: pa.Table, output: Path | None) -> None:
        with (
            write_whole(output, "w", newline="", encoding="utf-8")
            if output
            else contextlib.nullcontext(self.stdout)
        ) as fh:
            writer = csv.writer(fh)
            writer.writerow(
                [
                    "case_person_id",
                    "companion_person_id",
                    "cell_id",
                    "overlap_s",
                    "overlap_minutes",
                    "case_dwell_s",
                    "companion_dwell_s",
                    "dwell_rule_met_by",
                    "overlap_within",
                    "periods",
                ]
            )
            for r in result.to_pylist():
                periods = ";".join(
                    f"{p['start'].isoformat()}/{p['end'].isoformat()}" for p in r["periods"]
                )
                writer.writerow(
                    [
                        r["case_person_id"],
                        r["companion_person_id"],
                        r["cell_id"],
                        r["overlap_s"],
                        f"{r['overlap_minutes']:.2f}",
                        r["case_dwell_s"],
                        r["companion_dwell_s"],
                        r["dwell_rule_met_by"],
                        r["overlap_within"],
                        periods,
                    ]
                )

    # -- feeds --------------------------------------------------------------------
    def do_feed(self, store: Store, protocol, options: dict) -> None:
        from zhanyi.core.audit import cli_actor
        from zhanyi.tracing.actions.feeds import do_receive_stay_file
        from zhanyi.tracing.models import StayFile

        paths: list[Path] = options["file"]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"no such file: {', '.join(missing)}")
        refused = []
        for path in paths:
            with path.open("rb") as fh:
                record = do_receive_stay_file(
                    fh,
                    filename=path.name,
                    operator=options["operator"],
                    via=StayFile.Via.COMMAND,
                    acting_user=cli_actor(),
                )
            if record.status == StayFile.Status.REFUSED:
                refused.append(f"{path.name} refused: {record.reason}")
                continue
            self.stdout.write(f"{path.name} received (file {record.pk})")
        if len(refused) < len(paths):
            self.stdout.write(
                "the scheduler ingests them, or run `zhanyi companions feeds --ingest`"
            )
        if refused:
            raise CommandError("; ".join(refused))

    def do_feeds(self, store: Store, protocol, options: dict) -> None:
        from zhanyi.core.audit import cli_actor
        from zhanyi.tracing.actions.feeds import do_ingest_stay_feeds, feed_days
        from zhanyi.tracing.models import StayFile

        if options["ingest"]:
            counts = do_ingest_stay_feeds(acting_user=cli_actor(), min_age_s=0)
            self.stdout.write(f"{counts['ingested']} ingested, {counts['refused']} refused")
        if options["day"] is None:
            for d in feed_days():
                self.stdout.write(
                    f"{d['arrived_on']}\tfiles {d['files']}\tingested {d['ingested']}\t"
                    f"refused {d['refused']}\twaiting {d['waiting']}\trows {d['rows']:,}\t"
                    f"stays {d['stays']:,}"
                )
            return
        for f in StayFile.objects.filter(arrived_on=options["day"]).order_by("id"):
            self.stdout.write(
                f"{f.pk}\t{f.operator or '-'}\t{f.filename}\t{f.status}\trows {f.rows:,}\t"
                f"stays {f.stays:,}\t{f.reason}"
            )

    # -- purge --------------------------------------------------------------------
    def do_purge(self, store: Store, protocol, options: dict) -> None:
        from zhanyi.core.audit import cli_actor
        from zhanyi.tracing.actions.feeds import do_purge_companions

        days = options["retention_days"] or protocol.companion.retention_days
        removed = do_purge_companions(
            acting_user=cli_actor(),
            as_of=options["as_of"],
            retention_days=days,
            dry_run=options["dry_run"],
            store=store.root,
        )
        verb = "Would delete" if options["dry_run"] else "Deleted"
        listed = ", ".join(d.isoformat() for d in removed) or "nothing"
        self.stdout.write(f"{verb} {len(removed)} day(s) older than {days} days: {listed}")
