"""Soak: a bounded mixed load with faults on ``zhanyi serve``, against PostgreSQL.

For ``--seconds`` (default 180) client threads on 127.0.0.1 record field
outcomes of screening tasks, scan tubes, view pages (signed in with a session)
and read the figures and a round's report, while a push list is imported in the
background. While the import is reading or storing, the background worker
running it is killed (SIGKILL, as the OOM killer sends): ``serve`` starts it
again, the abandoned job ends failed, and the client posts the list again. With
``--drop-connections`` every connection of the database is cut
(``pg_terminate_backend``; the server is never restarted, other work shares
it) at two thirds of the time.

Every write the clients were told succeeded is compared with what the database
holds at the end: ``lost_writes`` (told stored, not there) and
``doubled_writes`` (there twice). A write whose answer was lost (a cut
connection) is sent again; the second answer ("already scanned", "closed
already") counts it as stored. The last line is one JSON object: ``bench``,
``requests``, ``rps``, ``p95_ms``, ``errors`` (5xx answers and requests that got
no answer), ``lost_writes``, ``doubled_writes``, ``worker_restarts``, and more.

The soak needs a database of its own or one it set up before (its areas are
under code 980000, apart from any real city).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO
from urllib.parse import quote, urlencode

import psutil
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count

from zhanyi.bench.city import say
from zhanyi.core.db import dialect

CITY = "980000"
# How long the import may run on once the load has stopped.
IMPORT_GRACE_S = 300


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=int, default=180, help="seconds of load")
    parser.add_argument("--clients", type=int, default=4, help="client threads of each kind")
    parser.add_argument("--tasks", type=int, default=3000, help="screening tasks to close")
    parser.add_argument("--people", type=int, default=3000, help="persons to scan, per round")
    parser.add_argument("--rounds", type=int, default=20, help="rounds the scans go through")
    parser.add_argument("--import-rows", type=int, default=20000, help="rows of the push list")
    parser.add_argument("--server-processes", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--drop-connections", action="store_true")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")


# --- the clients' view ---------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients did and were told, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    no_answer: int = 0
    scans: dict[str, set[int]] = field(default_factory=dict)  # tube → persons told stored
    outcomes: set[int] = field(default_factory=set)  # tasks told closed
    imports: list[int] = field(default_factory=list)  # push lists told stored
    import_failures: int = 0
    worker_restarts: int = 0

    def answered(self, status: int, ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            self.statuses[status] += 1


class Client:
    """One keep-alive HTTP connection to the server; ``call`` never raises for
    a cut connection: it answers (None, None) and connects again next time."""

    def __init__(self, port: int, tally: Tally, token: str = "") -> None:
        self.port, self.tally, self.token = port, tally, token
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: bytes | None = None, headers=None):
        # English answers: a resent outcome is recognised by "closed already".
        headers = {"Accept-Language": "en", **(headers or {})}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            with self.tally.lock:
                self.tally.no_answer += 1
            return None, None
        self.tally.answered(response.status, (time.perf_counter() - started) * 1000)
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _eq, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def json(self, method: str, path: str, payload: dict):
        return self.call(
            method, path, json.dumps(payload).encode(), {"Content-Type": "application/json"}
        )

    def sign_in(self, username: str, password: str, code: Callable[[], str] | None = None) -> str:
        """Sign in through the log-in form, then give ``code()`` to the second
        factor's page when it asks; '' when signed in, else what went wrong."""
        status, page = self.call("GET", "/accounts/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page or b"")
        if status != 200 or not found:
            return f"the log-in page answered {status}"
        form = urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": found.group(1).decode(),
            }
        ).encode()
        status, _ = self.call(
            "POST",
            "/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302:
            return f"the log-in form answered {status}"
        if code is None:
            return ""
        status, page = self.call("GET", "/accounts/2fa/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page or b"")
        if status != 200 or not found:
            return f"the second factor's page answered {status}"
        form = urlencode({"code": code(), "csrfmiddlewaretoken": found.group(1).decode()})
        status, _ = self.call(
            "POST",
            "/accounts/2fa/",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        return "" if status == 302 else f"the second factor's form answered {status}"


# --- set-up --------------------------------------------------------------------------------


@dataclass
class Scene:
    token: str
    username: str
    password: str
    site: int
    rounds: list[int]
    persons: list[int]
    tasks: list[int]
    source: int
    run: str


def _area(code: str, name: str, level: str, kind: str, parent):
    from zhanyi.places.models import Area

    area = Area.objects.filter(code=code).first()
    if area is None:
        area = Area.objects.create(
            code=code,
            name=name,
            level=level,
            kind=kind,
            parent=parent,
            path=Area.path_for(code, parent),
        )
    return area


def _resident_id(rng: random.Random, division: str) -> str:
    from zhanyi.engine.identity import check_char

    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365))
    first17 = f"{division}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_char(first17)


def set_up(options: dict, out: TextIO) -> Scene:
    """The soak's areas, user, site, rounds, persons and open screening tasks (new
    persons and tasks each run, so that every run starts with open work)."""
    from zhanyi.accounts.models import Role, User
    from zhanyi.core.audit import SystemActor
    from zhanyi.people.actions import do_import_persons
    from zhanyi.places.models import Area, AreaLevel
    from zhanyi.screening.actions import do_import_push_list
    from zhanyi.screening.models import PushSource, ScreeningTask
    from zhanyi.testing import actions as testing

    actor = SystemActor("bench:soak")
    if Area.objects.exists() and not Area.objects.filter(code=CITY).exists():
        raise SystemExit(
            "bench soak: this database holds a city of its own; run the soak on a database "
            "of its own (DATABASE_URL)"
        )
    city = _area(CITY, "耐久市", AreaLevel.CITY, "city", None)
    county = _area(f"{CITY[:4]}01", "耐久区", AreaLevel.COUNTY, "district", city)
    township = _area(f"{CITY[:4]}01001", "耐久街道", AreaLevel.TOWNSHIP, "subdistrict", county)
    village = _area(f"{CITY[:4]}01001001", "耐久社区", AreaLevel.VILLAGE, "community", township)
    if not User.objects.filter(username="soak").exists():
        User.objects.create(username="soak", role=Role.COMMANDER, jurisdiction=city)
    run = uuid.uuid4().hex[:8]
    rng = random.Random(run)
    division = county.code
    say(out, f"set-up: run {run}, {options['people']} persons, {options['tasks']} tasks")
    first = int(time.time() * 10) % 10**9  # external ids and phones new to the index
    n = options["people"] + options["tasks"]
    rows = [
        {
            "person_id": first * 10_000 + i,
            "identity_number": _resident_id(rng, division),
            "name": f"耐{i}",
            "phone": f"139{(first * 10_000 + i) % 100_000_000:08d}",
            "village_code": village.code,
            "address": f"耐久社区{i}号",
        }
        for i in range(n)
    ]
    counts = do_import_persons(
        acting_user=actor, households=[], persons=rows, source_ref=f"soak-{run}"
    )
    if counts.persons < n * 0.9:
        raise SystemExit(f"bench soak: persons not loaded: {counts.problems[:5]}")
    from zhanyi.people.models import Person

    person_ids = list(
        Person.objects.filter(identity_number__in=[r["identity_number"] for r in rows])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    scanned, pushed = person_ids[: options["people"]], person_ids[options["people"] :]
    site = testing.do_create_site(acting_user=actor, name=f"耐久采样点{run}", area=village)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    rounds = [
        testing.do_create_round(
            acting_user=actor,
            name=f"耐久 {run} {k}",
            kind="key_groups",
            scope_areas=[village],
            starts_at=start,
            ends_at=start + dt.timedelta(days=1),
            pool_size=10,
        ).pk
        for k in range(options["rounds"])
    ]
    source = PushSource.objects.get_or_create(name="耐久协查", defaults={"origin_city": "耐久"})[0]

    rows = [
        [p.name, p.identity_number, "", p.address, "密接", "耐久", "2021-09-10 08:00"]
        for p in Person.objects.filter(pk__in=pushed).order_by("pk")
    ]
    push_list = do_import_push_list(
        source,
        io.BytesIO(_csv(rows)),
        filename=f"soak-{run}.csv",
        acting_user=actor,
    )
    tasks = list(
        ScreeningTask.objects.filter(records__push_list=push_list, status=ScreeningTask.Status.OPEN)
        .distinct()
        .values_list("pk", flat=True)
    )
    say(out, f"set-up: {len(scanned)} persons to scan, {len(tasks)} open tasks")
    return Scene("", "soak", "", site.pk, rounds, scanned, tasks, source.pk, run)


HEADER = ["姓名", "身份证号", "手机号", "现住址", "人员类别", "推送地", "末次接触时间"]


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _import_file(scene: Scene, rows: int) -> bytes:
    rng = random.Random(f"import-{scene.run}")
    return _csv(
        [
            [f"推{i}", _resident_id(rng, "980001"), "", f"耐久社区{i}号", "次密接", "耐久", ""]
            for i in range(rows)
        ]
    )


# --- the load ------------------------------------------------------------------------------


def _scanner(client: Client, scene: Scene, lane: int, lanes: int, stop: threading.Event):
    """Tubes of 10 persons; each tube's scan is sent until it gets an answer."""
    tally = client.tally
    per_round = len(scene.persons) // 10
    n = lane
    while not stop.is_set():
        round_no, tube_no = divmod(n, per_round)
        if round_no >= len(scene.rounds):
            return  # every person scanned in every round
        persons = scene.persons[tube_no * 10 : tube_no * 10 + 10]
        barcode = f"SOAK{scene.run}R{round_no}T{tube_no}"
        body = {
            "tube": barcode,
            "site": scene.site,
            "round": scene.rounds[round_no],
            "codes": [f"P{p}" for p in persons],
        }
        for _attempt in range(20):
            status, data = client.json("POST", "/api/v1/testing/scans/", body)
            if status in (200, 201):
                answer = json.loads(data)
                told = {a["person_id"] for a in answer["accepted"]}
                # A resent scan whose first answer was lost: "already in this tube".
                told |= {
                    persons[r["row"]]
                    for r in answer["refused"]
                    if r.get("code") == "duplicate" and r.get("row") is not None
                }
                with tally.lock:
                    tally.scans.setdefault(barcode, set()).update(told)
                break
            if status is not None and status < 500:
                break  # refused: nothing was stored, and the client was told so
            time.sleep(0.2)
        n += lanes


def _fieldworker(client: Client, scene: Scene, lane: int, lanes: int, stop: threading.Event):
    tally = client.tally
    for task in scene.tasks[lane::lanes]:
        if stop.is_set():
            return
        path = f"/api/v1/screening/tasks/{task}/outcome/"
        resent = False
        for _attempt in range(20):
            status, data = client.json(
                "POST",
                path,
                {"outcome": "found_in_city", "found_where": "家中", "measure": "home_quarantine"},
            )
            if status == 200 or (status == 400 and resent and b"closed" in (data or b"")):
                with tally.lock:
                    tally.outcomes.add(task)
                break
            if status is not None and status < 500:
                break
            resent = True
            time.sleep(0.2)


def _viewer(client: Client, scene: Scene, stop: threading.Event):
    pages = [
        "/",
        "/screening/tasks/",
        "/testing/",
        f"/testing/rounds/{scene.rounds[0]}/",
        "/people/?q=" + quote("耐1"),
        "/api/v1/figures/",
    ]
    while not stop.is_set():
        for page in pages:
            client.call("GET", page)


def _importer(client: Client, scene: Scene, data: bytes, state: dict, stop: threading.Event):
    """Post the list; poll its job; post it again when the job ends failed."""
    tally = client.tally
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="source"\r\n\r\n'
        f"{scene.source}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="soak.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    while not stop.is_set():
        status, answer = client.call("POST", "/api/v1/screening/lists/", body, headers)
        if status != 202:
            time.sleep(0.5)
            continue
        job = json.loads(answer)
        state["job"] = job["id"]
        while not stop.is_set():
            status, answer = client.call("GET", f"/api/v1/screening/jobs/{job['id']}/")
            if status == 200:
                job = json.loads(answer)
                state["status"] = job["status"]
                if job["status"] == "done":
                    with tally.lock:
                        tally.imports.append(job["push_list"]["id"])
                    return
                if job["status"] == "failed":
                    with tally.lock:
                        tally.import_failures += 1
                    break
            time.sleep(0.3)


# --- faults --------------------------------------------------------------------------------


def _workers(server: subprocess.Popen) -> list[psutil.Process]:
    found = []
    for p in psutil.Process(server.pid).children(recursive=True):
        try:
            cmd = p.cmdline()
        except psutil.Error:
            continue
        if "worker" in cmd:
            found.append(p)
    return found


def _kill_worker_mid_import(server, state: dict, tally: Tally, stop: threading.Event, out):
    """Once the import is reading or storing, kill its worker; wait for serve to
    start another one; fail the abandoned job, as the scheduler's job does."""
    from zhanyi.screening.jobs import fail_abandoned_imports

    while not stop.is_set() and state.get("status") not in ("reading", "storing"):
        time.sleep(0.1)
    if stop.is_set():
        return
    workers = _workers(server)
    if not workers:
        return
    killed = workers[0]
    say(out, f"fault: worker pid {killed.pid} killed while the import is {state['status']}")
    killed.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not stop.is_set():
        if any(p.pid != killed.pid for p in _workers(server)):
            with tally.lock:
                tally.worker_restarts += 1
            say(out, "fault: serve started the worker again")
            break
        time.sleep(0.3)
    failed = fail_abandoned_imports()
    connection.close()
    say(out, f"fault: abandoned import job(s) {failed} ended failed")


def _drop_connections(out) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        (count,) = cursor.fetchone()
    say(out, f"fault: {count} database connection(s) cut")
    return count


# --- the check -----------------------------------------------------------------------------


def compare(scene: Scene, tally: Tally) -> tuple[int, int, dict]:
    """(lost, doubled, detail): what the clients were told stored against the database."""
    from zhanyi.core.models import AuditEvent
    from zhanyi.screening.models import PushList, PushRecord, ScreeningTask
    from zhanyi.testing.models import Sample

    stored = Counter(
        Sample.objects.filter(tube__barcode__startswith=f"SOAK{scene.run}R").values_list(
            "tube__barcode", "person_id"
        )
    )
    told_scans = {(tube, p) for tube, persons in tally.scans.items() for p in persons}
    lost_scans = sum(1 for key in told_scans if key not in stored)
    doubled_scans = sum(n - 1 for n in stored.values() if n > 1)
    doubled_scans += (
        Sample.objects.filter(tube__round_id__in=scene.rounds)
        .values("tube__round_id", "person_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    closed = set(
        ScreeningTask.objects.filter(
            pk__in=tally.outcomes, status=ScreeningTask.Status.CLOSED
        ).values_list("pk", flat=True)
    )
    lost_outcomes = len(tally.outcomes - closed)
    doubled_outcomes = (
        AuditEvent.objects.filter(
            action="screening.task.outcome",
            object_id__in=[str(t) for t in scene.tasks],
        )
        .values("object_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    lists = PushList.objects.filter(filename="soak.csv", source_id=scene.source)
    lost_imports = sum(1 for pk in tally.imports if not lists.filter(pk=pk).exists())
    doubled_imports = 0
    for push_list in lists.filter(pk__in=tally.imports):
        records = PushRecord.objects.filter(push_list=push_list).count()
        lost_imports += int(records < push_list.rows_stored)
        doubled_imports += int(records > push_list.rows_stored)
    detail = {
        "scans_told": len(told_scans),
        "scans_stored": sum(stored.values()),
        "outcomes_told": len(tally.outcomes),
        "imports_told": len(tally.imports),
        "import_failures": tally.import_failures,
    }
    lost = lost_scans + lost_outcomes + lost_imports
    doubled = doubled_scans + doubled_outcomes + doubled_imports
    return lost, doubled, detail


# --- the run -------------------------------------------------------------------------------


def _start_server(options: dict, port: int, log: TextIO, workers: int = 1) -> subprocess.Popen:
    """``zhanyi serve`` with the production settings and ``workers`` background
    workers (the soak kills one; a bench without background jobs runs none)."""
    env = _server_env()
    # The server's cache (log-in counts) is the database's table when there is
    # no Redis: ``zhanyi migrate`` makes it; a test database lacks it.
    _zhanyi(env, "createcachetable")
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
            str(workers),
            "--no-scheduler",
        ],
        env=env,
        stdout=log,
        stderr=log,
    )


def _zhanyi(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "zhanyi.cli", *args],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    ).stdout


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env["ZHANYI_DEBUG"] = "0"
    env.pop("ZHANYI_TESTING", None)
    # The server uses the very database the soak set up (a test's database too).
    settings = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{quote(settings['USER'] or '')}:{quote(settings['PASSWORD'] or '')}"
        f"@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env.setdefault("ZHANYI_SECRET_KEY", uuid.uuid4().hex + uuid.uuid4().hex)
    # Uploads where this process finds them when it fails an abandoned import.
    env["ZHANYI_DATA_DIR"] = str(django_settings.DATA_DIR)
    return env


def run(options: dict, out: TextIO) -> dict:
    from zhanyi.bench.testing.scan_load import _free_port, _wait_for

    if not dialect.is_postgresql():
        raise SystemExit("bench soak: runs against PostgreSQL (set DATABASE_URL)")
    if options["seconds"] < 1 or options["clients"] < 1:
        raise SystemExit("bench soak: --seconds and --clients must be 1 or more")
    scene = set_up(options, out)
    data = _import_file(scene, options["import_rows"])
    connection.close()  # the server's processes take the connections from here
    port = options["port"] or _free_port()
    # A password hashed as the server hashes (``zhanyi user reset-password``, which
    # also revokes the token), then the token the clients use.
    scene.password = _zhanyi(_server_env(), "user", "reset-password", scene.username).split()[-1]
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    from zhanyi.accounts.models import User

    user = User.objects.get(username=scene.username)
    scene.token = Token.objects.get_or_create(user=user)[0].key
    # A commander signs in with a second factor in production, as the soak's
    # server runs: the soak user's authenticator is a TOTP device of its own.
    device = TOTPDevice.objects.get_or_create(user=user, name="soak", defaults={"confirmed": True})[
        0
    ]

    def current_code() -> str:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        return f"{totp.token():0{device.digits}d}"

    connection.close()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - the server's log, closed below
    server = _start_server(options, port, log)
    tally = Tally()
    stop, import_done = threading.Event(), threading.Event()
    state: dict = {}
    try:
        _wait_for(port, server, timeout=300)  # a production start collects static files first
        n = options["clients"]
        threads = []

        def client() -> Client:
            return Client(port, tally, scene.token)

        for i in range(n):
            threads.append(threading.Thread(target=_scanner, args=(client(), scene, i, n, stop)))
            threads.append(
                threading.Thread(target=_fieldworker, args=(client(), scene, i, n, stop))
            )
        viewer = Client(port, tally)
        refused = viewer.sign_in(scene.username, scene.password, current_code)
        if refused:
            log.seek(0)
            raise SystemExit(
                f"bench soak: the soak user could not sign in: {refused}\n{log.read()[-3000:]}"
            )
        threads.append(threading.Thread(target=_viewer, args=(viewer, scene, stop)))
        # The import runs on past the load until it is stored (or a few minutes).
        importer = threading.Thread(
            target=_importer, args=(client(), scene, data, state, import_done), daemon=True
        )
        threads.append(
            threading.Thread(target=_kill_worker_mid_import, args=(server, state, tally, stop, out))
        )
        started = time.monotonic()
        for t in threads:
            t.daemon = True
            t.start()
        importer.start()
        say(out, f"load: {len(threads)} clients for {options['seconds']} s")
        dropped = False
        while time.monotonic() - started < options["seconds"]:
            if (
                options["drop_connections"]
                and not dropped
                and time.monotonic() - started > options["seconds"] * 2 / 3
            ):
                _drop_connections(out)
                connection.close()
                dropped = True
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        elapsed = time.monotonic() - started
        importer.join(timeout=IMPORT_GRACE_S)
        import_done.set()
        importer.join(timeout=30)
    finally:
        stop.set()
        import_done.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    lost, doubled, detail = compare(scene, tally)
    latencies = sorted(tally.latencies_ms)
    requests = len(latencies) + tally.no_answer
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    return {
        "bench": "soak",
        "seconds": round(elapsed, 1),
        "requests": requests,
        "rps": round(requests / elapsed, 1) if elapsed else 0.0,
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
        "errors": server_errors + tally.no_answer,
        "lost_writes": lost,
        "doubled_writes": doubled,
        "worker_restarts": tally.worker_restarts,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "no_answer": tally.no_answer,
        **detail,
    }
