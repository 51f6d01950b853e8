"""Checkpoints (交通查验): 69 stations posting checks to the API at once, on PostgreSQL.

``zhanyi bench checkpoints`` sets up a bench county (areas under code 981000, apart
from any real city) with the article's 69 traffic checkpoints and an officer whose
token the clients use, starts ``zhanyi serve`` on 127.0.0.1 with the production
settings (the ordinary Django stack: every middleware, DRF's token
authentication, the action with its audit record and the zones' answer), and
drives it with ``wrk`` (a load tool in C: Python client threads took the CPU
the server needed) holding ``--clients`` requests in flight at most for
``--seconds``. Each check comes from one of the 69 stations in turn with a new
client id and the moment it was made, as the phone page's queue sends it; one
in twenty is sent a second time (a phone's queue resending: answered 200,
stored once).

What the clients were told is checked against the database at the end: every
check answered 201 is stored once with its audit record (``unaudited``,
``doubled``: must be 0), nothing else was stored under the run's client ids.

Figures: ``check_rps`` (checks stored per second), ``requests_rps`` (with the
resent ones), ``check_p50_ms``, ``check_p95_ms`` and ``check_p99_ms`` (latency
of every POST, wrk's), ``errors`` (answers other than 200/201, and no answer),
``resent``, ``server_cpu_ms`` and ``db_cpu_ms`` (CPU per request of the
server's processes and of the database's: a figure that holds when other work
shares the machine, as requests/s does not), the load average before and
after. ``zone_proposal_s``: the zones app's proposal (its public action
``do_propose_from_cases``) for 300 cases in the bench county's villages, made
once through tracing's ``do_create_case``; null when the zones app is not
installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TextIO

from django.db import connection
from django.db.models import Count

from zhanyi.bench.city import say
from zhanyi.core.db import dialect

COUNTY = "981000"
STATIONS = 69
CHECKS_PATH = "/api/v1/checkpoints/checks/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=int, default=30, help="seconds of load")
    parser.add_argument("--clients", type=int, default=16, help="requests in flight at most")
    parser.add_argument("--server-processes", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")


def _area(code: str, name: str, level: str, kind: str, parent):
    from zhanyi.places.models import Area

    area = Area.objects.filter(code=code).first()
    if area is None:
        area = Area.objects.create(
            code=code, name=name, level=level, kind=kind, parent=parent,
            path=Area.path_for(code, parent),
        )  # fmt: skip
    return area


def set_up() -> tuple[list[int], list[str], str]:
    """The bench county, its villages, 69 stations and the officer's token."""
    from rest_framework.authtoken.models import Token

    from zhanyi.accounts.models import Role, User
    from zhanyi.checkpoints import actions
    from zhanyi.checkpoints.models import Station, StationKind
    from zhanyi.core.audit import SystemActor
    from zhanyi.places.models import AreaLevel

    actor = SystemActor("bench")
    county = _area(COUNTY, "基准县", AreaLevel.COUNTY, "county", None)
    town = _area(f"{COUNTY}001", "基准镇", AreaLevel.TOWNSHIP, "town", county)
    villages = [
        _area(f"{COUNTY}001{i:03d}", f"基准村{i}", AreaLevel.VILLAGE, "village", town)
        for i in range(1, 21)
    ]
    kinds = [k for k in StationKind.values if k != StationKind.PORT]
    stations = []
    for i in range(STATIONS):
        name = f"基准查验站{i + 1}"
        station = Station.objects.filter(area=county, name=name).first() or (
            actions.do_create_station(
                acting_user=actor, name=name, kind=kinds[i % len(kinds)], area=county
            )
        )
        stations.append(station.pk)
    user = User.objects.filter(username="bench-checkpoints").first()
    if user is None:
        user = User.objects.create(
            username="bench-checkpoints", role=Role.STAFF, jurisdiction=county
        )
    token = Token.objects.get_or_create(user=user)[0].key
    return stations, [v.code for v in villages], token


#: The load: wrk's script. Each thread (``tid``) numbers its checks; a client id
#: is the run's tag, the thread and the number, so the database can be asked
#: afterwards for exactly this run's checks.
_LUA = r"""
local counter = 0
local tid = 0
local threads = {}
local last = nil
local chars = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
local ages = {"null", "12", "30"}
created = 0
resent = 0
refused = 0
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  tid = tonumber(wrk.thread:get("tid"))
  math.randomseed(RUN * 16 + tid)
end
request = function()
  if last ~= nil and math.random() < 0.05 then
    local body = last
    last = nil
    return wrk.format("POST", PATH, HEADERS, body)
  end
  local n = counter
  counter = counter + 1
  local plate = "闽E"
  for i = 1, 5 do
    local k = math.random(1, #chars)
    plate = plate .. chars:sub(k, k)
  end
  local r = math.random(1, 100)
  local colour = "green"
  if r > 99 then colour = "red" elseif r > 96 then colour = "yellow" end
  -- As the phone's queue sends it: with the moment the check was made.
  last = string.format(
    '{"client_id":"%08x-%04x-4000-8000-%012x","station":%d,"plate":"%s","people":%d,' ..
    '"code_colour":"%s","test_age_hours":%s,"origin_area":"%s","destination":"漳州市区",' ..
    '"checked_at":"%s"}',
    RUN, tid, n, STATIONS[(n + tid * 7) % #STATIONS + 1], plate, math.random(1, 5), colour,
    ages[math.random(1, 3)], VILLAGES[math.random(1, #VILLAGES)],
    os.date("!%Y-%m-%dT%H:%M:%SZ"))
  return wrk.format("POST", PATH, HEADERS, last)
end
response = function(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 200 then resent = resent + 1
  else refused = refused + 1 end
end
done = function(summary, latency, requests)
  local c, r, x = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    r = r + t:get("resent")
    x = x + t:get("refused")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"socket_errors":%d,"slow":%d,"created":%d,"resent":%d,"refused":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write, e.timeout, c, r, x))
end
"""
_WRK_THREADS = 2


def _wrk_script(run_tag: int, token: str, stations: list[int], villages: list[str]) -> str:
    """The load's script for one run (a temporary file; the caller removes it)."""
    head = (
        f"local RUN = {run_tag}\n"
        f"local PATH = {json.dumps(CHECKS_PATH)}\n"
        f"local STATIONS = {{{','.join(str(s) for s in stations)}}}\n"
        f"local VILLAGES = {{{','.join(json.dumps(v) for v in villages)}}}\n"
        'local HEADERS = {["Content-Type"]="application/json",'
        f'["Authorization"]="Token {token}",["Accept-Language"]="en"}}\n'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as fh:
        fh.write(head + _LUA)
        return fh.name


def _wrk(wrk: str, script: str, port: int, *, threads: int, connections: int, seconds: int):
    """Run wrk once; its figures (``WRKJSON``)."""
    res = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            # A slow answer is measured, not dropped (wrk's default gives up at 2 s).
            "--timeout",
            "30s",
            "-s",
            script,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    line = next((x for x in res.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"bench checkpoints: wrk gave no figures:\n{res.stdout}\n{res.stderr}")
    return json.loads(line[len("WRKJSON ") :])


def _stored(run_tag: int) -> tuple[int, int, int]:
    """The run's checks in the database: (stored, client ids stored twice,
    stored without their audit record)."""
    from zhanyi.checkpoints.models import Check
    from zhanyi.core.models import AuditEvent

    mine = Check.objects.filter(client_id__startswith=f"{run_tag:08x}")
    ids = [str(pk) for pk in mine.values_list("id", flat=True)]
    doubled = mine.values("client_id").annotate(n=Count("id")).filter(n__gt=1).count()
    audited: set[str] = set()
    for start in range(0, len(ids), 1000):  # by the audit trail's index on the object
        audited.update(
            AuditEvent.objects.filter(
                object_id__in=ids[start : start + 1000],
                object_type="checkpoints.check",
                action="checkpoints.check.record",
            ).values_list("object_id", flat=True)
        )
    return len(ids), doubled, len(ids) - len(audited)


#: The bench's cases are reported on a day of their own, apart from any other data.
CASES_AT = dt.datetime(2020, 2, 10, 12, 0, tzinfo=dt.UTC)
CASES = 300


def _bench_cases(villages: list[str], out: TextIO) -> None:
    """300 cases in the bench county's villages (made once, through tracing's action)."""
    from zhanyi.core.audit import SystemActor
    from zhanyi.people.models import Person
    from zhanyi.places.models import Area
    from zhanyi.tracing.actions import do_create_case
    from zhanyi.tracing.models import Case

    areas = list(Area.objects.filter(code__in=villages).order_by("code"))
    made = Case.objects.filter(
        reported_at=CASES_AT, person__village__path__startswith=areas[0].parent.path
    ).count()
    if made >= CASES:
        return
    say(out, f"making {CASES - made} bench cases for the zone proposal…")
    actor = SystemActor("bench")
    for i in range(made, CASES):
        person = Person.objects.create(name=f"基准病例{i}", village=areas[i % len(areas)])
        do_create_case(
            acting_user=actor,
            person=person,
            classification="confirmed",
            sampled_at=CASES_AT - dt.timedelta(hours=10),
            reported_at=CASES_AT,
        )


def _zone_proposal_s(villages: list[str], out: TextIO) -> float | None:
    """The zones app's proposal from the 300 bench cases, through its public
    action (its earlier proposals from them withdrawn first, so it does the work)."""
    if importlib.util.find_spec("zhanyi.zones") is None:
        say(out, "zone_proposal_s: null — the zones app (zhanyi.zones) is not installed here")
        return None
    from zhanyi.core.audit import SystemActor
    from zhanyi.zones.actions import do_propose_from_cases
    from zhanyi.zones.models import Zone

    _bench_cases(villages, out)
    actor = SystemActor("bench")
    Zone.objects.filter(proposed_by_name=actor.name, source__startswith="cases:").delete()
    started = time.perf_counter()
    made = do_propose_from_cases(acting_user=actor, now=CASES_AT + dt.timedelta(hours=1), days=1)
    elapsed = time.perf_counter() - started
    say(out, f"zone proposal: {len(made.zones)} zone(s) from {CASES} cases in {elapsed:.2f} s")
    return round(elapsed, 2)


def run(options: dict, out: TextIO) -> dict:
    from zhanyi.bench.soak import _server_env, _start_server
    from zhanyi.bench.testing.scan_load import (
        _backend_pids,
        _free_port,
        _processes_cpu,
        _server_pids,
        _wait_for,
    )

    if not dialect.is_postgresql():
        raise SystemExit("bench checkpoints: runs against PostgreSQL (set DATABASE_URL)")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "bench checkpoints: the load tool wrk is not installed (`make bench-tools` installs it)"
        )
    if options["seconds"] < 1 or options["clients"] < 1:
        raise SystemExit("bench checkpoints: --seconds and --clients must be 1 or more")
    stations, villages, token = set_up()
    _server_env()  # fails early without a secret key
    connection.close()
    port = options["port"] or _free_port()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - the server's log, closed below
    server = _start_server(options, port, log, workers=0)
    tags = random.SystemRandom()
    warm_tag, run_tag = tags.randrange(1, 2**31), tags.randrange(1, 2**31)
    scripts = [_wrk_script(tag, token, stations, villages) for tag in (warm_tag, run_tag)]
    try:
        _wait_for(port, server, timeout=300)
        # Warm up every process and thread (connections, imports, prepared
        # statements) with checks of a tag of their own, then measure.
        warm = _wrk(wrk, scripts[0], port, threads=1, connections=options["clients"], seconds=3)
        if warm["refused"] or warm["socket_errors"] or not warm["created"]:
            log.seek(0)
            raise SystemExit(f"bench checkpoints: refused at warm-up: {warm}\n{log.read()[-2000:]}")
        say(
            out,
            f"load: {options['clients']} in flight, {STATIONS} stations, {options['seconds']} s",
        )
        pids = _server_pids(server), _backend_pids()
        cpu_before = [_processes_cpu(p) for p in pids]
        load_before = os.getloadavg()
        figures = _wrk(
            wrk,
            scripts[1],
            port,
            threads=min(_WRK_THREADS, options["clients"]),
            connections=options["clients"],
            seconds=options["seconds"],
        )
        load_after = os.getloadavg()
        cpu_after = [_processes_cpu(p) for p in pids]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        for script in scripts:
            Path(script).unlink(missing_ok=True)
    stored, doubled, unaudited = _stored(run_tag)
    elapsed = figures["duration_us"] / 1e6
    requests = figures["requests"]
    server_ms, db_ms = (
        round((after - before) * 1000 / requests, 2)
        if before is not None and after is not None and requests
        else None
        for before, after in zip(cpu_before, cpu_after, strict=True)
    )
    errors = figures["refused"] + figures["socket_errors"]
    say(
        out,
        f"checks: {figures['created'] / elapsed:.0f}/s stored ({stored:,} in the database, "
        f"{figures['resent']:,} resent), p50 {figures['p50_us'] / 1000:.1f} ms, "
        f"p95 {figures['p95_us'] / 1000:.1f} ms, errors {errors}; CPU per request: "
        f"server {server_ms} ms, database {db_ms} ms",
    )
    # Checks in flight when wrk stopped are stored, their answers unread: at
    # most one a connection.
    unanswered = stored - figures["created"]
    if not 0 <= unanswered <= options["clients"] or doubled or unaudited:
        say(
            out,
            f"MISMATCH: told stored {figures['created']}, stored {stored}, "
            f"doubled {doubled}, without audit {unaudited}",
        )
    return {
        "bench": "checkpoints",
        "stations": STATIONS,
        "clients": options["clients"],
        "seconds": round(elapsed, 1),
        "checks_told_stored": figures["created"],
        "checks_stored": stored,
        "stored_unanswered": unanswered,
        "check_rps": round(figures["created"] / elapsed, 1) if elapsed else 0.0,
        "requests_rps": round(requests / elapsed, 1) if elapsed else 0.0,
        "check_p50_ms": round(figures["p50_us"] / 1000, 1),
        "check_p95_ms": round(figures["p95_us"] / 1000, 1),
        "check_p99_ms": round(figures["p99_us"] / 1000, 1),
        "check_max_ms": round(figures["max_us"] / 1000, 1),
        "slow_over_30s": figures["slow"],
        "resent": figures["resent"],
        "doubled": doubled,
        "unaudited": unaudited,
        "errors": errors,
        "server_cpu_ms": server_ms,
        "db_cpu_ms": db_ms,
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        "zone_proposal_s": _zone_proposal_s(villages, out),
    }
