from __future__ import annotations

import datetime as dt

import pytest

from zhanyi.care.demo import replay_care
from zhanyi.care.models import Admission, CheckIn
from zhanyi.care.queries import criteria
from zhanyi.core.metrics import compute
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs import receivers
from zhanyi.handoffs.models import HandoffKind

from .factories import ACTOR, person

pytestmark = pytest.mark.django_db


def test_the_replay_admits_the_family_transfers_them_and_discharges_two(world):
    cases = []
    for n, hour in enumerate((18, 8, 9)):
        p = person(world.village, f"家{n}", seq=n + 1)
        reported = dt.datetime(2021, 9, 16 if n == 0 else 17, hour, tzinfo=LOCAL_TZ)
        receivers.pass_on(
            HandoffKind.CASE_REPORT,
            person=p,
            sampled_at=reported - dt.timedelta(hours=8),
            reported_at=reported,
            source=f"demo-test:{n}",
            acting_user=ACTOR,
        )
        cases.append((p, reported))
    assert replay_care(acting_user=ACTOR, cases=cases) == {"admitted": 3, "discharged": 2}
    stays = list(Admission.objects.order_by("admitted_at"))
    assert all(s.hospital.name.startswith("厦门市") for s in stays)
    assert [s.discharged_at is not None for s in stays] == [True, True, False]
    assert CheckIn.objects.count() == 6
    failing = [c.name for c in criteria(stays[2]) if not c.ok]
    assert failing == ["tests"]
    figures = {
        f["name"]: f["value"] for f in compute(["care.in_hospital", "care.discharged"], None)
    }
    assert figures == {"care.in_hospital": 1, "care.discharged": 2}
    assert replay_care(acting_user=ACTOR, cases=cases) == {"admitted": 0, "discharged": 0}
