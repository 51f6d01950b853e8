"""``zhanyi serve`` in production, as a new process: static files are collected
before the app starts, so WhiteNoise serves them, and a background worker runs
beside the server and stops with it."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def start_server(
    tmp_path, *args: str, output=subprocess.DEVNULL
) -> tuple[subprocess.Popen, int, bytes, float]:
    """``zhanyi serve`` in production mode on a free port with ``args``, once it
    answers the log-in page: (the process, its port, the page, the start deadline)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ZHANYI_DEBUG", "ZHANYI_TESTING", "DATABASE_URL"}
    }
    env.update(ZHANYI_DATA_DIR=str(tmp_path), ZHANYI_SECRET_KEY=secrets.token_urlsafe(50))
    cli = [sys.executable, "-m", "zhanyi.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), *args],
        env=env,
        stdout=output,
        stderr=output,
    )
    # A production start collects the static files first; on a busy machine
    # (make test runs its halves side by side) that takes a while.
    deadline = time.monotonic() + 150
    while True:
        try:
            status, page = get(f"http://127.0.0.1:{port}/accounts/login/")
            assert status == 200
            return server, port, page, deadline
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.3)


def test_a_production_start_serves_the_collected_static_files(tmp_path):
    server, port, page, _deadline = start_server(tmp_path)
    try:
        css = re.search(rb'href="(/static/zhanyi/zhanyi\.[0-9a-f]+\.css)"', page).group(1)
        status, body = get(f"http://127.0.0.1:{port}{css.decode()}")
        assert status == 200 and b"--red" in body
        children = psutil.Process(server.pid).children()
        workers = [p for p in children if "worker" in p.cmdline()]
        assert len(workers) == 1
        assert len([p for p in children if "scheduler" in p.cmdline()]) == 1
        workers += [p for p in children if "scheduler" in p.cmdline()]
    finally:
        server.terminate()
        server.wait(timeout=10)
    psutil.wait_procs(workers, timeout=10)
    assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)


def test_several_server_processes_serve_and_stop_together(tmp_path):
    """``--processes 2`` runs granian with two worker processes; a SIGTERM
    stops them, granian's main process and the background worker."""
    server, _port, page, deadline = start_server(tmp_path, "--processes", "2", "--threads", "2")
    try:
        assert b"csrfmiddlewaretoken" in page
        # granian starts its workers at start; on a loaded machine the second
        # may still be starting when the first answers.
        while True:
            children = psutil.Process(server.pid).children(recursive=True)
            web = [p for p in children if not {"worker", "scheduler"} & set(p.cmdline())]
            if len(web) == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert len(web) == 2, [p.cmdline() for p in children]
    finally:
        server.terminate()
        server.wait(timeout=60)
    psutil.wait_procs(children, timeout=10)
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in children)


def _workers_of(server) -> list[psutil.Process]:
    workers = []
    for p in psutil.Process(server.pid).children():
        try:
            if "worker" in p.cmdline():
                workers.append(p)
        except psutil.Error:  # the killed one, a zombie until the server reaps it
            continue
    return workers


def test_a_killed_background_worker_is_started_again_and_logged(tmp_path):
    """A worker that dies (here SIGKILL, as the OOM killer sends) is replaced
    after a short wait, and the server's log says so (issue 14, finding 2)."""
    log = (tmp_path / "serve.log").open("w+")
    server, _port, _page, _deadline = start_server(tmp_path, "--no-scheduler", output=log)
    try:
        (first,) = _workers_of(server)
        first.kill()
        deadline = time.monotonic() + 30
        while not (again := [p for p in _workers_of(server) if p.pid != first.pid]):
            assert time.monotonic() < deadline, "the worker was not started again"
            time.sleep(0.3)
        assert len(again) == 1 and again[0].is_running()
    finally:
        server.terminate()
        server.wait(timeout=30)
    log.seek(0)
    said = log.read()
    assert f"background worker 1 (pid {first.pid}) exited with code -9" in said
    assert "starting it again in 1 s" in said


def test_a_server_of_no_processes_or_threads_is_refused_before_anything_starts():
    import pytest
    from django.core.management import CommandError, call_command

    for option in ("--processes", "--threads"):
        with pytest.raises(CommandError, match="--processes and --threads must be 1 or more"):
            call_command("serve", option, "0")
