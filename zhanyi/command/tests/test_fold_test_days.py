"""Folding old per-day test hand-offs into test schedules (``zhanyi.command.fold``,
migration 0007, ``zhanyi handoffs fold-test-days``)."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhanyi.accounts.models import AuditEvent
from zhanyi.command import schedule
from zhanyi.command.actions import do_record_scheduled_test
from zhanyi.command.fold import fold_test_days
from zhanyi.command.models import Handoff
from zhanyi.testing.models import Sample
from zhanyi.testing.tests.factories import SYSTEM, person, scan, site

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: The close contact's test days under the 8th edition, as the old code keyed them.
CLOSE_DAYS = (("q", 1), ("q", 4), ("q", 7), ("q", 14), ("m", 2), ("m", 7))
STAGES = {"q": "quarantine", "m": "home_health_monitoring"}


def day(d: int, hour: int = 0) -> dt.datetime:
    """Day ``d`` of September 2021 in China time (past 30: into October)."""
    return dt.datetime(2021, 9, 1, hour, tzinfo=SHANGHAI) + dt.timedelta(days=d - 1)


def window(letter: str, n: int) -> tuple[dt.datetime, dt.datetime]:
    """The old code's windows: quarantine day n from 15 Sept, monitoring day n
    after 14 days of quarantine from a last exposure on 13 Sept."""
    start = day(14 + n) if letter == "q" else day(27 + n)
    return start, start + dt.timedelta(days=1)


def old_handoffs(contact: int, p, area, days=CLOSE_DAYS, kind="close") -> dict[str, Handoff]:
    """What tracing wrote for a contact before test schedules: control,
    transfer and one test hand-off per test day (details repeating the
    contact row), written straight into the table (the producer's checks
    now refuse a test hand-off without a schedule)."""
    origin = f"tracing.contact:{contact}"
    common = {
        "person": p,
        "area": area,
        "from_task_force": "investigation",
        "origin": origin,
    }
    detail = {"case": 1, "contact_kind": kind, "protocol": "edition-8"}
    rows = [
        Handoff(
            key=f"{origin}:control",
            kind="control",
            to_task_force="community",
            due_at=day(14, 11),
            detail=detail,
            **common,
        ),
        Handoff(
            key=f"{origin}:transfer",
            kind="transfer",
            to_task_force="transfer",
            due_at=day(14, 17),
            detail={**detail, "days": 14},
            **common,
        ),
    ]
    for letter, n in days:
        start, end = window(letter, n)
        rows.append(
            Handoff(
                key=f"{origin}:test:{letter}{n}",
                kind="test",
                to_task_force="testing",
                not_before=start,
                due_at=end,
                detail={**detail, "stage": STAGES[letter], "day": n},
                **common,
            )
        )
    Handoff.objects.bulk_create(rows)
    return {h.key.removeprefix(origin + ":"): h for h in Handoff.objects.filter(origin=origin)}


def sampled_the_old_way(h: Handoff, tube: str, at: dt.datetime) -> Sample:
    """A sample that closed a per-day hand-off under the old code: linked to
    it, the hand-off done with the tube in its outcome and nothing in detail."""
    # Scanned before the row is open in the table's eyes: nothing attaches it.
    Handoff.objects.filter(pk=h.pk).update(status="done")
    scan(
        tube,
        [h.person],
        site=site(h.area, f"采样点{tube}"),
        purpose="scheduled",
        pool_size=1,
        sampled_at=at,
    )
    sample = Sample.objects.get(tube__barcode=tube)
    assert sample.handoff_id is None
    sample.handoff = h
    sample.save(update_fields=["handoff"])
    Handoff.objects.filter(pk=h.pk).update(
        status="done", closed_at=at, closed_by_name="test", outcome=f"Sampled in tube {tube}"
    )
    return sample


def fold(**options):
    return fold_test_days(apps, actor_name="test", **options)


def slots(h: Handoff) -> list[tuple]:
    return [(t.stage, t.day, t.done, t.tube) for t in schedule.tests_of(h.detail)]


def snapshot() -> list[tuple]:
    return list(
        Handoff.objects.order_by("id").values_list(
            "id", "key", "status", "not_before", "due_at", "detail", "area_id", "outcome"
        )
    )


def test_a_contacts_test_days_become_one_schedule_keeping_the_test_done(world):
    p = person(world.village)
    old = old_handoffs(7, p, world.village)
    sample = sampled_the_old_way(old["test:q1"], "ZZ0001", day(15, 9))
    report = fold()
    # The sample's row is the one kept: nothing to move.
    assert (report.schedules, report.rows, report.repointed) == (1, 6, 0)
    assert report.by_status == {"open": 1}
    tests = Handoff.objects.get(person=p, kind="test")
    # The oldest per-day row became the schedule: its id and creation time.
    assert (tests.pk, tests.created_at) == (old["test:q1"].pk, old["test:q1"].created_at)
    assert tests.key == "tracing.contact:7:tests"
    assert slots(tests) == [
        ("quarantine", 1, True, "ZZ0001"),
        ("quarantine", 4, False, ""),
        ("quarantine", 7, False, ""),
        ("quarantine", 14, False, ""),
        ("home_health_monitoring", 2, False, ""),
        ("home_health_monitoring", 7, False, ""),
    ]
    assert schedule.tests_of(tests.detail)[0].sampled_at == day(15, 9)
    # The window rolls on to the first test not done; the contact row's
    # copies (case, kind, protocol) are not carried over.
    assert (tests.status, tests.not_before, tests.due_at) == ("open", day(18), day(19))
    assert set(tests.detail) == {"tests"}
    assert (tests.person_id, tests.area_id) == (p.pk, world.village.pk)
    assert tests.origin == "tracing.contact:7"
    # The sample now names the schedule; the other day rows are gone.
    sample.refresh_from_db()
    assert sample.handoff_id == tests.pk
    keys = set(Handoff.objects.filter(person=p).values_list("key", flat=True))
    assert keys == {f"tracing.contact:7:{k}" for k in ("control", "transfer", "tests")}
    event = AuditEvent.objects.get(action="handoff.fold_test_days")
    assert event.detail["schedules"] == 1 and event.actor_name == "test"


def test_the_schedule_goes_on_as_a_schedule_written_by_tracing_does(world):
    p = person(world.village)
    old_handoffs(7, p, world.village, days=(("q", 1), ("q", 4)))
    fold()
    h = Handoff.objects.get(person=p, kind="test")
    do_record_scheduled_test(h, sampled_at=day(15, 10), tube="ZZ1", acting_user=SYSTEM)
    h.refresh_from_db()
    assert (h.status, h.not_before) == ("open", day(18))
    # A scan on day 4 finds one hand-off due, and it closes.
    scan(
        "ZZ0004",
        [p],
        site=site(world.village),
        purpose="scheduled",
        pool_size=1,
        sampled_at=day(18, 9),
    )
    h.refresh_from_db()
    assert h.status == "done" and [t.tube for t in schedule.tests_of(h.detail)] == ["ZZ1", "ZZ0004"]


def test_a_released_contact_becomes_a_cancelled_schedule_with_its_done_test(world):
    p = person(world.village)
    old = old_handoffs(8, p, world.village, days=(("q", 1), ("q", 4), ("q", 7)), kind="secondary")
    sampled_the_old_way(old["test:q1"], "ZZ0002", day(15, 8))
    released = day(17, 12)
    Handoff.objects.filter(origin="tracing.contact:8", status="open").update(
        status="cancelled",
        closed_at=released,
        closed_by_name="流调员",
        outcome="contact released: 解除",
    )
    fold()
    h = Handoff.objects.get(person=p, kind="test")
    assert slots(h) == [
        ("quarantine", 1, True, "ZZ0002"),
        ("quarantine", 4, False, ""),
        ("quarantine", 7, False, ""),
    ]
    assert (h.status, h.closed_at, h.closed_by_name, h.outcome) == (
        "cancelled",
        released,
        "流调员",
        "contact released: 解除",
    )
    assert (h.not_before, h.due_at) == (day(18), day(19))


def test_a_contact_with_every_test_done_becomes_a_done_schedule(world):
    p = person(world.village)
    old = old_handoffs(9, p, world.village, days=(("q", 1), ("q", 4)))
    sampled_the_old_way(old["test:q1"], "ZZ0011", day(15, 8))
    sampled_the_old_way(old["test:q4"], "ZZ0014", day(18, 8))
    fold()
    h = Handoff.objects.get(person=p, kind="test")
    assert slots(h) == [("quarantine", 1, True, "ZZ0011"), ("quarantine", 4, True, "ZZ0014")]
    # Closed as its last test was, and its window the last test's.
    assert (h.status, h.closed_at, h.outcome) == ("done", day(18, 8), "Sampled in tube ZZ0014")
    assert (h.not_before, h.due_at) == (day(18), day(19))


def test_a_day_cancelled_while_others_are_open_is_left_out(world):
    p = person(world.village)
    old = old_handoffs(10, p, world.village, days=(("q", 1), ("q", 4), ("q", 7)))
    Handoff.objects.filter(pk=old["test:q1"].pk).update(
        status="cancelled", closed_at=day(15, 1), outcome="not needed"
    )
    fold()
    h = Handoff.objects.get(person=p, kind="test")
    assert slots(h) == [("quarantine", 4, False, ""), ("quarantine", 7, False, "")]
    assert (h.status, h.not_before, h.closed_at, h.outcome) == ("open", day(18), None, "")


def test_a_day_sampled_after_schedules_came_keeps_the_tube_its_detail_names(world):
    # Testing, running the schedule code over an old row, read it as a
    # schedule of one test and wrote the sample into its detail.
    p = person(world.village)
    old_handoffs(11, p, world.village, days=(("q", 1), ("q", 4)))
    scan(
        "ZZ0021",
        [p],
        site=site(world.village),
        purpose="scheduled",
        pool_size=1,
        sampled_at=day(15, 9),
    )
    q1 = Handoff.objects.get(key="tracing.contact:11:test:q1")
    assert q1.status == "done" and "tests" in q1.detail
    fold()
    h = Handoff.objects.get(person=p, kind="test")
    assert slots(h) == [("quarantine", 1, True, "ZZ0021"), ("quarantine", 4, False, "")]
    assert Sample.objects.get(tube__barcode="ZZ0021").handoff_id == h.pk


def schedule_row(contact: int, p, area, days=(1, 4, 7, 14), **fields) -> Handoff:
    """The ``:tests`` row tracing writes now, for quarantine ``days``."""
    tests = [schedule.ScheduledTest("quarantine", n, *window("q", n)) for n in days]
    first = schedule.current(tests)
    return Handoff.objects.create(
        key=f"tracing.contact:{contact}:tests",
        kind="test",
        person=p,
        area=area,
        from_task_force="investigation",
        to_task_force="testing",
        origin=f"tracing.contact:{contact}",
        not_before=first.not_before,
        due_at=first.due_at,
        detail=schedule.detail_of(tests),
        **fields,
    )


def test_per_day_rows_beside_a_schedule_written_again_join_that_schedule(world):
    # Tracing run again after the upgrade wrote the :tests row beside the old rows.
    p = person(world.village)
    old = old_handoffs(12, p, world.village, days=(("q", 1), ("q", 4), ("q", 7)))
    sample = sampled_the_old_way(old["test:q1"], "ZZ0031", day(15, 9))
    again = schedule_row(12, p, world.village2)
    report = fold()
    assert (report.schedules, report.merged, report.rows, report.repointed) == (1, 1, 3, 1)
    (h,) = Handoff.objects.filter(person=p, kind="test")
    assert h.pk == again.pk and h.area_id == world.village2.pk
    assert slots(h) == [
        ("quarantine", 1, True, "ZZ0031"),
        ("quarantine", 4, False, ""),
        ("quarantine", 7, False, ""),
        ("quarantine", 14, False, ""),
    ]
    assert (h.status, h.not_before) == ("open", day(18))
    sample.refresh_from_db()
    assert sample.handoff_id == h.pk


def test_nothing_else_is_touched_and_a_second_run_finds_nothing(world):
    p, q = person(world.village), person(world.village2)
    old_handoffs(13, p, world.village)
    # Not per-day rows of a contact: a screening task's one test, a schedule,
    # and a test-suite key of the old testing tests.
    one = schedule.ScheduledTest("screening", 1, None, day(15))
    for key, origin, detail, not_before in (
        ("screening.task:3:test", "screening.task:3", {"category": "push"}, None),
        ("tracing.contact:14:tests", "tracing.contact:14", schedule.detail_of([one]), None),
        ("tracing.test:99:4", "tracing.contact:9", {"day": 4}, day(17)),
    ):
        Handoff.objects.create(
            key=key,
            kind="test",
            person=q,
            area=world.village2,
            from_task_force="investigation",
            to_task_force="testing",
            origin=origin,
            not_before=not_before,
            due_at=day(18),
            detail=detail,
        )
    others = [r for r in snapshot() if not r[1].startswith("tracing.contact:13:")]
    fold()
    assert [r for r in snapshot() if not r[1].startswith("tracing.contact:13:")] == others
    after = snapshot()
    again = fold()
    assert (again.schedules, again.rows, again.repointed) == (0, 0, 0)
    assert snapshot() == after
    assert AuditEvent.objects.filter(action="handoff.fold_test_days").count() == 1


def test_batches_of_one_person_fold_as_one_batch_does(world):
    def build():
        a, b, c = (person(world.village) for _ in range(3))
        old_handoffs(21, a, world.village)
        old_handoffs(22, b, world.village, days=(("q", 1), ("q", 4)))
        # One person, two contacts (two cases): two schedules.
        old_handoffs(23, c, world.village, days=(("q", 1),))
        old_handoffs(24, c, world.village, days=(("q", 1), ("q", 7)))
        return a, b, c

    def result():
        return sorted(
            (h.key, h.status, h.not_before, h.detail["tests"])
            for h in Handoff.objects.filter(kind="test")
        )

    build()
    whole = fold(batch_size=1000)
    expected = result()
    Handoff.objects.all().delete()
    build()
    assert fold(batch_size=1) == whole
    assert result() == expected
    assert whole.schedules == 4
    assert AuditEvent.objects.filter(action="handoff.fold_test_days").count() == 4


def test_a_dry_run_changes_nothing_and_reports_what_it_would_do(world):
    p = person(world.village)
    old = old_handoffs(15, p, world.village)
    sampled_the_old_way(old["test:q1"], "ZZ0040", day(15, 9))
    sampled_the_old_way(old["test:q4"], "ZZ0041", day(18, 9))
    before = snapshot()
    report = fold(dry_run=True)
    assert (report.schedules, report.rows, report.repointed) == (1, 6, 1)
    assert report.by_status == {"open": 1}
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action="handoff.fold_test_days").exists()


def test_rows_of_one_contact_naming_two_persons_are_left_alone_and_reported(world):
    p, q = person(world.village), person(world.village)
    old = old_handoffs(16, p, world.village, days=(("q", 1), ("q", 4)))
    Handoff.objects.filter(pk=old["test:q4"].pk).update(person=q)
    before = snapshot()
    report = fold()
    assert report.schedules == 0
    assert report.skipped == [
        f"tracing.contact:16: its test hand-offs name different persons ({p.pk}, {q.pk})"
    ]
    assert snapshot() == before


def test_the_migration_folds_with_the_historical_models(world):
    p = person(world.village)
    old = old_handoffs(17, p, world.village)
    # Day 4's row is folded into day 1's: its sample moves.
    sampled_the_old_way(old["test:q1"], "ZZ0050", day(15, 9))
    sample = sampled_the_old_way(old["test:q4"], "ZZ0051", day(18, 9))
    state = MigrationExecutor(connection).loader.project_state(
        ("command", "0007_fold_per_day_test_handoffs")
    )
    report = fold_test_days(state.apps, actor_name="migration:test")
    assert (report.schedules, report.rows, report.repointed) == (1, 6, 1)
    h = Handoff.objects.get(person=p, kind="test")
    assert slots(h)[:3] == [
        ("quarantine", 1, True, "ZZ0050"),
        ("quarantine", 4, True, "ZZ0051"),
        ("quarantine", 7, False, ""),
    ]
    assert h.pk == old["test:q1"].pk
    sample.refresh_from_db()
    assert sample.handoff_id == h.pk


def test_the_command_reports_a_dry_run_and_then_folds(world, capsys):
    p = person(world.village)
    old_handoffs(18, p, world.village, days=(("q", 1), ("q", 4)))
    call_command("handoffs", "fold-test-days", "--dry-run")
    out = capsys.readouterr().out
    assert out.startswith("would fold 2 per-day test hand-off(s) into 1 schedule(s) (1 open)")
    assert Handoff.objects.filter(person=p, kind="test").count() == 2
    call_command("handoffs", "fold-test-days", "--batch-size", "10")
    out = capsys.readouterr().out
    assert out.startswith("folded 2 per-day test hand-off(s) into 1 schedule(s)")
    assert Handoff.objects.filter(person=p, kind="test").count() == 1
    with pytest.raises(Exception, match="--batch-size must be 1 or more"):
        call_command("handoffs", "fold-test-days", "--batch-size", "0")


def test_a_cancelled_schedule_stays_cancelled_with_the_per_day_rows_folded_into_it(world):
    p = person(world.village)
    old_handoffs(19, p, world.village, days=(("q", 1), ("q", 4)))
    released = day(16, 10)
    kept = schedule_row(
        19, p, world.village, status="cancelled", closed_at=released, outcome="contact released"
    )
    fold()
    (h,) = Handoff.objects.filter(person=p, kind="test")
    assert (h.pk, h.status, h.closed_at, h.outcome) == (
        kept.pk,
        "cancelled",
        released,
        "contact released",
    )
    assert [t.day for t in schedule.tests_of(h.detail)] == [1, 4, 7, 14]


def test_a_tests_key_of_another_kind_is_left_alone_and_reported(world):
    p = person(world.village)
    old_handoffs(20, p, world.village, days=(("q", 1),))
    Handoff.objects.create(
        key="tracing.contact:20:tests",
        kind="control",
        person=p,
        area=world.village,
        from_task_force="investigation",
        to_task_force="community",
        origin="tracing.contact:20",
        due_at=day(15),
    )
    before = snapshot()
    report = fold()
    assert report.skipped == [
        "tracing.contact:20: tracing.contact:20:tests is a control hand-off, not a test"
    ]
    assert snapshot() == before


def test_a_schedule_that_does_not_read_is_left_alone_naming_its_row_and_others_fold(world):
    p, q = person(world.village), person(world.village)
    old_handoffs(25, p, world.village, days=(("q", 1), ("q", 4)))
    bad = Handoff.objects.create(
        key="tracing.contact:25:tests",
        kind="test",
        person=p,
        area=world.village,
        from_task_force="investigation",
        to_task_force="testing",
        origin="tracing.contact:25",
        due_at=day(15),
        detail={"tests": [{"stage": "quarantine", "day": 1}]},
    )
    old_handoffs(26, q, world.village, days=(("q", 1), ("q", 4)))
    before = [r for r in snapshot() if r[1].startswith("tracing.contact:25:")]
    report = fold()
    assert report.skipped == [
        f"tracing.contact:25: hand-off {bad.pk} (tracing.contact:25:tests): "
        "test schedule: tests[0] has no due_at"
    ]
    assert [r for r in snapshot() if r[1].startswith("tracing.contact:25:")] == before
    # The other contact of the batch folds.
    assert report.schedules == 1
    assert Handoff.objects.filter(person=q, kind="test").get().key == "tracing.contact:26:tests"


def test_a_contact_split_over_two_batches_folds_the_first_persons_rows_and_lists_the_rest(world):
    # Batches are by person: a contact whose rows name two persons is seen
    # whole only when both fall in one batch.
    p, q = person(world.village), person(world.village)
    old = old_handoffs(27, p, world.village, days=(("q", 1), ("q", 4)))
    Handoff.objects.filter(pk=old["test:q4"].pk).update(person=q)
    report = fold(batch_size=1)
    h = Handoff.objects.get(key="tracing.contact:27:tests")
    assert (h.pk, h.person_id) == (old["test:q1"].pk, p.pk)
    assert report.skipped == [
        f"tracing.contact:27: its test hand-offs name different persons ({p.pk}, {q.pk})"
    ]
    assert Handoff.objects.get(pk=old["test:q4"].pk).person_id == q.pk


def test_the_migration_records_and_prints_the_contacts_it_leaves_alone(world, capsys):
    p, q = person(world.village), person(world.village)
    old = old_handoffs(28, p, world.village, days=(("q", 1), ("q", 4)))
    Handoff.objects.filter(pk=old["test:q4"].pk).update(person=q)
    state = MigrationExecutor(connection).loader.project_state(
        ("command", "0007_fold_per_day_test_handoffs")
    )
    migration = importlib.import_module("zhanyi.command.migrations.0007_fold_per_day_test_handoffs")
    migration.fold(state.apps, SimpleNamespace(connection=connection))
    why = f"tracing.contact:28: its test hand-offs name different persons ({p.pk}, {q.pk})"
    assert f"left alone: {why}" in capsys.readouterr().out
    # Nothing folded, and still recorded: migrate's output is gone once read.
    event = AuditEvent.objects.get(action="handoff.fold_test_days")
    assert (event.detail["schedules"], event.detail["skipped"]) == (0, [why])
