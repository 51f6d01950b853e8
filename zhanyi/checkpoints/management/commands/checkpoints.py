"""``zhanyi checkpoints …``: traffic checkpoints and ports (交通管控、海上) from the command line.

- ``stations add NAME --kind KIND --area CODE [--location TEXT] [--lon X --lat Y]``
  (kinds: provincial_border, city_border, rail_station, expressway_exit, road, port).
- ``stations list [--json]``: every station with its checks so far.
- ``figures [--since DAY] [--until DAY] [--by station|kind] [--json]``: vehicles and
  people checked and turned back, by day.
- ``vessels [--overdue] [--json]``: fishing vessels, with those overdue at their port.
- ``overdue``: flag the vessels at sea past their return time now (the clock does it
  every 15 minutes).

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q, Sum

from zhanyi.checkpoints import actions
from zhanyi.checkpoints.metrics import TALLY
from zhanyi.checkpoints.models import Check, Outcome, Station, StationKind, Vessel
from zhanyi.core.audit import cli_actor
from zhanyi.places.models import Area


def _area(code: str) -> Area:
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise CommandError(f"no area with code {code!r}") from None


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a day (YYYY-MM-DD): {text!r}") from None


def _refused(error: ValidationError) -> CommandError:
    return CommandError("; ".join(str(m) for m in error.messages))


class Command(BaseCommand):
    help = "Checkpoints and ports: stations, figures by day, vessels overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        stations = sub.add_parser("stations").add_subparsers(dest="verb", required=True)
        add = stations.add_parser("add")
        add.add_argument("name")
        add.add_argument("--kind", required=True, choices=StationKind.values)
        add.add_argument("--area", required=True)
        add.add_argument("--location", default="")
        add.add_argument("--lon", type=float)
        add.add_argument("--lat", type=float)
        stations.add_parser("list").add_argument("--json", action="store_true")
        figures = sub.add_parser("figures")
        figures.add_argument("--since")
        figures.add_argument("--until")
        figures.add_argument("--by", choices=["station", "kind"], default="station")
        figures.add_argument("--json", action="store_true")
        vessels = sub.add_parser("vessels")
        vessels.add_argument("--overdue", action="store_true")
        vessels.add_argument("--json", action="store_true")
        sub.add_parser("overdue")

    def handle(self, *args, **options) -> None:
        try:
            topics = {
                "stations": self._stations,
                "figures": self._figures,
                "vessels": self._vessels,
                "overdue": self._overdue,
            }
            topics[options["topic"]](options)
        except ValidationError as error:
            raise _refused(error) from None

    def _stations(self, options) -> None:
        if options["verb"] == "add":
            station = actions.do_create_station(
                acting_user=cli_actor(),
                name=options["name"],
                kind=options["kind"],
                area=_area(options["area"]),
                location=options["location"],
                lon=options["lon"],
                lat=options["lat"],
            )
            self.stdout.write(
                f"station {station.pk}: {station.name} ({station.get_kind_display()})"
            )
            return
        rows = [
            {
                "id": s.pk,
                "name": s.name,
                "kind": s.kind,
                "area": s.area.code,
                "active": s.active,
                "vehicles": s.vehicles,
                "turned_back": s.turned_back,
            }
            for s in Station.objects.select_related("area").annotate(
                vehicles=Count("checks"),
                turned_back=Count("checks", filter=Q(checks__outcome=Outcome.TURN_BACK)),
            )
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            state = "" if r["active"] else " (closed)"
            self.stdout.write(
                f"{r['id']:>5}  {r['name']}{state}  {r['kind']}  {r['area']}"
                f"  vehicles {r['vehicles']}  turned back {r['turned_back']}"
            )

    def _figures(self, options) -> None:
        checks = Check.objects.order_by()
        if since := _day(options["since"]):
            checks = checks.filter(day__gte=since)
        if until := _day(options["until"]):
            checks = checks.filter(day__lte=until)
        group = ("day", "station__name") if options["by"] == "station" else ("day", "station__kind")
        rows = list(checks.values(*group).annotate(**TALLY).order_by("day", group[1]))
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, default=str))
            return
        for r in rows:
            self.stdout.write(
                f"{r['day']}  {r[group[1]]}  vehicles {r['vehicles_checked']}"
                f"  people {r['people_checked']}  turned back"
                f" {r['vehicles_turned_back']} vehicles, {r['people_turned_back']} people"
            )
        total = checks.aggregate(vehicles=Count("id"), people=Sum("people"))
        self.stdout.write(f"total: vehicles {total['vehicles']}  people {total['people'] or 0}")

    def _vessels(self, options) -> None:
        vessels = Vessel.objects.select_related("home_port")
        if options["overdue"]:
            vessels = vessels.filter(overdue_since__isnull=False)
        rows = [
            {
                "registration": v.registration,
                "name": v.name,
                "home_port": v.home_port.name,
                "state": v.state,
                "due_back_at": v.due_back_at.isoformat() if v.due_back_at else None,
                "overdue": v.overdue_since is not None,
            }
            for v in vessels
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            flag = "  OVERDUE" if r["overdue"] else ""
            self.stdout.write(
                f"{r['registration']}  {r['name']}  {r['home_port']}  {r['state']}"
                f"  due back {r['due_back_at'] or '-'}{flag}"
            )

    def _overdue(self, options) -> None:
        flagged = actions.do_flag_overdue(acting_user=cli_actor())
        self.stdout.write(f"{flagged} vessel(s) flagged overdue")
