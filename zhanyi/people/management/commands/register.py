"""``zhanyi register load|columns|loads|mapping``: the population register (人口登记).

- ``load FILE --kind hukou|resident|floating [--mapping NAME] [--map FIELD=HEADER]``:
  load an extract (xlsx, xls or csv in UTF-8, GBK or GB18030); prints what it
  changed (new, changed, moved, unchanged, to review, refused) and the error file.
- ``columns FILE [--mapping NAME] [--map FIELD=HEADER]``: which column fills
  which field, before loading; loads nothing.
- ``loads``: the loads so far, newest first.
- ``mapping NAME FIELD=HEADER …``: save a column mapping for a sender's extracts.
- ``reviews LOAD``: the load's rows left to review, each with its candidates.
- ``review LOAD ROW --person ID|--new``: decide a row the linkage model left to review.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from zhanyi.core.audit import cli_actor
from zhanyi.people.actions.register import (
    FIELDS,
    RegisterFileError,
    do_load_register,
    do_save_mapping,
    error_file_path,
    preview_columns,
)
from zhanyi.people.linkage import LinkageUnavailable
from zhanyi.people.models import RegisterKind, RegisterLoad, RegisterMapping


def _pairs(values: list[str]) -> dict[str, str]:
    out = {}
    for value in values:
        field, sep, header = value.partition("=")
        if not sep or field not in FIELDS:
            raise CommandError(
                f"--map takes FIELD=HEADER with FIELD one of {', '.join(FIELDS)}, not {value!r}"
            )
        out[field] = header
    return out


class Command(BaseCommand):
    help = "The population register: load extracts, check their columns, list loads, save mappings."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load an extract")
        load.add_argument("file", type=Path)
        load.add_argument("--kind", required=True, choices=RegisterKind.values)
        columns = sub.add_parser("columns", help="which column fills which field")
        columns.add_argument("file", type=Path)
        for p in (load, columns):
            p.add_argument("--mapping", default="", help="a saved mapping's name")
            p.add_argument("--map", action="append", default=[], metavar="FIELD=HEADER")
        sub.add_parser("loads", help="the loads so far")
        sub.add_parser("reviews", help="a load's rows left to review").add_argument(
            "load", type=int
        )
        review = sub.add_parser("review", help="decide a row the model could not")
        review.add_argument("load", type=int)
        review.add_argument("row", type=int)
        choice = review.add_mutually_exclusive_group(required=True)
        choice.add_argument("--person", type=int, help="the candidate who is this row")
        choice.add_argument("--new", action="store_true", help="a new person")
        mapping = sub.add_parser("mapping", help="save a column mapping")
        mapping.add_argument("name")
        mapping.add_argument("pairs", nargs="+", metavar="FIELD=HEADER")

    def handle(self, *args, **options) -> None:
        {
            "load": self._load,
            "columns": self._columns,
            "loads": self._list_loads,
            "mapping": self._mapping,
            "reviews": self._reviews,
            "review": self._review,
        }[options["action"]](options)

    def _saved(self, name: str) -> RegisterMapping | None:
        if not name:
            return None
        try:
            return RegisterMapping.objects.get(name=name)
        except RegisterMapping.DoesNotExist:
            raise CommandError(f"no saved mapping named {name!r}") from None

    def _load(self, options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        bar = tqdm(unit="row", file=sys.stderr, disable=options["verbosity"] == 0)

        def progress(done: int, total: int | None, stage: str) -> None:
            bar.total = total
            bar.set_description(stage)
            bar.n = done
            bar.refresh()

        try:
            load = do_load_register(
                path,
                filename=path.name,
                kind=options["kind"],
                acting_user=cli_actor(),
                mapping=_pairs(options["map"]),
                saved_mapping=self._saved(options["mapping"]),
                progress=progress,
            )
        except (RegisterFileError, LinkageUnavailable, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()
        if load.repeat_of_id or (load.file_hash and load.filename != path.name):
            self.stdout.write(f"This file was loaded before (load {load.repeat_of_id or load.pk}).")
        self.stdout.write(
            f"load {load.pk}: {load.rows_read:,} rows read; {load.new:,} new, "
            f"{load.changed:,} changed, {load.moved:,} moved, {load.unchanged:,} unchanged "
            f"({load.linked:,} linked to the index); {load.review:,} to review; "
            f"{load.rows_invalid:,} refused, {load.rows_warned:,} with warnings; "
            f"{load.households_new:,} new households; {load.unresolved:,} addresses without "
            f"a village; {load.seconds or 0:.1f} s"
        )
        for note in load.notes:
            self.stdout.write(f"note: {note}")
        errors = error_file_path(load)
        if errors:
            self.stdout.write(f"error file: {errors}")

    def _columns(self, options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        saved = self._saved(options["mapping"])
        mapping = {**((saved.column_mapping if saved else None) or {}), **_pairs(options["map"])}
        try:
            found = preview_columns(path, filename=path.name, mapping=mapping)
        except RegisterFileError as error:
            raise CommandError(str(error)) from None
        for column in found["columns"]:
            self.stdout.write(f"{column['header']}\t→ {column['field'] or '-'}")
        if found["unmapped"]:
            self.stdout.write("not read: " + ", ".join(found["unmapped"]))
        if found["problem"]:
            raise CommandError(found["problem"])

    def _list_loads(self, options) -> None:
        for load in RegisterLoad.objects.all()[:50]:
            self.stdout.write(
                f"{load.pk}\t{load.received_at:%Y-%m-%d %H:%M}\t{load.kind}\t{load.status}\t"
                f"{load.filename}\tnew {load.new}\tchanged {load.changed}\tmoved {load.moved}\t"
                f"review {load.review}\trefused {load.rows_invalid}"
            )

    def _mapping(self, options) -> None:
        saved = do_save_mapping(options["name"], _pairs(options["pairs"]), acting_user=cli_actor())
        self.stdout.write(f"mapping {saved.name}: {saved.column_mapping}")

    def _reviews(self, options) -> None:
        from zhanyi.people.models import Person, RegisterReview

        if not RegisterLoad.objects.filter(pk=options["load"]).exists():
            raise CommandError(f"no register load {options['load']}")
        pending = RegisterReview.objects.filter(
            load_id=options["load"], status=RegisterReview.Status.PENDING
        ).select_related("village")
        wanted = {pk for r in pending for pk in r.candidates}
        people = {p.pk: p for p in Person.objects.filter(pk__in=wanted).select_related("village")}
        count = 0
        for review in pending:
            count += 1
            v = review.values
            village = review.village.name if review.village else "-"
            self.stdout.write(
                f"row {review.row_number}\t{v.get('name') or ''}\t"
                f"{v.get('identity_number') or ''}\t{v.get('address') or ''}\t{village}"
            )
            for pk in review.candidates:
                p = people.get(pk)
                if p is not None:
                    self.stdout.write(
                        f"    --person {p.pk}\t{p.name}\t{p.identity_number}\t"
                        f"{p.village.name if p.village else '-'}\t{p.address}"
                    )
        self.stdout.write(
            f"{count} rows to review; decide each with "
            f"zhanyi register review {options['load']} ROW --person ID|--new"
        )

    def _review(self, options) -> None:
        from zhanyi.people.actions.register import do_decide_register_review
        from zhanyi.people.models import RegisterReview

        review = RegisterReview.objects.filter(
            load_id=options["load"], row_number=options["row"]
        ).first()
        if review is None:
            raise CommandError(f"no row {options['row']} to review in load {options['load']}")
        try:
            review = do_decide_register_review(
                review, person_id=options["person"], acting_user=cli_actor()
            )
        except RegisterFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"row {review.row_number}: {review.status}, person {review.person_id}")
