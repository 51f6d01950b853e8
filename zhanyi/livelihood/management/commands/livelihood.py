"""``zhanyi livelihood …``: supply assurance (保供) from the command line.

- ``facility add NAME --kind KIND --area CODE [--address A]``: a store, affordable
  store, processing / storage / distribution centre or outlet.
- ``facilities [--json]``: the supply network, counted by kind.
- ``price set GOOD --unit U --price P``: a staple good's reference price.
- ``price check FACILITY GOOD PRICE``: a price seen; says when it is over the tolerance.
- ``link HOUSEHOLD --gate GATE``: a sealed home's order link and short code.
- ``orders [--state S] [--json]``: the orders, with their steps.
- ``order ID accept|gate|deliver``, ``order ID hand --volunteer USER``,
  ``order ID decline --reason R``: one step of an order.
- ``care [--json]``: the special-care lists, per village.

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from zhanyi.accounts.models import User
from zhanyi.core.audit import cli_actor
from zhanyi.livelihood import actions
from zhanyi.livelihood.models import Care, Facility, FacilityKind, Good, Order, OrderState
from zhanyi.people.models import Household
from zhanyi.places.models import Area

STEPS = ["accept", "decline", "gate", "hand", "deliver"]


def _get(model, **kw):
    obj = model.objects.filter(**kw).first()
    if obj is None:
        what = ", ".join(f"{k} {v!r}" for k, v in kw.items())
        raise CommandError(f"no {model._meta.verbose_name} with {what}")
    return obj


class Command(BaseCommand):
    help = "Supply assurance: the supply network, prices, sealed homes' orders, special care."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        fac = sub.add_parser("facility").add_subparsers(dest="verb", required=True)
        add = fac.add_parser("add")
        add.add_argument("name")
        add.add_argument("--kind", required=True, choices=FacilityKind.values)
        add.add_argument("--area", required=True)
        add.add_argument("--address", default="")
        sub.add_parser("facilities").add_argument("--json", action="store_true")
        price = sub.add_parser("price").add_subparsers(dest="verb", required=True)
        ref = price.add_parser("set")
        ref.add_argument("good")
        ref.add_argument("--unit", required=True)
        ref.add_argument("--price", required=True)
        check = price.add_parser("check")
        check.add_argument("facility", type=int)
        check.add_argument("good")
        check.add_argument("price")
        link = sub.add_parser("link")
        link.add_argument("household", type=int)
        link.add_argument("--gate", required=True)
        orders = sub.add_parser("orders")
        orders.add_argument("--state", choices=OrderState.values)
        orders.add_argument("--json", action="store_true")
        order = sub.add_parser("order")
        order.add_argument("order", type=int)
        order.add_argument("step", choices=STEPS)
        order.add_argument("--volunteer", default="")
        order.add_argument("--reason", default="")
        sub.add_parser("care").add_argument("--json", action="store_true")

    def handle(self, *args, **o) -> None:
        handlers = {
            "facility": self._facility,
            "facilities": self._facilities,
            "price": self._price,
            "link": self._link,
            "orders": self._orders,
            "order": self._order,
            "care": self._care,
        }
        try:
            handlers[o["topic"]](o)
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None

    def _facility(self, o) -> None:
        facility = actions.do_add_facility(
            name=o["name"],
            kind=o["kind"],
            area=_get(Area, code=o["area"]),
            address=o["address"],
            acting_user=cli_actor(),
        )
        self.stdout.write(f"facility {facility.pk} {facility.name} ({facility.get_kind_display()})")

    def _facilities(self, o) -> None:
        counts = dict(
            Facility.objects.filter(active=True)
            .values_list("kind")
            .annotate(n=Count("id"))
            .values_list("kind", "n")
        )
        if o["json"]:
            self.stdout.write(json.dumps({k: counts.get(k, 0) for k in FacilityKind.values}))
            return
        for kind in FacilityKind:
            self.stdout.write(f"{kind.label}: {counts.get(kind.value, 0)}")

    def _price(self, o) -> None:
        if o["verb"] == "set":
            good = actions.do_set_reference_price(
                name=o["good"], unit=o["unit"], price=o["price"], acting_user=cli_actor()
            )
            self.stdout.write(f"{good.name}: {good.reference_price} / {good.unit}")
            return
        check = actions.do_record_price_check(
            _get(Facility, pk=o["facility"]),
            _get(Good, name=o["good"]),
            price=o["price"],
            acting_user=cli_actor(),
        )
        flag = " OVER THE TOLERANCE" if check.flagged else ""
        self.stdout.write(
            f"{check.good.name} {check.price} ({check.deviation_percent:+}% of "
            f"{check.reference_price}){flag}"
        )

    def _link(self, o) -> None:
        link = actions.do_issue_home_link(
            _get(Household, pk=o["household"]), gate=o["gate"], acting_user=cli_actor()
        )
        self.stdout.write(
            f"code {link.code} until {link.expires_at:%Y-%m-%d %H:%M}; /livelihood/o/{link.token}/"
        )

    def _orders(self, o) -> None:
        qs = Order.objects.select_related("facility", "household").prefetch_related("steps")
        if o["state"]:
            qs = qs.filter(state=o["state"])
        rows = [
            {
                "id": x.pk,
                "address": x.household.address,
                "store": x.facility.name,
                "state": x.state,
                "steps": [[s.state, s.at.isoformat(), s.by_name] for s in x.steps.all()],
            }
            for x in qs[:1000]
        ]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(f"{r['id']} {r['state']} {r['address']} · {r['store']}")

    def _order(self, o) -> None:
        order = _get(Order, pk=o["order"])
        actor = cli_actor()
        step = o["step"]
        if step == "hand":
            volunteer = _get(User, username=o["volunteer"])
            actions.do_hand_to_volunteer(order, volunteer=volunteer, acting_user=actor)
        elif step == "decline":
            actions.do_decline_order(order, reason=o["reason"], acting_user=actor)
        else:
            fn = {
                "accept": actions.do_accept_order,
                "gate": actions.do_bring_to_gate,
                "deliver": actions.do_deliver_order,
            }[step]
            fn(order, acting_user=actor)
        self.stdout.write(f"order {order.pk}: {order.get_state_display()}")

    def _care(self, o) -> None:
        cares = Care.objects.filter(closed_at__isnull=True).select_related("area")
        rows = [
            {
                "village": c.area.name,
                "person": c.person_id,
                "kind": c.kind,
                "needs": c.needs,
                "next_follow_up_at": c.next_follow_up_at.isoformat(),
            }
            for c in cares.order_by("area__path", "next_follow_up_at")[:5000]
        ]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(f"{r['village']} · {r['person']} · {r['kind']} · {r['needs']}")
