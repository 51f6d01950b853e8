"""``zhanyi coldchain …``: imported cold-chain food (进口冷链食品) from the command line.

- ``store create NAME --area CODE [--address TEXT]``
- ``batch add CODE --product P --origin COUNTRY --tonnes T --store NAME --arrived ISO
  [--doc NAME=NUMBER …]``
- ``import FILE [--store NAME] [--errors OUT.xlsx]``: customs' spreadsheet; the
  refused rows written to OUT.xlsx with their reasons.
- ``documents CODE NAME=NUMBER …`` (names: inspection_certificate,
  nucleic_acid_report, disinfection_certificate, traceability_code)
- ``release CODE`` (refused, naming the missing documents), ``release --complete``
- ``handle CODE PERSON --step unloading|storage|disinfection|sorting|loading --at ISO``
- ``distribute CODE --buyer NAME --receiver PERSON --tonnes T --on DATE --area CODE``
- ``sample CODE --kind environment|product|packaging --result negative|positive --at ISO``
- ``list [--state held|released|sealed] [--json]``

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date, parse_datetime

from zhanyi.coldchain import actions
from zhanyi.coldchain.exports import error_workbook
from zhanyi.coldchain.models import Batch, BatchState, ColdStore
from zhanyi.core.audit import cli_actor
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person
from zhanyi.places.models import Area


def _area(code: str) -> Area:
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise CommandError(f"no area with code {code!r}") from None


def _batch(code: str) -> Batch:
    try:
        return Batch.objects.select_related("store__area").get(code=code)
    except Batch.DoesNotExist:
        raise CommandError(f"no batch {code!r}") from None


def _store(name: str) -> ColdStore:
    try:
        return ColdStore.objects.select_related("area").get(name=name)
    except ColdStore.DoesNotExist:
        raise CommandError(f"no cold store named {name!r}") from None


def _person(pk: int) -> Person:
    try:
        return Person.objects.get(pk=pk)
    except Person.DoesNotExist:
        raise CommandError(f"no person {pk}") from None


def _moment(text: str) -> dt.datetime:
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"not a date or time: {text!r}")
        value = dt.datetime.combine(day, dt.time())
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def _tonnes(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CommandError(f"not a number of tonnes: {text!r}") from None


def _documents(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        if not sep:
            raise CommandError(f"expected NAME=NUMBER, not {pair!r}")
        out[name.strip()] = number.strip()
    return out


class Command(BaseCommand):
    help = "Cold chain: stores, batches and their documents, release, workers, deliveries, samples."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        store = sub.add_parser("store").add_subparsers(dest="verb", required=True)
        create = store.add_parser("create")
        create.add_argument("name")
        create.add_argument("--area", required=True)
        create.add_argument("--address", default="")
        batch = sub.add_parser("batch").add_subparsers(dest="verb", required=True)
        add = batch.add_parser("add")
        add.add_argument("code")
        add.add_argument("--product", required=True)
        add.add_argument("--origin", required=True)
        add.add_argument("--tonnes", required=True)
        add.add_argument("--store", required=True)
        add.add_argument("--arrived", required=True)
        add.add_argument("--doc", action="append", default=[])
        imp = sub.add_parser("import")
        imp.add_argument("file")
        imp.add_argument("--store", default="")
        imp.add_argument("--errors", default="")
        docs = sub.add_parser("documents")
        docs.add_argument("code")
        docs.add_argument("pairs", nargs="+")
        rel = sub.add_parser("release")
        rel.add_argument("code", nargs="?")
        rel.add_argument("--complete", action="store_true")
        handle = sub.add_parser("handle")
        handle.add_argument("code")
        handle.add_argument("person", type=int)
        handle.add_argument("--step", required=True)
        handle.add_argument("--at", required=True)
        dist = sub.add_parser("distribute")
        dist.add_argument("code")
        dist.add_argument("--buyer", required=True)
        dist.add_argument("--receiver", type=int, required=True)
        dist.add_argument("--tonnes", required=True)
        dist.add_argument("--on", required=True)
        dist.add_argument("--area", required=True)
        sample = sub.add_parser("sample")
        sample.add_argument("code")
        sample.add_argument("--kind", required=True)
        sample.add_argument("--result", required=True)
        sample.add_argument("--at", required=True)
        lst = sub.add_parser("list")
        lst.add_argument("--state", choices=BatchState.values)
        lst.add_argument("--json", action="store_true")

    def handle(self, *args, **o) -> None:
        self.actor = cli_actor()
        handlers = {
            "store": self._store,
            "batch": self._batch,
            "import": self._import,
            "documents": self._documents,
            "release": self._release,
            "handle": self._handle,
            "distribute": self._distribute,
            "sample": self._sample,
            "list": self._list,
        }
        try:
            handlers[o["topic"]](o)
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None

    def _store(self, o) -> None:
        store = actions.do_create_store(
            acting_user=self.actor, name=o["name"], area=_area(o["area"]), address=o["address"]
        )
        self.stdout.write(f"cold store {store.name} ({store.area.name})")

    def _batch(self, o) -> None:
        batch = actions.do_create_batch(
            acting_user=self.actor,
            code=o["code"],
            product=o["product"],
            origin_country=o["origin"],
            weight_tonnes=_tonnes(o["tonnes"]),
            store=_store(o["store"]),
            arrived_at=_moment(o["arrived"]),
            documents=_documents(o["doc"]),
        )
        missing = ", ".join(batch.missing_documents)
        self.stdout.write(
            f"batch {batch.code}: {batch.get_state_display()}"
            + (f" ({missing})" if missing else "")
        )

    def _import(self, o) -> None:
        path = Path(o["file"])
        if not path.exists():
            raise CommandError(f"no file {path}")
        with path.open("rb") as fh:
            run = actions.do_import_batches(
                fh,
                path.name,
                acting_user=self.actor,
                default_store=_store(o["store"]) if o["store"] else None,
            )
        for w in run.warnings:
            self.stdout.write(f"row {w['row']}: {w['message']}")
        for e in run.errors:
            self.stderr.write(f"row {e['row']}: refused: {e['message']}")
        if run.errors and o["errors"]:
            Path(o["errors"]).write_bytes(error_workbook(run))
            self.stdout.write(f"refused rows written to {o['errors']}")
        self.stdout.write(f"{run.imported} of {run.rows} rows imported")

    def _documents(self, o) -> None:
        batch = actions.do_set_documents(
            _batch(o["code"]), _documents(o["pairs"]), acting_user=self.actor
        )
        missing = ", ".join(batch.missing_documents) or "none"
        self.stdout.write(f"batch {batch.code}: documents missing: {missing}")

    def _release(self, o) -> None:
        if o["complete"]:
            n = actions.do_release_complete_batches(Batch.objects.all(), acting_user=self.actor)
            self.stdout.write(f"{n} batches released")
            return
        if not o["code"]:
            raise CommandError("name a batch, or --complete")
        batch = actions.do_release_batch(_batch(o["code"]), acting_user=self.actor)
        self.stdout.write(f"batch {batch.code} released")

    def _handle(self, o) -> None:
        actions.do_record_handling(
            _batch(o["code"]),
            _person(o["person"]),
            step=o["step"],
            handled_at=_moment(o["at"]),
            acting_user=self.actor,
        )
        self.stdout.write("recorded")

    def _distribute(self, o) -> None:
        day = parse_date(o["on"])
        if day is None:
            raise CommandError(f"not a date: {o['on']!r}")
        actions.do_distribute(
            _batch(o["code"]),
            buyer=o["buyer"],
            receiver=_person(o["receiver"]),
            quantity_tonnes=_tonnes(o["tonnes"]),
            delivered_on=day,
            area=_area(o["area"]),
            acting_user=self.actor,
        )
        self.stdout.write("recorded")

    def _sample(self, o) -> None:
        sample = actions.do_record_sample(
            _batch(o["code"]),
            kind=o["kind"],
            result=o["result"],
            sampled_at=_moment(o["at"]),
            acting_user=self.actor,
        )
        if sample.traced_people:
            self.stdout.write(
                f"batch sealed; {sample.traced_people} people handed to testing "
                "and their village teams"
            )
        else:
            self.stdout.write("recorded")

    def _list(self, o) -> None:
        batches = Batch.objects.select_related("store")
        if o["state"]:
            batches = batches.filter(state=o["state"])
        rows = [
            {
                "code": b.code,
                "product": b.product,
                "origin_country": b.origin_country,
                "weight_tonnes": str(b.weight_tonnes),
                "store": b.store.name,
                "state": b.state,
                "missing_documents": b.missing_documents,
            }
            for b in batches.order_by("code")
        ]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            missing = ", ".join(r["missing_documents"])
            fields = [r["code"], r["product"], f"{r['weight_tonnes']} t", r["store"], r["state"]]
            self.stdout.write("\t".join([*fields, missing]))
