"""``zhanyi meeting …``: the daily coordination meeting (每日调度会).

- ``list``: the meetings, newest first.
- ``record --at TIME [--chair NAME] [--notes …]``: record a meeting.
- ``pack ID [--json]``: its pack: what changed since the last meeting (the
  stored figures of the reports), what is overdue (the supervision ledger as of
  the meeting), the decisions taken.
- ``decide ID TITLE --area CODE --due TIME [--task-force ID] [--body …]``:
  record a decision of the meeting, issued as a directive linked to it.
- ``export ID --format docx|pdf --out FILE``: the pack as a file.

Times without an offset are local (Asia/Shanghai). The command acts as
``cli:<user>`` in the audit trail and sees the whole city.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from zhanyi.accounts.models import TaskForce
from zhanyi.command import actions, exports, queries
from zhanyi.command.api.meetings import PackSerializer
from zhanyi.command.models import Meeting
from zhanyi.core.audit import cli_actor

from .report import _Everything
from .supervision import area, local, one, parse_time, refused


class Command(BaseCommand):
    help = "The daily meeting: record one, its pack, its decisions, its files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list", help="the meetings, newest first")
        record = sub.add_parser("record", help="record a meeting")
        record.add_argument("--at", required=True, help="when it is held (local time)")
        record.add_argument("--chair", default="")
        record.add_argument("--notes", default="")
        pack = sub.add_parser("pack", help="a meeting's pack")
        pack.add_argument("id")
        pack.add_argument("--json", action="store_true")
        decide = sub.add_parser("decide", help="record a decision, issued as a directive")
        decide.add_argument("id")
        decide.add_argument("title")
        decide.add_argument("--area", required=True)
        decide.add_argument("--due", required=True)
        decide.add_argument("--task-force", help="the owning task force's id")
        decide.add_argument("--body", default="")
        export = sub.add_parser("export", help="the pack as a file")
        export.add_argument("id")
        export.add_argument("--format", choices=sorted(exports.MEETING_WRITERS), default="docx")
        export.add_argument("--out", required=True)

    def handle(self, *args, **options) -> None:
        verbs = {
            "list": self._list,
            "record": self._record,
            "pack": self._pack,
            "decide": self._decide,
            "export": self._export,
        }
        try:
            verbs[options["verb"]](options)
        except ValidationError as error:
            raise refused(error) from None

    def _list(self, options) -> None:
        for m in Meeting.objects.order_by("-held_at"):
            decisions = m.decisions.count()
            self.stdout.write(
                f"{m.pk}\t{local(m.held_at)}\t{m.chaired_by}\t{decisions} decision(s)"
            )

    def _record(self, options) -> None:
        meeting = actions.do_record_meeting(
            acting_user=cli_actor(),
            held_at=parse_time(options["at"]),
            chaired_by=options["chair"],
            notes=options["notes"],
        )
        self.stdout.write(f"meeting {meeting.pk}: {local(meeting.held_at)}")

    def _pack(self, options) -> None:
        pack = queries.meeting_pack(one(Meeting, options["id"]), _Everything())
        if options["json"]:
            data = PackSerializer(pack).data
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        write = self.stdout.write
        write(exports.meeting_title(pack))
        write(exports.meeting_changes_sentence(pack))
        for area_changes in pack.areas:
            for c in area_changes.changes:
                write(
                    f"  {area_changes.area.name}\t{c.row.shown_label()}\t{c.row.value_text()}"
                    f"\t{c.change_text()}"
                )
        write(f"overdue: {len(pack.ledger.open)}")
        for r in pack.ledger.open:
            write(f"  {r.owner_label}\t{r.item.area.name}\t{r.item.what}\t{r.late_hours:g} h")
        write(f"decisions: {len(pack.decisions)}")
        for d in pack.decisions:
            write(f"  {d.pk}\t{d.get_state_display()}\tdue {local(d.due_at)}\t{d.title}")

    def _decide(self, options) -> None:
        task_force = one(TaskForce, options["task_force"]) if options["task_force"] else None
        directive = actions.do_record_decision(
            one(Meeting, options["id"]),
            acting_user=cli_actor(),
            title=options["title"],
            body=options["body"],
            area=area(options["area"]),
            due_at=parse_time(options["due"]),
            task_force=task_force,
        )
        self.stdout.write(f"directive {directive.pk}: due {local(directive.due_at)}")

    def _export(self, options) -> None:
        pack = queries.meeting_pack(one(Meeting, options["id"]), _Everything())
        body = exports.MEETING_WRITERS[options["format"]](pack)
        Path(options["out"]).write_bytes(body)
        self.stdout.write(f"{options['out']}: {len(body)} bytes")
