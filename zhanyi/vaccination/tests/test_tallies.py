"""The coverage tallies equal the dose rows and the person index counted directly."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.utils import timezone

from zhanyi.core.models import AuditEvent
from zhanyi.people.models import Person
from zhanyi.vaccination import actions, periodic, queries
from zhanyi.vaccination.actions.tallies import today
from zhanyi.vaccination.models import CoverageDay, Dose, DoseTally, PopulationTally
from zhanyi.vaccination.rules import TOO_YOUNG, UNKNOWN_AGE, band_of, born_by

from .factories import ACTOR, days_ago, id_number, person, site, vaccines

pytestmark = pytest.mark.django_db

HEADER = "姓名,身份证号,疫苗名称,生产企业,剂次,批号,接种单位,接种时间\n"
INACTIVATED = "新冠病毒灭活疫苗(Vero细胞),北京生物"


def _csv(lines: list[str]) -> io.BytesIO:
    return io.BytesIO((HEADER + "\n".join(lines) + "\n").encode())


def _line(p: Person, dose: int, when: str, vaccine: str = INACTIVATED) -> str:
    return f"{p.name},{p.identity_number},{vaccine},{dose},B{dose},某卫生院,{when}"


def _doses_counted(day: dt.date) -> dict[tuple, tuple[int, int]]:
    """The dose tally as a plain count of the dose rows would make it."""
    doses: Counter = Counter()
    completed: Counter = Counter()
    for village, birth, number, completes in Dose.objects.values_list(
        "village_id", "birth_date", "dose_number", "completes_course"
    ):
        key = (village, band_of(birth, day), number)
        doses[key] += 1
        completed[key] += completes
    return {key: (doses[key], completed[key]) for key in doses}


def _people_counted(day: dt.date) -> dict[tuple, int]:
    live = Person.objects.filter(merged_into=None).values_list("village_id", "birth_date")
    return dict(Counter((village, band_of(birth, day)) for village, birth in live))


def _dose_tally() -> dict[tuple, tuple[int, int]]:
    rows = DoseTally.objects.values_list(
        "village_id", "age_band", "dose_number", "doses", "completed"
    )
    return {(v, b, n): (d, c) for v, b, n, d, c in rows if d}


def _population_tally() -> dict[tuple, int]:
    rows = PopulationTally.objects.values_list("village_id", "age_band", "people")
    return {(v, b): n for v, b, n in rows if n}


def _assert_tallies_are_the_rows_counted() -> dt.date:
    day = CoverageDay.objects.get().day
    assert _dose_tally() == _doses_counted(day)
    assert _population_tally() == _people_counted(day)
    return day


@pytest.fixture
def city(world):
    """People of every kind of age and place, none vaccinated yet."""
    v = vaccines()
    s = site(world.village)
    turning_18 = born_by(today() + dt.timedelta(days=1), 18)  # 18 tomorrow
    people = {
        "adult": person(world.village, "甲", seq=1),
        "elder": person(world.village2, "乙", seq=2, age=70),
        "oldest": person(world.other_village, "丙", seq=3, age=85),
        "child": person(world.village, "丁", seq=4, age=2),
        "teen": Person.objects.create(
            name="戊",
            village=world.village2,
            birth_date=turning_18,
            identity_number=id_number(turning_18, 5),
        ),
        # The index does not know her birth date (an old record without it).
        "unknown_age": Person.objects.create(
            name="己", village=world.village, identity_number=id_number(dt.date(1980, 1, 1), 6)
        ),
        "no_village": person(None, "庚", seq=7, age=40),
    }
    return v, s, people


def test_imports_and_site_doses_keep_the_tallies_equal_to_the_rows_counted(world, city):
    v, s, p = city
    first = actions.do_import_doses(
        _csv(
            [
                _line(p["adult"], 1, "2021-04-01 09:00"),
                _line(p["adult"], 2, "2021-05-01 09:00"),
                _line(p["elder"], 1, "2021-04-02 09:00"),
                _line(p["adult"], 1, "2021-04-01 09:00"),  # the same dose twice: refused
                _line(p["oldest"], 1, "2021-04-03", "重组新冠病毒疫苗(5型腺病毒载体),康希诺"),
                _line(p["unknown_age"], 1, "2021-04-04"),
                _line(p["no_village"], 1, "2021-04-05"),
            ]
        ),
        acting_user=ACTOR,
        filename="first.csv",
    )
    assert (first.stored, first.duplicates) == (6, 1)
    day = _assert_tallies_are_the_rows_counted()
    assert day == today()

    for who, number, vaccine in [("elder", 2, "bbibp"), ("child", 1, "bbibp"), ("teen", 1, "ad5")]:
        actions.do_record_dose(
            acting_user=ACTOR,
            person=p[who],
            vaccine=v[vaccine],
            dose_number=number,
            site=s,
            given_at=days_ago(1),
        )
    _assert_tallies_are_the_rows_counted()

    newcomer = id_number(dt.date(1990, 3, 4), 8)
    second = actions.do_import_doses(
        _csv(
            [
                _line(p["elder"], 2, "2021-05-02"),  # recorded at the site already
                _line(p["unknown_age"], 2, "2021-05-04"),
                _line(p["no_village"], 2, "2021-05-05"),
                f"辛,{newcomer},{INACTIVATED},1,B1,某卫生院,2021-06-01",
            ]
        ),
        acting_user=ACTOR,
        filename="second.csv",
        create_unknown=True,
    )
    assert (second.stored, second.duplicates, second.created_persons) == (3, 1, 1)
    _assert_tallies_are_the_rows_counted()
    counts = _dose_tally()
    assert counts[(world.village.pk, 2, 2)] == (1, 1)  # the adult's second dose, 18–59
    assert counts[(world.village.pk, TOO_YOUNG, 1)] == (1, 0)
    assert counts[(world.village.pk, UNKNOWN_AGE, 2)] == (1, 1)
    assert counts[(None, 2, 1)] == (2, 0)  # 庚 and the newcomer, who have no village
    assert _population_tally()[(None, 2)] == 2


def test_the_coverage_page_api_and_figures_read_the_tallies(world, city, api_for):
    v, s, p = city
    actions.do_record_dose(
        acting_user=ACTOR, person=p["adult"], vaccine=v["ad5"], dose_number=1, site=s
    )
    actions.do_record_dose(
        acting_user=ACTOR, person=p["elder"], vaccine=v["bbibp"], dose_number=1, site=s
    )
    cov = queries.coverage(world.county)
    # The county's people of the vaccinated ages: 甲, 乙, 戊, and 己 of unknown age.
    assert (cov.total.people, cov.total.first_dose, cov.total.full_course) == (4, 2, 1)
    assert [c.first_dose for _b, c in cov.by_band] == [0, 0, 1, 1, 0]
    assert cov.by_dose == [(1, 2)]
    # Coverage reads the tallies alone: a dose row written behind the actions'
    # back does not show; the recount, which reads the rows, finds it.
    Dose.objects.create(
        person=p["oldest"],
        vaccine=v["ad5"],
        dose_number=1,
        given_at=days_ago(2),
        village=world.other_village,
        birth_date=p["oldest"].birth_date,
        completes_course=True,
        source="import",
    )
    assert queries.dose_counts(world.city)["doses"] == 2
    actions.do_recount_coverage(acting_user=ACTOR)
    assert queries.dose_counts(world.city) == {"doses": 3, "first_dose": 3, "full_course": 2}
    body = api_for(world.commander).get("/api/v1/vaccination/coverage/").json()
    assert body["total"]["first_dose"] == 3 and body["day"] == today().isoformat()
    assert body["people_counted_at"]


def test_the_daily_recount_moves_birthdays_across_the_bands(world, city):
    v, s, p = city
    actions.do_record_dose(
        acting_user=ACTOR, person=p["teen"], vaccine=v["ad5"], dose_number=1, site=s
    )
    assert _dose_tally() == {(world.village2.pk, 1, 1): (1, 1)}  # 12–17 today
    assert periodic.recount(timezone.now()).startswith("counted on")  # nothing new today
    tomorrow = today() + dt.timedelta(days=1)
    actions.do_recount_coverage(acting_user=ACTOR, day=tomorrow)
    assert _dose_tally() == {(world.village2.pk, 2, 1): (1, 1)}  # 18–59 tomorrow
    assert _assert_tallies_are_the_rows_counted() == tomorrow
    assert AuditEvent.objects.filter(action="vaccination.coverage.recount").count() == 1


def test_the_periodic_job_counts_again_on_a_new_day(world, city):
    v, s, p = city
    actions.do_record_dose(
        acting_user=ACTOR, person=p["adult"], vaccine=v["ad5"], dose_number=1, site=s
    )
    CoverageDay.objects.update(day=today() - dt.timedelta(days=1))
    assert periodic.recount(timezone.now()) == f"counted again for {today()}"
    assert _assert_tallies_are_the_rows_counted() == today()


def test_coverage_before_anything_was_counted_is_empty(world, city):
    cov = queries.coverage(None)
    assert cov.day is None and cov.total.people == 0
