"""Normalising person records before linkage (记录标准化).

Pushed lists arrive in every spelling: traditional characters (繁体), full-width
digits, spaces inside names, phones with ``+86`` or dashes, birth dates as text
in three formats, identity numbers with a lower-case ``x``. ``normalise_records``
adds one canonical column for each field so that the same person written two
ways compares equal. It works column-wise on unique values (names, characters,
phones), so five million index rows cost seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import polars as pl

from zhanyi.engine import identity, phones

#: Columns every input frame must have (values may be null).
INPUT_COLUMNS = ("name", "id_number", "phone", "birth_date", "sex", "address")
#: Columns ``normalise_records`` adds.
NORMALISED_COLUMNS = (
    "name_norm",
    "name_pinyin",
    "surname_pinyin",
    "id_norm",
    "id_valid",
    "id_birth_date",
    "id_sex",
    "phone_norm",
    "birth_date_norm",
    "birth_year",
    "sex_norm",
    "address_norm",
)

_FULLWIDTH = {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {"\u3000": " "}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_SEX_WORDS = {
    "male": "male",
    "m": "male",
    "男": "male",
    "1": "male",
    "female": "female",
    "f": "female",
    "女": "female",
    "2": "female",
    "unknown": "unknown",
    "未知": "unknown",
}


class RecordError(ValueError):
    """An input frame the normaliser cannot read; the message names the column."""


@lru_cache(maxsize=1)
def _simplify_table() -> tuple[list[str], list[str]]:
    """Traditional → simplified characters (OpenCC's ``TSCharacters`` table, first
    reading) and full-width → half-width forms, as two parallel lists."""
    import opencc  # opencc-python-reimplemented: its dictionary files

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table = dict(_FULLWIDTH)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1 and parts[0] != parts[1]:
            table[parts[0]] = parts[1]
    return list(table), list(table.values())


@lru_cache(maxsize=200_000)
def _char_pinyin(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    return "".join(lazy_pinyin(ch, style=Style.NORMAL, errors="ignore"))


def to_simplified(values: pl.Series) -> pl.Series:
    """Simplified characters and half-width forms, character by character.

    One Aho-Corasick pass (``str.replace_many``) over OpenCC's table: names and
    addresses need no phrase-level conversion.
    """
    src, dst = _simplify_table()
    return values.cast(pl.String).str.replace_many(src, dst)


def name_pinyin(names: pl.Series) -> pl.Series:
    """Tone-less pinyin of simplified names (``陈嘉`` → ``chenjia``), per character.

    Each distinct character is looked up once in pypinyin; each distinct name
    is spelled once and joined back.
    """
    names = names.cast(pl.String)
    uniq = names.drop_nulls().unique()
    chars = uniq.str.split("").explode().unique().drop_nulls().to_list()
    mapping = {c: _char_pinyin(c) for c in chars if c}
    src = [c for c in mapping if mapping[c] != c]
    spelled = uniq.str.replace_many(src, [mapping[c] for c in src]) if src else uniq
    spelled = spelled.replace("", None)
    lookup = dict(zip(uniq.to_list(), spelled.to_list(), strict=True))
    return names.replace_strict(lookup, default=None, return_dtype=pl.String)


def _clean_text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.replace_all(r"[\s\u3000·•]+", "").replace("", None)


def _phone_norm(values: pl.Series) -> pl.Series:
    """National digits (``13812345678``; fixed lines with their ``0`` area code).

    Bare Chinese mobiles, nearly every row, are recognised by a pattern; anything
    else goes through ``phonenumbers`` once per distinct value. Values that are
    not a person's number become null.
    """
    digits = (
        values.cast(pl.String)
        .str.replace_many(list("０１２３４５６７８９"), list("0123456789"))
        .str.replace_all(r"[^\d+]", "")
        .str.replace(r"^(\+?0{0,2}86)(1\d{10})$", "$2")
        .replace("", None)
    )
    mobile = digits.str.contains(r"^1[3-9]\d{9}$")
    others = digits.filter(~mobile.fill_null(True) & digits.is_not_null()).unique().to_list()
    fixed: dict[str, str | None] = {}
    for value in others:
        try:
            e164 = phones.normalize_phone(value)
        except phones.PhoneNumberError:
            fixed[value] = None
            continue
        fixed[value] = ("0" + e164[3:]) if e164.startswith("+86") else e164
    if not fixed:
        return digits.set(~mobile.fill_null(False), None)
    mapped = digits.replace_strict(fixed, default=None, return_dtype=pl.String)
    return pl.select(pl.when(mobile).then(digits).otherwise(mapped)).to_series().rename("phone")


def _birth_dates(values: pl.Series) -> pl.Series:
    if values.dtype == pl.Date:
        return values
    if values.dtype == pl.Datetime:
        return values.dt.date()
    if values.dtype == pl.Null:
        return pl.Series(values.name, [None] * len(values), pl.Date)
    text = values.cast(pl.String).str.strip_chars()
    return pl.select(
        pl.coalesce([text.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS])
    ).to_series()


def _ids(values: pl.Series) -> pl.DataFrame:
    """id_norm, id_valid, id_birth_date, id_sex for a column of identity numbers."""
    norm = (
        values.cast(pl.String)
        .str.replace_many(list("０１２３４５６７８９ｘＸx"), list("0123456789XXX"))
        .str.replace_all(r"\s+", "")
        .replace("", None)
    )
    weights = identity._WEIGHTS
    shape_ok = norm.str.contains(r"^\d{17}[\dX]$").fill_null(False)
    frame = pl.DataFrame({"id_norm": norm})
    digits = [pl.col("id_norm").str.slice(i, 1).cast(pl.Int64, strict=False) for i in range(17)]
    total = pl.sum_horizontal([d * w for d, w in zip(digits, weights, strict=True)])
    check = pl.lit(identity._CHECK_CHARS).str.slice(total % 11, 1)
    birth = pl.col("id_norm").str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    frame = frame.with_columns(
        pl.when(pl.lit(shape_ok)).then(birth).otherwise(None).alias("_birth"),
        pl.when(pl.lit(shape_ok)).then(check).otherwise(None).alias("_check"),
    )
    valid = (
        pl.lit(shape_ok)
        & (pl.col("_check") == pl.col("id_norm").str.slice(17, 1))
        & pl.col("_birth").is_not_null()
        & (pl.col("_birth") <= today)
        & (pl.col("_birth").dt.year() >= 1880)
    ).fill_null(False)
    plausible = (pl.col("_birth") <= today) & (pl.col("_birth").dt.year() >= 1900)
    return frame.with_columns(valid.alias("id_valid")).select(
        "id_norm",
        "id_valid",
        # An invalid number (a swapped pair of digits, most often elsewhere)
        # still tells its birth date more often than not: a last resort.
        pl.when(~pl.col("id_valid") & plausible).then(pl.col("_birth")).alias("_id_birth_guess"),
        pl.when(pl.col("id_valid")).then(pl.col("_birth")).alias("id_birth_date"),
        pl.when(pl.col("id_valid"))
        .then(
            pl.when(pl.col("id_norm").str.slice(16, 1).cast(pl.Int64) % 2 == 1)
            .then(pl.lit("male"))
            .otherwise(pl.lit("female"))
        )
        .alias("id_sex"),
    )


def normalise_records(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with the normalised columns added (see ``NORMALISED_COLUMNS``).

    Input columns: name, id_number, phone, birth_date (date or text), sex
    (male/female/unknown, or 男/女), address; a missing column is an error,
    a null value is not. Birth date and sex come from a valid identity number
    when there is one (it cannot disagree with itself), else from the record.
    """
    missing = [c for c in INPUT_COLUMNS if c not in df.columns]
    if missing:
        raise RecordError(f"records lack the column(s) {', '.join(missing)}")
    name = to_simplified(df.select(_clean_text(pl.col("name"))).to_series())
    address = to_simplified(df.select(_clean_text(pl.col("address"))).to_series())
    ids = _ids(df["id_number"])
    given_sex = (
        df["sex"]
        .cast(pl.String)
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(_SEX_WORDS, default=None, return_dtype=pl.String)
    )
    pinyin = name_pinyin(name)
    out = df.with_columns(
        name.alias("name_norm"),
        pinyin.alias("name_pinyin"),
        name_pinyin(name.str.slice(0, 1)).alias("surname_pinyin"),
        ids["id_norm"],
        ids["id_valid"],
        ids["id_birth_date"],
        ids["id_sex"],
        ids["_id_birth_guess"],
        _phone_norm(df["phone"]).alias("phone_norm"),
        _birth_dates(df["birth_date"]).alias("_given_birth"),
        given_sex.alias("_given_sex"),
        address.alias("address_norm"),
    )
    return (
        out.with_columns(
            pl.coalesce("id_birth_date", "_given_birth", "_id_birth_guess").alias(
                "birth_date_norm"
            ),
            pl.coalesce("id_sex", pl.col("_given_sex").replace("unknown", None)).alias("sex_norm"),
        )
        .with_columns(pl.col("birth_date_norm").dt.year().alias("birth_year"))
        .drop("_given_birth", "_given_sex", "_id_birth_guess")
    )


def is_normalised(df: pl.DataFrame) -> bool:
    return all(c in df.columns for c in NORMALISED_COLUMNS)
