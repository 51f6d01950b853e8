"""Location data feeds (运营商位置数据): operators' daily stay files into the companion store.

An operator drops its day's file (CSV or Parquet: stays ``person_id, cell_id,
start, end``, or location records ``person_id, ts`` and ``cell_id`` or ``lon,
lat``) into the watched folder (``ZHANYI_STAY_FEEDS_DIR``, by default
``ZHANYI_DATA_DIR/feeds/incoming``; a sub-folder names the operator), or posts
it to the API. The scheduler's job ``tracing.ingest_stay_feeds`` takes each
file that has stopped growing, checks its columns, ingests it into the
companion store (``zhanyi.engine.companions.ingest_file``) and keeps a
``StayFile`` record by the day it arrived: the rows, the stays stored, the rows
set aside by kind, the days it covered, or why it was refused. The file is then
moved to ``feeds/ingested/DAY/`` or ``feeds/refused/DAY/``.

Location data is kept ``[companion] retention_days`` (21) days:
``do_purge_companions`` deletes the older days, run daily by the job
``tracing.purge_companions`` and by ``zhanyi companions purge``, each run audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanyi.accounts.roles import has_capability
from zhanyi.core import audit, jurisdiction
from zhanyi.core.audit import SystemActor
from zhanyi.engine.companions import Store, ingest_file, purge
from zhanyi.engine.companions.records import (
    RECORD_COLUMNS,
    RECORD_POSITION_COLUMNS,
    STAY_COLUMNS,
    file_columns,
    missing_columns,
)
from zhanyi.engine.protocol import DEFAULT_PROTOCOL
from zhanyi.tracing.models import StayFile

from .common import protocol

CHINA = dt.timezone(dt.timedelta(hours=8))
#: The kinds of rows ingest sets aside (``zhanyi.engine.companions.REJECT_KINDS``), as shown.
REJECT_LABELS = {
    "missing": gettext_lazy("a field missing"),
    "unknown_cell": gettext_lazy("not a cell of the grid"),
    "end_before_start": gettext_lazy("ends before it starts"),
    "zero_length": gettext_lazy("no length"),
    "outside_day": gettext_lazy("outside its day"),
    "duplicate": gettext_lazy("repeated"),
    "conflict": gettext_lazy("two cells at one moment"),
    "no_duration": gettext_lazy("no next record"),
}
FORMATS = (".csv", ".parquet")
#: A file in the folder is taken once it has not changed for this long (still being copied).
SETTLED_S = 30


def feeds_dir() -> Path:
    """The watched folder."""
    configured = getattr(settings, "STAY_FEEDS_DIR", "")
    path = Path(configured) if configured else Path(settings.DATA_DIR) / "feeds" / "incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _kept_dir(kind: str, day: dt.date) -> Path:
    path = Path(settings.DATA_DIR) / "feeds" / kind / day.isoformat()
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_root() -> Path:
    """The companion store (the same as ``zhanyi companions``' default)."""
    return Path(settings.DATA_DIR) / "companions"


def can_feed(user) -> bool:
    """Staff who run the data feeds: operational writes and full identities."""
    if isinstance(user, SystemActor):
        return True
    return (
        has_capability(user, "edit_operations")
        and has_capability(user, "view_identity")
        and jurisdiction.root_path(user) is not None
    )


def require_feed(user) -> None:
    if not can_feed(user):
        raise PermissionDenied(_("The data feeds are for data staff."))


def expected_columns() -> str:
    """The layouts a stay file may have, to name in a refusal."""
    return _("stays: %(stays)s; or location records: %(records)s (or %(positions)s)") % {
        "stays": ", ".join(STAY_COLUMNS),
        "records": ", ".join(RECORD_COLUMNS),
        "positions": ", ".join(RECORD_POSITION_COLUMNS),
    }


def _actor_name(acting_user) -> str:
    if isinstance(acting_user, SystemActor):
        return acting_user.name
    return acting_user.get_username() if acting_user is not None else ""


def _today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(CHINA).date()


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


_SAFE = re.compile(r"[^\w.\-]+")


def do_receive_stay_file(
    file: IO[bytes],
    *,
    filename: str,
    operator: str,
    via: str,
    acting_user,
    request=None,
) -> StayFile:
    """Put a posted or uploaded file in the watched folder, recorded as received;
    the scheduler ingests it. A file that is not CSV or Parquet, or whose
    columns are not a stay file's, is recorded as refused (with the expected
    columns) and not kept."""
    require_feed(acting_user)
    operator = " ".join(str(operator).split())[:100]
    safe = _SAFE.sub("_", Path(filename).name)[-120:] or "feed"
    target = feeds_dir() / f".{uuid.uuid4().hex}-{safe}"
    with target.open("wb") as out:
        shutil.copyfileobj(file, out)
    record = StayFile(
        operator=operator,
        filename=Path(filename).name[:255],
        via=via,
        arrived_on=_today(),
        received_by_name=_actor_name(acting_user),
        size_bytes=target.stat().st_size,
        file_hash=_hash(target),
    )
    problem = _problem(target, record.filename)
    if problem:
        target.unlink(missing_ok=True)
        _refuse(record, problem, acting_user=acting_user, request=request)
        return record
    # Named for the folder's job only now that it is whole (a dot-file is not taken).
    final = target.with_name(target.name.lstrip("."))
    target.rename(final)
    record.path = str(final)
    record.save()
    audit.record(
        actor=acting_user,
        action="tracing.feeds.receive",
        obj=record,
        detail={"filename": record.filename, "operator": operator, "via": via},
        request=request,
    )
    return record


def _problem(path: Path, filename: str) -> str:
    """Why the file cannot be ingested as it stands, or ''."""
    if Path(filename).suffix.lower() not in FORMATS:
        return _("A stay file is CSV or Parquet, not %(name)s.") % {"name": filename}
    try:
        columns = file_columns(path)
    except ValueError:
        return _("The file cannot be read as CSV or Parquet.")
    lacking = missing_columns(columns)
    if lacking is None:
        return ""
    return _(
        "Wrong columns: the file has %(found)s and lacks %(missing)s. "
        "Expected columns: %(expected)s."
    ) % {
        "found": ", ".join(columns) or "—",
        "missing": ", ".join(c for c in lacking if c not in columns),
        "expected": expected_columns(),
    }


def _refuse(record: StayFile, reason: str, *, acting_user, request=None) -> None:
    record.status = StayFile.Status.REFUSED
    record.reason = reason
    record.processed_at = timezone.now()
    record.save()
    audit.record(
        actor=acting_user,
        action="tracing.feeds.refuse",
        obj=record,
        detail={"filename": record.filename, "operator": record.operator, "reason": reason},
        request=request,
    )


def _settled(path: Path, min_age_s: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime >= min_age_s
    except FileNotFoundError:
        return False


def _found_in_folder(now: dt.datetime, min_age_s: float, acting_user) -> None:
    """Record the files dropped into the folder (a sub-folder names the operator)."""
    root = feeds_dir()
    known = set(
        StayFile.objects.filter(status=StayFile.Status.RECEIVED).values_list("path", flat=True)
    )
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or str(path) in known:
            continue
        if not _settled(path, min_age_s):
            continue
        operator = path.parent.name if path.parent != root else ""
        record = StayFile.objects.create(
            operator=operator[:100],
            filename=path.name[:255],
            path=str(path),
            via=StayFile.Via.FOLDER,
            arrived_on=_today(now),
            received_by_name=_actor_name(acting_user),
            size_bytes=path.stat().st_size,
            file_hash=_hash(path),
        )
        audit.record(
            actor=acting_user,
            action="tracing.feeds.receive",
            obj=record,
            detail={"filename": record.filename, "operator": operator, "via": "folder"},
        )


def _ingest_one(record: StayFile, *, acting_user) -> None:
    path = Path(record.path)
    if not path.is_file():
        _refuse(record, _("The file is gone from the folder."), acting_user=acting_user)
        return
    day = record.arrived_on
    problem = _problem(path, record.filename)
    if not problem:
        earlier = (
            StayFile.objects.filter(file_hash=record.file_hash, status=StayFile.Status.INGESTED)
            .exclude(pk=record.pk)
            .first()
        )
        if earlier is not None:
            problem = _("The same file was ingested on %(day)s (%(name)s).") % {
                "day": earlier.arrived_on.isoformat(),
                "name": earlier.filename,
            }
    if problem:
        shutil.move(path, _kept_dir("refused", day) / path.name)
        record.path = ""
        _refuse(record, problem, acting_user=acting_user)
        return
    rule = protocol(DEFAULT_PROTOCOL).companion
    try:
        report = ingest_file(path, Store(store_root()), rule)
    except ValueError as error:
        shutil.move(path, _kept_dir("refused", day) / path.name)
        record.path = ""
        _refuse(record, str(error), acting_user=acting_user)
        return
    kept = _kept_dir("ingested", day) / path.name
    shutil.move(path, kept)
    record.path = str(kept)
    record.status = StayFile.Status.INGESTED
    record.rows = report.rows
    record.stays = report.stays
    record.rejects = report.rejects
    record.days = [d.day.isoformat() for d in report.days]
    record.processed_at = timezone.now()
    record.save()
    audit.record(
        actor=acting_user,
        action="tracing.feeds.ingest",
        obj=record,
        detail={
            "filename": record.filename,
            "operator": record.operator,
            "rows": record.rows,
            "stays": record.stays,
            "rejects": record.rejects,
            "days": record.days,
        },
    )


def do_ingest_stay_feeds(
    *, acting_user, now: dt.datetime | None = None, min_age_s: float = SETTLED_S
) -> dict[str, int]:
    """Take the files waiting in the watched folder and ingest them one by one;
    return how many were ingested and refused."""
    require_feed(acting_user)
    now = now or timezone.now()
    with transaction.atomic():
        _found_in_folder(now, min_age_s, acting_user)
    counts = {"ingested": 0, "refused": 0}
    for record in StayFile.objects.filter(status=StayFile.Status.RECEIVED).order_by("id"):
        with transaction.atomic():
            _ingest_one(record, acting_user=acting_user)
        counts[record.status] = counts.get(record.status, 0) + 1
    return counts


def do_purge_companions(
    *,
    acting_user,
    as_of: dt.date | None = None,
    retention_days: int | None = None,
    dry_run: bool = False,
    store: Path | None = None,
) -> list[dt.date]:
    """Delete the companion store's days past the retention period (the
    protocol's ``retention_days`` unless given); every run is audited."""
    require_feed(acting_user)
    days = int(retention_days or protocol(DEFAULT_PROTOCOL).companion.retention_days)
    as_of = as_of or _today()
    root = Path(store or store_root())
    removed = purge(Store(root), days, as_of=as_of, dry_run=dry_run) if root.exists() else []
    audit.record(
        actor=acting_user,
        action="tracing.companions.purge",
        object_type="companion_store",
        object_label=str(root),
        detail={
            "retention_days": days,
            "as_of": as_of.isoformat(),
            "dry_run": dry_run,
            "days_removed": [d.isoformat() for d in removed],
        },
    )
    return removed


def feed_days(limit: int = 30) -> list[dict[str, Any]]:
    """Per day of arrival: files received, ingested, refused; rows and stays."""
    from django.db.models import Count, Q, Sum

    rows = (
        StayFile.objects.values("arrived_on")
        .annotate(
            files=Count("id"),
            ingested=Count("id", filter=Q(status=StayFile.Status.INGESTED)),
            refused=Count("id", filter=Q(status=StayFile.Status.REFUSED)),
            waiting=Count("id", filter=Q(status=StayFile.Status.RECEIVED)),
            rows=Sum("rows"),
            stays=Sum("stays"),
        )
        .order_by("-arrived_on")[:limit]
    )
    return [{**r, "rows": r["rows"] or 0, "stays": r["stays"] or 0} for r in rows]


def last_purge():
    """The latest purge's audit record, if any."""
    from zhanyi.core.models import AuditEvent

    return AuditEvent.objects.filter(action="tracing.companions.purge").order_by("-id").first()
