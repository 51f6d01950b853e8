"""Hand-offs from a frame: the bulk path keeps the checks and the idempotence."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from zhanyi.accounts.audit import SystemActor
from zhanyi.command.actions.handoffs import do_create_handoffs_from_frame
from zhanyi.command.models import Handoff
from zhanyi.people.models import Person

pytestmark = pytest.mark.django_db
ACTOR = SystemActor("test")
DUE = dt.datetime(2021, 9, 17, tzinfo=dt.UTC)


def frame(person, area, **changes) -> pl.DataFrame:
    row = {
        "key": "x:1:control",
        "kind": "control",
        "person_id": person.pk,
        "area_id": area.pk,
        "from_task_force": "investigation",
        "to_task_force": "community",
        "origin": "x:1",
        "not_before": None,
        "due_at": DUE,
        "detail": '{"case": 1}',
    }
    row.update(changes)
    return pl.DataFrame([row], schema_overrides={"not_before": pl.Datetime("us", "UTC")})


def test_a_frame_creates_its_hand_offs_once(world):
    p = Person.objects.create(name="甲", village=world.village)
    assert do_create_handoffs_from_frame(frame(p, world.village), acting_user=ACTOR) == 1
    assert do_create_handoffs_from_frame(frame(p, world.village), acting_user=ACTOR) == 0
    h = Handoff.objects.get()
    assert (h.status, h.due_at, h.detail, h.not_before) == ("open", DUE, {"case": 1}, None)


def test_an_unknown_kind_or_task_force_is_refused_and_nothing_written(world):
    p = Person.objects.create(name="乙", village=world.village)
    with pytest.raises(ValueError, match="kind"):
        do_create_handoffs_from_frame(frame(p, world.village, kind="party"), acting_user=ACTOR)
    with pytest.raises(ValueError, match="to_task_force"):
        do_create_handoffs_from_frame(
            frame(p, world.village, to_task_force="nobody"), acting_user=ACTOR
        )
    assert not Handoff.objects.exists()
