"""The scheduler escalates overdue screening tasks without anyone asking."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from zhanyi.core import periodic
from zhanyi.core.models import AuditEvent, PeriodicRun
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import ScreeningTask

from .conftest import csv_bytes, row_for, write_file


def test_the_scheduler_escalates_a_task_past_its_deadline_once_per_interval(
    world, index, putian, tmp_path
):
    path = write_file(tmp_path, "list.csv", csv_bytes([row_for(world, "陈建国")]))
    do_import_push_list(putian, path, filename="list.csv", acting_user=world.tracer)
    task = ScreeningTask.objects.get()
    later = task.due_at + dt.timedelta(minutes=1)

    assert ("screening.escalate_overdue", True) in periodic.run_due(later)
    task.refresh_from_db()
    assert task.escalated_to == world.township
    run = PeriodicRun.objects.get(name="screening.escalate_overdue")
    assert run.ok and run.summary == "1 task(s) escalated" and run.finished_at
    assert AuditEvent.objects.filter(actor_name="scheduler").exists()
    # Within the interval nothing runs again, on this server or another.
    again = periodic.run_due(later + dt.timedelta(minutes=4))
    assert "screening.escalate_overdue" not in {name for name, _ok in again}
    assert ("screening.escalate_overdue", True) in periodic.run_due(later + dt.timedelta(minutes=5))


def test_scheduler_once_runs_the_due_jobs_from_the_command_line(world, capsys):
    call_command("scheduler", "--once")
    out = capsys.readouterr().out
    assert "screening.escalate_overdue: ok" in out and "people.refresh_codes: ok" in out
    call_command("scheduler", "--list")
    listed = capsys.readouterr().out
    assert "screening.escalate_overdue  every 5 min  last" in listed
    assert "0 task(s) escalated" in listed
