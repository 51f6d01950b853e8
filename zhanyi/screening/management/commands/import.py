"""``zhanyi import``: load files from the command line (导入).

``zhanyi import pushlist FILE --source NAME`` imports a push list (协查名单:
xlsx, xls or csv in UTF-8 or GBK/GB18030) exactly as the web upload does,
with a progress bar, and prints what it stored and where the error file is::

    zhanyi import pushlist 莆田协查0910.xlsx --source 莆田市协查 --origin-city 莆田市
    zhanyi import pushlist 莆田协查0910.xlsx --source 莆田市协查 --columns   # what is read
    zhanyi import pushlist 莆田协查0910.xlsx --source 莆田市协查 --map address=居住的地方
    zhanyi import escalate          # escalate overdue screening tasks to the township

The actor in the audit trail is ``cli:<operating-system user>``.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from zhanyi.core.audit import cli_actor
from zhanyi.people.linkage import LinkageUnavailable
from zhanyi.screening import actions, queries
from zhanyi.screening.actions.intake import error_file_path
from zhanyi.screening.models import PushSource
from zhanyi.screening.reading import PushListFileError
from zhanyi.screening.validation import FIELDS


class Command(BaseCommand):
    help = "Import files: push lists of other regions (pushlist); escalate overdue tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        push = sub.add_parser("pushlist", help="import a push list (xlsx, xls, csv)")
        push.add_argument("file", type=Path)
        push.add_argument("--source", required=True, help="the push source's name, e.g. 莆田市协查")
        push.add_argument(
            "--origin-city",
            default=None,
            help="create the source with this origin city when it does not exist yet",
        )
        push.add_argument("--no-progress", action="store_true", help="no progress bar")
        push.add_argument(
            "--columns",
            action="store_true",
            help="show which column fills which field and which are not read, import nothing",
        )
        push.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="read the column HEADER as FIELD for this file (repeatable), e.g. "
            "address=居住的地方; fields: " + ", ".join(FIELDS),
        )
        sub.add_parser("escalate", help="escalate overdue screening tasks to the township")

    def handle(self, *args, subcommand: str, **options) -> None:
        try:
            getattr(self, "handle_" + subcommand)(**options)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            raise CommandError(" ".join(messages)) from None

    def _source(self, name: str, origin_city: str | None) -> PushSource:
        # As the web form and the API: push sources only (not the door-to-door
        # campaigns' source), the name spaced as do_save_source stores it.
        sources = queries.sources()
        source = sources.filter(name=" ".join(name.split())).first()
        if source is not None:
            return source
        if origin_city is None:
            known = ", ".join(sources.values_list("name", flat=True)) or "none yet"
            raise CommandError(
                f"no push source named {name!r} (known: {known}); "
                "add --origin-city CITY to create it"
            )
        return actions.do_save_source(acting_user=cli_actor(), name=name, origin_city=origin_city)

    def _mapping(self, pairs: list[str]) -> dict[str, str]:
        mapping = {}
        for pair in pairs:
            field, sep, header = pair.partition("=")
            if not sep or field.strip() not in FIELDS or not header.strip():
                raise CommandError(
                    f"--map {pair!r}: expected FIELD=HEADER with FIELD one of {', '.join(FIELDS)}"
                )
            mapping[field.strip()] = header.strip()
        return mapping

    def _show_columns(self, preview: dict) -> None:
        if preview["problem"]:
            raise CommandError(preview["problem"])
        self.stdout.write(f"header on row {preview['header_row']}")
        for column in preview["columns"]:
            self.stdout.write(f"  {column['header']} -> {column['field'] or '(not read)'}")
        for note in preview["notes"]:
            self.stdout.write(f"note: {note}")
        if preview["unmapped"]:
            self.stdout.write(
                "not read: " + ", ".join(preview["unmapped"]) + " (map with --map FIELD=HEADER)"
            )

    def handle_pushlist(
        self,
        *,
        file: Path,
        source: str,
        origin_city: str | None,
        no_progress: bool,
        columns: bool,
        map: list[str],
        **_,
    ) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        push_source = self._source(source, origin_city)
        mapping = self._mapping(map)
        try:
            preview = actions.preview_columns(
                push_source, file, filename=file.name, mapping=mapping
            )
        except PushListFileError as error:
            raise CommandError(f"{file}: {error}") from None
        if columns:
            self._show_columns(preview)
            return
        if preview["unmapped"]:
            self.stdout.write(
                "not read: " + ", ".join(preview["unmapped"]) + " (see --columns, --map)"
            )
        bar = tqdm(
            total=None, unit=" rows", disable=no_progress, file=self.stderr._out, desc="reading"
        )

        def progress(done: int, total: int | None, stage: str) -> None:
            if total is not None and bar.total != total:
                bar.total = total
            bar.set_description(stage)
            bar.update(done - bar.n)

        try:
            push_list = actions.do_import_push_list(
                push_source,
                file,
                filename=file.name,
                acting_user=cli_actor(),
                progress=progress,
                mapping=mapping,
            )
        except (PushListFileError, LinkageUnavailable) as error:
            raise CommandError(f"{file}: {error}") from None
        finally:
            bar.close()
        encoding = f", encoding {push_list.encoding}" if push_list.encoding else ""
        self.stdout.write(
            f"push list {push_list.pk} from {push_source.name}: {push_list.rows_read} rows read, "
            f"{push_list.rows_stored} stored, {push_list.rows_invalid} refused, "
            f"{push_list.rows_warned} with warnings, "
            f"{push_list.rows_repeated} received before{encoding}"
        )
        for note in push_list.notes:
            self.stdout.write(f"note: {note}")
        errors = error_file_path(push_list)
        if errors is not None:
            self.stdout.write(f"rows refused or with warnings: {errors}")

    def handle_escalate(self, **_) -> None:
        count = actions.do_escalate_overdue(acting_user=cli_actor())
        self.stdout.write(f"{count} overdue task(s) escalated")
