"""Close contacts (密接) and secondary contacts (次密接) from exposure edges.

Input tables (Polars data frames, times as UTC microseconds):

- ``cases``: ``case_id, person_id, window_start, window_end``: each case's
  exposure window from the protocol (start inclusive, end exclusive);
- ``exposures``: ``person_a, person_b, exposed_at, setting, certainty``: one
  undirected edge per exposure;
- ``quarantined``: ``person_id, quarantined_at``: when a person was put in
  quarantine (a contact's exposures after that do not count); persons not in
  the table are counted as not quarantined until ``as_of``.

Depth 1 (close contacts): everyone with an exposure to the case inside its
window. Depth d+1: everyone with an exposure to a depth-d contact between that
contact's first exposure (to the one they were reached through) and their
quarantine. A person is listed once per case, at the smallest depth, reached
through the person with the earliest such exposure. Depth 2 and beyond are
secondary contacts; a secondary contact reached through a person who is now
a case (``positive_person_ids``) is upgraded to a close contact when
``upgrade_secondary`` is set. Persons who are cases (``case_person_ids``) are
followed through and listed with ``is_case`` set, so that the answer does not
depend on whether the case or the exposure was recorded first.

Everything is a handful of joins and group-bys, so a graph of hundreds of
thousands of edges expands in well under a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeAlias

import polars as pl

#: A frame's columns and their types.
Columns: TypeAlias = dict[str, pl.DataType | type[pl.DataType]]

TS = pl.Datetime("us", "UTC")
CASES: Columns = {"case_id": pl.Int64, "person_id": pl.Int64, "window_start": TS, "window_end": TS}
EXPOSURES: Columns = {
    "person_a": pl.Int64,
    "person_b": pl.Int64,
    "exposed_at": TS,
    "setting": pl.String,
    "certainty": pl.String,
}
QUARANTINED: Columns = {"person_id": pl.Int64, "quarantined_at": TS}
CONTACTS: Columns = {
    "case_id": pl.Int64,
    "person_id": pl.Int64,
    "depth": pl.Int32,
    "via_person_id": pl.Int64,
    "first_exposure_at": TS,
    "last_exposure_at": TS,
    "kind": pl.String,
    "upgraded": pl.Boolean,
    "is_case": pl.Boolean,
}


def _check(frame: pl.DataFrame, schema: Columns, name: str) -> pl.DataFrame:
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing columns {', '.join(missing)}")
    try:
        return frame.select([pl.col(c).cast(t) for c, t in schema.items()])
    except pl.exceptions.PolarsError as error:
        raise ValueError(f"{name}: {error}") from None


def _edges(exposures: pl.DataFrame, settings: Iterable[str], certainties: Iterable[str]):
    kept = exposures.filter(
        pl.col("setting").is_in(list(settings)) & pl.col("certainty").is_in(list(certainties))
    )
    forward = kept.select(src="person_a", dst="person_b", at="exposed_at")
    backward = kept.select(src="person_b", dst="person_a", at="exposed_at")
    return pl.concat([forward, backward]).filter(pl.col("src") != pl.col("dst")).lazy()


def _best(reached: pl.LazyFrame, positives: pl.Series) -> pl.LazyFrame:
    """One row per (case, person): the earliest exposure's via, first and last
    times, and the earliest of those they were reached through who is
    positive (an upgrade looks at each of them, not only the first)."""
    keys = ["case_id", "dst"]
    # Only the exposures to positive persons, a few, are grouped a second time.
    positive = (
        reached.filter(pl.col("via").is_in(positives.implode()))
        .sort(["case_id", "dst", "at", "via"])
        .group_by(keys)
        .agg(pl.col("via").first().alias("positive_via"))
    )
    return (
        reached.sort(["case_id", "dst", "at", "via"])
        .group_by(keys)
        .agg(
            pl.col("via").first().alias("via_person_id"),
            pl.col("at").min().alias("first_exposure_at"),
            pl.col("at").max().alias("last_exposure_at"),
        )
        .join(positive, on=keys, how="left")
        .rename({"dst": "person_id"})
    )


def expand_contacts(
    cases: pl.DataFrame,
    exposures: pl.DataFrame,
    quarantined: pl.DataFrame | None = None,
    *,
    as_of: dt.datetime,
    max_depth: int = 2,
    settings: Iterable[str],
    certainties: Iterable[str] = ("confirmed", "probable"),
    positive_person_ids: Iterable[int] = (),
    case_person_ids: Iterable[int] | None = None,
    upgrade_secondary: bool = True,
) -> pl.DataFrame:
    """Every contact of every case (schema ``CONTACTS``), sorted by case, depth, person.

    ``settings`` are the protocol file's (``[contacts] settings``): the engine
    knows no setting by name."""
    if max_depth < 1:
        raise ValueError("max_depth must be at least 1")
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    cases, exposures, quarantined_at = _checked_inputs(cases, exposures, quarantined)
    edges = _edges(exposures, settings, certainties)
    case_persons = cases.lazy().select("case_id", pl.col("person_id").alias("case_person_id"))
    as_of_utc = pl.lit(as_of.astimezone(dt.UTC)).cast(TS)

    positives = pl.Series("p", list(positive_person_ids), dtype=pl.Int64)
    level = _direct_contacts(cases, edges, case_persons, positives)
    found = [level]
    seen = level.select("case_id", "person_id")
    for depth in range(2, max_depth + 1):
        if level.height == 0:
            break
        level = _next_level(
            level, depth, edges, quarantined_at, as_of_utc, seen, case_persons, positives
        )
        found.append(level)
        seen = pl.concat([seen, level.select("case_id", "person_id")])
    cases_ = positive_person_ids if case_person_ids is None else case_person_ids
    return _classified(pl.concat(found), cases_, upgrade_secondary)


def _checked_inputs(
    cases: pl.DataFrame, exposures: pl.DataFrame, quarantined: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.LazyFrame]:
    """The cases and exposures in their schemas, and each quarantined person's
    first quarantine; a case whose window ends before it starts is refused."""
    cases = _check(cases, CASES, "cases")
    bad = cases.filter(pl.col("window_start") >= pl.col("window_end"))
    if bad.height:
        raise ValueError(f"cases: window ends before it starts for case {bad['case_id'][0]}")
    exposures = _check(exposures, EXPOSURES, "exposures")
    if quarantined is None:
        quarantined = pl.DataFrame(schema=QUARANTINED)
    quarantined_at = (
        _check(quarantined, QUARANTINED, "quarantined")
        .group_by("person_id")
        .agg(pl.col("quarantined_at").min())
        .lazy()
    )
    return cases, exposures, quarantined_at


def _not_the_case(level: pl.LazyFrame, case_persons: pl.LazyFrame) -> pl.LazyFrame:
    """``level`` without the case's own person, who is never its contact."""
    return level.join(
        case_persons,
        left_on=["case_id", "person_id"],
        right_on=["case_id", "case_person_id"],
        how="anti",
    )


def _direct_contacts(
    cases: pl.DataFrame, edges: pl.LazyFrame, case_persons: pl.LazyFrame, positives: pl.Series
) -> pl.DataFrame:
    """Depth 1: everyone exposed to a case within the case's exposure window."""
    level = _best(
        cases.lazy()
        .join(edges, left_on="person_id", right_on="src")
        .filter((pl.col("at") >= pl.col("window_start")) & (pl.col("at") < pl.col("window_end")))
        .select("case_id", "dst", "at", via=pl.col("person_id")),
        positives,
    ).with_columns(depth=pl.lit(1, pl.Int32))
    return _not_the_case(level, case_persons).collect()


def _next_level(
    level: pl.DataFrame,
    depth: int,
    edges: pl.LazyFrame,
    quarantined_at: pl.LazyFrame,
    as_of_utc: pl.Expr,
    seen: pl.DataFrame,
    case_persons: pl.LazyFrame,
    positives: pl.Series,
) -> pl.DataFrame:
    """Depth ``depth``: everyone exposed to a contact of the level above from
    that contact's first exposure until their quarantine (or ``as_of``), who
    is not yet a contact of the case."""
    nxt = (
        level.lazy()
        .join(quarantined_at, on="person_id", how="left")
        .with_columns(until=pl.coalesce("quarantined_at", as_of_utc))
        .join(edges, left_on="person_id", right_on="src")
        .filter((pl.col("at") >= pl.col("first_exposure_at")) & (pl.col("at") < pl.col("until")))
        .select("case_id", "dst", "at", via=pl.col("person_id"))
    )
    fresh = _best(nxt, positives).join(seen.lazy(), on=["case_id", "person_id"], how="anti")
    return _not_the_case(fresh, case_persons).with_columns(depth=pl.lit(depth, pl.Int32)).collect()


def _classified(
    out: pl.DataFrame, case_person_ids: Iterable[int], upgrade_secondary: bool
) -> pl.DataFrame:
    """Close (depth 1, or upgraded: exposed in their window to any person they
    were reached through who tested positive, who is then their ``via``) or
    secondary. Persons who are cases themselves are listed with ``is_case``:
    the chain of transmission keeps them whichever was recorded first, the
    case or the exposure (they are managed as cases, not as contacts)."""
    cases = pl.Series("c", list(case_person_ids), dtype=pl.Int64)
    upgraded = (
        (pl.col("depth") >= 2) & pl.col("positive_via").is_not_null()
        if upgrade_secondary
        else pl.lit(False)
    )
    out = out.with_columns(upgraded=upgraded).with_columns(
        kind=pl.when((pl.col("depth") == 1) | pl.col("upgraded"))
        .then(pl.lit("close"))
        .otherwise(pl.lit("secondary")),
        via_person_id=pl.when(pl.col("upgraded"))
        .then(pl.col("positive_via"))
        .otherwise(pl.col("via_person_id")),
        is_case=pl.col("person_id").is_in(cases.implode()),
    )
    return out.select([pl.col(c).cast(t) for c, t in CONTACTS.items()]).sort(
        ["case_id", "depth", "person_id"]
    )
