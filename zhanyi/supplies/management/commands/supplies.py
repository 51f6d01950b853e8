"""``zhanyi supplies …``: protective supplies (防疫物资) from the command line.

- ``items``: the article's seven items, made once, with their codes.
- ``holder create NAME --kind hospital|cdc|quarantine_site|testing_site|county_store --area CODE``
- ``receive|issue HOLDER ITEM QUANTITY --document NUMBER``; ``transfer HOLDER ITEM
  QUANTITY --to HOLDER --document NUMBER`` (issuing below zero is refused, saying
  the stock on hand).
- ``peak HOLDER ITEM DAILY_USE``: the daily use at the peak.
- ``request HOLDER ITEM QUANTITY [--reason TEXT]``; ``approve ID --from HOLDER
  [--quantity N]``; ``refuse ID --reason TEXT``.
- ``cover [--json]``: days of cover per holder and item against the protocol's target.
- ``check``: every stock checked, alerts raised and cleared (what the clock runs hourly).
- ``alerts``; ``forecast [--area CODE] [--json]``: the shortfall forecast.

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.core.audit import cli_actor
from zhanyi.engine.supplies import days_of_cover
from zhanyi.places.models import Area
from zhanyi.supplies import actions
from zhanyi.supplies.actions.cover import target_days
from zhanyi.supplies.models import CoverAlert, Holder, Item, Stock, SupplyRequest
from zhanyi.supplies.queries import forecast_for


def _holder(name: str) -> Holder:
    try:
        return Holder.objects.select_related("area").get(name=name)
    except Holder.DoesNotExist:
        raise CommandError(f"no holder named {name!r}") from None


def _item(code: str) -> Item:
    try:
        return Item.objects.get(code=code)
    except Item.DoesNotExist:
        known = ", ".join(Item.objects.values_list("code", flat=True)) or "none (run `items`)"
        raise CommandError(f"no item {code!r}; known: {known}") from None


def _area(code: str) -> Area:
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise CommandError(f"no area with code {code!r}") from None


class Command(BaseCommand):
    help = "Supplies: items, holders, movements, peak use, requests, days of cover, forecast."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        sub.add_parser("items")
        holder = sub.add_parser("holder").add_subparsers(dest="verb", required=True)
        create = holder.add_parser("create")
        create.add_argument("name")
        create.add_argument("--kind", required=True)
        create.add_argument("--area", required=True)
        for verb in ("receive", "issue", "transfer"):
            p = sub.add_parser(verb)
            p.add_argument("holder")
            p.add_argument("item")
            p.add_argument("quantity", type=int)
            p.add_argument("--document", required=True)
            if verb == "transfer":
                p.add_argument("--to", required=True)
        peak = sub.add_parser("peak")
        peak.add_argument("holder")
        peak.add_argument("item")
        peak.add_argument("daily_use", type=int)
        req = sub.add_parser("request")
        req.add_argument("holder")
        req.add_argument("item")
        req.add_argument("quantity", type=int)
        req.add_argument("--reason", default="")
        approve = sub.add_parser("approve")
        approve.add_argument("id", type=int)
        approve.add_argument("--from", dest="supplier", required=True)
        approve.add_argument("--quantity", type=int)
        refuse = sub.add_parser("refuse")
        refuse.add_argument("id", type=int)
        refuse.add_argument("--reason", required=True)
        cover = sub.add_parser("cover")
        cover.add_argument("--json", action="store_true")
        sub.add_parser("check")
        sub.add_parser("alerts")
        forecast = sub.add_parser("forecast")
        forecast.add_argument("--area", default="")
        forecast.add_argument("--json", action="store_true")

    def handle(self, *args, **o) -> None:
        self.actor = cli_actor()
        handlers = {
            "items": self._items,
            "holder": self._holder,
            "receive": self._move,
            "issue": self._move,
            "transfer": self._move,
            "peak": self._peak,
            "request": self._request,
            "approve": self._approve,
            "refuse": self._refuse,
            "cover": self._cover,
            "check": self._check,
            "alerts": self._alerts,
            "forecast": self._forecast,
        }
        try:
            handlers[o["topic"]](o)
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None

    def _items(self, o) -> None:
        for item in actions.do_ensure_items(acting_user=self.actor):
            self.stdout.write(f"{item.code}\t{item.name}\t{item.unit}")

    def _holder(self, o) -> None:
        holder = actions.do_create_holder(
            acting_user=self.actor, name=o["name"], kind=o["kind"], area=_area(o["area"])
        )
        self.stdout.write(f"holder {holder.name} ({holder.get_kind_display()})")

    def _move(self, o) -> None:
        kind = {"receive": "received", "issue": "issued", "transfer": "transfer"}[o["topic"]]
        movement = actions.do_move_stock(
            _holder(o["holder"]),
            _item(o["item"]),
            kind=kind,
            quantity=o["quantity"],
            document_number=o["document"],
            to_holder=_holder(o["to"]) if kind == "transfer" else None,
            acting_user=self.actor,
        )
        self.stdout.write(f"on hand after: {movement.balance_after}")

    def _peak(self, o) -> None:
        stock = actions.do_set_peak_use(
            _holder(o["holder"]), _item(o["item"]), o["daily_use"], acting_user=self.actor
        )
        cover = days_of_cover(stock.quantity, stock.peak_daily_use)
        self.stdout.write(f"days of cover: {cover if cover is not None else '-'}")

    def _request(self, o) -> None:
        made = actions.do_request_supplies(
            _holder(o["holder"]),
            _item(o["item"]),
            o["quantity"],
            reason=o["reason"],
            acting_user=self.actor,
        )
        self.stdout.write(f"request {made.pk} waiting for approval")

    def _request_of(self, pk: int) -> SupplyRequest:
        try:
            return SupplyRequest.objects.get(pk=pk)
        except SupplyRequest.DoesNotExist:
            raise CommandError(f"no request {pk}") from None

    def _approve(self, o) -> None:
        done = actions.do_approve_request(
            self._request_of(o["id"]),
            _holder(o["supplier"]),
            quantity=o["quantity"],
            acting_user=self.actor,
        )
        self.stdout.write(f"request {done.pk}: {done.decision_note}")

    def _refuse(self, o) -> None:
        done = actions.do_refuse_request(
            self._request_of(o["id"]), reason=o["reason"], acting_user=self.actor
        )
        self.stdout.write(f"request {done.pk} refused")

    def _cover(self, o) -> None:
        rows = []
        for s in Stock.objects.select_related("holder", "item").order_by("holder__name", "item_id"):
            cover = days_of_cover(s.quantity, s.peak_daily_use)
            target = target_days(s.holder.kind)
            rows.append(
                {
                    "holder": s.holder.name,
                    "item": s.item.code,
                    "on_hand": s.quantity,
                    "peak_daily_use": s.peak_daily_use,
                    "days_of_cover": cover,
                    "target_days": target,
                    "below_target": bool(target and cover is not None and cover < target),
                }
            )
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            flag = "  BELOW TARGET" if r["below_target"] else ""
            cover = r["days_of_cover"] if r["days_of_cover"] is not None else "-"
            self.stdout.write(f"{r['holder']}\t{r['item']}\t{r['on_hand']}\t{cover} d{flag}")

    def _check(self, o) -> None:
        counts = actions.do_check_cover(acting_user=self.actor)
        self.stdout.write(
            f"{counts['raised']} raised, {counts['cleared']} cleared, {counts['open']} open"
        )

    def _alerts(self, o) -> None:
        for a in CoverAlert.objects.filter(cleared_at__isnull=True).select_related(
            "holder", "item"
        ):
            self.stdout.write(
                f"{a.holder.name}\t{a.item.code}\t{a.days_of_cover} d < {a.target_days} d"
            )

    def _forecast(self, o) -> None:
        area = _area(o["area"]) if o["area"] else None
        inputs, result = forecast_for(area)
        rows = [
            {
                "item": f.item,
                "on_hand": f.stock,
                "daily_use": f.daily_use[0] if f.daily_use else 0,
                "runs_out_on": f.runs_out_on.isoformat() if f.runs_out_on else None,
                "shortfall": f.shortfall,
            }
            for f in result
        ]
        if o["json"]:
            self.stdout.write(json.dumps({**inputs, "items": rows}, ensure_ascii=False))
            return
        self.stdout.write(
            f"{inputs['tubes_per_day']} tubes and {inputs['quarantined']} people a day, "
            f"{inputs['days']} days"
        )
        for r in rows:
            out = r["runs_out_on"] or "-"
            self.stdout.write(
                f"{r['item']}\t{r['on_hand']}\t{r['daily_use']}/d\t{out}\t{r['shortfall']}"
            )
