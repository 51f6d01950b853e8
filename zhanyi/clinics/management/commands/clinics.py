"""``zhanyi clinics …``: fever clinics and pharmacies (发热门诊、药店) from the command line.

- ``clinic create NAME --kind fever_clinic|sentinel --area CODE [--rooms N] [--address A]``
- ``list [--json]``: clinics with their rooms in use and patients waiting.
- ``rooms CLINIC NAME…``: rooms added to a clinic.
- ``visit CLINIC --person ID [--temperature C] [--symptoms TEXT] [--history]
  [--code green|yellow|red|unknown] [--room NAME]``: pre-triage; the test is
  handed to testing; a room when named (an occupied one is refused, saying by whom).
- ``room VISIT ROOM``; ``leave VISIT``;
  ``close VISIT --outcome home|hospital|quarantine [--note T]``.
- ``staff add CLINIC --person ID --role doctor|nurse|other``; ``staff end ID``;
  ``staff renew``: the standing test schedules written ahead (what the clock runs daily).
- ``pharmacy create NAME --area CODE [--address A]``
- ``report PHARMACY --name NAME [--phone P] [--id-number X] --medicine
  fever|cough|antiviral|antibiotic [--medicine-name T] [--follow-up test|visit]``
- ``reports [--state open|overdue] [--json]``: reports with their follow-up's state.
- ``figures [--area CODE] [--json]``: the app's figures.

The command acts as ``cli:<user>`` in the audit trail; names are masked; a
refusal is one line and exit status 1.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhanyi.clinics import actions, queries
from zhanyi.clinics.models import BuyerReport, Clinic, ClinicStaff, Pharmacy, Visit
from zhanyi.core.audit import cli_actor
from zhanyi.core.masking import mask_name
from zhanyi.core.metrics import compute
from zhanyi.people.models import Person
from zhanyi.places.models import Area


def _get(source, what: str, **lookup):
    """The one object of ``source`` (a model, a manager or a queryset) matching ``lookup``."""
    rows = source.objects.all() if hasattr(source, "objects") else source.all()
    found = rows.filter(**lookup).first()
    if found is None:
        raise CommandError(f"no {what} {next(iter(lookup.values()))!r}")
    return found


def _area(code: str) -> Area:
    return _get(Area, "area with code", code=code)


def _clinic(name: str) -> Clinic:
    return _get(Clinic, "clinic named", name=name)


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Fever clinics and pharmacies: clinics, rooms, visits, staff tests, buyer reports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        clinic = sub.add_parser("clinic").add_subparsers(dest="verb", required=True)
        create = clinic.add_parser("create")
        create.add_argument("name")
        create.add_argument("--kind", required=True)
        create.add_argument("--area", required=True)
        create.add_argument("--rooms", type=int, default=0)
        create.add_argument("--address", default="")
        listing = sub.add_parser("list")
        listing.add_argument("--json", action="store_true")
        rooms = sub.add_parser("rooms")
        rooms.add_argument("clinic")
        rooms.add_argument("names", nargs="+")
        visit = sub.add_parser("visit")
        visit.add_argument("clinic")
        visit.add_argument("--person", type=int, required=True)
        visit.add_argument("--temperature", default="")
        visit.add_argument("--symptoms", default="")
        visit.add_argument("--history", action="store_true")
        visit.add_argument("--code", default="unknown")
        visit.add_argument("--room", default="")
        room = sub.add_parser("room")
        room.add_argument("visit", type=int)
        room.add_argument("room")
        leave = sub.add_parser("leave")
        leave.add_argument("visit", type=int)
        close = sub.add_parser("close")
        close.add_argument("visit", type=int)
        close.add_argument("--outcome", required=True)
        close.add_argument("--note", default="")
        staff = sub.add_parser("staff").add_subparsers(dest="verb", required=True)
        add = staff.add_parser("add")
        add.add_argument("clinic")
        add.add_argument("--person", type=int, required=True)
        add.add_argument("--role", required=True)
        end = staff.add_parser("end")
        end.add_argument("id", type=int)
        staff.add_parser("renew")
        pharmacy = sub.add_parser("pharmacy").add_subparsers(dest="verb", required=True)
        pcreate = pharmacy.add_parser("create")
        pcreate.add_argument("name")
        pcreate.add_argument("--area", required=True)
        pcreate.add_argument("--address", default="")
        report = sub.add_parser("report")
        report.add_argument("pharmacy")
        report.add_argument("--name", required=True)
        report.add_argument("--phone", default="")
        report.add_argument("--id-number", default="")
        report.add_argument("--medicine", required=True)
        report.add_argument("--medicine-name", default="")
        report.add_argument("--follow-up", default="test")
        reports = sub.add_parser("reports")
        reports.add_argument("--state", default="")
        reports.add_argument("--json", action="store_true")
        figures = sub.add_parser("figures")
        figures.add_argument("--area", default="")
        figures.add_argument("--json", action="store_true")

    def handle(self, *args, **o) -> None:
        self.actor = cli_actor()
        handlers = {
            "clinic": self._clinic,
            "list": self._list,
            "rooms": self._rooms,
            "visit": self._visit,
            "room": self._room,
            "leave": self._leave,
            "close": self._close,
            "staff": self._staff,
            "pharmacy": self._pharmacy,
            "report": self._report,
            "reports": self._reports,
            "figures": self._figures,
        }
        try:
            handlers[o["topic"]](o)
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None

    # -- clinics and rooms

    def _clinic(self, o) -> None:
        c = actions.do_create_clinic(
            acting_user=self.actor,
            name=o["name"],
            kind=o["kind"],
            area=_area(o["area"]),
            address=o["address"],
            rooms=o["rooms"],
        )
        self.stdout.write(f"clinic {c.pk} {c.name}: {c.rooms.count()} rooms")

    def _list(self, o) -> None:
        rows = []
        for c in Clinic.objects.select_related("area"):
            board = queries.room_board(c)
            rows.append(
                {
                    "id": c.pk,
                    "name": c.name,
                    "kind": c.kind,
                    "area": c.area.code,
                    "rooms": len(board),
                    "in_use": sum(1 for r in board if r.visit),
                    "waiting": queries.waiting(c).count(),
                }
            )
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(
                f"{r['id']:>4} {r['name']} ({r['kind']}, {r['area']}): "
                f"{r['in_use']}/{r['rooms']} rooms in use, {r['waiting']} waiting"
            )

    def _rooms(self, o) -> None:
        made = actions.do_add_rooms(_clinic(o["clinic"]), o["names"], acting_user=self.actor)
        self.stdout.write(f"{len(made)} room(s) added")

    # -- visits

    def _visit(self, o) -> None:
        c = _clinic(o["clinic"])
        person = _get(Person, "person", pk=o["person"])
        try:
            temperature = Decimal(o["temperature"]) if o["temperature"] else None
        except InvalidOperation:
            raise CommandError(f"not a temperature: {o['temperature']!r}") from None
        room = _get(c.rooms, "room", name=o["room"]) if o["room"] else None
        v = actions.do_register_visit(
            c,
            person,
            acting_user=self.actor,
            temperature=temperature,
            symptoms=o["symptoms"],
            epidemiological_history=o["history"],
            code_colour=o["code"],
            room=room,
        )
        where = f", room {v.room.name}" if v.in_room and v.room else ""
        self.stdout.write(
            f"visit {v.pk}: {mask_name(person.name)} {v.triage} "
            f"({', '.join(v.triage_reasons) or '-'}){where}; test hand-off {v.test_handoff_id}"
        )

    def _room(self, o) -> None:
        v = _get(Visit.objects.select_related("clinic"), "visit", pk=o["visit"])
        room = _get(v.clinic.rooms, "room", name=o["room"])
        actions.do_assign_room(v, room, acting_user=self.actor)
        self.stdout.write(f"visit {v.pk} in room {room.name}")

    def _leave(self, o) -> None:
        v = _get(Visit, "visit", pk=o["visit"])
        actions.do_leave_room(v, acting_user=self.actor)
        self.stdout.write(f"visit {v.pk} left its room")

    def _close(self, o) -> None:
        v = _get(Visit, "visit", pk=o["visit"])
        v = actions.do_close_visit(v, outcome=o["outcome"], note=o["note"], acting_user=self.actor)
        referral = f"; hand-off {v.referral_handoff_id}" if v.referral_handoff_id else ""
        self.stdout.write(f"visit {v.pk} ended: {v.outcome}{referral}")

    # -- staff

    def _staff(self, o) -> None:
        if o["verb"] == "add":
            person = _get(Person, "person", pk=o["person"])
            s = actions.do_add_staff(
                _clinic(o["clinic"]), person, role=o["role"], acting_user=self.actor
            )
            h = s.test_handoff
            self.stdout.write(
                f"staff {s.pk}: {mask_name(person.name)}, {len(h.detail['tests']) if h else 0}"
                f" tests scheduled, the next due by {_local(h.due_at if h else None)}"
            )
        elif o["verb"] == "end":
            s = _get(ClinicStaff, "staff member", pk=o["id"])
            actions.do_end_staff(s, acting_user=self.actor)
            self.stdout.write(f"staff {s.pk} left; remaining tests cancelled")
        else:
            changed = actions.do_renew_staff_schedules(acting_user=self.actor)
            self.stdout.write(f"{changed} staff test schedule(s) renewed")

    # -- pharmacies

    def _pharmacy(self, o) -> None:
        p = actions.do_create_pharmacy(
            acting_user=self.actor, name=o["name"], area=_area(o["area"]), address=o["address"]
        )
        self.stdout.write(f"pharmacy {p.pk} {p.name}")

    def _report(self, o) -> None:
        pharmacy = _get(Pharmacy, "pharmacy named", name=o["pharmacy"])
        r = actions.do_report_buyer(
            pharmacy,
            actions.Buyer(name=o["name"], phone=o["phone"], identity_number=o["id_number"]),
            medicine=o["medicine"],
            medicine_name=o["medicine_name"],
            follow_up=o["follow_up"],
            acting_user=self.actor,
        )
        self.stdout.write(
            f"report {r.pk}: {mask_name(r.person.name)} linked by {r.linked_by};"
            f" {r.follow_up} due by {_local(r.handoff.due_at if r.handoff else None)}"
        )
        for w in r.warnings:
            self.stdout.write(f"  warning: {w}")

    def _reports(self, o) -> None:
        now = timezone.now()
        qs = BuyerReport.objects.select_related("pharmacy", "person", "handoff", "area")
        if o["state"] == "open":
            qs = queries.open_reports(qs)
        elif o["state"] == "overdue":
            qs = queries.overdue_reports(qs, now)
        elif o["state"]:
            raise CommandError("--state is open or overdue")
        rows = [
            {
                "id": r.pk,
                "pharmacy": r.pharmacy.name,
                "name": mask_name(r.person.name),
                "area": r.area.code,
                "follow_up": r.follow_up,
                "due_at": r.handoff.due_at.isoformat() if r.handoff else None,
                "state": r.state(now),
            }
            for r in qs[:1000]
        ]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(
                f"{r['id']:>5} {r['pharmacy']} {r['name']} {r['follow_up']} {r['state']}"
                f" (due {r['due_at']})"
            )

    def _figures(self, o) -> None:
        area = _area(o["area"]) if o["area"] else None
        names = [
            "clinics.clinics",
            "clinics.visits_today",
            "clinics.patients_in_rooms",
            "clinics.rooms_free",
            "clinics.referred",
            "clinics.staff_tests_overdue",
            "clinics.reports_open",
            "clinics.reports_overdue",
            "clinics.reports_closed",
        ]
        values = {f["name"]: f["value"] for f in compute(names, area)}
        if o["json"]:
            self.stdout.write(json.dumps(values))
            return
        for name, value in values.items():
            self.stdout.write(f"{name}: {value}")
