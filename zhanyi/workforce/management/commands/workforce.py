"""``zhanyi workforce …``: the people in the field (力量) from the command line.

- ``deploy KIND --area CODE --headcount N [--shift day|night|all_day] [--post P]``
- ``deployments [--json]``: headcount in force by kind and area.
- ``end ID``: a deployment stood down.
- ``team add NAME --direction arriving|leaving --headcount N --counterpart P
  --area CODE [--kind K]``;
  ``team start|end ID``: arrived or left; went home or came back.
- ``branch add NAME --area CODE --posts N [--members N]``
- ``roster import FILE [--errors OUT.xlsx]``: a roster workbook or CSV; the
  refused rows, with what to fix, written to OUT.
- ``figures [--json]``: the app's figures for the city.

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Sum

from zhanyi.core import metrics
from zhanyi.core.audit import cli_actor
from zhanyi.places.models import Area
from zhanyi.workforce import actions
from zhanyi.workforce.models import Deployment, Direction, ForceKind, MutualAidTeam, Shift
from zhanyi.workforce.queries import in_force


def _area(code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise CommandError(f"no area with code {code!r}")
    return area


class Command(BaseCommand):
    help = "People in the field: deployments, mutual-aid teams, party branches, rosters."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        deploy = sub.add_parser("deploy")
        deploy.add_argument("kind", choices=ForceKind.values)
        deploy.add_argument("--area", required=True)
        deploy.add_argument("--headcount", type=int, required=True)
        deploy.add_argument("--shift", choices=Shift.values, default=Shift.ALL_DAY)
        deploy.add_argument("--post", default="")
        sub.add_parser("deployments").add_argument("--json", action="store_true")
        sub.add_parser("end").add_argument("deployment", type=int)
        team = sub.add_parser("team").add_subparsers(dest="verb", required=True)
        add = team.add_parser("add")
        add.add_argument("name")
        add.add_argument("--direction", choices=Direction.values, required=True)
        add.add_argument("--kind", choices=ForceKind.values, default=ForceKind.SAMPLING)
        add.add_argument("--headcount", type=int, required=True)
        add.add_argument("--counterpart", required=True)
        add.add_argument("--area", required=True)
        team.add_parser("start").add_argument("team", type=int)
        team.add_parser("end").add_argument("team", type=int)
        branch = sub.add_parser("branch").add_subparsers(dest="verb", required=True)
        badd = branch.add_parser("add")
        badd.add_argument("name")
        badd.add_argument("--area", required=True)
        badd.add_argument("--posts", type=int, default=0)
        badd.add_argument("--members", type=int, default=0)
        roster = sub.add_parser("roster").add_subparsers(dest="verb", required=True)
        imp = roster.add_parser("import")
        imp.add_argument("file")
        imp.add_argument("--errors", default="")
        sub.add_parser("figures").add_argument("--json", action="store_true")

    def handle(self, *args, **o) -> None:
        handlers = {
            "deploy": self._deploy,
            "deployments": self._deployments,
            "end": self._end,
            "team": self._team,
            "branch": self._branch,
            "roster": self._roster,
            "figures": self._figures,
        }
        try:
            handlers[o["topic"]](o)
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None

    def _deploy(self, o) -> None:
        d = actions.do_deploy(
            area=_area(o["area"]),
            kind=o["kind"],
            headcount=o["headcount"],
            shift=o["shift"],
            post=o["post"],
            acting_user=cli_actor(),
        )
        self.stdout.write(
            f"deployment {d.pk}: {d.get_kind_display()} × {d.headcount} in {d.area.name}"
        )

    def _deployments(self, o) -> None:
        rows = (
            in_force(Deployment.objects.all())
            .values("kind", "area__code", "area__name")
            .annotate(n=Sum("headcount"))
            .order_by("kind", "area__code")
        )
        if o["json"]:
            self.stdout.write(json.dumps(list(rows), ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(f"{ForceKind(r['kind']).label}\t{r['area__name']}\t{r['n']}")

    def _end(self, o) -> None:
        d = Deployment.objects.filter(pk=o["deployment"]).first()
        if d is None:
            raise CommandError(f"no deployment {o['deployment']}")
        actions.do_end_deployment(d, acting_user=cli_actor())
        self.stdout.write(f"deployment {d.pk} stood down")

    def _team(self, o) -> None:
        if o["verb"] == "add":
            team = actions.do_register_team(
                name=o["name"],
                direction=o["direction"],
                kind=o["kind"],
                headcount=o["headcount"],
                counterpart=o["counterpart"],
                area=_area(o["area"]),
                acting_user=cli_actor(),
            )
        else:
            team = MutualAidTeam.objects.filter(pk=o["team"]).first()
            if team is None:
                raise CommandError(f"no team {o['team']}")
            actions.do_move_team(team, step=o["verb"], acting_user=cli_actor())
        self.stdout.write(f"team {team.pk} {team.name}: {team.headcount}")

    def _branch(self, o) -> None:
        b = actions.do_add_branch(
            name=o["name"],
            area=_area(o["area"]),
            posts=o["posts"],
            members=o["members"],
            acting_user=cli_actor(),
        )
        self.stdout.write(f"branch {b.pk} {b.name}: {b.posts} posts")

    def _roster(self, o) -> None:
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        with path.open("rb") as fh:
            result = actions.do_import_roster(fh, path.name, acting_user=cli_actor())
        for p in result.errors:
            self.stdout.write(f"line {p['line']}: refused: {p['message']} {p['value']}".rstrip())
        for p in result.warnings:
            self.stdout.write(f"line {p['line']}: {p['message']} {p['value']}".rstrip())
        if o["errors"] and result.record.error_file:
            Path(o["errors"]).write_bytes(bytes(result.record.error_file))
        self.stdout.write(f"{result.stored} of {result.record.rows} rows stored")

    def _figures(self, o) -> None:
        names = [f.name for f in metrics.registered() if f.name.startswith("workforce.")]
        values = {n: metrics.get(n).fn(None) for n in names}
        if o["json"]:
            self.stdout.write(json.dumps(values))
            return
        for n, v in values.items():
            self.stdout.write(f"{metrics.get(n).label}: {v}")
