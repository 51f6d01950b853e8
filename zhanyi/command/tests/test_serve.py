"""``zhanyi serve`` in production, as a new process: static files are collected
before the app starts, so WhiteNoise serves them; the web processes, a
background worker and the scheduler run side by side, a worker that dies is
started again, and a SIGTERM stops them all.

A production start (collecting the static files, starting granian and the
background processes) costs tens of seconds of CPU, so the module starts one
server with two web processes and the tests below look at it in turn; the last
one stops it."""

import re
import socket
import subprocess
import time
import urllib.request

import psutil
import pytest

from zhanyi.core.processes_testing import CLI, production_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


class Server:
    """``zhanyi serve --processes 2 --threads 2`` on a free port, logging to a file."""

    def __init__(self, data_dir, production_migrated) -> None:
        production_migrated.copy_to(data_dir)
        self.log = (data_dir / "serve.log").open("w+")
        self.port = free_port()
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port), "--processes", "2", "--threads", "2"],
            env=production_env(data_dir),
            stdout=self.log,
            stderr=self.log,
        )
        # A production start collects the static files first; on a busy machine
        # (make test runs its halves side by side) that takes a while.
        self.deadline = time.monotonic() + 150
        while True:
            try:
                status, self.page = get(self.url("/accounts/login/"))
                assert status == 200
                return
            except OSError:
                if time.monotonic() > self.deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise
                time.sleep(0.3)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def children(self, *, recursive: bool = False) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=recursive)

    def background(self, name: str) -> list[psutil.Process]:
        """The live background processes called ``name`` (worker, scheduler)."""
        found = []
        for p in self.children():
            try:
                if name in p.cmdline():
                    found.append(p)
            except psutil.Error:  # a killed one, a zombie until the server reaps it
                continue
        return found

    def said(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory, production_migrated):
    started = Server(tmp_path_factory.mktemp("serve"), production_migrated)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait(timeout=30)


def test_a_production_start_serves_the_collected_static_files(server):
    assert b"csrfmiddlewaretoken" in server.page
    css = re.search(rb'href="(/static/zhanyi/zhanyi\.[0-9a-f]+\.css)"', server.page).group(1)
    status, body = get(server.url(css.decode()))
    assert status == 200 and b"--red" in body


def test_two_web_processes_a_worker_and_the_scheduler_run_beside_each_other(server):
    # granian starts its workers at start; on a loaded machine the second
    # may still be starting when the first answers.
    while True:
        children = server.children(recursive=True)
        web = [p for p in children if not {"worker", "scheduler"} & set(p.cmdline())]
        if len(web) == 2 or time.monotonic() > server.deadline:
            break
        time.sleep(0.5)
    assert len(web) == 2, [p.cmdline() for p in children]
    assert len(server.background("worker")) == 1
    assert len(server.background("scheduler")) == 1


def test_a_killed_background_worker_is_started_again_and_logged(server):
    """A worker that dies (here SIGKILL, as the OOM killer sends) is replaced
    after a short wait, and the server's log says so (issue 14, finding 2)."""
    (first,) = server.background("worker")
    first.kill()
    deadline = time.monotonic() + 30
    while not (again := [p for p in server.background("worker") if p.pid != first.pid]):
        assert time.monotonic() < deadline, "the worker was not started again"
        time.sleep(0.3)
    assert len(again) == 1 and again[0].is_running()
    deadline = time.monotonic() + 10
    while "starting it again in 1 s" not in (said := server.said()):
        assert time.monotonic() < deadline, said[-2000:]
        time.sleep(0.3)
    assert f"background worker 1 (pid {first.pid}) exited with code -9" in said


def test_a_sigterm_stops_the_web_processes_and_the_background_ones(server):
    """Runs last: a SIGTERM stops granian's processes, its main process, the
    background worker and the scheduler."""
    children = server.children(recursive=True)
    assert children
    server.process.terminate()
    server.process.wait(timeout=60)
    psutil.wait_procs(children, timeout=10)
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in children)


def test_a_server_of_no_processes_or_threads_is_refused_before_anything_starts():
    from django.core.management import CommandError, call_command

    for option in ("--processes", "--threads"):
        with pytest.raises(CommandError, match="--processes and --threads must be 1 or more"):
            call_command("serve", option, "0")
