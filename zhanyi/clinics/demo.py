"""The fever clinics' and pharmacies' step of the demo's replay of September 2021.

The article: fever clinics with pre-triage and one patient to a room;
pharmacies stopped selling fever medicine and sent the buyers on. The demo
city keeps modest counts: a fever clinic of six rooms at each county's
hospital and a fever sentinel post of two rooms at the first county's first
township health centre; three staff at each clinic tested every two days
from 14 September (each test sampled in its window, except one nurse's last
one, overdue on 30 September); the morning of 30 September at each clinic:
four patients triaged, one in a room, one waiting, one home, one referred (to
centralised quarantine; the first county's to the designated hospital).
Two pharmacies in each county report buyers from 25 September, typed as a
counter types them (a name with a note, a phone with spaces, an identity
number in lower case, a wrong one, a buyer the index lacks); the older
reports are followed to their end by testing or the village team, one
village visit of 29 September is overdue, the morning's are open.
Idempotent: each clinic, staff member, visit and report is made once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet

from zhanyi.clinics import actions
from zhanyi.clinics.models import BuyerReport, Clinic, ClinicStaff, Pharmacy, Visit
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs import schedule
from zhanyi.handoffs.actions import do_record_scheduled_test
from zhanyi.handoffs.models import Handoff, HandoffStatus
from zhanyi.people.models import Person
from zhanyi.places.models import Area, AreaLevel
from zhanyi.teams.actions import do_close_control

STAFF_FROM = dt.datetime(2021, 9, 14, 8, 0, tzinfo=LOCAL_TZ)
MORNING = dt.datetime(2021, 9, 30, 8, 0, tzinfo=LOCAL_TZ)
#: Where the replay ends (command.demo.REPLAY_CLOCK): the story's "now".
STORY_NOW = dt.datetime(2021, 9, 30, 12, 0, tzinfo=LOCAL_TZ)
#: Hours before the story's "now" of each pharmacy's reports: the first three
#: followed up, the fourth (a village visit, due in 12 h) overdue, the last open.
REPORT_HOURS_AGO = (120, 96, 60, 20, 3)
ROLES = ("doctor", "nurse", "nurse")


def _adults(area: Area) -> QuerySet[Person]:
    return (
        Person.objects.filter(
            village__path__startswith=area.path,
            merged_into=None,
            birth_date__lte=dt.date(2000, 1, 1),
            birth_date__gte=dt.date(1960, 1, 1),
        )
        .exclude(phone="")
        .order_by("pk")
    )


def _clinic(acting_user, name: str, kind: str, area: Area, rooms: int) -> tuple[Clinic, bool]:
    found = Clinic.objects.filter(name=name).first()
    if found is not None:
        return found, False
    return (
        actions.do_create_clinic(
            acting_user=acting_user, name=name, kind=kind, area=area, rooms=rooms
        ),
        True,
    )


def _staff(acting_user, clinic: Clinic, people: list[Person], *, miss_last: bool) -> int:
    made = 0
    for n, (person, role) in enumerate(zip(people, ROLES, strict=False)):
        if ClinicStaff.objects.filter(clinic=clinic, person=person).exists():
            continue
        staff = actions.do_add_staff(
            clinic,
            person,
            role=role,
            acting_user=acting_user,
            started_at=STAFF_FROM,
            now=STORY_NOW,
        )
        made += 1
        handoff = staff.test_handoff
        assert handoff is not None
        # Testing samples each test in its window, up to the one now due.
        while handoff.status == HandoffStatus.OPEN and handoff.due_at <= STORY_NOW:
            test = schedule.current(
                schedule.tests_of(
                    handoff.detail, not_before=handoff.not_before, due_at=handoff.due_at
                )
            )
            assert test is not None and test.not_before is not None
            last = handoff.due_at + dt.timedelta(days=2) > STORY_NOW
            if miss_last and n == len(ROLES) - 1 and last:
                break  # the nurse missed her last test: overdue
            handoff = do_record_scheduled_test(
                handoff,
                sampled_at=test.not_before + dt.timedelta(hours=9, minutes=10 * n),
                tube=f"FR{clinic.pk:02d}{staff.pk:03d}{test.day:02d}",
                acting_user=acting_user,
            )
    return made


def _visits(acting_user, clinic: Clinic, patients: list[Person], *, hospital: bool) -> int:
    if Visit.objects.filter(clinic=clinic).exists() or len(patients) < 4:
        return 0
    rooms = list(clinic.rooms.all())
    at = MORNING
    facts = [
        (Decimal("38.4"), "咳嗽、咽痛", False, "green"),
        (Decimal("36.8"), "", False, "green"),
        (Decimal("37.9"), "干咳", True, "yellow"),
        (Decimal("37.5"), "", False, "green"),
    ]
    visits = []
    for i, (person, (temp, symptoms, history, colour)) in enumerate(
        zip(patients, facts, strict=False)
    ):
        at += dt.timedelta(minutes=35)
        visits.append(
            actions.do_register_visit(
                clinic,
                person,
                acting_user=acting_user,
                temperature=temp,
                symptoms=symptoms,
                epidemiological_history=history,
                code_colour=colour,
                arrived_at=at,
                room=rooms[i] if i < 3 else None,
            )
        )
    actions.do_close_visit(
        visits[1], outcome="home", acting_user=acting_user, now=at + dt.timedelta(minutes=20)
    )
    actions.do_close_visit(
        visits[2],
        outcome="hospital" if hospital else "quarantine",
        note="流行病学史阳性，黄码" if hospital else "密接排查",
        acting_user=acting_user,
        now=at + dt.timedelta(minutes=30),
    )
    return len(visits)


def _buyers(people: list[Person], unknown: str) -> list[actions.Buyer]:
    """The buyers as a counter types them."""
    out = []
    for i, p in enumerate(people):
        national = p.phone.removeprefix("+86")
        if i % 4 == 0:
            out.append(actions.Buyer(name=f"{p.name}(本人)", phone=national))
        elif i % 4 == 1:
            out.append(
                actions.Buyer(
                    name=p.name,
                    phone=f"{national[:3]} {national[3:7]} {national[7:]}",
                    identity_number="350600" + "1" * 12,
                )
            )
        elif i % 4 == 2 and p.identity_number:
            out.append(actions.Buyer(name=p.name, identity_number=p.identity_number.lower()))
        else:
            out.append(actions.Buyer(name=p.name, phone=f"+86 {national}"))
    out.append(actions.Buyer(name=unknown, phone="13905960000"))
    return out


def _reports(acting_user, pharmacy: Pharmacy, people: list[Person], n: int) -> int:
    if BuyerReport.objects.filter(pharmacy=pharmacy).exists():
        return 0
    made = 0
    medicines = ("fever", "cough", "fever", "antiviral", "cough")
    for i, buyer in enumerate(_buyers(people, f"陈{'晓燕' if n % 2 else '志明'}")):
        when = STORY_NOW - dt.timedelta(hours=REPORT_HOURS_AGO[i], minutes=15 * n)
        follow_up = "visit" if i % 2 else "test"
        report = actions.do_report_buyer(
            pharmacy,
            buyer,
            medicine=medicines[i % len(medicines)],
            medicine_name="布洛芬缓释胶囊" if i % 2 == 0 else "复方甘草片",
            bought_at=when - dt.timedelta(minutes=20),
            follow_up=follow_up,
            acting_user=acting_user,
            now=when,
        )
        made += 1
        _follow_to_the_end(acting_user, report, when)
    return made


def _follow_to_the_end(acting_user, report: BuyerReport, when: dt.datetime) -> None:
    """Reports older than a day and a half were followed up in time, by
    testing or the village team; a visit of 29 September was not (overdue)."""
    handoff = report.handoff
    assert handoff is not None
    if when > STORY_NOW - dt.timedelta(hours=36):
        return
    done_at = when + dt.timedelta(hours=5)
    if report.follow_up == "test":
        do_record_scheduled_test(
            handoff,
            sampled_at=done_at,
            tube=f"YD{report.pk:05d}",
            outcome="阴性",
            acting_user=acting_user,
        )
    else:
        do_close_control(
            Handoff.objects.get(pk=handoff.pk),
            measure="home",
            measured_at=done_at,
            note="已上门核实，居家健康监测",
            acting_user=acting_user,
        )


def replay_clinics(*, acting_user) -> dict:
    """Clinics, their staff's tests, the morning's visits, pharmacies' reports."""
    counts = {"clinics_made": 0, "staff_made": 0, "visits_made": 0, "reports_made": 0}
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"))
    for n, county in enumerate(counties):
        adults = list(_adults(county)[:20])
        if len(adults) < 12:
            continue
        clinic, made = _clinic(
            acting_user, f"{county.name}人民医院发热门诊", "fever_clinic", county, 6
        )
        counts["clinics_made"] += made
        counts["staff_made"] += _staff(acting_user, clinic, adults[:3], miss_last=n == 0)
        counts["visits_made"] += _visits(acting_user, clinic, adults[3:7], hospital=n == 0)
        if n == 0:
            township = (
                Area.objects.filter(parent=county, level=AreaLevel.TOWNSHIP)
                .order_by("code")
                .first()
            )
            if township is not None:
                _post, made = _clinic(
                    acting_user, f"{township.name}卫生院发热哨点", "sentinel", township, 2
                )
                counts["clinics_made"] += made
        villages = list(
            Area.objects.filter(path__startswith=county.path, level=AreaLevel.VILLAGE).order_by(
                "code"
            )[:2]
        )
        for k, village in enumerate(villages):
            pharmacy = Pharmacy.objects.filter(name=f"{village.name}大药房").first()
            if pharmacy is None:
                pharmacy = actions.do_create_pharmacy(
                    acting_user=acting_user, name=f"{village.name}大药房", area=village
                )
            people = adults[7 + 4 * k : 11 + 4 * k]
            counts["reports_made"] += _reports(acting_user, pharmacy, people, n * 2 + k)
    return counts
