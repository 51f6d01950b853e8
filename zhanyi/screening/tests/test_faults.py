"""Faults under a push-list import: a worker killed mid-import, a disk full while
the error file (an export) is written.

The killed worker is a real ``zhanyi worker`` process on a database file of its
own (as ``zhanyi serve`` runs it), killed with SIGKILL while it reads the list:
the job ends failed, its files are removed, nothing of it is stored, and the
same list posted again is imported whole, once.
"""

from __future__ import annotations

import csv
import io
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zhanyi.core.files import DiskFullError
from zhanyi.core.processes_testing import production_env
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import PushList, PushRecord

from .conftest import HEADER, csv_bytes, row_for

ROWS = 5_000

_SET_UP = """
import io
from django.core.files.uploadedfile import SimpleUploadedFile
from zhanyi.accounts.testing import build_world
from zhanyi.screening.jobs import start_import
from zhanyi.screening.models import PushSource
from zhanyi.accounts.models import User
world = build_world() if not User.objects.filter(username="tracer").exists() else None
from zhanyi.people.models import Person
if world is not None:  # a list is linked to an index of two people at least
    for name in ("陈建国", "林秀英"):
        Person.objects.create(name=name, village=world.village)
tracer = User.objects.get(username="tracer")
source = PushSource.objects.get_or_create(name="莆田市协查", origin_city="莆田市")[0]
data = open({path!r}, "rb").read()
job = start_import(source, SimpleUploadedFile("big.csv", data), user=tracer)
print("JOB", job.pk)
"""


def _big_list(path: Path) -> None:
    from zhanyi.engine.identity import check_char

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(ROWS):
        first17 = f"350602{1950 + i % 50}0101{i % 1000:03d}"
        writer.writerow(
            [f"推{i}", first17 + check_char(first17), "", f"地址{i}", "密接", "莆田市", ""]
        )
    path.write_bytes(out.getvalue().encode("utf-8"))


def _zhanyi(env, *args, timeout=300) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "zhanyi.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return done.stdout


def _query(db: Path, sql: str, *params):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as con:
        return con.execute(sql, params).fetchall()


def _leftovers(data_dir: Path) -> list[Path]:
    """Files an import leaves in the data directory (uploads, working and error files)."""
    return [
        p
        for p in data_dir.rglob("*")
        if p.is_file() and not p.name.startswith("zhanyi.sqlite3") and "cache" not in p.parts
    ]


@pytest.mark.slow
def test_a_worker_killed_mid_import_leaves_a_failed_job_no_files_and_the_list_imports_again(
    tmp_path, production_migrated
):
    env = production_env(tmp_path)
    db = production_migrated.copy_to(tmp_path)
    before = set(_leftovers(tmp_path))
    big = tmp_path.parent / f"{tmp_path.name}-big.csv"
    _big_list(big)
    job = int(_zhanyi(env, "shell", "-c", _SET_UP.format(path=str(big))).split()[-1])

    worker = subprocess.Popen(
        [sys.executable, "-m", "zhanyi.cli", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            ((status,),) = _query(db, "SELECT status FROM screening_importjob WHERE id = ?", job)
            if status in ("reading", "storing"):  # the worker is on it
                break
            assert status == "queued", f"the import ended before the kill: {status}"
            assert time.monotonic() < deadline, "the worker never started the import"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    ((status,),) = _query(db, "SELECT status FROM screening_importjob WHERE id = ?", job)
    assert status in ("reading", "storing"), "killed mid-import, the job still says so"
    assert set(_leftovers(tmp_path)) - before, "the killed import left its files behind"

    # The periodic job (``serve`` runs it every minute) finds the dead process.
    _zhanyi(
        env,
        "shell",
        "-c",
        "from zhanyi.screening.jobs import fail_abandoned_imports; fail_abandoned_imports()",
    )
    ((status, message),) = _query(
        db, "SELECT status, message FROM screening_importjob WHERE id = ?", job
    )
    assert status == "failed" and message
    assert set(_leftovers(tmp_path)) - before == set(), "its files are removed"
    assert _query(db, "SELECT count(*) FROM screening_pushlist") == [(0,)]
    assert _query(db, "SELECT count(*) FROM screening_pushrecord") == [(0,)], "nothing half-stored"

    # Posted again, the same list is imported whole, once.
    again = int(_zhanyi(env, "shell", "-c", _SET_UP.format(path=str(big))).split()[-1])
    _zhanyi(env, "worker", "--batch", "--interval", "0.2", timeout=600)
    ((status, message),) = _query(
        db, "SELECT status, message FROM screening_importjob WHERE id = ?", again
    )
    assert status == "done", message
    assert _query(db, "SELECT count(*), sum(rows_read) FROM screening_pushlist") == [(1, ROWS)]
    big.unlink()


def test_a_full_disk_while_the_error_file_is_written_stores_nothing_and_leaves_no_file(
    world, index, putian, full_disk, tmp_path
):
    """The error file of a list with bad rows is an export; the disk fills while it
    is written: the import is refused with the translated reason, nothing is
    stored and no partial file is left."""
    from django.conf import settings

    rows = [row_for(world, "陈建国"), row_for(world, "林秀英", category="路人")]
    data = csv_bytes(rows)
    opened = full_disk(room=50)
    with pytest.raises(DiskFullError, match="The disk is full") as raised:
        do_import_push_list(putian, io.BytesIO(data), filename="l.csv", acting_user=world.tracer)
    assert "Errno" not in str(raised.value)
    assert opened and all(p.name.endswith(".part") for p in opened)
    assert not PushList.objects.exists() and not PushRecord.objects.exists()
    left = [p for p in Path(settings.DATA_DIR).rglob("*") if p.is_file()]
    assert left == [], left
