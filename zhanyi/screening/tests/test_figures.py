"""Figures counted once per person, by source and by area; health-code facts."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhanyi.core.metrics import compute
from zhanyi.screening.actions import do_import_push_list, do_record_outcome
from zhanyi.screening.health_facts import facts
from zhanyi.screening.metrics import breakdown
from zhanyi.screening.models import PushSource, ScreeningTask

from .conftest import csv_bytes, row_for, write_file


def figures(area=None) -> dict:
    names = [
        "screening.records",
        "screening.people",
        "screening.found_in_city",
        "screening.not_in_city",
        "screening.not_found",
        "screening.open",
        "screening.overdue",
        "screening.median_to_close",
    ]
    return {f["name"].split(".")[1]: f["value"] for f in compute(names, area=area)}


def test_a_person_pushed_by_two_sources_is_counted_once(world, index, putian, tmp_path):
    xiamen = PushSource.objects.create(name="厦门市协查", origin_city="厦门市")
    a = write_file(tmp_path, "a.csv", csv_bytes([row_for(world, "陈建国"), row_for(world, "王芳")]))
    b = write_file(tmp_path, "b.csv", csv_bytes([row_for(world, "陈建国", category="时空伴随")]))
    do_import_push_list(putian, a, filename="a.csv", acting_user=world.commander)
    do_import_push_list(xiamen, b, filename="b.csv", acting_user=world.commander)
    tasks = {t.person.name: t for t in ScreeningTask.objects.select_related("person")}
    do_record_outcome(
        tasks["陈建国"],
        acting_user=world.commander,
        outcome="found_in_city",
        found_where="home",
        measure="home_quarantine",
    )
    now = figures()
    assert now.pop("median_to_close") >= 0
    assert now == {
        "records": 3,
        "people": 2,
        "found_in_city": 1,
        "not_in_city": 0,
        "not_found": 0,
        "open": 1,
        "overdue": 0,
    }
    county = figures(world.county)
    assert (county["records"], county["people"], county["found_in_city"]) == (2, 1, 1)
    by_source = {r["label"]: r for r in breakdown(None, "source")}
    assert by_source["莆田市协查"]["people"] == 2 and by_source["厦门市协查"]["people"] == 1
    by_area = {r["label"]: r for r in breakdown(world.city, "area")}
    assert by_area["芗城区"]["found_in_city"] == 1 and by_area["龙海区"]["open"] == 1


def test_a_pushed_close_contact_and_an_arrival_are_health_code_facts(
    world, index, putian, tmp_path
):
    from zhanyi.people.models.health_codes import HealthCode

    recent = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    rows = [
        row_for(world, "陈建国", exposure=recent),
        row_for(world, "林秀英", category="中高风险地区来返人员", exposure=""),
    ]
    path = write_file(tmp_path, "a.csv", csv_bytes(rows))
    do_import_push_list(putian, path, filename="a.csv", acting_user=world.commander)
    chen, lin = index["陈建国"].pk, index["林秀英"].pk
    got = facts([chen, lin], timezone.now())
    assert [c.kind for c in got[chen]["contacts"]] == ["close"]
    assert got[chen]["contacts"][0].source.startswith("screening.push_record:")
    assert [a.risk_level for a in got[lin]["arrivals"]] == ["medium"]
    assert HealthCode.objects.get(person_id=chen).colour != "green"


def test_each_breakdown_row_equals_the_figures_of_its_group(world, index, putian, tmp_path):
    from zhanyi.screening.metrics import _records, _tasks, figures_of

    xiamen = PushSource.objects.create(name="厦门市协查", origin_city="厦门市")
    rows = [row_for(world, n) for n in ("陈建国", "吴丽华", "王芳", "李明")]
    a = write_file(tmp_path, "a.csv", csv_bytes(rows))
    b = write_file(tmp_path, "b.csv", csv_bytes([row_for(world, "陈建国", category="时空伴随")]))
    do_import_push_list(putian, a, filename="a.csv", acting_user=world.commander)
    do_import_push_list(xiamen, b, filename="b.csv", acting_user=world.commander)
    tasks = {t.person.name: t for t in ScreeningTask.objects.select_related("person")}
    do_record_outcome(tasks["王芳"], acting_user=world.commander, outcome="not_found")
    for row in breakdown(world.city, "area"):
        child = world.city.children.get(code=row["key"])
        assert {k: v for k, v in row.items() if k not in ("key", "label")} == figures_of(
            _records(child), _tasks(child)
        )
    for row in breakdown(None, "source"):
        source = PushSource.objects.get(pk=row["key"])
        expected = figures_of(
            _records(None).filter(source=source),
            _tasks(None).filter(records__source=source).distinct(),
        )
        assert {k: v for k, v in row.items() if k not in ("key", "label")} == expected
