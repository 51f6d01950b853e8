from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhanyi.core import metrics
from zhanyi.vaccination import actions
from zhanyi.vaccination.models import Dose

from .factories import ACTOR, days_ago, person, site, vaccines

pytestmark = pytest.mark.django_db


def _course(world):
    v = vaccines()
    s = site(world.village)
    a = person(world.village, "甲", seq=1)
    b = person(world.other_village, "乙", seq=2)
    actions.do_record_dose(
        acting_user=ACTOR,
        person=a,
        vaccine=v["bbibp"],
        dose_number=1,
        site=s,
        given_at=days_ago(40),
    )
    actions.do_record_dose(acting_user=ACTOR, person=a, vaccine=v["bbibp"], dose_number=2, site=s)
    actions.do_record_dose(acting_user=ACTOR, person=b, vaccine=v["ad5"], dose_number=1, site=s)
    return s, a, b


def test_the_figures_count_the_doses_of_the_area(world):
    _course(world)
    county = metrics.compute(
        ["vaccination.doses", "vaccination.first_dose", "vaccination.fully_vaccinated"],
        world.county,
    )
    assert [f["value"] for f in county] == [2, 1, 1]
    city = metrics.compute(["vaccination.doses", "vaccination.full_course_coverage"], world.city)
    assert [f["value"] for f in city] == [3, 100.0]


def test_the_command_line_records_imports_and_shows_coverage(world, tmp_path):
    s, a, _b = _course(world)
    c = person(world.village, "丙", seq=3)
    out = io.StringIO()
    call_command("vaccination", "record", str(c.pk), "ad5", "1", "--site", str(s.pk), stdout=out)
    assert f"dose 1 of ad5 for {c.pk}" in out.getvalue()
    with pytest.raises(CommandError, match="丙 already has dose 1"):
        call_command("vaccination", "record", str(c.pk), "ad5", "1", "--site", str(s.pk))
    export = tmp_path / "export.csv"
    export.write_text(
        f"身份证号,生产企业,剂次,接种时间\n{a.identity_number},北京生物,1,2021-05-01\n"
    )
    out = io.StringIO()
    call_command("vaccination", "import", str(export), "--json", stdout=out)
    assert json.loads(out.getvalue())["duplicates"] == 1

    def county_total() -> tuple[int, int, int]:
        out = io.StringIO()
        call_command("vaccination", "coverage", "--area", world.county.code, "--json", stdout=out)
        total = next(r for r in json.loads(out.getvalue()) if r["by"] == "total")
        return total["people"], total["first_dose"], total["full_course"]

    # 丙 joined the person index after the people were counted (at the first
    # dose): the doses count at once, the people at the day's recount.
    assert county_total() == (1, 2, 2)
    out = io.StringIO()
    call_command("vaccination", "recount", stdout=out)
    assert "coverage counted with ages on" in out.getvalue()
    assert county_total() == (2, 2, 2)
    assert Dose.objects.count() == 4
