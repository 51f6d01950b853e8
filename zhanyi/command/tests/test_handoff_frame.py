"""Hand-offs from a frame: the bulk path keeps the checks and the idempotence."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from zhanyi.accounts.audit import SystemActor
from zhanyi.accounts.models import AuditEvent
from zhanyi.command.actions import handoffs
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


def test_a_large_batch_goes_straight_in_and_a_replay_adds_only_the_new_keys(world, monkeypatch):
    # Every batch counts as large: PostgreSQL copies it straight into the table
    # first, and on a key that exists falls back to inserting the new ones.
    monkeypatch.setattr(handoffs, "DIRECT_FROM", 1)
    p = Person.objects.create(name="丙", village=world.village)
    first = pl.concat([frame(p, world.village, key=k) for k in ("x:1:control", "x:2:control")])
    assert do_create_handoffs_from_frame(first, acting_user=ACTOR) == 2
    again = pl.concat([frame(p, world.village, key=k) for k in ("x:2:control", "x:3:control")])
    assert do_create_handoffs_from_frame(again, acting_user=ACTOR) == 1
    assert sorted(Handoff.objects.values_list("key", flat=True)) == [
        "x:1:control",
        "x:2:control",
        "x:3:control",
    ]
    event = AuditEvent.objects.filter(action="handoff.create").latest("id")
    assert event.detail == {"created": 1, "by_kind": {"control": 1}, "skipped": 1}
