"""The scan API under load: ``zhanyi serve`` driven by ``wrk``, whole tubes per request."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

import psutil
from django.db import connection

from zhanyi.bench.city import say
from zhanyi.core.db import dialect

from .preparation import ACTOR, bench_user, sites_and_labs

_LUA = r"""
local counter = 0
local tid = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  tid = tonumber(wrk.thread:get("tid"))
end
request = function()
  local n = counter * THREADS + tid
  counter = counter + 1
  local base = FIRST + n * K
  local codes = {}
  for j = 0, K - 1 do
    local idx = (base + j) % COUNT
    codes[#codes + 1] = '"P' .. (IDS_BASE + idx) .. '"'
  end
  local body = '{"tube":"' .. PREFIX .. n .. '","site":' .. SITE .. ',"round":' .. ROUND ..
    ',"codes":[' .. table.concat(codes, ",") .. ']}'
  return wrk.format("POST", "/api/v1/testing/scans/", HEADERS, body)
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,' ..
    '"p99_us":%d,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors, summary.errors.status))
end
"""


def _processes_cpu(pids: list[int]) -> float | None:
    """User and system CPU seconds of these processes so far (None: not readable)."""
    total = 0.0
    try:
        for pid in pids:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return total


def _server_pids(server) -> list[int]:
    root = psutil.Process(server.pid)
    return [root.pid, *(c.pid for c in root.children(recursive=True))]


def _backend_pids() -> list[int]:
    """The database server processes serving the app (PostgreSQL on this machine)."""
    if not dialect.is_postgresql():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start in time")


def scan_load(options: dict, people_ids, village_list, out: TextIO) -> dict:
    """Drive the scan API of a server of its own with ``wrk`` and return the figures."""
    from rest_framework.authtoken.models import Token

    from zhanyi.places.models import Area
    from zhanyi.testing import actions

    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "bench testing: the load tool wrk is not installed (`make bench-tools` installs it)"
        )
    city = Area.objects.get(code=options["city"])
    user = bench_user(city)
    token = Token.objects.get(user=user).key
    # The people of one village scan at its site in a round of their own.
    # Walk-ins are accepted: people of the whole city scan at one village's site.
    village = village_list[0]
    ids = sorted(pid for pid, _vid in people_ids)
    if ids[-1] - ids[0] + 1 != len(ids):
        say(out, "  note: person ids have gaps; some scans will be refused as unknown")
    sites, _labs = sites_and_labs(village_list)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    r = actions.do_create_round(
        acting_user=ACTOR,
        name=f"基准扫码 {int(time.time())}",
        kind="key_groups",
        scope_areas=[village],
        starts_at=start,
        ends_at=start + dt.timedelta(days=1),
        pool_size=options["pool_size"],
    )
    port = options["port"] or _free_port()
    server = _start_server(options, port)
    try:
        _wait_for(port, server)

        def script_for(prefix: str, first: int) -> str:
            return _wrk_script(
                prefix,
                first,
                k=options["pool_size"],
                ids=ids,
                site=sites[village.pk],
                round_id=r.pk,
                token=token,
            )

        figures, cpu = _measure(wrk, options, port, server, script_for, r.pk)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    return _scan_figures(options, r, figures, cpu, out)


_WRK_THREADS = 2


def _start_server(options: dict, port: int) -> subprocess.Popen:
    """``zhanyi serve`` on 127.0.0.1:``port`` with the bench's processes and threads."""
    env = dict(os.environ)
    env.setdefault("ZHANYI_DEBUG", "0")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zhanyi.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--processes",
            str(options["server_processes"]),
            "--threads",
            str(options["server_threads"]),
            "--workers",
            "0",
            "--no-scheduler",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wrk_script(
    prefix: str, first: int, *, k: int, ids: list[int], site: int, round_id: int, token: str
) -> str:
    """A ``wrk`` script (a temporary file) posting tubes ``prefix``N of ``k``
    persons each, from the ``first``-th tube on."""
    lua = (
        _LUA.replace("THREADS", str(_WRK_THREADS))
        .replace("FIRST", str(first))
        .replace("K - 1", str(k - 1))
        .replace("* K", f"* {k}")
        .replace("COUNT", str(len(ids)))
        .replace("IDS_BASE", str(ids[0]))
        .replace("PREFIX", json.dumps(prefix))
        .replace("SITE", str(site))
        .replace("ROUND", str(round_id))
        .replace(
            "HEADERS",
            '{["Content-Type"]="application/json",["Authorization"]="Token ' + token + '"}',
        )
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
        return fh.name


def _measure(wrk: str, options: dict, port: int, server, script_for, round_id: int):
    """Warm the server up, then run the measured load: ``wrk``'s figures, and
    the CPU seconds (before, after) of the server's and the database's processes."""
    # Warm up the server's threads and connections (other tubes, other
    # people: the measured run starts past them), then measure.
    warm = script_for(f"W{round_id}-", 0)
    subprocess.run(
        [wrk, "-t1", "-c4", "-d2s", "-s", warm, f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        check=False,
    )
    Path(warm).unlink(missing_ok=True)
    script = script_for(f"S{round_id}-", 200_000)
    # CPU per request, of the server and of the database: a figure that
    # holds when other work shares the machine, as requests/s does not.
    server_pids, backend_pids = _server_pids(server), _backend_pids()
    cpu_before = (_processes_cpu(server_pids), _processes_cpu(backend_pids))
    res = subprocess.run(
        [
            wrk,
            f"-t{_WRK_THREADS}",
            f"-c{options['connections']}",
            f"-d{options['duration']}s",
            "--latency",
            "-s",
            script,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    cpu_after = (_processes_cpu(server_pids), _processes_cpu(backend_pids))
    Path(script).unlink(missing_ok=True)
    line = next((x for x in res.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"bench testing: wrk gave no figures:\n{res.stdout}\n{res.stderr}")
    return json.loads(line[len("WRKJSON ") :]), (
        cpu_before,
        cpu_after,
        (server_pids, backend_pids),
    )


def _scan_figures(options: dict, round_, figures: dict, cpu, out: TextIO) -> dict:
    """Requests per second, latencies and CPU per request, printed and returned."""
    from zhanyi.testing.models import Sample

    cpu_before, cpu_after, pids_of = cpu
    stored = Sample.objects.filter(round=round_).count()
    rps = figures["requests"] / (figures["duration_us"] / 1e6)
    server_ms, db_ms = (
        round((after - before) * 1000 / figures["requests"], 2)
        if before is not None and after is not None and figures["requests"] and (pids)
        else None
        for before, after, pids in zip(cpu_before, cpu_after, pids_of, strict=True)
    )
    say(
        out,
        f"scan API: {rps:.0f} requests/s ({stored:,} samples stored), "
        f"p50 {figures['p50_us'] / 1000:.1f} ms, p95 {figures['p95_us'] / 1000:.1f} ms, "
        f"p99 {figures['p99_us'] / 1000:.1f} ms, errors {figures['errors']}; "
        f"CPU per request: server {server_ms} ms, database {db_ms} ms",
    )
    return {
        "scan_rps": round(rps, 1),
        "scan_p95_ms": round(figures["p95_us"] / 1000, 2),
        "scan_p50_ms": round(figures["p50_us"] / 1000, 2),
        "scan_p99_ms": round(figures["p99_us"] / 1000, 2),
        "scan_errors": figures["errors"],
        "scan_server_cpu_ms": server_ms,
        "scan_db_cpu_ms": db_ms,
        "scan_samples_stored": stored,
        "scan_connections": options["connections"],
        "scan_scans_per_request": options["pool_size"],
    }
