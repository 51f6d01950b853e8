"""The background worker (``zhanyi worker``) and the supervision that keeps one running.

django-tasks' database worker (``db_worker``) catches "database is locked" only
while claiming a task: the same error while recording a task's result (after
a long import elsewhere held SQLite's one write lock past three short retries)
ended the process, and every later upload stayed queued. ``Worker`` keeps
going: it logs the error, waits (1 s, doubling, at most a minute) and tries
again, both to record a result and to poll for the next task. Any other
error still ends the process, and ``Supervisor`` (used by ``zhanyi serve``)
starts it again, with the same backoff, and logs it.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

from django.db import OperationalError, close_old_connections
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("zhanyi.worker")

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 60.0


def next_backoff(current: float | None, *, first: float = BACKOFF_FIRST_S) -> float:
    """1 s, then twice the last wait, at most ``BACKOFF_MAX_S``."""
    return first if current is None else min(current * 2, BACKOFF_MAX_S)


class Worker(DatabaseWorker):
    """django-tasks' database worker that outlives a locked SQLite database."""

    #: Tries to record a task's result while the database is locked (about 8
    #: minutes of waits, on top of each try's busy timeout).
    PATIENCE = 12

    def __init__(self, *args, sleep: Callable[[float], None] = time.sleep, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sleep = sleep
        self.locked_waits = 0

    def _patient(self, write: Callable[..., None]) -> Callable[..., None]:
        """``write`` retried while the database is locked (at most ``PATIENCE`` times)."""

        def retrying(*args, **kwargs) -> None:
            backoff: float | None = None
            for attempt in range(1, self.PATIENCE + 1):
                try:
                    return write(*args, **kwargs)
                except OperationalError as error:
                    if not is_locked_database_exception(error) or attempt == self.PATIENCE:
                        raise
                    backoff = self._wait_for_lock(error, backoff)
            return None

        return retrying

    def _wait_for_lock(self, error: OperationalError, backoff: float | None) -> float:
        backoff = next_backoff(backoff)
        self.locked_waits += 1
        logger.warning("worker %s: %s; trying again in %.0f s", self.worker_id, error, backoff)
        close_old_connections()
        self._sleep(backoff)
        return backoff

    def run_task(self, db_task_result) -> None:
        # Recording the outcome must wait out a lock: a result lost here leaves
        # the task "running" for ever and, raised, ended the worker.
        db_task_result.set_successful = self._patient(db_task_result.set_successful)
        db_task_result.set_failed = self._patient(db_task_result.set_failed)
        super().run_task(db_task_result)

    def run(self) -> None:
        backoff: float | None = None
        while self.running:
            try:
                super().run()
                return
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                self.startup_delay = False
                backoff = self._wait_for_lock(error, backoff)


class Supervisor:
    """Child processes kept running: one that exits is started again after a wait
    that doubles while it keeps failing (reset once it has run a minute)."""

    HEALTHY_AFTER_S = 60.0

    def __init__(
        self,
        commands: Sequence[tuple[str, list[str]]],
        say: Callable[[str], None],
        *,
        poll_s: float = 0.5,
        first_backoff_s: float = BACKOFF_FIRST_S,
    ) -> None:
        self.commands = list(commands)
        self.say = say
        self.poll_s = poll_s
        self.first_backoff_s = first_backoff_s
        self.processes: list[subprocess.Popen | None] = [None] * len(self.commands)
        self.started_at = [0.0] * len(self.commands)
        self.backoff: list[float | None] = [None] * len(self.commands)
        self.due_at = [0.0] * len(self.commands)
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        for i in range(len(self.commands)):
            self._start(i)
        self._thread = threading.Thread(target=self._watch, name="zhanyi-supervisor", daemon=True)
        self._thread.start()

    def _start(self, i: int) -> None:
        self.processes[i] = subprocess.Popen(self.commands[i][1])
        self.started_at[i] = time.monotonic()

    def _watch(self) -> None:
        while not self._stopping.wait(self.poll_s):
            self.check()

    def check(self) -> None:
        """One look at every child: schedule a restart for one that exited, start
        those whose wait is over."""
        now = time.monotonic()
        for i, (name, _command) in enumerate(self.commands):
            process = self.processes[i]
            if self._stopping.is_set():
                return
            if process is not None:
                code = process.poll()
                if code is None:
                    if now - self.started_at[i] >= self.HEALTHY_AFTER_S:
                        self.backoff[i] = None
                    continue
                self.processes[i] = None
                self.backoff[i] = next_backoff(self.backoff[i], first=self.first_backoff_s)
                self.due_at[i] = now + self.backoff[i]
                message = (
                    f"{name} (pid {process.pid}) exited with code {code}; "
                    f"starting it again in {self.backoff[i]:.0f} s"
                )
                logger.error(message)
                self.say(message)
            elif now >= self.due_at[i]:
                self._start(i)
                self.restarts += 1
                logger.warning("%s started again (pid %s)", name, self.processes[i].pid)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        running = [p for p in self.processes if p is not None]
        for p in running:
            if p.poll() is None:
                p.terminate()
        for p in running:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
