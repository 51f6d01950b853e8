from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from zhanyi.clinics.demo import STORY_NOW, replay_clinics
from zhanyi.clinics.models import BuyerReport, Clinic, ClinicStaff, Visit
from zhanyi.core.metrics import compute

from .factories import id_number

pytestmark = pytest.mark.django_db


def _people(village, prefix: str, offset: int, n: int = 20) -> None:
    from zhanyi.people.models import Person

    for i in range(n):
        born = dt.date(1970 + i, 3, 1)
        Person.objects.create(
            name=f"{prefix}{i:02d}",
            village=village,
            birth_date=born,
            identity_number=id_number(born, offset + i),
            phone=f"+86139{offset + i:04d}5678",
        )


def test_the_replay_fills_clinics_and_pharmacies_once(world):
    _people(world.village, "林", 0)
    _people(world.other_village, "黄", 100)
    summary = replay_clinics(acting_user=world.commander)
    assert summary == {"clinics_made": 3, "staff_made": 6, "visits_made": 8, "reports_made": 15}
    assert Clinic.objects.filter(kind="sentinel").count() == 1
    with time_machine.travel(STORY_NOW, tick=False):
        values = {f["name"]: f["value"] for f in compute(None, None)}
        assert values["clinics.visits_today"] == 8
        assert values["clinics.patients_in_rooms"] == 2  # one in each fever clinic
        assert values["clinics.staff_tests_overdue"] == 1  # the nurse who missed her test
        assert (
            values["clinics.reports_overdue"] == 3
        )  # a village visit of 29 Sep at each of the 3 pharmacies
        assert values["clinics.reports_closed"] == 9 and values["clinics.reports_open"] == 6
    referred = Visit.objects.exclude(referral_handoff=None)
    assert sorted(v.referral_handoff.kind for v in referred) == ["admission", "transfer"]
    linked = set(BuyerReport.objects.values_list("linked_by", flat=True))
    assert linked == {"identity", "name_phone", "new"}
    assert ClinicStaff.objects.count() == 6
    again = replay_clinics(acting_user=world.commander)
    assert again == {"clinics_made": 0, "staff_made": 0, "visits_made": 0, "reports_made": 0}
