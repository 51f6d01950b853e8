"""Background imports (django-tasks): a web upload or an API post runs here.

The upload is saved under ``ZHANYI_DATA_DIR/screening/uploads/`` and an
``ImportJob`` records its progress, which the page polls. The worker runs
``do_import_push_list`` as the user who uploaded the file.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from zhanyi.screening import bridge
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import ImportJob, PushSource
from zhanyi.screening.reading import file_format

#: Progress is written at most every this many rows (each write is a query).
PROGRESS_EVERY = 5000
ABANDONED_MESSAGE = _(
    "The background worker stopped while importing this file (it was killed or crashed);"
    " nothing of it was stored. Upload the file again."
)


def save_upload(upload: UploadedFile) -> Path:
    directory = bridge.snapshot_dir() / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.{file_format(upload.name)}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def start_import(
    source: PushSource, upload: UploadedFile, *, user, mapping: dict[str, str] | None = None
) -> ImportJob:
    """Save the upload, record the job and queue it; return the job to poll.
    ``mapping`` (field → header) maps columns of this file."""
    file_format(upload.name)  # refuse a wrong format before saving anything
    return start_saved_import(
        source, save_upload(upload), filename=upload.name, user=user, mapping=mapping
    )


def start_saved_import(
    source: PushSource, path: Path, *, filename: str, user, mapping: dict[str, str] | None = None
) -> ImportJob:
    """Record and queue the import of a file already saved by ``save_upload``
    (the job removes it when it ends)."""
    job = ImportJob.objects.create(
        source=source,
        filename=filename[:255],
        path=str(path),
        created_by=user,
        mapping=mapping or {},
    )
    # The database backend stores the queued task in this transaction, so a
    # worker cannot see it before the job row is committed.
    run_import.enqueue(job.pk)
    return job


_KEPT_NAME = re.compile(r"[0-9a-f]{32}\.(xlsx|xls|csv)")


def kept_upload(name: str) -> Path | None:
    """The file ``save_upload`` saved as ``name`` (kept after a column check,
    to import without choosing it again), if it is still there."""
    if not _KEPT_NAME.fullmatch(name):
        return None
    path = bridge.snapshot_dir() / "uploads" / name
    return path if path.is_file() else None


def worker_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def staging_name(job: ImportJob) -> str:
    return f"job-{job.pk}"


def _alive(worker: str) -> bool | None:
    """Whether the process ``host:pid`` runs; None when it is on another host."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def fail_abandoned_imports() -> list[int]:
    """Imports whose worker process is gone (killed, crashed) end failed, and their
    files (the upload, the working file, an unowned error file) are removed.
    Nothing of them was stored: the storing is one transaction. Returns their ids."""
    from zhanyi.screening.actions.intake import staging_path, unclaimed_error_file
    from zhanyi.screening.reading import hash_file

    failed = []
    running = ImportJob.objects.filter(
        status__in=[ImportJob.Status.READING, ImportJob.Status.STORING]
    ).exclude(worker="")
    for job in running:
        if _alive(job.worker) is not False:
            continue
        upload = Path(job.path)
        leftovers = [staging_path(staging_name(job))]
        if upload.exists():
            with upload.open("rb") as fh:
                leftovers.append(unclaimed_error_file(hash_file(fh)))
            leftovers.append(upload)
        updated = ImportJob.objects.filter(pk=job.pk, status=job.status, worker=job.worker).update(
            status=ImportJob.Status.FAILED,
            message=str(ABANDONED_MESSAGE),
            finished_at=timezone.now(),
        )
        if updated:
            for leftover in leftovers:
                if leftover is not None:
                    leftover.unlink(missing_ok=True)
            failed.append(job.pk)
    return failed


@task()
def run_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("source", "created_by").get(pk=job_id)
    # Started: the page stops saying "queued" (and never calls it stalled), and
    # the process is named, so that an import it leaves behind is found.
    job.status = ImportJob.Status.READING
    job.worker = worker_name()
    job.save(update_fields=["status", "worker"])
    last = {"rows": -PROGRESS_EVERY}

    def progress(done: int, total: int | None, stage: str) -> None:
        status = ImportJob.Status.READING if stage == "reading" else ImportJob.Status.STORING
        if done - last["rows"] < PROGRESS_EVERY and status == job.status:
            return
        last["rows"] = done
        job.status, job.rows_done, job.rows_total = status, done, total
        job.save(update_fields=["status", "rows_done", "rows_total"])

    path = Path(job.path)
    try:
        push_list = do_import_push_list(
            job.source,
            path,
            filename=job.filename,
            acting_user=job.created_by,
            progress=progress,
            staging_name=staging_name(job),
            mapping=job.mapping or None,
        )
    except Exception as error:  # the job records why; nothing was stored
        job.status = ImportJob.Status.FAILED
        job.message = str(error)[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        if not isinstance(error, ValueError):
            raise
    else:
        job.status = ImportJob.Status.DONE
        job.push_list = push_list
        job.rows_done = push_list.rows_read
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "push_list", "rows_done", "finished_at"])
    finally:
        path.unlink(missing_ok=True)
