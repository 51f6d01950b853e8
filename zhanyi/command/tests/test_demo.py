"""The demo builds a small city through the product's own actions."""

import pytest
from django.core.management import CommandError, call_command

from zhanyi.accounts.models import User
from zhanyi.command import demo
from zhanyi.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


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
