import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from zhanyi.core.audit import cli_actor
from zhanyi.core.models import AuditEvent
from zhanyi.handoffs.actions import (
    HandoffSpec,
    do_cancel_handoffs,
    do_close_handoff,
    do_create_handoffs,
)
from zhanyi.handoffs.models import Handoff, HandoffStatus
from zhanyi.people.models import Person


def _spec(person, area, key="tracing.contact:1:control", **extra):
    # A control hand-off: a test hand-off must carry a schedule (test_schedule.py).
    fields = {
        "key": key,
        "kind": "control",
        "person_id": person.pk,
        "area_id": area.pk,
        "from_task_force": "investigation",
        "to_task_force": "community",
        "origin": "tracing.contact:1",
        "due_at": timezone.now() + dt.timedelta(days=1),
        "detail": {},
    }
    fields.update(extra)
    return HandoffSpec(**fields)


def test_writing_the_same_handoff_twice_creates_it_once(world):
    person = Person.objects.create(name="张三", village=world.village)
    spec = _spec(person, world.village)
    assert do_create_handoffs([spec, spec], acting_user=cli_actor()) == 1
    assert do_create_handoffs([spec], acting_user=cli_actor()) == 0
    assert Handoff.objects.count() == 1
    event = AuditEvent.objects.get(action="handoff.create")
    assert event.detail["created"] == 1


def test_a_handoff_is_closed_once_and_cancelled_only_with_a_reason(world):
    person = Person.objects.create(name="张三", village=world.village)
    do_create_handoffs(
        [_spec(person, world.village), _spec(person, world.village, key="k2")],
        acting_user=cli_actor(),
    )
    first, second = Handoff.objects.order_by("key")
    do_close_handoff(second, acting_user=world.village_member, outcome="sampled")
    with pytest.raises(ValueError):
        do_close_handoff(second, acting_user=world.village_member)
    with pytest.raises(ValueError):
        do_cancel_handoffs(Handoff.objects.all(), acting_user=world.tracer, reason=" ")
    cancelled = do_cancel_handoffs(
        Handoff.objects.all(), acting_user=world.tracer, reason="released"
    )
    assert cancelled == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (HandoffStatus.CANCELLED, HandoffStatus.DONE)
    assert second.closed_by_name == "villager"


def test_an_outcome_or_reason_longer_than_its_column_is_refused_not_cut(world):
    person = Person.objects.create(name="张三", village=world.village)
    do_create_handoffs([_spec(person, world.village)], acting_user=cli_actor())
    handoff = Handoff.objects.get()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        do_close_handoff(handoff, acting_user=world.village_member, outcome="x" * 256)
    assert refused.value.message_dict == {"outcome": ["共 256 个字符，最多允许 255 个。"]}
    with pytest.raises(ValidationError) as refused:
        do_cancel_handoffs(Handoff.objects.all(), acting_user=world.tracer, reason="y" * 300)
    assert list(refused.value.message_dict) == ["reason"]
    handoff.refresh_from_db()
    assert (handoff.status, handoff.outcome) == (HandoffStatus.OPEN, "")


def test_a_spec_with_an_unknown_kind_or_a_naive_deadline_is_refused(world):
    person = Person.objects.create(name="张三", village=world.village)
    with pytest.raises(ValueError, match="kind"):
        _spec(person, world.village, kind="teleport")
    with pytest.raises(ValueError, match="aware"):
        _spec(person, world.village, due_at=dt.datetime(2021, 9, 17, 8))  # noqa: DTZ001 (the point of the test)


def test_a_handoff_closed_from_the_command_line_names_the_operator(world):
    person = Person.objects.create(name="张三", village=world.village)
    do_create_handoffs([_spec(person, world.village)], acting_user=cli_actor())
    handoff = do_close_handoff(Handoff.objects.get(), acting_user=cli_actor(), outcome="done")
    assert handoff.closed_by_name == cli_actor().name
    assert handoff.closed_by_name.startswith("cli:")
