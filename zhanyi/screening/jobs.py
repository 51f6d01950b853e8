"""Background imports (django-tasks): a web upload or an API post runs here.

The upload is saved under ``ZHANYI_DATA_DIR/screening/uploads/`` and an
``ImportJob`` records its progress, which the page polls. The worker runs
``do_import_push_list`` as the user who uploaded the file.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django_tasks import task

from zhanyi.screening import bridge
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import ImportJob, PushSource
from zhanyi.screening.reading import file_format

#: Progress is written at most every this many rows (each write is a query).
PROGRESS_EVERY = 5000


def save_upload(upload: UploadedFile) -> Path:
    directory = bridge.snapshot_dir() / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.{file_format(upload.name)}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def start_import(source: PushSource, upload: UploadedFile, *, user) -> ImportJob:
    """Save the upload, record the job and queue it; return the job to poll."""
    file_format(upload.name)  # refuse a wrong format before saving anything
    path = save_upload(upload)
    job = ImportJob.objects.create(
        source=source, filename=upload.name[:255], path=str(path), created_by=user
    )
    # The database backend stores the queued task in this transaction, so a
    # worker cannot see it before the job row is committed.
    run_import.enqueue(job.pk)
    return job


@task()
def run_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("source", "created_by").get(pk=job_id)
    # Started: the page stops saying "queued" (and never calls it stalled).
    job.status = ImportJob.Status.READING
    job.save(update_fields=["status"])
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
            job.source, path, filename=job.filename, acting_user=job.created_by, progress=progress
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
