"""Mass testing (全员核酸): a 1,083,000-person round at 10-in-1, and the scan API under load.

``zhanyi bench testing`` (run it on PostgreSQL: ``DATABASE_URL=postgres://…``)
sets up, unmeasured, a city of ``--people`` persons in ``--villages`` villages
through the person index's bulk import (kept between runs), then times one
round end to end through the testing app's actions:

1. create the round (its target population, one ``INSERT … SELECT``);
2. register the samples: ``people / k`` tubes of ``k`` swabs (``COPY``);
3. deliver them to the labs in boxes and have the labs sign for them;
4. ingest one result per tube from lab CSV files, with ``--positives``
   positive pools (their people get re-sampling and isolation hand-offs);
5. compute coverage by area and the re-test lists.

Then it starts ``zhanyi serve`` (``--server-processes`` processes) on 127.0.0.1 and drives the scan
API with ``wrk`` (``apt-get install wrk``) at ``--connections`` concurrent
connections for ``--duration`` seconds, each request a whole tube of ``k``
scans; it reports requests per second and the 95th-percentile latency.
The last line is one JSON object of figures.
"""

from __future__ import annotations

import argparse
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
from django.core.management import call_command
from django.db import DatabaseError, connection

from zhanyi.accounts.audit import SystemActor

ACTOR = SystemActor("bench:testing")
CITY = "990000"
EXTERNAL_BASE = 9_000_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, default=1_083_000)
    parser.add_argument("--villages", type=int, default=400)
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--positives", type=int, default=5, help="positive pool tubes")
    parser.add_argument("--box", type=int, default=2000, help="tubes per delivery batch")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=15, help="seconds of scan load")
    # Python runs one thread at a time per process: threads beyond a few only
    # queue inside it (16 threads measured a worse p95 than 4 here), so the
    # server runs a process per core (``zhanyi serve --processes``).
    parser.add_argument("--server-processes", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--no-load", action="store_true", help="skip the scan API load test")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="only the scan API load test (round_s and tubes are then null)",
    )


def _say(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


# -- set-up (not measured) -------------------------------------------------------------


def _ensure_city(people: int, villages: int, out: TextIO) -> tuple[list[int], list]:
    """Areas and persons of the bench city; returns (person ids, villages)."""
    from zhanyi.people.actions.imports import do_import_persons
    from zhanyi.people.models import Person
    from zhanyi.places.models import Area

    city = Area.objects.filter(code=CITY).first()
    if city is None:
        city = Area.objects.create(
            code=CITY, name="基准市", level="city", kind="city", path=f"/{CITY}/"
        )
    counties = []
    for c in range(4):
        code = f"{CITY[:4]}{c + 1:02d}"
        county, _ = Area.objects.get_or_create(
            code=code,
            defaults={
                "name": f"基准{c + 1}区",
                "level": "county",
                "kind": "district",
                "parent": city,
                "path": f"{city.path}{code}/",
            },
        )
        counties.append(county)
    per_county = max(1, villages // 4)
    want = []
    for ci, county in enumerate(counties):
        township_code = f"{county.code}001"
        township, _ = Area.objects.get_or_create(
            code=township_code,
            defaults={
                "name": f"基准{ci + 1}街道",
                "level": "township",
                "kind": "subdistrict",
                "parent": county,
                "path": f"{county.path}{township_code}/",
            },
        )
        for v in range(per_county):
            code = f"{township_code}{v + 1:03d}"
            want.append((code, township))
    have = set(Area.objects.filter(code__in=[c for c, _ in want]).values_list("code", flat=True))
    Area.objects.bulk_create(
        [
            Area(
                code=c,
                name=f"基准村{c[-5:]}",
                level="village",
                kind="community",
                parent=t,
                path=f"{t.path}{c}/",
            )
            for c, t in want
            if c not in have
        ]
    )
    village_list = list(Area.objects.filter(code__in=[c for c, _ in want]).order_by("code"))
    existing = Person.objects.filter(
        external_id__gte=EXTERNAL_BASE, external_id__lt=EXTERNAL_BASE + people
    ).count()
    if existing < people:
        _say(out, f"set-up: importing {people - existing:,} persons (kept for the next run)…")
        t = time.perf_counter()

        def rows():
            for i in range(people):
                yield {
                    "person_id": EXTERNAL_BASE + i,
                    "name": f"受检者{i}",
                    "sex": "male" if i % 2 else "female",
                    "village_code": village_list[i % len(village_list)].code,
                }

        counts = do_import_persons(acting_user=ACTOR, households=[], persons=rows())
        _say(out, f"set-up: {counts} in {time.perf_counter() - t:.0f}s")
    if connection.vendor == "postgresql":
        # Fresh tables: give the planner their sizes, as autovacuum would in time.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE places_area, people_person")
    ids = list(
        Person.objects.filter(
            external_id__gte=EXTERNAL_BASE, external_id__lt=EXTERNAL_BASE + people
        )
        .order_by("village_id", "id")
        .values_list("id", "village_id")
    )
    return ids, village_list


def _forget_earlier_runs(out: TextIO) -> None:
    """Delete the rounds of earlier runs (set-up, not measured): a run should
    not be measured against the indexes of every million-row round before it."""
    from zhanyi.testing.models import (
        DeliveryBatch,
        ResultImport,
        RoundTarget,
        Sample,
        TestingRound,
        Tube,
    )

    rounds = list(TestingRound.objects.filter(name__startswith="基准").values_list("pk", flat=True))
    if not rounds:
        return
    t = time.perf_counter()
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(rounds))
        sample, tube = Sample._meta.db_table, Tube._meta.db_table
        # Re-sampling tubes (no round) of the bench's positive pools, then the
        # rounds' samples, tubes and targets, each by an indexed key.
        cursor.execute(
            f"DELETE FROM {sample} WHERE round_id IS NULL AND tube_id IN "
            f"(SELECT r.id FROM {tube} r JOIN {tube} p ON p.id = r.parent_id "
            f"WHERE p.round_id IN ({marks}))",
            rounds,
        )
        cursor.execute(
            f"DELETE FROM {tube} WHERE parent_id IN "
            f"(SELECT id FROM {tube} WHERE round_id IN ({marks}))",
            rounds,
        )
        cursor.execute(f"DELETE FROM {sample} WHERE round_id IN ({marks})", rounds)
        cursor.execute(f"DELETE FROM {tube} WHERE round_id IN ({marks})", rounds)
        cursor.execute(
            f"DELETE FROM {RoundTarget._meta.db_table} WHERE round_id IN ({marks})", rounds
        )
    DeliveryBatch.objects.filter(code__startswith="BOX").filter(tubes__isnull=True).delete()
    ResultImport.objects.filter(lab__code__startswith="BENCH-LAB").delete()
    TestingRound.objects.filter(pk__in=rounds).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE testing_sample, testing_tube, testing_roundtarget")
    _say(
        out,
        f"set-up: removed {len(rounds)} earlier bench round(s) in {time.perf_counter() - t:.0f}s",
    )


def _sites_and_labs(village_list) -> tuple[dict[int, int], list]:
    from zhanyi.testing.models import Lab, SamplingSite

    sites = {s.area_id: s.pk for s in SamplingSite.objects.filter(area__in=village_list)}
    missing = [v for v in village_list if v.pk not in sites]
    SamplingSite.objects.bulk_create(
        [SamplingSite(name=f"{v.name}采样点", area=v) for v in missing]
    )
    sites = {s.area_id: s.pk for s in SamplingSite.objects.filter(area__in=village_list)}
    labs = []
    for i in range(4):
        lab, _ = Lab.objects.get_or_create(
            code=f"BENCH-LAB{i + 1}",
            defaults={
                "name": f"基准检测机构{i + 1}",
                "area": village_list[0].parent.parent.parent,
                "daily_capacity": 50_000,
            },
        )
        labs.append(lab)
    return sites, labs


# -- the measured round ------------------------------------------------------------------


def _round(options: dict, people_ids, village_list, out: TextIO) -> dict:
    from zhanyi.places.models import Area
    from zhanyi.testing import actions, queries
    from zhanyi.testing.models import DeliveryBatch, SamplingSite, Tube

    k = options["pool_size"]
    sites, labs = _sites_and_labs(village_list)
    _settle(out)
    city = Area.objects.get(code=CITY)
    user = _bench_user(city)
    run_tag = f"{int(time.time())}"
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=6)
    timings: dict[str, float] = {}
    # The phones' uploads (input, not measured): tubes of k people of one village each,
    # sampled over the first hours.
    uploads = []
    by_village: dict[int, list[int]] = {}
    for pid, vid in people_ids:
        by_village.setdefault(vid, []).append(pid)
    n = 0
    for vid, pids in by_village.items():
        for i in range(0, len(pids), k):
            sampled = start + dt.timedelta(seconds=(n % 14_400))
            uploads.append(
                actions.TubeUpload(
                    barcode=f"B{run_tag}-{n:07d}",
                    site_id=sites[vid],
                    person_ids=tuple(pids[i : i + k]),
                    sampled_at=sampled,
                    closed_at=sampled,
                )
            )
            n += 1

    t = time.perf_counter()
    r = actions.do_create_round(
        acting_user=ACTOR,
        name=f"基准全员核酸 {run_tag}",
        kind="whole_population",
        scope_areas=[city],
        starts_at=start,
        ends_at=start + dt.timedelta(days=2),
        pool_size=k,
    )
    timings["create_round_s"] = time.perf_counter() - t
    t = time.perf_counter()
    imported = actions.do_import_samples(acting_user=ACTOR, round=r, tubes=uploads)
    timings["register_samples_s"] = time.perf_counter() - t
    _say(
        out,
        f"  samples: {imported.samples:,} in {imported.tubes:,} tubes "
        f"({len(imported.refused)} refused) in {timings['register_samples_s']:.1f}s",
    )

    # Delivery in boxes per site, to the labs in turn; each box signed for.
    t = time.perf_counter()
    by_site: dict[int, list[str]] = {}
    for u in uploads:
        by_site.setdefault(u.site_id, []).append(u.barcode)
    site_objs = {
        s.pk: s for s in SamplingSite.objects.filter(pk__in=list(by_site)).select_related("area")
    }
    box_no = 0
    for site_id, barcodes in by_site.items():
        for i in range(0, len(barcodes), options["box"]):
            lab = labs[box_no % len(labs)]
            delivered = start + dt.timedelta(hours=4, minutes=box_no % 60)
            batch = actions.do_deliver(
                acting_user=ACTOR,
                site=site_objs[site_id],
                lab=lab,
                barcodes=barcodes[i : i + options["box"]],
                code=f"BOX{run_tag}-{box_no}",
                delivered_at=delivered,
            )
            actions.do_receive_batch(
                batch, acting_user=ACTOR, received_at=delivered + dt.timedelta(minutes=40)
            )
            box_no += 1
    timings["deliver_receive_s"] = time.perf_counter() - t

    # Results: one CSV per lab, a few positive pools. Writing the labs'
    # files is input, not measured; reading and storing them is.
    positives = {
        u.barcode for u in uploads[:: max(1, len(uploads) // max(1, options["positives"]))]
    }
    positives = set(list(positives)[: options["positives"]])
    lab_of = dict(Tube.objects.filter(round=r).values_list("barcode", "batch__lab__code"))
    tested = (start + dt.timedelta(hours=5)).isoformat()
    files: dict[str, list[str]] = {
        lab.code: ["barcode,result,tested_at,reported_at"] for lab in labs
    }
    for u in uploads:
        result = "positive" if u.barcode in positives else "negative"
        files[lab_of[u.barcode]].append(f"{u.barcode},{result},{tested},{tested}")
    payloads = {code: "\n".join(lines).encode() for code, lines in files.items()}
    t = time.perf_counter()
    imports = []
    for lab in labs:
        rows, problems = actions.parse_results_csv(payloads[lab.code])
        imports.append(
            actions.do_record_results(
                acting_user=ACTOR,
                lab=lab,
                rows=rows,
                via="file",
                filename=f"{lab.code}.csv",
                parse_problems=problems,
            )
        )
    timings["ingest_results_s"] = time.perf_counter() - t
    stored = sum(i.stored for i in imports)
    _say(
        out,
        f"  results: {stored:,} tubes stored, {sum(i.positives for i in imports)} positive, "
        f"{sum(i.refused for i in imports)} refused, in {timings['ingest_results_s']:.1f}s",
    )

    t = time.perf_counter()
    total, rows = queries.coverage(user, r, level="village")
    due = queries.not_yet_tested(user, r).count()
    retests = list(queries.retest_list(user, r).values_list("person_id", flat=True))
    timings["coverage_retests_s"] = time.perf_counter() - t
    # The round's time is the sum of the measured stages (inputs excluded).
    round_s = sum(
        timings[k]
        for k in (
            "create_round_s",
            "register_samples_s",
            "deliver_receive_s",
            "ingest_results_s",
            "coverage_retests_s",
        )
    )
    _say(
        out,
        f"  coverage: {total.tested:,}/{total.targets:,} tested over {len(rows)} villages, "
        f"{due:,} due, {len(retests)} to re-sample; in {timings['coverage_retests_s']:.1f}s",
    )
    _say(out, f"round end to end: {round_s:.1f}s")
    assert total.tested == len(people_ids), "every sampled person should count as tested"
    return {
        "round_id": r.pk,
        "tubes": stored,
        "positive_tubes": len(positives),
        "retests": len(retests),
        "round_s": round(round_s, 2),
        **{key: round(v, 2) for key, v in timings.items()},
        "_batches": DeliveryBatch.objects.filter(code__startswith=f"BOX{run_tag}").count(),
    }


def _bench_user(city):
    from rest_framework.authtoken.models import Token

    from zhanyi.accounts.models import Role, User

    user, _ = User.objects.get_or_create(
        username="bench-testing", defaults={"role": Role.STAFF, "jurisdiction": city}
    )
    Token.objects.get_or_create(user=user)
    return user


# -- the scan API under load -----------------------------------------------------------------

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
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def _settle(out: TextIO) -> None:
    """Set-up of the scan load (not measured): write out what the round left.

    The round writes gigabytes of WAL and dirty pages just before; the
    checkpoint they force would otherwise run during the scan load, and
    every scan's commit would wait on its disk writes (runs measured p95
    of 80 ms to 1 s that way). The load measures sampling points at work,
    not the tail of a million-row bulk load: a CHECKPOINT first, where the
    bench's database role may run one.
    """
    if connection.vendor != "postgresql":
        return
    t = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError as error:
        _say(out, f"  note: no CHECKPOINT before the scan load ({error}".strip() + ")")
        return
    _say(out, f"set-up: checkpoint before the scan load in {time.perf_counter() - t:.1f}s")


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


def _scan_load(options: dict, people_ids, village_list, out: TextIO) -> dict:
    from rest_framework.authtoken.models import Token

    from zhanyi.places.models import Area
    from zhanyi.testing import actions

    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "bench testing: the load tool wrk is not installed (`make bench-tools` installs it)"
        )
    city = Area.objects.get(code=CITY)
    user = _bench_user(city)
    token = Token.objects.get(user=user).key
    # The people of one village scan at its site in a round of their own.
    # Walk-ins are accepted: people of the whole city scan at one village's site.
    village = village_list[0]
    ids = sorted(pid for pid, _vid in people_ids)
    if ids[-1] - ids[0] + 1 != len(ids):
        _say(out, "  note: person ids have gaps; some scans will be refused as unknown")
    sites, _labs = _sites_and_labs(village_list)
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
    env = dict(os.environ)
    env.setdefault("ZHANYI_DEBUG", "0")
    server = subprocess.Popen(
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
    try:
        _wait_for(port, server)
        k = options["pool_size"]
        threads = 2

        def script_for(prefix: str, first: int) -> str:
            lua = (
                _LUA.replace("THREADS", str(threads))
                .replace("FIRST", str(first))
                .replace("K - 1", str(k - 1))
                .replace("* K", f"* {k}")
                .replace("COUNT", str(len(ids)))
                .replace("IDS_BASE", str(ids[0]))
                .replace("PREFIX", json.dumps(prefix))
                .replace("SITE", str(sites[village.pk]))
                .replace("ROUND", str(r.pk))
                .replace(
                    "HEADERS",
                    '{["Content-Type"]="application/json",["Authorization"]="Token ' + token + '"}',
                )
            )
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
                fh.write(lua)
                return fh.name

        # Warm up the server's threads and connections (other tubes, other
        # people: the measured run starts past them), then measure.
        warm = script_for(f"W{r.pk}-", 0)
        subprocess.run(
            [wrk, "-t1", "-c4", "-d2s", "-s", warm, f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            check=False,
        )
        Path(warm).unlink(missing_ok=True)
        script = script_for(f"S{r.pk}-", 200_000)
        # CPU per request, of the server and of the database: a figure that
        # holds when other work shares the machine, as requests/s does not.
        server_pids, backend_pids = _server_pids(server), _backend_pids()
        cpu_before = (_processes_cpu(server_pids), _processes_cpu(backend_pids))
        res = subprocess.run(
            [
                wrk,
                f"-t{threads}",
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
        figures = json.loads(line[len("WRKJSON ") :])
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    from zhanyi.testing.models import Sample

    stored = Sample.objects.filter(round=r).count()
    rps = figures["requests"] / (figures["duration_us"] / 1e6)
    server_ms, db_ms = (
        round((after - before) * 1000 / figures["requests"], 2)
        if before is not None and after is not None and figures["requests"] and (pids)
        else None
        for before, after, pids in zip(
            cpu_before, cpu_after, (server_pids, backend_pids), strict=True
        )
    )
    _say(
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


def run(options: dict, out: TextIO) -> dict:
    _say(out, f"bench testing on {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    people_ids, village_list = _ensure_city(options["people"], options["villages"], out)
    _say(
        out,
        f"set-up: {len(people_ids):,} persons in {len(village_list)} villages "
        f"({time.perf_counter() - t:.0f}s, not measured)",
    )
    if options["load_only"] and options["no_load"]:
        raise SystemExit("bench testing: --load-only and --no-load leave nothing to measure")
    figures = {"tubes": None, "round_s": None}
    if not options["load_only"]:
        _forget_earlier_runs(out)
        figures = _round(options, people_ids, village_list, out)
        figures.pop("_batches", None)
    load = {"scan_rps": None, "scan_p95_ms": None}
    if not options["no_load"]:
        load = _scan_load(options, people_ids, village_list, out)
    return {
        "bench": "testing",
        "database": connection.vendor,
        "people": len(people_ids),
        "tubes": figures.pop("tubes"),
        "round_s": figures.pop("round_s"),
        "scan_rps": load.pop("scan_rps"),
        "scan_p95_ms": load.pop("scan_p95_ms"),
        "pool_size": options["pool_size"],
        **figures,
        **load,
    }
