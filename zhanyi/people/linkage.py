"""The person index as the linkage engine (``zhanyi.engine.linkage``) reads it.

The engine works on Polars frames and never sees Django. This module turns
the person index and the area tree into frames: the person index is read with
one ``values_list`` cursor in chunks (5 million rows at full scale) and kept
as a Parquet snapshot in ``ZHANYI_DATA_DIR/linkage/``, named by a stamp of
the table (row count, highest id, last change) so that any change of persons
makes a new snapshot. The linkage model is trained on a snapshot, saved,
and reused until the index has changed size by more than ``RETRAIN_CHANGE``.

Every intake that links records to the index reads it here: pushed lists
(``screening``), the population register (``people.actions.register``).
"""

from __future__ import annotations

import hashlib
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
    ]
)


def snapshot_dir() -> Path:
    """Where the index's snapshot and the linkage model are kept."""
    path = Path(settings.DATA_DIR) / "linkage"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stamp() -> str:
    live = Person.objects.filter(merged_into=None)
    figures = live.aggregate(n=Count("id"), top=Max("id"), changed=Max("updated_at"))
    db = settings.DATABASES["default"]
    # The normalised columns are part of the snapshot: a new engine's columns
    # make a new snapshot.
    from zhanyi.engine.linkage.normalise import NORMALISED_COLUMNS

    raw = f"{db['ENGINE']}|{db['NAME']}|{figures['n']}|{figures['top']}|{figures['changed']}"
    raw += "|" + ",".join(NORMALISED_COLUMNS)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _write_index(path: Path) -> None:
    """The live persons as the engine reads them: one ``COPY`` on PostgreSQL
    (``bulk.read_frame``), villages by their code, empty text as null."""
    frame = bulk.read_frame(
        Person,
        ["id", "name", "identity_number", "phone", "birth_date", "sex", "address", "village_id"],
        {
            "person_id": pl.Int64,
            "name": pl.String,
            "id_number": pl.String,
            "phone": pl.String,
            "birth_date": pl.Date,
            "sex": pl.String,
            "address": pl.String,
            "village_id": pl.Int64,
        },
        where="merged_into_id IS NULL",
    )
    codes = dict(Area.objects.values_list("id", "code"))
    frame = (
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
        .drop("village_id")
    )
    tmp = path.with_suffix(".tmp")
    pq.write_table(frame.to_arrow().cast(INDEX_SCHEMA), tmp)
    tmp.replace(path)


def person_index_path() -> Path:
    """The Parquet snapshot of the live person index, written when persons changed."""
    directory = snapshot_dir()
    path = directory / f"person-index-{_stamp()}.parquet"
    if not path.exists():
        # The linkage engine loads Splink (seconds): only when records are linked.
        from zhanyi.engine.linkage import prepare_index

        for old in directory.glob("person-index-*"):
            old.unlink(missing_ok=True)
        raw = directory / f"raw-{path.name}"
        _write_index(raw)
        try:
            # Normalised once per snapshot (pinyin, simplified characters,
            # phone digits), not once per list.
            prepare_index(raw, path)
        finally:
            raw.unlink(missing_ok=True)
    return path


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
