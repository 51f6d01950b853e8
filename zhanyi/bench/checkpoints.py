"""Checkpoints (交通查验): 69 stations posting checks to the API at once, on PostgreSQL.

``zhanyi bench checkpoints`` sets up a bench county (areas under code 981000, apart
from any real city) with the article's 69 traffic checkpoints and an officer whose
token the clients use, starts ``zhanyi serve`` on 127.0.0.1 (the ordinary Django
stack: every middleware, DRF's token authentication, the action with its
transaction, its audit record and the zones' answer), and has ``--clients``
threads (bounded concurrency) post checks for ``--seconds``, each check from
one of the 69 stations in turn, each with a new client id, and one in twenty
sent a second time (a phone's queue resending: answered 200, stored once).

Figures: ``check_rps`` (checks stored per second), ``check_p95_ms`` and
``check_p50_ms`` (latency of every POST), ``errors`` (answers other than 200/201,
and no answer), ``resent`` and ``doubled`` (client ids stored twice: must be 0),
the load average. ``zone_proposal_s``: the zones app's proposal (its public action
``do_propose_from_cases``) for 300 cases in the bench county's villages, made once
through tracing's ``do_create_case``; null when the zones app is not installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import importlib.util
import json
import os
import random
import subprocess
import tempfile
import threading
import time
import uuid
from typing import TextIO

from django.db import connection
from django.db.models import Count

from zhanyi.bench.city import say
from zhanyi.core.db import dialect

COUNTY = "981000"
STATIONS = 69


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


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.created = 0
        self.repeated = 0
        self.errors = 0
        self.samples: list[str] = []

    def add(self, status: int | None, ms: float, body: bytes) -> None:
        with self.lock:
            self.latencies.append(ms)
            if status == 201:
                self.created += 1
            elif status == 200:
                self.repeated += 1
            else:
                self.errors += 1
                if len(self.samples) < 3:
                    self.samples.append(f"{status}: {body[:200]!r}")


PLATE_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _client(port, token, stations, villages, lane, tally: Tally, stop: threading.Event):
    rng = random.Random(lane)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Token {token}",
        "Accept-Language": "en",
    }
    last: bytes | None = None
    n = lane
    while not stop.is_set():
        if last is not None and rng.random() < 0.05:
            body = last  # the queue sends a check again
        else:
            body = json.dumps(
                {
                    "client_id": str(uuid.uuid4()),
                    "station": stations[n % len(stations)],
                    "plate": "闽E" + "".join(rng.choice(PLATE_CHARS) for _ in range(5)),
                    "people": rng.randint(1, 5),
                    "code_colour": rng.choices(["green", "yellow", "red"], [96, 3, 1])[0],
                    "test_age_hours": rng.choice([None, 12, 30]),
                    "origin_area": rng.choice(villages),
                    "destination": "漳州市区",
                }
            ).encode()
            last = body
        n += 1
        started = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/checkpoints/checks/", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            tally.add(response.status, (time.perf_counter() - started) * 1000, data)
        except (OSError, http.client.HTTPException) as error:
            tally.add(None, (time.perf_counter() - started) * 1000, str(error).encode())
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()


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
    from zhanyi.bench.testing.scan_load import _free_port, _wait_for
    from zhanyi.checkpoints.models import Check

    if not dialect.is_postgresql():
        raise SystemExit("bench checkpoints: runs against PostgreSQL (set DATABASE_URL)")
    stations, villages, token = set_up()
    before = Check.objects.count()
    _server_env()  # fails early without a secret key
    connection.close()
    port = options["port"] or _free_port()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - the server's log, closed below
    server = _start_server(options, port, log)
    tally = Tally()
    stop = threading.Event()
    try:
        _wait_for(port, server, timeout=300)
        # Warm up every process and thread (connections, imports), then measure.
        warm = Tally()
        warm_stop = threading.Event()
        warmers = [
            threading.Thread(
                target=_client, args=(port, token, stations, villages, 1000 + i, warm, warm_stop)
            )
            for i in range(options["clients"])
        ]
        for t in warmers:
            t.start()
        time.sleep(3)
        warm_stop.set()
        for t in warmers:
            t.join()
        if warm.errors:
            log.seek(0)
            raise SystemExit(f"bench checkpoints: refused at warm-up: {warm.samples}")
        threads = [
            threading.Thread(target=_client, args=(port, token, stations, villages, i, tally, stop))
            for i in range(options["clients"])
        ]
        load_before = os.getloadavg()
        started = time.monotonic()
        for t in threads:
            t.start()
        say(out, f"load: {len(threads)} clients, {STATIONS} stations, {options['seconds']} s")
        time.sleep(options["seconds"])
        stop.set()
        for t in threads:
            t.join(timeout=120)
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    doubled = Check.objects.values("client_id").annotate(n=Count("id")).filter(n__gt=1).count()
    stored = Check.objects.count() - before - warm.created
    latencies = sorted(tally.latencies)
    if tally.errors:
        say(out, f"errors: {tally.errors}, e.g. {tally.samples}")

    def pct(p: float) -> float | None:
        return round(latencies[int(p * (len(latencies) - 1))], 1) if latencies else None

    return {
        "bench": "checkpoints",
        "stations": STATIONS,
        "clients": options["clients"],
        "seconds": round(elapsed, 1),
        "checks_stored": stored,
        "check_rps": round(tally.created / elapsed, 1) if elapsed else 0.0,
        "requests_rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "check_p50_ms": pct(0.5),
        "check_p95_ms": pct(0.95),
        "resent": tally.repeated,
        "doubled": doubled,
        "errors": tally.errors,
        "load_average": [round(x, 2) for x in (*load_before[:1], *load_after[:1])],
        "zone_proposal_s": _zone_proposal_s(villages, out),
    }
