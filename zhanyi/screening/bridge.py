"""The bridge between the screening app and the engine (``zhanyi.engine.linkage``).

The person index's snapshot, the linkage model and the area and place frames
are the person index's (``zhanyi.people.linkage``); this module keeps the
screening app's own working folder and turns staged push records into the
frame the engine's ``link`` takes.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from django.conf import settings


def snapshot_dir() -> Path:
    """The screening app's working folder: staging, error files, uploads, the demo's lists."""
    path = Path(settings.DATA_DIR) / "screening"
    path.mkdir(parents=True, exist_ok=True)
    return path


def records_frame(staged: pl.DataFrame, village_codes: list[str | None]) -> pl.DataFrame:
    """Staged push records as the engine's ``link`` takes them (with their resolved village)."""
    return staged.select(
        pl.col("record_key").cast(pl.Int64),
        pl.col("name"),
        (pl.col("id_match") if "id_match" in staged.columns else pl.col("identity_number")).alias(
            "id_number"
        ),
        pl.col("phone"),
        # The birth date as written (none when the row wrote none): the engine
        # takes a valid identity number's own, and checks the written one
        # against the person the number names.
        (pl.col("birth_written") if "birth_written" in staged.columns else pl.col("birth_date"))
        .cast(pl.Date)
        .alias("birth_date"),
        (
            pl.col("birth_month")
            if "birth_month" in staged.columns
            else pl.lit(None, pl.String).alias("birth_month")
        ),
        pl.col("sex"),
        pl.col("address"),
    ).with_columns(
        [
            pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
            for c in ("name", "id_number", "phone", "sex", "address")
        ]
        + [pl.Series("village_code", village_codes, dtype=pl.String)]
    )
