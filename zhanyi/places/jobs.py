"""Loads of reference data in the background (django-tasks): a page's upload of
division codes, boundaries or places returns at once and its ``DataLoad``
shows the worker's progress, as screening's push lists and the register do.

``start_data_load`` saves the upload under ``DATA_DIR/places/uploads`` and
queues ``run_data_load``, which loads it as the user who sent it, confined to
their jurisdiction. A load stores everything or nothing (each loader writes in
one transaction): a file that cannot be loaded, or a failure, leaves the record
failed with the reason and nothing of the file stored.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from zhanyi.places.actions import (
    LoadFileError,
    LoadResult,
    do_load_boundaries,
    do_load_divisions,
    do_load_places,
)
from zhanyi.places.actions.boundaries import FORMATS as BOUNDARY_FILE_FORMATS
from zhanyi.places.actions.common import file_format
from zhanyi.places.actions.pois import FORMATS as PLACE_FORMATS
from zhanyi.places.models import Area, CoordinateSystem, DataLoad, LoadKind

#: Progress is written at most every this many rows (each write is a query).
PROGRESS_EVERY = 1000
#: A page sends one file: a Shapefile comes zipped with its siblings.
BOUNDARY_FORMATS = tuple(f for f in BOUNDARY_FILE_FORMATS if f != "shp")


def load_reference_file(
    kind: str,
    fh: IO[bytes],
    filename: str,
    options: dict[str, Any],
    *,
    acting_user,
    within: Area | None,
    request=None,
    load: DataLoad | None = None,
    progress=None,
) -> LoadResult:
    """Load ``fh`` as division codes, boundaries or places with the options
    of the page or the API; raises ``LoadFileError`` when it cannot be loaded."""
    common = {
        "acting_user": acting_user,
        "within": within,
        "request": request,
        "load": load,
        "progress": progress,
    }
    system = options.get("coordinate_system") or CoordinateSystem.WGS84
    if kind == LoadKind.AREAS:
        return do_load_divisions(
            fh,
            filename,
            prefix=options.get("prefix") or "",
            mapping=options.get("mapping") or {},
            **common,
        )
    if kind == LoadKind.BOUNDARIES:
        return do_load_boundaries(
            fh,
            filename,
            tolerance_m=float(options.get("tolerance") or 200.0),
            coordinate_system=system,
            **common,
        )
    return do_load_places(
        fh,
        filename,
        categories=options.get("categories") or {},
        mapping=options.get("mapping") or {},
        coordinate_system=system,
        **common,
    )


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "places" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_data_load(kind: str, upload, options: dict[str, Any], *, user, within) -> DataLoad:
    """Save the upload, record the load as queued and queue it; a file whose
    kind cannot be loaded is refused at once (``LoadFileError``)."""
    allowed = {LoadKind.BOUNDARIES: BOUNDARY_FORMATS, LoadKind.PLACES: PLACE_FORMATS}
    fmt = file_format(upload.name, allowed[kind]) if kind in allowed else file_format(upload.name)
    path = uploads_dir() / f"{uuid.uuid4().hex}.{fmt}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    load = DataLoad.objects.create(
        kind=kind,
        area=within,
        filename=upload.name[:255],
        status=DataLoad.Status.QUEUED,
        upload_path=str(path),
        options=options,
        coordinate_system=options.get("coordinate_system") or CoordinateSystem.WGS84,
        loaded_at=timezone.now(),
        loaded_by=user,
        loaded_by_name=user.get_username(),
    )
    run_data_load.enqueue(load.pk)
    return load


@task()
def run_data_load(data_load_id: int) -> dict:
    """The worker's task: ``load_queued``."""
    return load_queued(data_load_id)


def load_queued(data_load_id: int) -> dict:
    """Load a file ``start_data_load`` saved, as the user who sent it (once:
    a load no longer queued is left as it is)."""
    load = DataLoad.objects.select_related("loaded_by", "area").get(pk=data_load_id)
    if load.status != DataLoad.Status.QUEUED:
        return {"status": load.status}
    path = Path(load.upload_path)
    DataLoad.objects.filter(pk=load.pk).update(status=DataLoad.Status.RUNNING)

    def progress(done: int, total: int | None) -> None:
        if done % PROGRESS_EVERY == 0:
            DataLoad.objects.filter(pk=load.pk).update(rows_done=done)

    def failed(message: str) -> None:
        DataLoad.objects.filter(pk=load.pk).update(
            status=DataLoad.Status.FAILED, message=message, upload_path=""
        )

    try:
        if load.loaded_by is None or not load.loaded_by.is_active:
            raise LoadFileError(str(_("The user who sent the file can no longer load it.")))
        with path.open("rb") as fh:
            result = load_reference_file(
                load.kind,
                fh,
                load.filename,
                load.options,
                acting_user=load.loaded_by,
                within=load.area,
                load=load,
                progress=progress,
            )
    except (LoadFileError, OSError) as error:
        failed(str(error))
        return {"status": "failed", "message": str(error)}
    except Exception:
        failed(str(_("The load failed; nothing of it was stored.")))
        raise
    finally:
        path.unlink(missing_ok=True)
    return {"status": result.load.status, "created": result.load.created}
