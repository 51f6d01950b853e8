"""The hospital care step of the demo's replay of September 2021.

The article: the cases were sent to the designated hospital (all three of the
family moved to a Xiamen hospital on the 17th) and, in time, discharged. The
replay: the city's designated hospital (two wards) and the Xiamen hospital
that took them; each case admitted two hours after its report, transferred to
Xiamen on the evening of the 17th, daily ward rounds (a fever the first two
days, then normal; symptoms and lung imaging clearly better from the 24th) and
daily throat swabs (positive until the 22nd, then negative); the first two
cases discharged on the 27th under the protocol's criteria, their monitoring
check-ins on the following days; the third case positive again on the 28th
and still in hospital. The cases come from tracing, through the headquarters'
replay (``zhanyi.command.demo``): this module names no other task force.
Idempotent: a case already admitted is left as it is."""

from __future__ import annotations

import datetime as dt

from zhanyi.care import actions
from zhanyi.care.models import Admission, Hospital, Ward
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.people.models import Person
from zhanyi.places.models import Area, AreaLevel

ZHANGZHOU = "漳州市新冠肺炎定点医院"
XIAMEN = "厦门市新冠肺炎定点医院（异地集中救治）"
TRANSFER_AT = dt.datetime(2021, 9, 17, 20, 0, tzinfo=LOCAL_TZ)
DISCHARGE_AT = dt.datetime(2021, 9, 27, 10, 0, tzinfo=LOCAL_TZ)
LAST_DAY = 29  # the last ward round and swab; the story's clock stops on the 30th


def day(d: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2021, 9, d, hour, 0, tzinfo=LOCAL_TZ)


def _ward(acting_user, name: str, city: Area, wards: list[tuple[str, int]]) -> list[Ward]:
    hospital = Hospital.objects.filter(name=name).first()
    if hospital is None:
        hospital = actions.do_create_hospital(acting_user=acting_user, name=name, area=city)
    made = []
    for ward_name, beds in wards:
        ward = hospital.wards.filter(name=ward_name).first()
        made.append(
            ward
            or actions.do_add_ward(hospital, acting_user=acting_user, name=ward_name, beds=beds)
        )
    return made


def _course(admission: Admission, *, acting_user, n: int, admitted_at: dt.datetime) -> None:
    """Ward rounds and swabs from the day after admission to the 29th."""
    first = admitted_at.astimezone(LOCAL_TZ).day + 1
    for d in range(first, LAST_DAY + 1):
        fever = d < first + 2
        actions.do_record_observation(
            admission,
            acting_user=acting_user,
            at=day(d),
            temperature=f"{38.1 + 0.2 * n:.1f}" if fever else f"{36.5 + 0.1 * ((d + n) % 4):.1f}",
            respiratory="improved" if d >= 24 else "unchanged",
            imaging="improved" if d >= 24 else "unchanged",
        )
        positive = d <= 22 or (n == 2 and d == 28)
        actions.do_record_test(
            admission,
            acting_user=acting_user,
            result="positive" if positive else "negative",
            sample="oropharyngeal",
            sampled_at=day(d, 7),
            ct_orf1ab=f"{24 + d - 17:.1f}" if positive else "",
            ct_n=f"{23 + d - 17:.1f}" if positive else "",
        )


def replay_care(*, acting_user, cases: list[tuple[Person, dt.datetime]]) -> dict:
    """Admit, treat, transfer and (for two of them) discharge the story's cases,
    given as (person, reported at) in the order they were reported."""
    city = Area.objects.filter(level=AreaLevel.CITY).order_by("pk").first()
    if city is None:
        return {"admitted": 0, "discharged": 0}
    first_ward, _icu = _ward(acting_user, ZHANGZHOU, city, [("一病区", 40), ("重症监护病区", 12)])
    xiamen_ward, *_rest = _ward(acting_user, XIAMEN, city, [("感染一病区", 60)])
    admitted = discharged = 0
    for n, (person, reported_at) in enumerate(cases):
        if Admission.objects.filter(person=person).exists():
            continue
        admitted_at = reported_at + dt.timedelta(hours=2)
        admission = actions.do_admit(
            person,
            first_ward,
            condition="moderate" if n == 0 else "mild",
            admitted_at=admitted_at,
            acting_user=acting_user,
        )
        admitted += 1
        actions.do_transfer(
            admission,
            xiamen_ward,
            acting_user=acting_user,
            reason="按省统一部署转至厦门定点医院集中救治",
            at=max(TRANSFER_AT, admitted_at + dt.timedelta(hours=1)),
        )
        if n == 0:
            actions.do_record_condition(
                admission, "mild", acting_user=acting_user, at=day(23, 9), note="肺部渗出吸收"
            )
        _course(admission, acting_user=acting_user, n=n, admitted_at=admitted_at)
        if n < 2:
            admission = actions.do_discharge(admission, acting_user=acting_user, at=DISCHARGE_AT)
            discharged += 1
            for d in (28, 29, 30):
                actions.do_check_in(
                    admission, acting_user=acting_user, temperature="36.6", at=day(d, 9)
                )
    return {"admitted": admitted, "discharged": discharged}
