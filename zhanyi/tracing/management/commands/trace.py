"""``zhanyi trace …``: the tracing task force's work from the command line.

- ``case create --person ID --classification confirmed|asymptomatic|suspected
  --sampled T --reported T [--onset DATE] [--isolated T] [--hospital H] [--protocol edition-8]``
- ``case list [--overdue]``, ``case show ID``, ``case done ID``
- ``exposure add --case ID --person-b ID [--person-a ID] --setting S --at T [--certainty C]``
- ``expand [--case ID …] [--as-of T]``: close and secondary contacts, hand-offs, codes
- ``contacts --case ID``: the case's contacts, by kind
- ``companions --case ID [--store DIR]``: pull in the companion engine's answer
- ``current-cases [--out FILE]``: write the windows ``companions find --all-cases`` reads
- ``assign --case ID [--team ID] [--reason TEXT]``: the case to a tracing team (by area
  and load without ``--team``); moving it needs a reason
- ``source --case ID --kind case|travel|cold_chain|unknown [--from-case ID] [--origin O]
  [--evidence TEXT]``: the case's source of infection (溯源)
- ``protocol [NAME]``: the tracing rules of a protocol file

Times without an offset are local (Asia/Shanghai). Runs as ``cli:<os user>``
in the audit trail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhanyi.core.audit import cli_actor
from zhanyi.engine.protocol import DEFAULT_PROTOCOL, load_protocol
from zhanyi.people.models import Person
from zhanyi.teams.models import Team
from zhanyi.tracing import actions
from zhanyi.tracing.models import Case, CaseClassification, Contact, ContactKind

LOCAL = ZoneInfo("Asia/Shanghai")


def parse_time(text: str) -> dt.datetime:
    # An argparse ``type``: ArgumentTypeError gives ``argument --sampled: not a time``
    # and a usage line, where a CommandError raised here escapes argparse as a traceback.
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (use 2021-09-13T20:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL)


def _local(value: dt.datetime | None) -> str:
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if value else "—"


def _case(pk: int) -> Case:
    try:
        return Case.objects.select_related("person", "area").get(pk=pk)
    except Case.DoesNotExist:
        raise CommandError(f"no case {pk}") from None


def _person(pk: int, option: str) -> Person:
    try:
        return Person.objects.get(pk=pk)
    except Person.DoesNotExist:
        raise CommandError(f"{option}: no person {pk}") from None


class Command(BaseCommand):
    help = "Tracing (流调): cases, exposures, contacts, companions, protocol rules."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        case = sub.add_parser("case", help="create, list, show or finish cases")
        case_sub = case.add_subparsers(dest="case_action", required=True, metavar="CASE_ACTION")
        create = case_sub.add_parser("create", help="enter a case by hand")
        create.add_argument("--person", type=int, required=True)
        create.add_argument("--classification", choices=CaseClassification.values, required=True)
        create.add_argument("--sampled", type=parse_time, required=True)
        create.add_argument("--reported", type=parse_time, required=True)
        create.add_argument("--onset", type=dt.date.fromisoformat)
        create.add_argument("--isolated", type=parse_time)
        create.add_argument("--hospital", default="")
        create.add_argument("--protocol", default=DEFAULT_PROTOCOL)
        listing = case_sub.add_parser("list", help="cases, newest first")
        listing.add_argument("--overdue", action="store_true", help="overdue investigations only")
        show = case_sub.add_parser("show", help="one case as JSON")
        show.add_argument("case_id", type=int)
        done = case_sub.add_parser("done", help="mark the investigation done")
        done.add_argument("case_id", type=int)

        exposure = sub.add_parser("exposure", help="record an exposure")
        exposure_sub = exposure.add_subparsers(dest="exposure_action", required=True)
        add = exposure_sub.add_parser("add")
        add.add_argument("--case", type=int, required=True)
        add.add_argument("--person-a", type=int, help="default: the case's person")
        add.add_argument("--person-b", type=int, required=True)
        add.add_argument("--setting", required=True)
        add.add_argument("--at", type=parse_time, required=True)
        add.add_argument("--certainty", default="confirmed")

        expand = sub.add_parser("expand", help="close and secondary contacts, hand-offs, codes")
        expand.add_argument("--case", type=int, action="append", help="default: every case")
        expand.add_argument("--as-of", type=parse_time)

        contacts = sub.add_parser("contacts", help="a case's contacts by kind")
        contacts.add_argument("--case", type=int, required=True)

        companions = sub.add_parser("companions", help="pull in a case's companions")
        companions.add_argument("--case", type=int, required=True)
        companions.add_argument("--store", type=Path)
        companions.add_argument("--person-key", choices=["pk", "external_id"], default="pk")

        current = sub.add_parser("current-cases", help="write current case windows")
        current.add_argument("--out", type=Path)
        current.add_argument(
            "--person-key",
            choices=["pk", "external_id"],
            default="pk",
            help="the numbers the companion store knows persons by (the demo's: external_id)",
        )

        assign = sub.add_parser("assign", help="give a case to a tracing team, or move it")
        assign.add_argument("--case", type=int, required=True)
        assign.add_argument("--team", type=int, help="default: chosen by area and load")
        assign.add_argument("--reason", default="")

        source = sub.add_parser("source", help="record a case's source of infection (溯源)")
        source.add_argument("--case", type=int, required=True)
        source.add_argument("--kind", required=True, help="case, travel, cold_chain or unknown")
        source.add_argument("--from-case", type=int, help="the source case (kind case)")
        source.add_argument("--origin", default="", help="risk area or cold-chain item")
        source.add_argument("--evidence", default="")

        rules = sub.add_parser("protocol", help="the tracing rules of a protocol")
        rules.add_argument("name", nargs="?", default=DEFAULT_PROTOCOL)

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in _errors(error))
            ) from None
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(str(error)) from None

    def _case(self, options) -> None:
        what = options["case_action"]
        if what == "create":
            case = actions.do_create_case(
                acting_user=cli_actor(),
                person=_person(options["person"], "--person"),
                classification=options["classification"],
                sampled_at=options["sampled"],
                reported_at=options["reported"],
                onset_date=options["onset"],
                isolated_at=options["isolated"],
                hospital=options["hospital"],
                protocol_name=options["protocol"],
            )
            self.stdout.write(
                f"case {case.pk}: report due {_local(case.report_due_at)}, "
                f"investigation due {_local(case.investigation_due_at)}"
            )
        elif what == "list":
            qs = Case.objects.select_related("person", "area").order_by("-reported_at", "-id")
            if options["overdue"]:
                qs = qs.filter(investigated_at=None, investigation_due_at__lt=timezone.now())
            for c in qs:
                flag = " OVERDUE" if c.investigation_overdue() else ""
                self.stdout.write(
                    f"{c.pk}\t{c.classification}\t{c.status}\t{c.area.name}\t"
                    f"{_local(c.reported_at)}\tdue {_local(c.investigation_due_at)}{flag}"
                )
        elif what == "show":
            c = _case(options["case_id"])
            counts = dict.fromkeys(ContactKind.values, 0)
            for kind in Contact.objects.filter(case=c).values_list("kind", flat=True):
                counts[kind] += 1
            self.stdout.write(
                json.dumps(
                    {
                        "id": c.pk,
                        "person": c.person_id,
                        "area": c.area.code,
                        "classification": c.classification,
                        "status": c.status,
                        "protocol": c.protocol,
                        "reported_at": c.reported_at.isoformat(),
                        "report_due_at": c.report_due_at.isoformat(),
                        "investigation_due_at": c.investigation_due_at.isoformat(),
                        "investigation_overdue": c.investigation_overdue(),
                        "contacts_by_kind": counts,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            c = actions.do_complete_investigation(
                _case(options["case_id"]), acting_user=cli_actor()
            )
            self.stdout.write(f"case {c.pk}: investigation done {_local(c.investigated_at)}")

    def _exposure(self, options) -> None:
        case = _case(options["case"])
        a = _person(options["person_a"], "--person-a") if options["person_a"] else case.person
        exposure = actions.do_record_exposure(
            case,
            acting_user=cli_actor(),
            person_a=a,
            person_b=_person(options["person_b"], "--person-b"),
            setting=options["setting"],
            exposed_at=options["at"],
            certainty=options["certainty"],
        )
        self.stdout.write(f"exposure {exposure.pk} recorded")

    def _expand(self, options) -> None:
        cases = [_case(pk) for pk in options["case"]] if options["case"] else None
        result = actions.do_expand_contacts(cases, acting_user=cli_actor(), as_of=options["as_of"])
        self.stdout.write(json.dumps(result.as_dict()))

    def _assign(self, options) -> None:
        case = _case(options["case"])
        team = (
            Team.objects.filter(pk=options["team"]).first()
            if options["team"]
            else actions.choose_team(case)
        )
        if team is None:
            raise CommandError("no such tracing team" if options["team"] else "no team covers it")
        actions.do_assign_case(case, team, acting_user=cli_actor(), reason=options["reason"])
        self.stdout.write(f"case {case.pk} → team {team.pk} {team.name}")

    def _source(self, options) -> None:
        case = _case(options["case"])
        source = actions.do_record_source(
            case,
            acting_user=cli_actor(),
            kind=options["kind"],
            source_case=_case(options["from_case"]) if options["from_case"] else None,
            origin=options["origin"],
            evidence=options["evidence"],
        )
        self.stdout.write(f"case {case.pk}: {source.get_kind_display()}")

    def _contacts(self, options) -> None:
        case = _case(options["case"])
        for c in Contact.objects.filter(case=case).order_by("kind", "depth", "id"):
            self.stdout.write(
                f"{c.kind}\t{c.person_id}\tdepth {c.depth}\tvia {c.via_id or '—'}\t"
                f"last {_local(c.last_exposure_at)}"
            )

    def _companions(self, options) -> None:
        added = actions.do_add_companions(
            _case(options["case"]),
            acting_user=cli_actor(),
            store_dir=options["store"],
            person_key=options["person_key"],
        )
        self.stdout.write(f"{added} companions added")

    def _current_cases(self, options) -> None:
        path = actions.write_current_cases(options["out"], person_key=options["person_key"])
        self.stdout.write(str(path))

    def _protocol(self, options) -> None:
        p = load_protocol(options["name"])
        out = {
            "name": p.info.name,
            "exposure_days_before": p.exposure.days_before,
            "contacts": p.contacts.__dict__,
            "quarantine": {k: p.quarantine.stages(k) for k in ("close", "secondary")},
            "test_days": p.test_days.__dict__,
            "release": p.release.__dict__,
            "deadlines": p.deadlines.__dict__,
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False, default=list))


def _errors(error: ValidationError):
    if hasattr(error, "error_dict"):
        return error.message_dict.items()
    return [("error", error.messages)]
