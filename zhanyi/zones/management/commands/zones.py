"""``zhanyi zones …``: risk zones (分区分级) from the command line.

- ``list [--json]``: every zone with its tier, state, people inside and days to lifting.
- ``propose TIER NAME --reason TEXT [--area CODE …] [--place ID …] [--outline FILE]``:
  a zone by hand (``--outline``: a GeoJSON file of its drawn outline).
- ``propose --from-cases``: the protocol's zones around the recent cases.
- ``approve ID``, ``reject ID --reason TEXT``: decisions on a proposal.
- ``step-down ID --reason TEXT``, ``lift ID --reason TEXT``: once the lifting
  criteria hold (the missing ones are said otherwise).
- ``notice ID``: the public notices (通告) drafted from the zone's decisions.

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhanyi.core.audit import cli_actor
from zhanyi.places.models import Area, Place
from zhanyi.zones import actions
from zhanyi.zones.lifting import waiting_reasons
from zhanyi.zones.models import Zone
from zhanyi.zones.queries import rows


def _zone(pk: int) -> Zone:
    try:
        return Zone.objects.get(pk=pk)
    except Zone.DoesNotExist:
        raise CommandError(f"no zone {pk}") from None


class Command(BaseCommand):
    help = "Risk zones: list, propose, approve, reject, step down, lift, notices."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list").add_argument("--json", action="store_true")
        propose = sub.add_parser("propose")
        propose.add_argument("tier", nargs="?")
        propose.add_argument("name", nargs="?")
        propose.add_argument("--reason", default="")
        propose.add_argument("--area", action="append", default=[])
        propose.add_argument("--place", action="append", type=int, default=[])
        propose.add_argument("--outline", help="a GeoJSON file: the zone's drawn outline")
        propose.add_argument("--from-cases", action="store_true")
        sub.add_parser("approve").add_argument("zone", type=int)
        for verb in ("reject", "step-down", "lift"):
            p = sub.add_parser(verb)
            p.add_argument("zone", type=int)
            p.add_argument("--reason", required=True)
        sub.add_parser("notice").add_argument("zone", type=int)

    def handle(self, *args, **opts) -> None:
        actor = cli_actor()
        verb = opts["verb"]
        try:
            if verb == "list":
                self._list(opts["json"])
            elif verb == "propose":
                self._propose(opts, actor)
            elif verb == "notice":
                for event in _zone(opts["zone"]).events.exclude(notice=""):
                    self.stdout.write(event.notice + "\n")
            else:
                zone = _zone(opts["zone"])
                if verb == "approve":
                    zone = actions.do_approve_zone(zone, acting_user=actor)
                elif verb == "reject":
                    zone = actions.do_reject_zone(zone, acting_user=actor, reason=opts["reason"])
                elif verb == "step-down":
                    zone = actions.do_step_down_zone(zone, acting_user=actor, reason=opts["reason"])
                else:
                    zone = actions.do_lift_zone(zone, acting_user=actor, reason=opts["reason"])
                self.stdout.write(
                    f"{zone.pk}\t{zone.get_tier_display()}\t{zone.get_state_display()}"
                )
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None

    def _list(self, as_json: bool) -> None:
        found = rows(Zone.objects.prefetch_related("areas", "places"), timezone.now())
        if as_json:
            out = [
                {
                    "id": r.zone.pk,
                    "name": r.zone.name,
                    "tier": r.zone.tier,
                    "state": r.zone.state,
                    "people": r.people,
                    "days_to_lifting": r.check.days_left if r.check else None,
                    "waiting_for": waiting_reasons(r.check) if r.check else [],
                }
                for r in found
            ]
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        for r in found:
            days = "" if r.check is None else str(r.check.days_left)
            waiting = "; ".join(waiting_reasons(r.check)) if r.check else ""
            self.stdout.write(
                f"{r.zone.pk}\t{r.zone.get_tier_display()}\t{r.zone.get_state_display()}"
                f"\t{r.people}\t{days}\t{r.zone.name}\t{waiting}"
            )

    def _propose(self, opts, actor) -> None:
        if opts["from_cases"]:
            made = actions.do_propose_from_cases(acting_user=actor)
            for zone in made.zones:
                self.stdout.write(f"{zone.pk}\t{zone.get_tier_display()}\t{zone.name}")
            for line in made.skipped:
                self.stderr.write(line)
            return
        if not opts["tier"] or not opts["name"]:
            raise CommandError("propose TIER NAME --reason TEXT --area CODE, or --from-cases")
        areas = list(Area.objects.filter(code__in=opts["area"]))
        unknown = sorted(set(opts["area"]) - {a.code for a in areas})
        if unknown:
            raise CommandError(f"no area with code {', '.join(unknown)}")
        places = list(Place.objects.filter(pk__in=opts["place"]).select_related("area"))
        if len(places) != len(set(opts["place"])):
            raise CommandError("no such place")
        outline = None
        if opts["outline"]:
            try:
                with open(opts["outline"], encoding="utf-8-sig") as fh:
                    outline = fh.read()
            except OSError as error:
                raise CommandError(f"cannot read {opts['outline']}: {error}") from None
        zone = actions.do_propose_zone(
            tier=opts["tier"],
            name=opts["name"],
            reason=opts["reason"],
            areas=areas,
            places=places,
            polygon=outline,
            acting_user=actor,
        )
        self.stdout.write(f"{zone.pk}\t{zone.get_tier_display()}\t{zone.name}")
