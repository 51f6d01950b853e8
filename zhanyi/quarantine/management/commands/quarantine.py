"""``zhanyi quarantine …``: quarantine sites and placements (隔离转运) from the command line.

- ``site create NAME --area CODE --lon X --lat Y [--kind hotel|cabin|other] [--reserve]``
- ``site activate ID``: a reserve site into service (its zones checked first:
  ``site zones ID``, every item of the three-zones-two-passages checklist in place).
- ``rooms add SITE FIRST LAST [--capacity N]``: rooms numbered FIRST to LAST.
- ``twin COUNTY TWIN``: the county whose sites take COUNTY's people when its own are full.
- ``queue [--json]``: who waits to be placed, with the deadline.
- ``queue add PERSON [--kind close|secondary]``: a person added by hand.
- ``plan``: proposals for everyone waiting; ``confirm``: every proposal confirmed.
- ``release PLACEMENT [--different-reagents] [--close-contact-negative]``: released
  when the protocol allows (the reasons otherwise); the flags attest what zhanyi
  does not record (双采双检 reagents; a secondary contact's close contact's tests).
- ``capacity``: rooms against the protocol's targets, per county and for the city.

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.core.audit import cli_actor
from zhanyi.people.models import Person
from zhanyi.places.models import Area
from zhanyi.quarantine import actions
from zhanyi.quarantine.actions.placements import queue_for
from zhanyi.quarantine.models import ZONE_ITEMS, Placement, PlacementState, Site
from zhanyi.quarantine.queries import capacity


def _area(code: str) -> Area:
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise CommandError(f"no area with code {code!r}") from None


def _refused(error: ValidationError) -> CommandError:
    return CommandError("; ".join(str(m) for m in error.messages))


class Command(BaseCommand):
    help = "Quarantine: sites, rooms, the queue, plans, placements, release, capacity."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        site = sub.add_parser("site").add_subparsers(dest="verb", required=True)
        create = site.add_parser("create")
        create.add_argument("name")
        create.add_argument("--area", required=True)
        create.add_argument("--lon", type=float, required=True)
        create.add_argument("--lat", type=float, required=True)
        create.add_argument("--kind", default="hotel")
        create.add_argument("--address", default="")
        create.add_argument("--reserve", action="store_true")
        site.add_parser("activate").add_argument("site", type=int)
        site.add_parser("zones").add_argument("site", type=int)
        rooms = sub.add_parser("rooms").add_subparsers(dest="verb", required=True)
        add = rooms.add_parser("add")
        add.add_argument("site", type=int)
        add.add_argument("first", type=int)
        add.add_argument("last", type=int)
        add.add_argument("--capacity", type=int, default=1)
        twin = sub.add_parser("twin")
        twin.add_argument("county")
        twin.add_argument("twin")
        queue = sub.add_parser("queue")
        queue.add_argument("verb", nargs="?", choices=["add"])
        queue.add_argument("person", nargs="?", type=int)
        queue.add_argument("--kind", default="close")
        queue.add_argument("--json", action="store_true")
        sub.add_parser("plan")
        sub.add_parser("confirm")
        rel = sub.add_parser("release")
        rel.add_argument("placement", type=int)
        rel.add_argument("--different-reagents", action="store_true")
        rel.add_argument("--close-contact-negative", action="store_true")
        sub.add_parser("capacity")

    def handle(self, *args, **o) -> None:
        handlers = {
            "site": self._site,
            "rooms": self._rooms,
            "twin": self._twin,
            "queue": self._queue,
            "plan": self._plan,
            "confirm": self._confirm,
            "release": self._release,
            "capacity": self._capacity,
        }
        try:
            handlers[o["topic"]](o)
        except ValidationError as error:
            raise _refused(error) from None

    def _site(self, o) -> None:
        actor = cli_actor()
        if o["verb"] == "create":
            site = actions.do_create_site(
                acting_user=actor,
                name=o["name"],
                area=_area(o["area"]),
                lon=o["lon"],
                lat=o["lat"],
                kind=o["kind"],
                address=o["address"],
                state="reserve" if o["reserve"] else "active",
            )
            self.stdout.write(f"site {site.pk} {site.name} ({site.get_state_display()})")
            return
        site = Site.objects.get(pk=o["site"])
        if o["verb"] == "zones":
            actions.do_check_zones(site, dict.fromkeys(ZONE_ITEMS, True), acting_user=actor)
            self.stdout.write(f"site {site.pk}: three zones and two passages checked")
        else:
            actions.do_activate_site(site, acting_user=actor)
            self.stdout.write(f"site {site.pk} active")

    def _rooms(self, o) -> None:
        site = Site.objects.get(pk=o["site"])
        numbers = [str(n) for n in range(o["first"], o["last"] + 1)]
        rooms = actions.do_add_rooms(site, numbers, capacity=o["capacity"], acting_user=cli_actor())
        self.stdout.write(f"{len(rooms)} rooms added to {site.name}")

    def _twin(self, o) -> None:
        actions.do_set_twin(_area(o["county"]), _area(o["twin"]), acting_user=cli_actor())
        self.stdout.write(f"{o['county']} twinned with {o['twin']}")

    def _queue(self, o) -> None:
        actor = cli_actor()
        if o["verb"] == "add":
            person = Person.objects.get(pk=o["person"])
            handoff = actions.do_add_to_queue(person, kind=o["kind"], acting_user=actor)
            self.stdout.write(
                f"hand-off {handoff.pk}: {person.pk} due {handoff.due_at:%Y-%m-%d %H:%M}"
            )
            return
        rows = [
            {
                "handoff": h.pk,
                "person": h.person_id,
                "area": h.area.code,
                "due_at": h.due_at.isoformat(),
            }
            for h in queue_for(actor).select_related("area")
        ]
        if o["json"]:
            self.stdout.write(json.dumps(rows))
        else:
            for r in rows:
                self.stdout.write(f"{r['handoff']}\t{r['person']}\t{r['area']}\t{r['due_at']}")

    def _plan(self, o) -> None:
        _proposals, figures = actions.do_plan_placements(acting_user=cli_actor())
        self.stdout.write(json.dumps(figures))

    def _confirm(self, o) -> None:
        proposed = Placement.objects.filter(state=PlacementState.PROPOSED)
        done = actions.do_confirm_placements(list(proposed), acting_user=cli_actor())
        self.stdout.write(f"{len(done)} placed")

    def _release(self, o) -> None:
        placement = Placement.objects.get(pk=o["placement"])
        actions.do_release(
            placement,
            acting_user=cli_actor(),
            different_reagents=o["different_reagents"],
            close_contact_negative=o["close_contact_negative"],
        )
        self.stdout.write(f"placement {placement.pk} released")

    def _capacity(self, o) -> None:
        for area in Area.objects.filter(level__in=["city", "county"]).order_by("path"):
            c = capacity(area)
            self.stdout.write(
                f"{area.code}\t{area.name}\trooms {c.rooms}\treserve {c.reserve_rooms}\t"
                f"target {c.target}\tshortfall {c.shortfall}"
            )
