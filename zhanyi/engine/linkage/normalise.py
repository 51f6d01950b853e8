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
import re
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
    "name_sound",
    "surname_pinyin",
    "id_norm",
    "id_valid",
    "id_birth_date",
    "id_sex",
    "phone_norm",
    "birth_date_norm",
    "birth_date_text",
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


#: Surnames read otherwise than the character's first reading (曾 zēng, not
#: céng; 单 shàn, not dān): a name written in pinyin spells them so.
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "区": "ou",
    "仇": "qiu",
    "解": "xie",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
    "覃": "qin",
    "乐": "yue",
    "缪": "miao",
    "翟": "zhai",
    "尉": "yu",
    "秘": "bi",
    "种": "chong",
    "召": "shao",
    "长孙": "zhangsun",
    "万俟": "moqi",
    "令狐": "linghu",
}

#: Sounds that Minnan speakers (and their lists) do not tell apart: zh/z,
#: ch/c, sh/s, n/l, f/hu (方 fang, 黄 huang), r/l, -ng/-n. Folded in this order.
_SOUND_FOLDS: tuple[tuple[str, str], ...] = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ng", "n"))
_SOUND_FOLDS += (("r", "l"), ("l", "n"), ("f", "hu"), ("huu", "hu"))

#: Notes a sender adds to a name: in brackets of any kind, or a role word after it.
_NAME_NOTES = r"[(（\[【［〔<《][^)）\]】］〕>》]*[)）\]】］〕>》]?"
_NAME_ROLES = (
    r"^(.{2,}?)(?:之子|之女|之妻|之夫|之母|之父|其子|其女|其妻|其夫|其母|其父|家属|本人|户主)$"
)


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
    dst = [mapping[c] for c in src]
    spelled = uniq.str.replace_many(src, dst) if src else uniq
    # A surname with a reading of its own is spelled so, then the given name.
    readings = SURNAME_READINGS
    head2, head1 = uniq.str.slice(0, 2), uniq.str.slice(0, 1)
    given = [
        uniq.str.slice(n).str.replace_many(src, dst) if src else uniq.str.slice(n) for n in (1, 2)
    ]
    spelled = (
        pl.select(
            pl.when(head2.is_in(list(readings)) & (uniq.str.len_chars() > 2))
            .then(head2.replace_strict(readings, default="") + given[1])
            .when(head1.is_in(list(readings)))
            .then(head1.replace_strict(readings, default="") + given[0])
            .otherwise(spelled)
        )
        .to_series()
        .replace("", None)
    )
    lookup = dict(zip(uniq.to_list(), spelled.to_list(), strict=True))
    return names.replace_strict(lookup, default=None, return_dtype=pl.String)


def sound_key(pinyin: pl.Series) -> pl.Series:
    """The pinyin with the sounds Minnan does not tell apart folded together
    (``zhangli`` and ``zangni`` are one key): homophones in the ear of a
    Minnan speaker, for the model's sound-alike level."""
    out = pinyin.cast(pl.String)
    for a, b in _SOUND_FOLDS:
        out = out.str.replace_all(a, b, literal=True)
    return out


@lru_cache(maxsize=1)
def _surname_spellings() -> frozenset[str]:
    from zhanyi.engine.synth.names import SURNAMES

    spelled = {_char_pinyin(s[0]) if len(s) == 1 else "" for s in SURNAMES}
    spelled |= {"".join(_char_pinyin(c) for c in s) for s in SURNAMES}
    return frozenset(spelled | set(SURNAME_READINGS.values()))


def _latin_name(name: str) -> str | None:
    """A name written in pinyin, surname first (``Qingzhi Lin`` → ``linqingzhi``);
    None when the name is not written in latin letters."""
    words = [w for w in re.split(r"[\s\-·.,]+", name.lower()) if w]
    if not words or not all(w.isascii() and w.isalpha() for w in words):
        return None
    surnames = _surname_spellings()
    if len(words) > 1 and words[0] not in surnames and words[-1] in surnames:
        words = [words[-1], *words[:-1]]
    return "".join(words)


def clean_names(values: pl.Series) -> pl.Series:
    """Names without the sender's notes (``林晴芷(其子)``, ``（母）``): what the
    model compares; a name in pinyin lower-cased, surname first."""
    names = (
        values.cast(pl.String)
        .str.replace_all(_NAME_NOTES, "")
        .str.strip_chars()
        .str.replace(_NAME_ROLES, "$1")
    )
    latin = names.str.contains(r"^[A-Za-z][A-Za-z\s\-·.,]*$").fill_null(False)
    if not latin.any():
        return names
    uniq = names.filter(latin).unique().to_list()
    spelled = {n: _latin_name(n) for n in uniq}
    fixed = names.replace_strict(spelled, default=None, return_dtype=pl.String)
    return pl.select(pl.when(latin).then(fixed).otherwise(names)).to_series().rename(names.name)


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


def _birth_month(df: pl.DataFrame) -> pl.Expr:
    """A year and month only (出生年月, ``1996-02``), from the optional column
    ``birth_month``, when no full date is known."""
    if "birth_month" not in df.columns:
        return pl.lit(None, pl.String)
    month = pl.col("birth_month").cast(pl.String)
    return pl.when(month.str.contains(r"^\d{4}-\d{2}$")).then(month)


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
    notes_removed = clean_names(df["name"]).alias("name")
    name = to_simplified(pl.select(_clean_text(pl.lit(notes_removed))).to_series())
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
        sound_key(pinyin).alias("name_sound"),
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
        .with_columns(
            pl.coalesce(pl.col("birth_date_norm").dt.strftime("%Y-%m-%d"), _birth_month(df)).alias(
                "birth_date_text"
            ),
            pl.coalesce(
                pl.col("birth_date_norm").dt.year(),
                _birth_month(df).str.slice(0, 4).cast(pl.Int32, strict=False),
            ).alias("birth_year"),
        )
        # The birth date as the record wrote it, for the check of a name against
        # the person an identity number names (``link``).
        .rename({"_given_birth": "birth_date_given"})
        .drop("_given_sex", "_id_birth_guess")
    )


def is_normalised(df: pl.DataFrame) -> bool:
    return all(c in df.columns for c in NORMALISED_COLUMNS)
