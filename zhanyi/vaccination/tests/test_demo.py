from __future__ import annotations

import pytest

from zhanyi.vaccination.demo import replay_vaccination
from zhanyi.vaccination.models import Appointment, Dose, DoseImport

from .factories import ACTOR, person

pytestmark = pytest.mark.django_db


def test_the_replay_imports_the_export_at_the_articles_mix_and_records_at_a_site(world):
    for i in range(40):
        person(world.village if i % 2 else world.other_village, f"居民{i}", seq=i, age=20 + i)
    summary = replay_vaccination(acting_user=ACTOR)
    run = DoseImport.objects.get()
    # 40 people × 1.5 doses a head, and three rows reported, not stored
    assert run.rows == 60 + 3 and run.stored == 60
    assert (run.duplicates, run.unknown_persons, run.refused) == (1, 1, 1)
    assert summary["at_sites"] == 3 and Dose.objects.filter(source="site").count() == 3
    assert Appointment.objects.filter(work_unit="漳州港务局", headcount=60).exists()
    again = replay_vaccination(acting_user=ACTOR)
    assert again["doses"] == summary["doses"] and DoseImport.objects.count() == 1
