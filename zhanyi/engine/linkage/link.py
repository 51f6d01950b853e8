"""Linking pushed records to the person index (记录关联).

Order of work, for one list:

1. every record is normalised (``normalise_records``);
2. a valid identity number equal to one in the index links at once
   (method ``id_exact``, probability 1.0);
3. the others go to Splink (``link_only`` against the index, blocked on pinyin
   name + birth year, phone, pinyin name + village, and, when one of the two
   numbers is not valid, the identity number's first 14 and last 8 characters
   and pinyin name + division code; see ``model.BLOCK_KEYS`` and
   ``model.ID_TYPO_KEYS``); each record keeps its best candidate;
4. at or above ``link_at`` the record links, below ``new_below`` it is a new
   person, in between (or when two people of the index are both above
   ``link_at`` and neither leads by ``AMBIGUITY_BITS``) it goes to review with
   its candidates;
5. records of the list that are the same person share a ``cluster`` id, so a
   new person is created once however often the list names them.

The index is cut down before Splink to the people who share a blocking key
with some record, so the cost follows the list, not the city; term frequencies
of names are still counted over the whole index.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

import duckdb
import polars as pl

from zhanyi.engine.linkage.model import (
    BLOCK_KEYS,
    ID_TYPO_KEYS,
    LinkageModel,
    _quiet_splink,
    comparison_frame,
    train_model,
)
from zhanyi.engine.linkage.normalise import is_normalised, normalise_records

LINK_AT = 0.99
NEW_BELOW = 0.30
#: Share of pushed records whose person lives in the city (the article: 127,000
#: found of 163,000 screened), for the model's prior.
IN_CITY_SHARE = 0.8
MAX_CANDIDATES = 5
#: Two people of the index both above ``link_at`` still link to the better one
#: when its match weight leads by this many bits (odds of 1,000 to 1).
AMBIGUITY_BITS = 10.0
INDEX_COLUMNS = ("person_id", "name", "id_number", "phone", "birth_date", "sex", "address")

#: A frame's columns and their types.
Columns: TypeAlias = dict[str, pl.DataType | type[pl.DataType]]

OUTPUT_SCHEMA: Columns = {
    "record_key": pl.String,  # in fact the records' own type, passed through
    "person_id": pl.Int64,
    "decision": pl.String,
    "match_probability": pl.Float64,
    "method": pl.String,
    "cluster": pl.Int64,
    "candidates": pl.List(pl.Int64),
}


class LinkageError(ValueError):
    """Records or an index the linker cannot use; the message says which and why."""


#: Columns ``link`` reads from a normalised index.
LINK_COLUMNS = (
    "person_id",
    "name_norm",
    "name_pinyin",
    "name_sound",
    "id_norm",
    "id_valid",
    "phone_norm",
    "birth_date_norm",
    "birth_date_text",
    "birth_year",
    "sex_norm",
)


def load_index(index: pl.DataFrame | str | Path, *, for_linking: bool = False) -> pl.DataFrame:
    """The index as a normalised frame: from a frame, or from a Parquet file
    (normalised or not; ``prepare_index`` writes a normalised one). With
    ``for_linking`` a normalised file is read for the columns ``link`` uses only."""
    if isinstance(index, str | Path):
        path = Path(index)
        if not path.exists():
            raise LinkageError(f"person index {path} does not exist")
        names = list(pl.read_parquet_schema(path))
        if for_linking and all(c in names for c in LINK_COLUMNS):
            wanted = [*LINK_COLUMNS, *(["village_code"] if "village_code" in names else [])]
            frame = pl.read_parquet(path, columns=wanted)
            if frame["person_id"].null_count():
                raise LinkageError(f"person index {path} has rows without a person_id")
            return frame
        index = pl.read_parquet(path)
    if "identity_number" in index.columns and "id_number" not in index.columns:
        index = index.rename({"identity_number": "id_number"})
    if for_linking and all(c in index.columns for c in LINK_COLUMNS):
        if index["person_id"].null_count():
            raise LinkageError("the person index has rows without a person_id")
        return index
    missing = [c for c in INDEX_COLUMNS if c not in index.columns]
    if missing:
        raise LinkageError(f"the person index lacks the column(s) {', '.join(missing)}")
    if index["person_id"].null_count():
        raise LinkageError("the person index has rows without a person_id")
    return index if is_normalised(index) else normalise_records(index)


def prepare_index(index: pl.DataFrame | str | Path, path: str | Path) -> Path:
    """Normalise the index once and write it to ``path`` (Parquet) for ``link``."""
    frame = load_index(index)
    # The village and household ride along for the caller (the register's
    # comparison of a linked row with the person as the index holds them).
    keep = [*INDEX_COLUMNS, *(c for c in ("village_code", "household_id") if c in frame.columns)]
    from zhanyi.engine.linkage.normalise import NORMALISED_COLUMNS

    frame.select(*keep, *NORMALISED_COLUMNS).write_parquet(path, compression="zstd")
    return Path(path)


def link(
    records: pl.DataFrame,
    index: pl.DataFrame | str | Path,
    model: LinkageModel | None = None,
    *,
    link_at: float = LINK_AT,
    new_below: float = NEW_BELOW,
    in_city_share: float = IN_CITY_SHARE,
    clusters: bool = True,
) -> pl.DataFrame:
    """One row per record: record_key, person_id, decision, match_probability,
    method, cluster, candidates (see the module docstring).

    ``records`` needs record_key and the input columns of ``normalise_records``
    (village_code too, when the addresses were resolved, adds evidence).
    Without a ``model`` one is trained on the index first. ``clusters=False``
    leaves ``cluster`` null, for records that cannot name one person twice
    (a register's rows, each with an identity number of its own).
    """
    _check_input(records, link_at=link_at, new_below=new_below)
    keys = records["record_key"]
    idx = load_index(index, for_linking=True)
    recs = records if is_normalised(records) else normalise_records(records)
    schema: Columns = {**OUTPUT_SCHEMA, "record_key": keys.dtype}
    recs = recs.with_row_index("_row")
    if records.height == 0:
        return pl.DataFrame(schema=schema)

    exact = _exact_ids(recs, idx)
    conflicts = _id_conflicts(recs, exact, idx)
    exact = exact.join(conflicts, on="_row", how="anti")
    # A denied number says nothing of who the record is: scored without it.
    # nor do the birth date and sex it gave: the record's own are used.
    denied = pl.col("_row").is_in(conflicts["_row"].implode())
    rest = recs.join(exact, on="_row", how="anti").with_columns(
        pl.when(denied).then(None).otherwise(pl.col("id_norm")).alias("id_norm"),
        pl.when(denied).then(None).otherwise(pl.col("sex_norm")).alias("sex_norm"),
        pl.when(denied)
        .then(pl.col("birth_date_given"))
        .otherwise(pl.col("birth_date_norm"))
        .alias("birth_date_norm"),
        pl.when(denied)
        .then(pl.col("birth_date_given").dt.strftime("%Y-%m-%d"))
        .otherwise(pl.col("birth_date_text"))
        .alias("birth_date_text"),
        pl.when(denied)
        .then(pl.col("birth_date_given").dt.year())
        .otherwise(pl.col("birth_year"))
        .alias("birth_year"),
    )
    scored = _score(rest, idx, model, in_city_share) if rest.height else _empty_scores()
    best = _best_scores(scored, link_at=link_at, new_below=new_below)
    out = _with_conflicts(
        _decisions(recs, exact, best, link_at=link_at, new_below=new_below), conflicts
    )
    grouped = (
        _clusters(recs, out)
        if clusters
        else recs.select("_row", pl.lit(None, pl.Int64).alias("cluster"))
    )
    return (
        out.join(grouped, on="_row", how="left")
        .sort("_row")
        .select(list(schema))
        .cast(pl.Schema(schema))
    )


def _check_input(records: pl.DataFrame, *, link_at: float, new_below: float) -> None:
    """Refuse thresholds out of order and records without a unique record_key."""
    if not 0 < new_below <= link_at <= 1:
        raise LinkageError(
            f"thresholds must satisfy 0 < new_below <= link_at <= 1, got "
            f"new_below={new_below}, link_at={link_at}"
        )
    if "record_key" not in records.columns:
        raise LinkageError("records lack the column record_key")
    if records["record_key"].null_count():
        raise LinkageError("records have rows without a record_key")
    keys = records["record_key"]
    if keys.n_unique() != records.height:
        dup = keys.filter(keys.is_duplicated()).first()
        raise LinkageError(f"record_key {dup!r} appears more than once")


def _exact_ids(recs: pl.DataFrame, idx: pl.DataFrame) -> pl.DataFrame:
    """Step 1: records whose valid identity number is in the index (_row,
    person_id; the lowest person_id when several hold the number)."""
    valid_ids = recs.filter(pl.col("id_valid")).select("_row", "id_norm")
    id_map = (
        idx.select("id_norm", pl.col("person_id").cast(pl.Int64))
        .join(valid_ids.select("id_norm").unique(), on="id_norm", how="semi")
        .sort("person_id")
        .unique("id_norm", keep="first")
    )
    return valid_ids.join(id_map, on="id_norm", how="inner").select("_row", "person_id")


def _one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by at most one substitution, insertion or deletion."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _close_name(a: str, b: str) -> bool:
    """One character off in a name of three or more (陈建国, 陈建囯); in a name of
    two, another given name is another person (戴云, 戴雨), unless it sounds
    the same, which the pinyin and sound keys catch."""
    return min(len(a), len(b)) >= 3 and _one_edit(a, b)


def _id_conflicts(recs: pl.DataFrame, exact: pl.DataFrame, idx: pl.DataFrame) -> pl.DataFrame:
    """Records whose valid identity number names a person of the index that the
    rest of the record denies (_row, person_id). The name is not that person's
    (not the same characters, pinyin or sound), and either the birth date
    written is another, or the name is not one character off theirs (``_close_name``)
    and neither the birth date nor the phone is theirs. A household member's number on
    someone else's row is the usual cause (a sibling's name one character off,
    the household's phone); such a record goes to review with both candidates,
    never straight to a link."""
    if exact.height == 0:
        return exact
    joined = (
        exact.join(
            recs.select(
                "_row", "name_norm", "name_pinyin", "name_sound", "birth_date_given", "phone_norm"
            ),
            on="_row",
        )
        .join(
            idx.select(
                pl.col("person_id").cast(pl.Int64),
                pl.col("name_norm").alias("p_name"),
                pl.col("name_pinyin").alias("p_pinyin"),
                pl.col("name_sound").alias("p_sound"),
                pl.col("birth_date_norm").alias("p_birth"),
                pl.col("phone_norm").alias("p_phone"),
            ),
            on="person_id",
        )
        .filter(
            pl.col("name_norm").is_not_null()
            & pl.col("p_name").is_not_null()
            & (pl.col("name_norm") != pl.col("p_name"))
            & (pl.col("name_pinyin") != pl.col("p_pinyin")).fill_null(True)
            & (pl.col("name_sound") != pl.col("p_sound")).fill_null(True)
        )
        .with_columns(
            (pl.col("birth_date_given") != pl.col("p_birth")).fill_null(False).alias("born_else"),
            (pl.col("birth_date_given") == pl.col("p_birth")).fill_null(False).alias("born_same"),
            (pl.col("phone_norm") == pl.col("p_phone")).fill_null(False).alias("same_phone"),
        )
    )
    denied = [
        row["_row"]
        for row in joined.iter_rows(named=True)
        if row["born_else"]
        or (
            not _close_name(row["name_norm"], row["p_name"])
            and not row["born_same"]
            and not row["same_phone"]
        )
    ]
    return exact.filter(pl.col("_row").is_in(denied))


def _with_conflicts(out: pl.DataFrame, conflicts: pl.DataFrame) -> pl.DataFrame:
    """Records of ``_id_conflicts`` to review: the number's holder first among the
    candidates, then those the model found for the rest of the record."""
    if conflicts.height == 0:
        return out
    merged = out.join(conflicts.rename({"person_id": "holder"}), on="_row", how="left")
    is_conflict = pl.col("holder").is_not_null()
    return merged.with_columns(
        pl.when(is_conflict).then(pl.lit("review")).otherwise("decision").alias("decision"),
        pl.when(is_conflict).then(pl.lit("id_conflict")).otherwise("method").alias("method"),
        pl.when(is_conflict).then(pl.col("holder")).otherwise("person_id").alias("person_id"),
        pl.when(is_conflict)
        .then(
            pl.concat_list(pl.col("holder"), pl.col("candidates").fill_null([]))
            .list.unique(maintain_order=True)
            .list.head(MAX_CANDIDATES + 1)
        )
        .otherwise("candidates")
        .alias("candidates"),
    ).drop("holder")


def _best_scores(scored: pl.DataFrame, *, link_at: float, new_below: float) -> pl.DataFrame:
    """Per scored record: the best person and probability, how many persons
    score a link, the margin in match weight over the second, and the candidates."""
    return (
        scored.sort(["_row", "match_probability", "person_id"], descending=[False, True, False])
        .group_by("_row", maintain_order=True)
        .agg(
            pl.col("person_id").first().alias("best_id"),
            pl.col("match_probability").first().alias("best_p"),
            (pl.col("match_probability") >= link_at).sum().alias("n_above"),
            (pl.col("match_weight").first() - pl.col("match_weight").get(1, null_on_oob=True))
            .fill_null(float("inf"))
            .alias("margin"),
            pl.col("person_id")
            .filter(pl.col("match_probability") >= new_below)
            .head(MAX_CANDIDATES)
            .alias("candidates"),
        )
    )


def _decisions(
    recs: pl.DataFrame,
    exact: pl.DataFrame,
    best: pl.DataFrame,
    *,
    link_at: float,
    new_below: float,
) -> pl.DataFrame:
    """Step 3: each record's decision (link, review, new), method, person,
    probability and candidates, from its exact match or its best scores."""
    return (
        recs.select("_row", "record_key")
        .join(exact.rename({"person_id": "exact_id"}), on="_row", how="left")
        .join(best, on="_row", how="left")
        .with_columns(
            pl.when(pl.col("exact_id").is_not_null())
            .then(pl.lit("link"))
            .when(
                (pl.col("best_p") >= link_at)
                & ((pl.col("n_above") == 1) | (pl.col("margin") >= AMBIGUITY_BITS))
            )
            .then(pl.lit("link"))
            .when(pl.col("best_p") >= new_below)
            .then(pl.lit("review"))
            .otherwise(pl.lit("new"))
            .alias("decision"),
            pl.when(pl.col("exact_id").is_not_null())
            .then(pl.lit("id_exact"))
            .when(pl.col("best_id").is_not_null())
            .then(pl.lit("probabilistic"))
            .otherwise(pl.lit("none"))
            .alias("method"),
        )
        .with_columns(
            pl.coalesce("exact_id", "best_id").cast(pl.Int64).alias("person_id"),
            pl.when(pl.col("exact_id").is_not_null())
            .then(pl.lit(1.0))
            .otherwise(pl.col("best_p"))
            .cast(pl.Float64)
            .alias("match_probability"),
            pl.when(pl.col("exact_id").is_not_null())
            .then(pl.concat_list(pl.col("exact_id").cast(pl.Int64)))
            .when(pl.col("decision") == "review")
            .then(pl.col("candidates").cast(pl.List(pl.Int64)))
            .otherwise(pl.col("candidates").cast(pl.List(pl.Int64)).fill_null([]))
            .alias("candidates"),
        )
    )


def _empty_scores() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "_row": pl.UInt32,
            "person_id": pl.Int64,
            "match_probability": pl.Float64,
            "match_weight": pl.Float64,
        }
    )


def _score(
    rest: pl.DataFrame, idx: pl.DataFrame, model: LinkageModel | None, in_city_share: float
) -> pl.DataFrame:
    from splink import DuckDBAPI, Linker

    _quiet_splink()
    if model is None:
        model = train_model(idx)
    left = comparison_frame(rest, "_row")
    # People who share at least one blocking key with some record; the rest of
    # the index never meets a record in Splink's blocked pairs.
    keyed = idx.select(
        "person_id",
        pl.col("id_valid").fill_null(False),
        "name_pinyin",
        "birth_year",
        "phone_norm",
        pl.col("id_norm").str.slice(0, 14).alias("id_head"),
        pl.col("id_norm").str.slice(10, 8).alias("id_tail"),
        pl.col("id_norm").str.slice(0, 6).alias("id_division"),
        (
            pl.col("village_code").cast(pl.String)
            if "village_code" in idx.columns
            else pl.lit(None, pl.String).alias("village_code")
        ),
    )

    def sharing(people: pl.DataFrame, records: pl.DataFrame, key: tuple[str, ...]) -> pl.Series:
        values = records.select(list(key)).drop_nulls().unique()
        return people.join(values, on=list(key), how="semi")["person_id"]

    # The typo keys pair a record and a person only when one of the two
    # numbers is not valid (model.ID_TYPO_KEYS).
    unsure_records = left.filter(~pl.col("id_valid"))
    unsure_people = keyed.filter(~pl.col("id_valid"))
    wanted = pl.concat(
        [sharing(keyed, left, key) for key in BLOCK_KEYS]
        + [sharing(keyed, unsure_records, key) for key in ID_TYPO_KEYS]
        + [sharing(unsure_people, left, key) for key in ID_TYPO_KEYS]
    ).unique()
    if wanted.len() == 0:
        return _empty_scores()
    right = comparison_frame(idx.filter(pl.col("person_id").is_in(wanted.implode())), "person_id")
    # Name frequencies over the whole index, for the names the records carry.
    tf = (
        idx.select("name_norm")
        .filter(pl.col("name_norm").is_in(left["name_norm"].drop_nulls().unique().implode()))
        .group_by("name_norm")
        .len()
        .select("name_norm", (pl.col("len") / idx.height).alias("tf_name_norm"))
    )
    prior = min(0.5, in_city_share / max(idx.height, 1))
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.register("_l", left.to_arrow())
    con.register("_r", right.to_arrow())
    con.execute("create table records_t as select * from _l")
    con.execute("create table index_t as select * from _r")
    linker = Linker(
        ["records_t", "index_t"],
        model.settings_for("link_only", prior),
        DuckDBAPI(connection=con),
        set_up_basic_logging=False,
        input_table_aliases=["records", "index"],
    )
    linker.table_management.register_term_frequency_lookup(tf.to_pandas(), "name_norm")
    pred = linker.inference.predict()
    rows = con.sql(
        f"""
        select
          case when source_dataset_l = 'records' then uid_l else uid_r end as _row,
          case when source_dataset_l = 'records' then uid_r else uid_l end as person_id,
          match_probability,
          match_weight
        from {pred.physical_name}
        """
    ).to_arrow_table()
    con.close()
    frame = pl.from_arrow(rows)
    assert isinstance(frame, pl.DataFrame)  # from an Arrow table, not an array
    return frame.with_columns(
        pl.col("_row").cast(pl.UInt32),
        pl.col("person_id").cast(pl.Int64),
        pl.col("match_probability").cast(pl.Float64),
        pl.col("match_weight").cast(pl.Float64),
    )


def _clusters(recs: pl.DataFrame, out: pl.DataFrame) -> pl.DataFrame:
    """Connected components over: the linked person; a valid identity number;
    pinyin name + birth date; pinyin name + phone. Two records with different
    valid identity numbers, or linked to different people, are never joined
    through a name key."""
    n = recs.height
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    info = recs.select(
        "_row",
        pl.when(pl.col("id_valid")).then(pl.col("id_norm")).alias("vid"),
        "name_pinyin",
        "birth_date_norm",
        "phone_norm",
    ).join(
        out.select(
            "_row",
            pl.when(pl.col("decision") == "link").then(pl.col("person_id")).alias("linked"),
        ),
        on="_row",
    )
    # Identity of a record for conflict checks: its linked person, else its valid id.
    ident = info.select(
        pl.coalesce(pl.lit("p") + pl.col("linked").cast(pl.String), pl.lit("i") + pl.col("vid"))
    ).to_series()
    tag: list[str | None] = ident.to_list()

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra == rb:
            return
        ta, tb = tag[ra], tag[rb]
        if ta is not None and tb is not None and ta != tb:
            return
        parent[rb] = ra
        tag[ra] = ta if ta is not None else tb

    for key in (
        ["linked"],
        ["vid"],
        ["name_pinyin", "birth_date_norm"],
        ["name_pinyin", "phone_norm"],
    ):
        groups = (
            info.drop_nulls(key)
            .group_by(key)
            .agg(pl.col("_row"))
            .filter(pl.col("_row").list.len() > 1)["_row"]
            .to_list()
        )
        for rows in groups:
            first = rows[0]
            for r in rows[1:]:
                union(first, r)
    roots = [find(i) for i in range(n)]
    ids = pl.Series("root", roots).rank("dense").cast(pl.Int64)
    return pl.DataFrame({"_row": pl.Series(range(n), dtype=pl.UInt32), "cluster": ids})
