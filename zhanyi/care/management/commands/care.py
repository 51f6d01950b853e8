"""``zhanyi care …``: hospital care (定点医院救治) from the command line.

- ``hospital create NAME --area CODE [--not-designated]``; ``ward HOSPITAL NAME --beds N``;
  ``hospitals [--json]``: wards, beds and beds taken.
- ``admit PERSON_ID --hospital NAME --ward NAME --condition C [--at ISO]`` (C: mild,
  moderate, severe, critical)
- ``condition ADMISSION CONDITION [--at ISO] [--note TEXT]``
- ``observe ADMISSION [--temperature C] [--respiratory V] [--imaging V] [--at ISO]``
  (V: worse, unchanged, improved, none)
- ``test ADMISSION negative|positive [--sample KIND] [--ct-orf1ab X] [--ct-n X] [--at ISO]``
- ``transfer ADMISSION --hospital NAME --ward NAME --reason TEXT [--at ISO]``
- ``criteria ADMISSION [--at ISO]``: each discharge criterion, holds or why not.
- ``discharge ADMISSION [--at ISO]``: refused, naming each criterion that fails.
- ``check-in ADMISSION --temperature C [--symptoms] [--note TEXT] [--at ISO]``
- ``list [--all] [--json]``; ``monitoring``; ``alerts``; ``close-alert ID --outcome TEXT``

The command acts as ``cli:<user>`` in the audit trail; a refusal is one line and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q
from django.utils import timezone

from zhanyi.care import actions
from zhanyi.care.models import Admission, Alert, Hospital, Ward
from zhanyi.care.queries import CRITERIA
from zhanyi.core.audit import cli_actor
from zhanyi.core.masking import mask_name
from zhanyi.engine.care import monitoring_day
from zhanyi.people.models import Person
from zhanyi.places.models import Area


def _at(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a time: {value!r} (ISO 8601, e.g. 2021-09-17T08:00)") from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _get(model_or_qs, what: str, **lookup):
    qs = model_or_qs.objects.all() if hasattr(model_or_qs, "objects") else model_or_qs
    try:
        return qs.get(**lookup)
    except qs.model.DoesNotExist:
        raise CommandError(f"no {what} {' '.join(str(v) for v in lookup.values())}") from None


def _ward_named(hospital: str, ward: str) -> Ward:
    return _get(Ward, "ward", hospital__name=hospital, name=ward)


class Command(BaseCommand):
    help = "Hospital care: hospitals, admission, condition, tests, discharge, monitoring."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        hospital = sub.add_parser("hospital").add_subparsers(dest="verb", required=True)
        create = hospital.add_parser("create")
        create.add_argument("name")
        create.add_argument("--area", required=True)
        create.add_argument("--not-designated", action="store_true")
        ward = sub.add_parser("ward")
        ward.add_argument("hospital")
        ward.add_argument("name")
        ward.add_argument("--beds", type=int, required=True)
        sub.add_parser("hospitals").add_argument("--json", action="store_true")
        admit = sub.add_parser("admit")
        admit.add_argument("person", type=int)
        admit.add_argument("--hospital", required=True)
        admit.add_argument("--ward", required=True)
        admit.add_argument("--condition", required=True)
        admit.add_argument("--at")
        condition = sub.add_parser("condition")
        condition.add_argument("admission", type=int)
        condition.add_argument("condition")
        condition.add_argument("--at")
        condition.add_argument("--note", default="")
        observe = sub.add_parser("observe")
        observe.add_argument("admission", type=int)
        observe.add_argument("--temperature")
        observe.add_argument("--respiratory", default="")
        observe.add_argument("--imaging", default="")
        observe.add_argument("--at")
        test = sub.add_parser("test")
        test.add_argument("admission", type=int)
        test.add_argument("result")
        test.add_argument("--sample", default="oropharyngeal")
        test.add_argument("--ct-orf1ab", default="")
        test.add_argument("--ct-n", default="")
        test.add_argument("--at")
        transfer = sub.add_parser("transfer")
        transfer.add_argument("admission", type=int)
        transfer.add_argument("--hospital", required=True)
        transfer.add_argument("--ward", required=True)
        transfer.add_argument("--reason", required=True)
        transfer.add_argument("--at")
        for verb in ("criteria", "discharge"):
            p = sub.add_parser(verb)
            p.add_argument("admission", type=int)
            p.add_argument("--at")
        check_in = sub.add_parser("check-in")
        check_in.add_argument("admission", type=int)
        check_in.add_argument("--temperature", required=True)
        check_in.add_argument("--symptoms", action="store_true")
        check_in.add_argument("--note", default="")
        check_in.add_argument("--at")
        listing = sub.add_parser("list")
        listing.add_argument("--all", action="store_true")
        listing.add_argument("--json", action="store_true")
        sub.add_parser("monitoring")
        sub.add_parser("alerts")
        close = sub.add_parser("close-alert")
        close.add_argument("id", type=int)
        close.add_argument("--outcome", required=True)

    def handle(self, *args, **o) -> None:
        self.actor = cli_actor()
        handlers = {
            "hospital": self._hospital,
            "ward": self._ward,
            "hospitals": self._hospitals,
            "admit": self._admit,
            "condition": self._condition,
            "observe": self._observe,
            "test": self._test,
            "transfer": self._transfer,
            "criteria": self._criteria,
            "discharge": self._discharge,
            "check-in": self._check_in,
            "list": self._list,
            "monitoring": self._monitoring,
            "alerts": self._alerts,
            "close-alert": self._close_alert,
        }
        try:
            handlers[o["topic"]](o)
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None

    def _admission(self, pk: int) -> Admission:
        return _get(
            Admission.objects.select_related("person", "hospital", "ward"), "admission", pk=pk
        )

    def _hospital(self, o) -> None:
        area = _get(Area, "area with code", code=o["area"])
        h = actions.do_create_hospital(
            acting_user=self.actor, name=o["name"], area=area, designated=not o["not_designated"]
        )
        self.stdout.write(f"hospital {h.name}")

    def _ward(self, o) -> None:
        h = _get(Hospital, "hospital", name=o["hospital"])
        w = actions.do_add_ward(h, acting_user=self.actor, name=o["name"], beds=o["beds"])
        self.stdout.write(f"ward {w.name} of {h.name}: {w.beds} beds")

    def _hospitals(self, o) -> None:
        wards = Ward.objects.select_related("hospital").annotate(
            taken=Count("admissions", filter=Q(admissions__discharged_at=None))
        )
        rows = [
            {"hospital": w.hospital.name, "ward": w.name, "beds": w.beds, "taken": w.taken}
            for w in wards.order_by("hospital__name", "name")
        ]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(f"{r['hospital']}\t{r['ward']}\t{r['taken']}/{r['beds']}")

    def _admit(self, o) -> None:
        a = actions.do_admit(
            _get(Person, "person", pk=o["person"]),
            _ward_named(o["hospital"], o["ward"]),
            condition=o["condition"],
            admitted_at=_at(o["at"]),
            acting_user=self.actor,
        )
        self.stdout.write(f"admission {a.pk}: case #{a.case_id} in {a.hospital.name} {a.ward.name}")

    def _condition(self, o) -> None:
        a = self._admission(o["admission"])
        actions.do_record_condition(
            a, o["condition"], acting_user=self.actor, at=_at(o["at"]), note=o["note"]
        )
        a.refresh_from_db()
        self.stdout.write(f"admission {a.pk}: {a.condition}")

    def _observe(self, o) -> None:
        obs = actions.do_record_observation(
            self._admission(o["admission"]),
            acting_user=self.actor,
            at=_at(o["at"]),
            temperature=o["temperature"],
            respiratory=o["respiratory"],
            imaging=o["imaging"],
        )
        self.stdout.write(f"observation {obs.pk}")

    def _test(self, o) -> None:
        a = self._admission(o["admission"])
        t = actions.do_record_test(
            a,
            acting_user=self.actor,
            result=o["result"],
            sample=o["sample"],
            sampled_at=_at(o["at"]),
            ct_orf1ab=o["ct_orf1ab"],
            ct_n=o["ct_n"],
        )
        self.stdout.write(f"test {t.pk}: {t.result}")
        for alert in a.alerts.filter(closed_at=None):
            self.stdout.write(f"ALERT {alert.pk} {alert.kind}: {alert.detail}")

    def _transfer(self, o) -> None:
        a = self._admission(o["admission"])
        actions.do_transfer(
            a,
            _ward_named(o["hospital"], o["ward"]),
            acting_user=self.actor,
            reason=o["reason"],
            at=_at(o["at"]),
        )
        a.refresh_from_db()
        self.stdout.write(f"admission {a.pk}: {a.hospital.name} {a.ward.name}")

    def _criteria(self, o) -> None:
        a = self._admission(o["admission"])
        at = _at(o["at"]) or timezone.now()
        failed = {f.criterion: actions.failure_message(f) for f in actions.failures_at(a, at)}
        for name in CRITERIA:
            self.stdout.write(f"{name}\t{'FAILS ' + failed[name] if name in failed else 'holds'}")

    def _discharge(self, o) -> None:
        a = actions.do_discharge(
            self._admission(o["admission"]), acting_user=self.actor, at=_at(o["at"])
        )
        assert a.monitoring_until is not None
        self.stdout.write(
            f"admission {a.pk} discharged; monitored until "
            f"{timezone.localtime(a.monitoring_until):%Y-%m-%d %H:%M}"
        )

    def _check_in(self, o) -> None:
        c = actions.do_check_in(
            self._admission(o["admission"]),
            acting_user=self.actor,
            temperature=o["temperature"],
            symptoms=o["symptoms"],
            note=o["note"],
            at=_at(o["at"]),
        )
        self.stdout.write(f"day {c.day}: {c.temperature} °C")

    def _list(self, o) -> None:
        qs = Admission.objects.select_related("person", "hospital", "ward", "area")
        if not o["all"]:
            qs = qs.filter(discharged_at=None)
        rows = [
            {
                "id": a.pk,
                "name": mask_name(a.person.name),
                "case": a.case_id,
                "area": a.area.code,
                "hospital": a.hospital.name,
                "ward": a.ward.name,
                "condition": a.condition,
                "admitted_at": a.admitted_at.isoformat(),
                "discharged_at": a.discharged_at.isoformat() if a.discharged_at else None,
            }
            for a in qs[:5000]
        ]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(
                f"{r['id']}\t{r['name']}\t{r['hospital']} {r['ward']}\t{r['condition']}"
                f"\t{r['discharged_at'] or ''}"
            )

    def _monitoring(self, o) -> None:
        now = timezone.now()
        qs = Admission.objects.filter(discharged_at__lte=now, monitoring_until__gt=now)
        for a in qs.select_related("person").prefetch_related("check_ins"):
            assert a.discharged_at is not None
            day = monitoring_day(a.discharged_at, now)
            done = {c.day for c in a.check_ins.all()}
            missed = [d for d in range(1, day) if d not in done]
            self.stdout.write(
                f"{a.pk}\t{mask_name(a.person.name)}\tday {day}\tmissed {missed or '-'}"
            )

    def _alerts(self, o) -> None:
        for x in Alert.objects.filter(closed_at=None).select_related("admission__person"):
            self.stdout.write(
                f"{x.pk}\t{x.admission_id}\t{mask_name(x.admission.person.name)}\t{x.kind}"
                f"\t{x.detail}"
            )

    def _close_alert(self, o) -> None:
        x = actions.do_close_alert(
            _get(Alert, "alert", pk=o["id"]), acting_user=self.actor, outcome=o["outcome"]
        )
        self.stdout.write(f"alert {x.pk} closed")
