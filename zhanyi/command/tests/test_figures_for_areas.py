"""The report computes a figure with a form for many areas once for all its
areas (``metrics.for_areas``, ``metrics.tally``): each area's value is the
figure's own for that area. The demo's replayed city is checked the same way
(``test_demo_replay``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhanyi.command.actions.reports import _compute_figures, report_areas
from zhanyi.core import metrics
from zhanyi.people.models import HealthCode, Person
from zhanyi.tracing.tests.factories import case

from .figures_parity import differences

pytestmark = pytest.mark.django_db


def _some_of_everything(world) -> None:
    for village, people in ((world.village, 3), (world.village2, 1), (world.other_village, 2)):
        for n in range(people):
            Person.objects.create(name=f"居民{n}", village=village)
    Person.objects.create(name="无村", village=None)
    someone = Person.objects.filter(village=world.village).first()
    now = timezone.now()
    HealthCode.objects.create(
        person=someone, colour="red", rule="test", reason="test", changed_at=now, decided_at=now
    )
    case(world.village, day=14)
    case(world.other_village, day=15)


def test_each_figure_for_many_areas_is_each_areas_own(world):
    _some_of_everything(world)
    assert {"people.persons", "command.overdue_items", "care.in_hospital"} <= {
        f.name for f in metrics.registered() if f.many
    }
    assert differences() == []


def test_the_report_stores_each_areas_own_figures(world):
    _some_of_everything(world)
    stored = {(area.pk, name): value for area, name, *_rest, value in _compute_figures()}
    for area in report_areas():
        for figure in metrics.compute(area=area):
            assert stored[(area.pk, figure["name"])] == float(figure["value"]), figure["name"]


def test_the_supervision_figures_for_many_areas_with_every_app_late(world):
    """The ledger's counts for many areas (open items counted in SQL where a
    deadline gives its rows) against each area's ledger, one late item of
    every deadline, and screening tasks and tubes open and closed late in
    the other county."""
    from zhanyi.screening.models import ScreeningTask

    from .test_supervision import _every_app_late

    _every_app_late(world)
    now = timezone.now()
    person = Person.objects.create(name="赵六", village=world.other_village)
    for hours_late, status in ((3, "open"), (2, "closed"), (5, "closed")):
        ScreeningTask.objects.create(
            person=person,
            area=world.other_village,
            category="close",
            status=status,
            received_at=now - dt.timedelta(hours=hours_late + 4),
            due_at=now - dt.timedelta(hours=hours_late + 2),
            closed_at=None if status == "open" else now - dt.timedelta(hours=1),
        )
    from zhanyi.testing.models import Tube
    from zhanyi.testing.tests.factories import site

    where = site(world.other_village, name="石码采样点")
    for barcode, purpose, sampled, reported in (
        ("LATE-R", "round", 20, 1),  # a routine tube reported 7 h past its 12 h
        ("LATE-K", "scheduled", 8, None),  # a contact's tube open past its 6 h
    ):
        Tube.objects.create(
            barcode=barcode,
            site=where,
            area=world.other_village,
            pool_size=1,
            purpose=purpose,
            opened_at=now - dt.timedelta(hours=sampled),
            sampled_at=now - dt.timedelta(hours=sampled),
            reported_at=None if reported is None else now - dt.timedelta(hours=reported),
        )
    ledger = {f.name for f in metrics.registered() if f.name.startswith("command.")}
    assert {"command.overdue_items", "command.median_hours_late_to_close"} <= ledger
    assert metrics.get("command.median_hours_late_to_close").fn(world.other_county) > 0
    assert differences() == []
