"""The demo replay: push lists from the three cities on the loaded city."""

from __future__ import annotations

from zhanyi.screening.demo import (
    RECEIVED_AT,
    WORKED_AFTER,
    WORKED_LATE,
    demo_records,
    replay_push_lists,
)
from zhanyi.screening.models import PushList, PushRecord, PushSource, ScreeningTask


def test_the_replay_imports_three_cities_lists_and_works_most_tasks(world, index):
    summary = replay_push_lists(acting_user=world.commander, seed=7, records=40, say=lambda s: None)
    assert set(PushSource.objects.values_list("name", flat=True)) == {
        "莆田市协查",
        "厦门市协查",
        "泉州市协查",
    }
    assert summary["records"] == 40
    assert PushList.objects.count() == 3
    assert set(PushList.objects.values_list("encoding", flat=True)) == {"", "gbk", "utf-8"}
    assert PushRecord.objects.count() == summary["stored"]
    assert summary["closed"] > 0
    closed = ScreeningTask.objects.filter(status="closed")
    assert closed.count() == summary["closed"]
    assert set(closed.values_list("outcome", flat=True)) <= {"found_in_city", "not_in_city"}


def test_the_replay_keeps_the_storys_dates_and_closes_within_two_hours(world, index):
    """The article: found within two hours; a few late, a very few not yet."""
    replay_push_lists(acting_user=world.commander, seed=7, records=200, say=lambda s: None)
    assert set(PushList.objects.values_list("received_at", flat=True)) == set(RECEIVED_AT.values())
    tasks = list(ScreeningTask.objects.all())
    on_time = late = 0
    for task in tasks:
        if task.status != "closed":
            continue
        assert task.received_at in RECEIVED_AT.values()
        if task.closed_at == task.received_at + WORKED_AFTER:
            assert task.closed_at <= task.due_at
            on_time += 1
        else:
            assert task.closed_at == task.received_at + WORKED_LATE > task.due_at
            late += 1
    still_open = len(tasks) - on_time - late
    assert on_time >= 0.9 * len(tasks) and late + still_open <= 0.1 * len(tasks)


def test_the_replay_of_the_same_seed_adds_nothing(world, index):
    replay_push_lists(acting_user=world.commander, seed=7, records=40, say=lambda s: None)
    records = PushRecord.objects.count()
    replay_push_lists(acting_user=world.commander, seed=7, records=40, say=lambda s: None)
    assert PushRecord.objects.count() == records


def test_the_demo_scale_follows_the_article():
    assert demo_records(5_050_000) == 163_000
    assert demo_records(20_000) == 646
