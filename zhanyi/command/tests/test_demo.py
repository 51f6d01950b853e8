"""The demo builds a small city through the product's own actions."""

import pytest
from django.core.management import CommandError, call_command

from zhanyi.accounts.models import Headquarters, User
from zhanyi.command import demo, queries
from zhanyi.command.models import Directive, Report
from zhanyi.people.models import Person, SourceRecord
from zhanyi.places.models import Area, Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_it_builds_the_city_and_prints_working_logins(data_dir, client):
    lines: list[str] = []
    result = demo.build_demo(scale="1500", seed=7, say=lines.append)
    assert result.built
    synthetic = SourceRecord.objects.filter(source="synthetic")
    assert synthetic.count() == result.counts["people"] > 1000
    # The replay of September 2021 ran through each task force's actions:
    # pushed lists (some people not in the index become new persons), the
    # family of three cases with contacts, the testing rounds, the codes.
    replay = result.replay
    assert replay["screening"]["records"] > 0
    assert Person.objects.count() >= synthetic.count()
    assert replay["tracing"]["cases"] == 3
    assert replay["tracing"]["close_contacts"] > 0
    assert replay["testing"]
    assert replay["health_codes"]
    # The article's 1,422 cold-chain batches, one positive sample traced; the
    # supplies desk's days of cover with their alerts.
    assert replay["coldchain"]["imported"] == 1422 and replay["coldchain"]["traced_people"] == 5
    assert replay["supplies"]["alerts_open"] > 0
    # The twice-daily reports at their points of the story: the 20:00 report
    # of 14 September shows the pushed lists as the change since noon.
    reports = [Report.objects.get(pk=pk) for pk in replay["reports"]]
    assert [f"{r}" for r in reports][:2] == ["2021-09-14 12:00", "2021-09-14 20:00"]
    evening = reports[1].figures.get(area__level="city", name="screening.records")
    assert evening.previous_value == 0 and evening.change == evening.value > 0
    assert Area.objects.filter(level="county").count() == 16
    assert Area.objects.filter(name="福龙社区").exists()
    assert Place.objects.filter(name="万益学府花园").exists()
    zone_hq = Headquarters.objects.get(area__name="台商投资区")
    assert zone_hq.task_forces.count() == 10
    # The commander's directive of 17 Sep (due 18 Sep 20:00, never done) is
    # overdue on the story's clock; the supervision ledger lists it with the
    # late rectification of the first group's finding and the apps' late work.
    directive = Directive.objects.get(pk=replay["headquarters"]["directive"])
    assert directive.is_overdue(demo.REPLAY_CLOCK) and directive.task_force.kind == "testing"
    ledger = queries.ledger(None, now=demo.REPLAY_CLOCK)
    late = {r.item.deadline for r in ledger.open}
    assert {"command.directive", "command.rectification"} <= late

    # The phone stays are in the companion store: the command line answers.
    resident = demo.compound_resident()
    out = data_dir / "companions.csv"
    call_command(
        "companions",
        "find",
        "--case",
        str(resident.external_id),
        "--onset",
        "2021-09-14",
        "--isolated",
        "2021-09-16T22:00",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert len(out.read_text().splitlines()) > 1

    username, _role, _area, password = result.accounts[0]
    assert client.login(username=username, password=password)
    assert client.get("/").status_code == 200
    commander = next(a for a in result.accounts if a[0] == "commander")
    assert client.login(username=commander[0], password=commander[3])
    page = client.get(f"/directives/{directive.pk}/").content.decode()
    assert demo.DIRECTIVE_TITLE in page and "已超时" in page


def test_running_it_again_reuses_the_city_with_new_passwords(data_dir):
    first = demo.build_demo(scale="1500", seed=7, say=lambda s: None, replay=False)
    people = Person.objects.count()
    second = demo.build_demo(scale="1500", seed=7, say=lambda s: None, replay=False)
    assert not second.built
    assert Person.objects.count() == people
    assert {a[0] for a in first.accounts} == {a[0] for a in second.accounts}
    assert {a[3] for a in first.accounts}.isdisjoint({a[3] for a in second.accounts})


def test_it_refuses_a_database_that_is_not_a_demo(data_dir, world):
    Person.objects.create(name="真实的人", village=world.village)
    users = User.objects.count()
    with pytest.raises(demo.NotADemoDatabase):
        demo.build_demo(scale="1500", seed=7, say=lambda s: None, replay=False)
    assert Person.objects.filter(name="真实的人").exists()
    assert User.objects.count() == users


def test_the_command_builds_without_serving(data_dir, capsys):
    call_command("demo", "--scale", "1500", "--seed", "7", "--no-serve", "--no-replay")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out
    assert "The demo city is ready." in out


@pytest.mark.parametrize("scale", ["huge", "10"])
def test_a_bad_scale_is_refused_before_anything_is_written(data_dir, scale):
    with pytest.raises(CommandError, match=r"scale|people"):
        call_command("demo", "--scale", scale, "--no-serve")
    assert not (data_dir / "city").exists()
    assert not Person.objects.exists()
