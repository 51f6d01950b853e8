"""Planned hand-offs: the bulk path keeps the checks and the idempotence."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs import actions as handoffs
from zhanyi.handoffs.actions import HandoffTemplate, do_create_planned_handoffs
from zhanyi.handoffs.models import Handoff
from zhanyi.people.models import Person

pytestmark = pytest.mark.django_db
ACTOR = SystemActor("test")
DUE = dt.datetime(2021, 9, 17, tzinfo=dt.UTC)
CONTROL = HandoffTemplate(
    suffix=":control",
    kind="control",
    from_task_force="investigation",
    to_task_force="community",
    due_at=DUE,
)
TRANSFER = HandoffTemplate(
    suffix=":transfer",
    kind="transfer",
    from_task_force="investigation",
    to_task_force="transfer",
    due_at=DUE + dt.timedelta(hours=6),
    detail={"days": 14},
)


def records(*rows) -> pl.DataFrame:
    """Records of (origin, person, area, plan)."""
    return pl.DataFrame(
        [(origin, p.pk, area.pk, plan) for origin, p, area, plan in rows],
        schema={"origin": pl.String, "person_id": pl.Int64, "area_id": pl.Int64, "plan": pl.Int64},
        orient="row",
    )


def test_each_record_gets_the_hand_offs_of_its_plan_once(world):
    p, q = (Person.objects.create(name=n, village=world.village) for n in "甲乙")
    plans = {0: [CONTROL, TRANSFER], 1: [CONTROL], 2: []}
    given = records(
        ("x:1", p, world.village, 0), ("x:2", q, world.village2, 1), ("x:3", q, world.village, 2)
    )
    assert do_create_planned_handoffs(given, plans, acting_user=ACTOR) == 3
    assert do_create_planned_handoffs(given, plans, acting_user=ACTOR) == 0
    stored = {
        h.key: (h.kind, h.person_id, h.area_id, h.origin, h.status, h.due_at, h.detail)
        for h in Handoff.objects.all()
    }
    assert stored == {
        "x:1:control": ("control", p.pk, world.village.pk, "x:1", "open", DUE, {}),
        "x:1:transfer": (
            "transfer",
            p.pk,
            world.village.pk,
            "x:1",
            "open",
            TRANSFER.due_at,
            {"days": 14},
        ),
        "x:2:control": ("control", q.pk, world.village2.pk, "x:2", "open", DUE, {}),
    }
    event = AuditEvent.objects.filter(action="handoff.create").get()
    assert event.detail == {
        "created": 3,
        "by_kind": {"control": 2, "transfer": 1},
        "skipped": 0,
    }


def test_an_unknown_kind_task_force_or_plan_is_refused_and_nothing_written(world):
    p = Person.objects.create(name="丙", village=world.village)
    given = records(("x:1", p, world.village, 0))
    with pytest.raises(ValueError, match="kind"):
        do_create_planned_handoffs(
            given,
            {0: [HandoffTemplate(":party", "party", "investigation", "community", DUE)]},
            acting_user=ACTOR,
        )
    with pytest.raises(ValueError, match="task force"):
        do_create_planned_handoffs(
            given,
            {0: [HandoffTemplate(":c", "control", "investigation", "nobody", DUE)]},
            acting_user=ACTOR,
        )
    with pytest.raises(ValueError, match="no plan 0"):
        do_create_planned_handoffs(given, {1: [CONTROL]}, acting_user=ACTOR)
    with pytest.raises(ValueError, match="every record needs"):
        do_create_planned_handoffs(
            given.with_columns(area_id=pl.lit(None, pl.Int64)), {0: [CONTROL]}, acting_user=ACTOR
        )
    with pytest.raises(ValueError, match="128"):
        do_create_planned_handoffs(
            records(("x" * 125, p, world.village, 0)), {0: [CONTROL]}, acting_user=ACTOR
        )
    assert not Handoff.objects.exists()


def test_a_large_batch_goes_straight_in_and_a_replay_adds_only_the_new_keys(world, monkeypatch):
    # Every batch counts as large: PostgreSQL inserts it straight into the
    # table first, and on a key that exists falls back to inserting the new ones.
    monkeypatch.setattr(handoffs, "DIRECT_FROM", 1)
    p = Person.objects.create(name="丁", village=world.village)
    first = records(("x:1", p, world.village, 0), ("x:2", p, world.village, 0))
    assert do_create_planned_handoffs(first, {0: [CONTROL]}, acting_user=ACTOR) == 2
    again = records(("x:2", p, world.village, 0), ("x:3", p, world.village, 0))
    assert do_create_planned_handoffs(again, {0: [CONTROL]}, acting_user=ACTOR) == 1
    assert sorted(Handoff.objects.values_list("key", flat=True)) == [
        "x:1:control",
        "x:2:control",
        "x:3:control",
    ]
    event = AuditEvent.objects.filter(action="handoff.create").latest("id")
    assert event.detail == {"created": 1, "by_kind": {"control": 1}, "skipped": 1}
