"""Hospitals, wards, cases and admissions, made through the apps' own actions.

A case is tracing's: it is made the way testing makes one, by passing a
positive result on as ``case_report`` work (care never imports tracing)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhanyi.care import actions
from zhanyi.core.audit import cli_actor
from zhanyi.engine.identity import check_char
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.handoffs import receivers
from zhanyi.handoffs.models import HandoffKind
from zhanyi.people.models import Person

ACTOR = cli_actor()
#: Facts are recorded at times relative to this moment, in the past: 08:00 local
#: time 20 days ago, so that hours added to it fall on the same local days
#: whatever the time the tests run (a check-in at T0 + 124 h and five minutes
#: later must be one monitoring day).
T0 = timezone.localtime(timezone.now() - dt.timedelta(days=20), LOCAL_TZ).replace(
    hour=8, minute=0, second=0, microsecond=0
)


def at(hours: float, origin: dt.datetime | None = None) -> dt.datetime:
    return (origin or T0) + dt.timedelta(hours=hours)


def person(village, name: str = "张三", seq: int = 1) -> Person:
    born = dt.date(1980, 1, 1)
    body = f"350602{born:%Y%m%d}{seq:03d}"
    return Person.objects.create(
        name=name, village=village, birth_date=born, identity_number=body + check_char(body)
    )


def case(village, name: str = "张三", seq: int = 1, origin: dt.datetime | None = None) -> Person:
    """A person with a case (tracing's), reported 2 h before ``origin`` (T0)."""
    p = person(village, name, seq)
    receivers.pass_on(
        HandoffKind.CASE_REPORT,
        person=p,
        sampled_at=at(-6, origin),
        reported_at=at(-2, origin),
        source=f"care-test:{seq}",
        acting_user=ACTOR,
    )
    return p


def hospital(area, name: str = "漳州市定点医院", beds: int = 10, designated: bool = True):
    h = actions.do_create_hospital(acting_user=ACTOR, name=name, area=area, designated=designated)
    ward = actions.do_add_ward(h, acting_user=ACTOR, name="一病区", beds=beds)
    return h, ward


def admitted(
    village,
    ward,
    name: str = "张三",
    seq: int = 1,
    condition: str = "moderate",
    origin: dt.datetime | None = None,
):
    return actions.do_admit(
        case(village, name, seq, origin),
        ward,
        condition=condition,
        admitted_at=at(0, origin),
        acting_user=ACTOR,
    )


def ready_for_discharge(
    admission, *, user=ACTOR, last_test_hours: float = 96, origin: dt.datetime | None = None
) -> None:
    """Readings normal for 3 days, symptoms and imaging improved, two negatives 24 h apart
    (the last at ``last_test_hours``)."""
    o = origin
    actions.do_record_observation(admission, acting_user=user, at=at(1, o), temperature="38.5")
    for hours in (24, 48, 72, 96):
        actions.do_record_observation(
            admission, acting_user=user, at=at(hours, o), temperature="36.6"
        )
    actions.do_record_observation(
        admission, acting_user=user, at=at(96, o), respiratory="improved", imaging="improved"
    )
    for hours in (last_test_hours - 24, last_test_hours):
        actions.do_record_test(
            admission, acting_user=user, result="negative", sampled_at=at(hours, o)
        )
