"""``zhanyi worker`` outlives a locked SQLite database (issue 14, finding 2).

A real worker process on a real database file: the test holds SQLite's write
lock longer than the worker's busy timeout, as a long import would. django-tasks'
own ``db_worker`` exited on the first "database is locked" from opening its
transaction; ``zhanyi worker`` logs it, waits and, once the lock is gone, runs
the next task.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

from zhanyi.core.worker import BACKOFF_MAX_S, next_backoff

CLI = [sys.executable, "-m", "zhanyi.cli"]


def _env(tmp_path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ZHANYI_TESTING", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        ZHANYI_DEBUG="1",
        ZHANYI_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ZHANYI_SQLITE_BUSY_TIMEOUT_S="0.2",
    )
    return env


def _task_statuses(path) -> list[str]:
    with sqlite3.connect(path, timeout=5) as db:
        rows = db.execute("SELECT status FROM django_tasks_database_dbtaskresult ORDER BY rowid")
        return [row[0] for row in rows]


def _enqueue(env, seconds: float) -> None:
    code = f"from zhanyi.core.tests.worker_tasks import sleep_for; sleep_for.enqueue({seconds})"
    subprocess.run([*CLI, "shell", "-c", code], env=env, check=True, timeout=60)


def _wait_for(condition, what: str, worker, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert worker.poll() is None, f"the worker exited while waiting for {what}"
        assert time.monotonic() < deadline, f"no {what} in {seconds} s"
        time.sleep(0.2)


def test_a_locked_database_does_not_end_the_worker(tmp_path, production_migrated):
    """The lock is taken while a task runs, so recording its result meets it."""
    env = _env(tmp_path)
    db_path = production_migrated.copy_to(tmp_path, "db.sqlite3")
    log = (tmp_path / "worker.log").open("w+")
    worker = subprocess.Popen(
        [*CLI, "worker", "--no-startup-delay", "--interval", "0.2", "-v", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _enqueue(env, 2)
        _wait_for(lambda: _task_statuses(db_path) == ["RUNNING"], "running task", worker)
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # a long write elsewhere holds the lock
        time.sleep(6)
        assert worker.poll() is None, "the worker exited on a locked database"
        holder.execute("ROLLBACK")
        holder.close()
        _wait_for(lambda: _task_statuses(db_path) == ["SUCCESSFUL"], "recorded result", worker)
        _enqueue(env, 0)
        _wait_for(lambda: _task_statuses(db_path) == ["SUCCESSFUL"] * 2, "next task", worker)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    log.seek(0)
    assert "database is locked" in log.read()


def test_the_wait_doubles_up_to_a_minute():
    waits = [None]
    for _ in range(10):
        waits.append(next_backoff(waits[-1]))
    assert waits[1:5] == [1.0, 2.0, 4.0, 8.0]
    assert waits[-1] == BACKOFF_MAX_S
