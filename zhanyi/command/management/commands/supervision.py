"""``zhanyi supervision …``: supervision (督导) from the command line.

- ``ledger [--owner KIND] [--area CODE] [--at TIME] [--json]``: every overdue
  item of every task force, the latest first, then those closed late.
- ``groups``: the supervision and inspection groups.
- ``group NAME --kind supervision|inspection --area CODE [--leader …] [--members …]``
- ``visit GROUP_ID --area CODE --at TIME [--place …] [--notes …]``
- ``finding VISIT_ID TEXT --rectify-by TIME [--owner KIND]``
- ``rectify FINDING_ID TEXT``
- ``accountability --area CODE --held … --measure talk|notice|warning|removal --reason …``

Times without an offset are local (Asia/Shanghai). The command acts as
``cli:<user>`` in the audit trail and sees the whole city.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhanyi.accounts.models import TaskForceKind
from zhanyi.command import actions, queries
from zhanyi.command.models import Finding, GroupKind, Measure, SupervisionGroup, Visit
from zhanyi.core.audit import cli_actor
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places import codes
from zhanyi.places.models import Area


def parse_time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"not a date and time: {text!r} (2021-09-17 18:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def area(code: str) -> Area:
    """The area a code names: short or the statistics bureau's 12 digits, or a
    former code of a recoded area."""
    found = codes.resolve(code.strip())
    if found is None:
        raise CommandError(f"no area with the code {code!r}")
    return found


def one(model, pk: str):
    try:
        return model.objects.get(pk=int(pk))
    except (ValueError, model.DoesNotExist):
        raise CommandError(f"no {model._meta.verbose_name} {pk!r}") from None


def refused(error: ValidationError) -> CommandError:
    return CommandError(" ".join(error.messages))


def local(value: dt.datetime | None) -> str:
    return f"{value.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}" if value else ""


class Command(BaseCommand):
    help = "Supervision: the ledger of overdue items, groups, visits, findings, accountability."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        ledger = sub.add_parser("ledger", help="every overdue item, the latest first")
        ledger.add_argument("--owner", choices=TaskForceKind.values)
        ledger.add_argument("--area", help="an area code (default: the city)")
        ledger.add_argument("--at", help="as of this local time (default: now)")
        ledger.add_argument("--json", action="store_true")
        sub.add_parser("groups", help="the supervision and inspection groups")
        group = sub.add_parser("group", help="set up a group")
        group.add_argument("name")
        group.add_argument("--kind", choices=GroupKind.values, required=True)
        group.add_argument("--area", required=True)
        group.add_argument("--leader", default="")
        group.add_argument("--members", default="")
        visit = sub.add_parser("visit", help="record a group's visit")
        visit.add_argument("group")
        visit.add_argument("--area", required=True)
        visit.add_argument("--at", required=True)
        visit.add_argument("--place", default="")
        visit.add_argument("--notes", default="")
        finding = sub.add_parser("finding", help="a visit's finding, to rectify by a deadline")
        finding.add_argument("visit")
        finding.add_argument("text")
        finding.add_argument("--rectify-by", required=True)
        finding.add_argument("--owner", choices=TaskForceKind.values, default="")
        rectify = sub.add_parser("rectify", help="a finding is rectified")
        rectify.add_argument("finding")
        rectify.add_argument("text")
        acc = sub.add_parser("accountability", help="record accountability")
        acc.add_argument("--area", required=True)
        acc.add_argument("--held", required=True)
        acc.add_argument("--measure", choices=Measure.values, required=True)
        acc.add_argument("--reason", required=True)

    def handle(self, *args, **options) -> None:
        verbs = {
            "ledger": self._ledger,
            "groups": self._groups,
            "group": self._group,
            "visit": self._visit,
            "finding": self._finding,
            "rectify": self._rectify,
            "accountability": self._accountability,
        }
        try:
            verbs[options["verb"]](options)
        except ValidationError as error:
            raise refused(error) from None

    def _ledger(self, options) -> None:
        now = parse_time(options["at"]) if options["at"] else timezone.now()
        where = area(options["area"]) if options["area"] else None
        result = queries.ledger(where, owner=options["owner"] or "", now=now)
        rows = [(r, "open") for r in result.open] + [(r, "closed late") for r in result.closed_late]
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "deadline": r.item.deadline,
                            "what": r.item.what,
                            "whose": r.item.whose,
                            "owner": r.owner,
                            "area": r.item.area.code,
                            "due_at": r.item.due_at.isoformat(),
                            "closed_at": r.item.closed_at.isoformat() if r.item.closed_at else None,
                            "late_hours": r.late_hours,
                        }
                        for r, _state in rows
                    ],
                    ensure_ascii=False,
                )
            )
            return
        for r, state in rows:
            self.stdout.write(
                f"{r.late_hours:>9.1f} h\t{state}\t{r.kind}\t{r.item.what}\t{r.item.whose}\t"
                f"{r.owner_label}\t{r.item.area.name}\tdue {local(r.item.due_at)}"
            )
        self.stdout.write(f"{len(result.open)} open overdue, {len(result.closed_late)} closed late")

    def _groups(self, options) -> None:
        for g in SupervisionGroup.objects.select_related("area"):
            self.stdout.write(
                f"{g.pk}\t{g.name}\t{g.get_kind_display()}\t{g.area.name}\t{g.leader}"
            )

    def _group(self, options) -> None:
        group = actions.do_create_group(
            acting_user=cli_actor(),
            name=options["name"],
            kind=options["kind"],
            area=area(options["area"]),
            leader=options["leader"],
            members=options["members"],
        )
        self.stdout.write(f"group {group.pk}: {group.name}")

    def _visit(self, options) -> None:
        visit = actions.do_record_visit(
            one(SupervisionGroup, options["group"]),
            acting_user=cli_actor(),
            area=area(options["area"]),
            visited_at=parse_time(options["at"]),
            place=options["place"],
            notes=options["notes"],
        )
        self.stdout.write(f"visit {visit.pk}: {visit}")

    def _finding(self, options) -> None:
        finding = actions.do_add_finding(
            one(Visit, options["visit"]),
            acting_user=cli_actor(),
            text=options["text"],
            rectify_by=parse_time(options["rectify_by"]),
            owner=options["owner"],
        )
        self.stdout.write(f"finding {finding.pk}, rectify by {local(finding.rectify_by)}")

    def _rectify(self, options) -> None:
        finding = actions.do_rectify(
            one(Finding, options["finding"]), acting_user=cli_actor(), rectification=options["text"]
        )
        self.stdout.write(f"finding {finding.pk} rectified at {local(finding.rectified_at)}")

    def _accountability(self, options) -> None:
        record = actions.do_record_accountability(
            acting_user=cli_actor(),
            area=area(options["area"]),
            held=options["held"],
            measure=options["measure"],
            reason=options["reason"],
        )
        self.stdout.write(f"accountability {record.pk}: {record}")
