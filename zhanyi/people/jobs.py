"""Background jobs of the person index (django-tasks)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from zhanyi.core.audit import SystemActor


@task()
def refresh_codes() -> dict:
    """Health codes (健康码): apply what the clock changed (see ``do_refresh_codes``).
    Enqueue it on a schedule; running it twice changes nothing the second time."""
    from zhanyi.people.actions.health_codes import do_refresh_codes

    result = do_refresh_codes(acting_user=SystemActor("task:refresh_codes"))
    return {
        "expired_overrides": result.expired_overrides,
        "reviewed": result.reviewed,
        "changed": result.changed,
    }


#: Progress is written at most every this many rows (each write is a query).
PROGRESS_EVERY = 5000


@task()
def run_register_load(load_id: int) -> dict:
    """Load a register extract saved by ``start_register_load``, as the user who
    uploaded it; the ``RegisterLoad`` row carries the progress the page polls."""
    from pathlib import Path

    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    from zhanyi.people.actions.register import RegisterFileError, do_load_register
    from zhanyi.people.linkage import LinkageUnavailable
    from zhanyi.people.models import RegisterLoad

    load = RegisterLoad.objects.select_related("received_by", "mapping").get(pk=load_id)
    path = Path(load.path)
    RegisterLoad.objects.filter(pk=load.pk).update(status=RegisterLoad.Status.RUNNING)

    def progress(done: int, total: int | None, stage: str) -> None:
        RegisterLoad.objects.filter(pk=load.pk).update(stage=stage, rows_done=done)

    try:
        load = do_load_register(
            path,
            filename=load.filename,
            kind=load.kind,
            acting_user=load.received_by,
            mapping=load.column_mapping,
            saved_mapping=load.mapping,
            load=load,
            progress=progress,
        )
    except (RegisterFileError, LinkageUnavailable, PermissionDenied) as error:
        RegisterLoad.objects.filter(pk=load.pk).update(
            status=RegisterLoad.Status.FAILED,
            message=str(error),
            finished_at=timezone.now(),
            path="",
        )
        return {"status": "failed", "message": str(error)}
    except Exception:
        RegisterLoad.objects.filter(pk=load.pk).update(
            status=RegisterLoad.Status.FAILED,
            message=str(_("The load failed; nothing of it was stored.")),
            finished_at=timezone.now(),
            path="",
        )
        raise
    finally:
        path.unlink(missing_ok=True)
    return {"status": load.status, "new": load.new, "changed": load.changed}


def start_register_load(
    upload, *, kind: str, user, mapping: dict[str, str] | None = None, saved_mapping=None
):
    """Save the upload under the register's folder, record the load and queue it."""
    import uuid

    from zhanyi.people.actions.register import can_load, file_format, register_dir
    from zhanyi.people.models import RegisterLoad

    if not can_load(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Loading the register needs data staff's rights."))
    fmt = file_format(upload.name)
    path = register_dir("uploads") / f"{uuid.uuid4().hex}.{fmt}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    load = RegisterLoad.objects.create(
        kind=kind,
        filename=upload.name[:255],
        path=str(path),
        file_format=fmt,
        column_mapping=mapping or {},
        mapping=saved_mapping,
        received_by=user,
        received_by_name=user.get_username(),
    )
    run_register_load.enqueue(load.pk)
    return load
