"""``zhanyi report …``: the twice-daily report (每日两报) from the command line.

- ``take [--at "2021-09-14 20:00"]``: take the report of a slot (default: the
  latest slot that has passed).
- ``list``: the reports, newest first.
- ``show ID [--json]``: a report's figures, each with its change.
- ``comment ID TEXT``: the coordination desk's commentary.
- ``export ID --format docx|pdf|xlsx --out FILE``: the report as a file.

Times without an offset are local (Asia/Shanghai). The command acts as
``cli:<user>`` in the audit trail and sees the whole city.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhanyi.command import actions, exports, queries
from zhanyi.command.models import Report
from zhanyi.command.queries import ReportSheet
from zhanyi.core.audit import cli_actor
from zhanyi.engine.protocol import LOCAL_TZ


class _Everything:
    """The reader the command line reads as: the whole city."""

    is_superuser = True
    jurisdiction_id = None


def _time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"not a date and time: {text!r} (2021-09-14 20:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def _report(pk: str) -> Report:
    try:
        return Report.objects.get(pk=int(pk))
    except (ValueError, Report.DoesNotExist):
        raise CommandError(f"no report {pk!r}") from None


def _refused(error: ValidationError) -> CommandError:
    return CommandError(" ".join(error.messages))


class Command(BaseCommand):
    help = "The twice-daily report: take, list, show, comment, export."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        take = sub.add_parser("take", help="take the report of a slot")
        take.add_argument("--at", help="the slot, local time (default: the latest passed)")
        sub.add_parser("list", help="the reports, newest first")
        show = sub.add_parser("show", help="a report's figures")
        show.add_argument("id")
        show.add_argument("--json", action="store_true")
        comment = sub.add_parser("comment", help="the coordination desk's commentary")
        comment.add_argument("id")
        comment.add_argument("text")
        export = sub.add_parser("export", help="the report as a file")
        export.add_argument("id")
        export.add_argument("--format", choices=sorted(exports.WRITERS), required=True)
        export.add_argument("--out", required=True)

    def handle(self, *args, **options) -> None:
        verbs = {
            "take": self._take,
            "list": self._list,
            "show": self._show,
            "comment": self._comment,
            "export": self._export,
        }
        verbs[options["verb"]](options)

    def _take(self, options) -> None:
        now = timezone.now()
        slot = _time(options["at"]) if options["at"] else actions.reports.latest_slot(now)
        try:
            report = actions.do_take_report(acting_user=cli_actor(), scheduled_for=slot, now=now)
        except ValidationError as error:
            raise _refused(error) from None
        self.stdout.write(f"report {report.pk}: {report} ({report.figures.count()} figures)")

    def _list(self, options) -> None:
        for report in Report.objects.order_by("-scheduled_for"):
            mark = " *" if report.commentary else ""
            self.stdout.write(f"{report.pk}\t{report}\t{report.taken_by}{mark}")

    def _sheet(self, report: Report) -> ReportSheet:
        return queries.report_sheet(report, _Everything())

    def _show(self, options) -> None:
        sheet = self._sheet(_report(options["id"]))
        if options["json"]:
            rows = [
                {
                    "area": a.area.code,
                    "name": f.name,
                    "value": f.value,
                    "previous_value": f.previous_value,
                    "change": f.change,
                }
                for a in sheet.areas
                for f in a.figures
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        self.stdout.write(exports.title(sheet))
        for a in sheet.areas:
            self.stdout.write(f"\n{a.area.name}")
            for f in a.figures:
                self.stdout.write(f"  {f.shown_label()}\t{f.value_text()}\t{f.change_text()}")

    def _comment(self, options) -> None:
        report = actions.do_comment_report(
            _report(options["id"]), acting_user=cli_actor(), commentary=options["text"]
        )
        self.stdout.write(f"report {report.pk}: commentary saved")

    def _export(self, options) -> None:
        report = _report(options["id"])
        sheet = self._sheet(report)
        body = exports.WRITERS[options["format"]](sheet)
        Path(options["out"]).write_bytes(body)
        self.stdout.write(f"{options['out']}: {len(body)} bytes")
