"""``zhanyi teams …``: teams (工作队) and the control list (先管后筛) from the command line.

- ``list [--kind KIND] [--area CODE]``: teams with their workload (open, due soon, overdue).
- ``create NAME --kind KIND --area CODE [--shift day|night|round_the_clock]``
- ``member TEAM --role ROLE (--user USERNAME | --name NAME [--phone PHONE]) [--leader]``
- ``train MEMBER COURSE --date YYYY-MM-DD [--passed]``
- ``controls [--area CODE]``: open control tasks; ``close HANDOFF --measure MEASURE
  [--at ISO-TIME] [--note TEXT]``: one closed with the measure taken.
- ``escalate``: overdue control tasks to the township now (the scheduler does it every 5 min).

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.accounts.models import User
from zhanyi.core.audit import cli_actor
from zhanyi.core.masking import mask_name
from zhanyi.handoffs.models import Handoff, HandoffKind
from zhanyi.places.models import Area
from zhanyi.teams import actions, queries, work
from zhanyi.teams.models import Team, TeamMember


def _area(code: str) -> Area:
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise CommandError(f"no area with code {code!r}") from None


def _get(model, pk: int, what: str):
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise CommandError(f"no {what} {pk}") from None


class Command(BaseCommand):
    help = "Teams: list, create, members, training; the control list and its closing."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        ls = sub.add_parser("list")
        ls.add_argument("--kind", default="")
        ls.add_argument("--area", default="")
        create = sub.add_parser("create")
        create.add_argument("name")
        create.add_argument("--kind", required=True)
        create.add_argument("--area", required=True)
        create.add_argument("--shift", default="round_the_clock")
        member = sub.add_parser("member")
        member.add_argument("team", type=int)
        member.add_argument("--role", required=True)
        member.add_argument("--user", default="")
        member.add_argument("--name", default="")
        member.add_argument("--phone", default="")
        member.add_argument("--leader", action="store_true")
        train = sub.add_parser("train")
        train.add_argument("member", type=int)
        train.add_argument("course")
        train.add_argument("--date", required=True, type=dt.date.fromisoformat)
        train.add_argument("--passed", action="store_true")
        controls = sub.add_parser("controls")
        controls.add_argument("--area", default="")
        close = sub.add_parser("close")
        close.add_argument("handoff", type=int)
        close.add_argument("--measure", default="")
        close.add_argument("--at", default="", help="ISO time with its offset; default now")
        close.add_argument("--note", default="")
        sub.add_parser("escalate")

    def handle(self, *args, **o) -> None:
        handlers = {
            "list": self._list,
            "create": self._create,
            "member": self._member,
            "train": self._train,
            "controls": self._controls,
            "close": self._close,
            "escalate": self._escalate,
        }
        try:
            handlers[o["topic"]](o)
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None

    def _list(self, o) -> None:
        teams = Team.objects.select_related("area")
        if o["kind"]:
            teams = teams.filter(kind=o["kind"])
        if o["area"]:
            teams = teams.filter(area__path__startswith=_area(o["area"]).path)
        teams = list(teams)
        loads = work.workloads(teams)
        for t in teams:
            load = loads[t.pk]
            self.stdout.write(
                f"{t.pk}\t{t.name}\t{t.get_kind_display()}\t{t.area.name}\t"
                f"open {load.open}\tdue soon {load.due_soon}\toverdue {load.overdue}"
            )

    def _create(self, o) -> None:
        team = actions.do_create_team(
            acting_user=cli_actor(),
            name=o["name"],
            kind=o["kind"],
            area=_area(o["area"]),
            shift=o["shift"],
        )
        self.stdout.write(f"team {team.pk} {team.name} ({team.get_kind_display()})")

    def _member(self, o) -> None:
        user = None
        if o["user"]:
            user = User.objects.filter(username=o["user"]).first()
            if user is None:
                raise CommandError(f"no account named {o['user']!r}")
        member = actions.do_add_member(
            _get(Team, o["team"], "team"),
            acting_user=cli_actor(),
            role=o["role"],
            user=user,
            name=o["name"],
            phone=o["phone"],
            leader=o["leader"],
        )
        self.stdout.write(f"member {member.pk} {member}")

    def _train(self, o) -> None:
        training = actions.do_record_training(
            _get(TeamMember, o["member"], "member"),
            acting_user=cli_actor(),
            course=o["course"],
            taken_on=o["date"],
            passed=o["passed"],
        )
        self.stdout.write(f"training {training.pk} {training}")

    def _controls(self, o) -> None:
        path = _area(o["area"]).path if o["area"] else None
        for h in queries.open_controls(path):
            self.stdout.write(
                f"{h.pk}\t{mask_name(h.person.name)}\t{h.area.name}\tdue {h.due_at.isoformat()}"
            )

    def _close(self, o) -> None:
        handoff = _get(Handoff, o["handoff"], "hand-off")
        if handoff.kind != HandoffKind.CONTROL:
            raise CommandError(f"hand-off {handoff.pk} is not a control task")
        at = dt.datetime.fromisoformat(o["at"]) if o["at"] else None
        if at is not None and at.tzinfo is None:
            raise CommandError("--at needs its offset (e.g. 2021-09-16T22:00+08:00)")
        control = actions.do_close_control(
            handoff, acting_user=cli_actor(), measure=o["measure"], measured_at=at, note=o["note"]
        )
        self.stdout.write(f"control task {handoff.pk}: {control.get_measure_display()}")

    def _escalate(self, o) -> None:
        n = actions.do_escalate_overdue_controls(acting_user=cli_actor())
        self.stdout.write(f"{n} control task(s) escalated")
