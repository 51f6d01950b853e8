"""The person index as the linkage engine (``zhanyi.engine.linkage``) reads it.

The engine works on Polars frames and never sees Django. This module turns
the person index and the area tree into frames: the person index is read
(one ``COPY`` on PostgreSQL) and kept as a Parquet snapshot in
``ZHANYI_DATA_DIR/linkage/``, named by a stamp of the table (row count,
highest id, last change) so that any change of persons makes a new snapshot.
A new snapshot is the last one brought up to date: only the persons changed
since are read and normalised again (5 million rows at full scale, of which a
month changes a tenth). The linkage model is trained on a snapshot, saved,
and reused until the index has changed size by more than ``RETRAIN_CHANGE``.

Every intake that links records to the index reads it here: pushed lists
(``screening``), the population register (``people.actions.register``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from zhanyi.core.db import bulk
from zhanyi.people.models import Person
from zhanyi.places.models import Area, Place

INDEX_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("name", pa.string()),
        ("id_number", pa.string()),
        ("phone", pa.string()),
        ("birth_date", pa.date32()),
        ("sex", pa.string()),
        ("address", pa.string()),
        ("village_code", pa.string()),
        ("household_id", pa.int64()),
    ]
)

#: Persons saved this long before the last snapshot's newest change are read
#: again when it is brought up to date: a transaction that saved them before
#: that change may have committed after the snapshot was read.
SNAPSHOT_OVERLAP = dt.timedelta(hours=6)


def snapshot_dir() -> Path:
    """Where the index's snapshot and the linkage model are kept."""
    path = Path(settings.DATA_DIR) / "linkage"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _figures() -> dict:
    """What the stamp of the live persons is made of: count, highest id, last change."""
    live = Person.objects.filter(merged_into=None)
    return live.aggregate(n=Count("id"), top=Max("id"), changed=Max("updated_at"))


def _stamp(figures: dict) -> str:
    db = settings.DATABASES["default"]
    # The normalised columns are part of the snapshot: a new engine's columns
    # make a new snapshot.
    from zhanyi.engine.linkage.normalise import NORMALISED_COLUMNS

    raw = f"{db['ENGINE']}|{db['NAME']}|{figures['n']}|{figures['top']}|{figures['changed']}"
    raw += "|" + ",".join(NORMALISED_COLUMNS) + "|" + ",".join(INDEX_SCHEMA.names)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _read_persons(where: str, params: list) -> pl.DataFrame:
    """Persons as the engine reads them (``INDEX_SCHEMA``, and ``merged``):
    one ``COPY`` on PostgreSQL (``bulk.read_frame``), villages by their code,
    empty text as null."""
    frame = bulk.read_frame(
        Person,
        [
            "id",
            "name",
            "identity_number",
            "phone",
            "birth_date",
            "sex",
            "address",
            "village_id",
            "household_id",
            "merged_into_id",
        ],
        {
            "person_id": pl.Int64,
            "name": pl.String,
            "id_number": pl.String,
            "phone": pl.String,
            "birth_date": pl.Date,
            "sex": pl.String,
            "address": pl.String,
            "village_id": pl.Int64,
            "household_id": pl.Int64,
            "merged": pl.Int64,
        },
        where=where,
        params=params,
    )
    codes = dict(Area.objects.values_list("id", "code"))
    return (
        frame.sort("person_id")
        .with_columns(
            [
                pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
                for c in ("name", "id_number", "phone", "sex", "address")
            ]
            + [
                pl.col("village_id")
                .replace_strict(codes, default=None, return_dtype=pl.String)
                .alias("village_code")
            ]
        )
        .select(*INDEX_SCHEMA.names, "merged")
        .cast({"birth_date": pl.Date})
    )


def _prepared(raw: pl.DataFrame, path: Path) -> None:
    """``raw`` persons normalised once (pinyin, simplified characters, phone
    digits), not once per list, written to ``path``."""
    # The linkage engine loads Splink (seconds): only when records are linked.
    from zhanyi.engine.linkage import prepare_index

    tmp = path.with_name(f"raw-{path.name}")
    pq.write_table(raw.drop("merged").to_arrow().cast(INDEX_SCHEMA), tmp)
    try:
        prepare_index(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _brought_up_to_date(old: Path, figures: dict, path: Path) -> bool:
    """Write ``path`` as the snapshot ``old`` with the persons changed since it
    (read and normalised again, the merged away dropped); False when ``old``
    cannot be used (then the whole index is read)."""
    try:
        meta = json.loads(old.with_suffix(".json").read_text())
        since = dt.datetime.fromisoformat(meta["changed"]) - SNAPSHOT_OVERLAP
        top = int(meta["top"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    changed = _read_persons("updated_at >= %s OR id > %s", [since, top])
    delta = path.with_name(f"delta-{path.name}")
    _prepared(changed.filter(pl.col("merged").is_null()), delta)
    try:
        fresh = pl.read_parquet(delta)
        kept = pl.read_parquet(old).join(changed.select("person_id"), on="person_id", how="anti")
        if kept.columns != fresh.columns:
            return False
        frame = pl.concat([kept, fresh.cast(kept.schema)]).sort("person_id")
    finally:
        delta.unlink(missing_ok=True)
    if frame.height != figures["n"]:
        # A person changed without their time of change moving: read them all.
        return False
    tmp = path.with_suffix(".tmp")
    frame.write_parquet(tmp, compression="zstd")
    tmp.replace(path)
    return True


def person_index_path() -> Path:
    """The Parquet snapshot of the live person index, written when persons
    changed: the last snapshot brought up to date, else the whole index read."""
    directory = snapshot_dir()
    figures = _figures()
    path = directory / f"person-index-{_stamp(figures)}.parquet"
    if path.exists():
        return path
    earlier = sorted(directory.glob("person-index-*.parquet"), key=lambda p: p.stat().st_mtime)
    if not (earlier and _brought_up_to_date(earlier[-1], figures, path)):
        _prepared(_read_persons("merged_into_id IS NULL", []), path)
    changed = figures["changed"]
    path.with_suffix(".json").write_text(
        json.dumps({"top": figures["top"] or 0, "changed": (changed or _EPOCH).isoformat()})
    )
    for old in directory.glob("person-index-*"):
        if old.stem != path.stem:
            old.unlink(missing_ok=True)
    return path


#: The time of change of an empty index.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class LinkageUnavailable(ValueError):
    """The person index cannot be linked against yet (the message says why)."""


#: The model is trained again when the index has grown or shrunk by more than
#: this share since it was trained: its u-values are frequencies over the
#: city's people, which a few hundred new persons do not change, and training
#: costs about a minute for the 20,000-person demo city.
RETRAIN_CHANGE = 0.10


def _model_path() -> Path:
    db = settings.DATABASES["default"]
    key = hashlib.sha256(f"{db['ENGINE']}|{db['NAME']}".encode()).hexdigest()[:12]
    return snapshot_dir() / f"linkage-model-{key}.json"


def linkage_model(index_path: Path):
    """The linkage model for this snapshot of the index: the saved one while the
    index is within ``RETRAIN_CHANGE`` of the size it was trained on, else a new one."""
    # The linkage engine loads Splink (seconds): only when records are linked.
    from zhanyi.engine.linkage import LinkageModel, train_model

    index = pl.read_parquet(index_path)
    if index.height < 2:
        raise LinkageUnavailable(
            _("The person index needs at least two people before a list can be linked to it.")
        )
    model_path = _model_path()
    if model_path.exists():
        try:
            model = LinkageModel.load(model_path)
        except ValueError:  # a model of an earlier format: trained again below
            model = None
        trained_on = int(model.meta.get("index_people") or 0) if model is not None else 0
        if (
            model is not None
            and trained_on
            and (abs(index.height - trained_on) <= RETRAIN_CHANGE * trained_on)
        ):
            return model
    model = train_model(index)
    model.save(model_path)
    return model


def areas_frame() -> pl.DataFrame:
    rows = list(
        Area.objects.exclude(level="grid").values_list("code", "name", "level", "parent__code")
    )
    return pl.DataFrame(
        rows,
        schema={"code": pl.String, "name": pl.String, "level": pl.String, "parent_code": pl.String},
        orient="row",
    )


def places_frame() -> pl.DataFrame:
    """The places index (compounds, schools, markets …): name and area code, for
    addresses that name a place rather than its village."""
    rows = list(Place.objects.values_list("name", "area__code"))
    return pl.DataFrame(rows, schema={"name": pl.String, "area_code": pl.String}, orient="row")
