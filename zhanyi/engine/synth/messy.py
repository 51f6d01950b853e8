"""A push list written as other cities' senders really write it (issue 15).

``generate_push_list`` makes records with the faults of typing (typos, swapped
digits, missing fields); ``make_messy`` rewrites them the way other cities'
spreadsheets hold them: dates with a time part, two-digit years, Excel date
serials and 出生年月; sex as 男性, 1 or F; categories in the sender's words;
days without a year; two phones in a cell; identity numbers of 15 digits,
behind an apostrophe, as 无 or in scientific notation, or a household
member's; names with a note in brackets or in pinyin. ``write_messy`` writes
it with a title row above the header, the headers senders use (联系方式,
出生年月, 现居住地, 身份证) and a totals row. Each record's faults are added to
its truth, so the benchmark reports precision and recall per fault kind.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from zhanyi.engine import identity

#: Share of records each way of writing touches.
MESSY_FAULTS = {
    "birth_time_part": 0.10,
    "birth_two_digit_year": 0.04,
    "birth_serial": 0.03,
    "birth_month_only": 0.05,
    "sex_words": 0.25,
    "category_words": 0.30,
    "time_no_year": 0.20,
    "two_phones": 0.04,
    "id_fifteen": 0.02,
    "id_apostrophe": 0.08,
    "id_none_word": 0.6,  # of records without a number: 无, -, 不详 instead of empty
    "id_scientific": 0.005,
    "id_of_other": 0.003,  # a household member's (another person's) number
    "name_note": 0.02,
    "name_pinyin": 0.005,
}
MESSY_HEADERS = {
    "record_key": "序号",
    "name": "姓名",
    "id_number": "身份证",
    "phone": "联系方式",
    "sex": "性别",
    "birth_date": "出生年月",
    "address": "现居住地",
    "category": "人员类型",
    "origin": "推送地市",
    "exposure_at": "末次接触时间",
    "arrived_at": "抵漳时间",
}
_CATEGORY_WORDS = {
    "密接": ("密接人员", "密切接触者", "密接者"),
    "次密接": ("次密接人员", "密接的密接", "次密切接触者"),
    "时空伴随": ("时空伴随人员", "时空伴随者"),
    "中高风险地区来返人员": ("中风险地区来漳人员", "高风险地区返乡人员", "风险地区来返"),
}
_NOTES = ("(其子)", "（母）", "(其女)", "（家属）", "(本人)")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _pinyin(name: str, rng: np.random.Generator) -> str:
    from zhanyi.engine.linkage.normalise import _char_pinyin

    parts = [_char_pinyin(c) for c in name]
    surname, given = parts[0].capitalize(), "".join(parts[1:]).capitalize()
    return f"{surname} {given}" if rng.random() < 0.5 else f"{given} {surname.upper()}"


def _birth(text: str | None, ur: float, rates: dict[str, float], applied: list[str]) -> object:
    if not text:
        return text
    day = dt.date.fromisoformat(text[:10]) if "-" in text else None
    if day is None:
        try:
            day = dt.datetime.strptime(text.replace("/", ""), "%Y%m%d").date()  # noqa: DTZ007
        except ValueError:
            return text
    edges = np.cumsum(
        [rates[k] for k in ("birth_time_part", "birth_two_digit_year", "birth_serial")]
        + [rates["birth_month_only"]]
    )
    if ur < edges[0]:
        applied.append("birth_time_part")
        return f"{day.year}-{day.month}-{day.day} 0:00:00"
    if ur < edges[1] and day.year < 2000:
        applied.append("birth_two_digit_year")
        return f"{day.year % 100:02d}-{day.month}-{day.day}"
    if ur < edges[2]:
        applied.append("birth_serial")
        return str((day - _EXCEL_EPOCH).days)
    if ur < edges[3]:
        applied.append("birth_month_only")
        return f"{day.year}年{day.month}月"
    return text


def _housemates(people: pl.DataFrame, id_col: str, truth: pl.DataFrame) -> dict[int, str]:
    """Person → the number of another member of their household, for the
    persons the list names."""
    if "household_id" not in people.columns:
        return {}
    listed = truth["person_id"].drop_nulls().unique().implode()
    homes = people.filter(pl.col("person_id").is_in(listed))["household_id"].unique().implode()
    members = people.filter(pl.col("household_id").is_in(homes)).select(
        "person_id", "household_id", id_col
    )
    pairs = (
        members.join(members, on="household_id", suffix="_other")
        .filter(pl.col("person_id") != pl.col("person_id_other"))
        .filter(pl.col(f"{id_col}_other").is_not_null())
        .unique("person_id", keep="first")
    )
    return dict(zip(pairs["person_id"].to_list(), pairs[f"{id_col}_other"].to_list(), strict=True))


def make_messy(
    records: pl.DataFrame,
    truth: pl.DataFrame,
    people: pl.DataFrame,
    *,
    seed: int,
    rates: dict[str, float] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``records`` (from ``generate_push_list``) rewritten as senders write them,
    and ``truth`` with each record's added faults. ``people`` (person_id,
    identity_number or id_number, household_id when known) gives the numbers
    of other people for ``id_of_other``."""
    rates = MESSY_FAULTS | (rates or {})
    rng = np.random.default_rng(seed + 15)
    id_col = "identity_number" if "identity_number" in people.columns else "id_number"
    pool = people[id_col].drop_nulls().sample(min(people.height, 50_000), seed=seed).to_list()
    housemates = _housemates(people, id_col, truth)
    u = rng.random((records.height, 16))
    out: dict[str, list] = {c: [] for c in records.columns}
    added: list[str] = []
    for r, row in enumerate(records.iter_rows(named=True)):
        ur = u[r]
        applied: list[str] = []
        name = row["name"] or ""
        if ur[0] < rates["name_note"] and name:
            name += _NOTES[int(ur[1] * len(_NOTES))]
            applied.append("name_note")
        elif ur[0] < rates["name_note"] + rates["name_pinyin"] and name and name.isalpha():
            name = _pinyin(name, rng)
            applied.append("name_pinyin")
        idn = row["id_number"]
        valid = idn is not None and len(idn) == 18
        if not idn:
            if ur[2] < rates["id_none_word"]:
                idn = ("无", "-", "不详")[int(ur[3] * 3)]
                applied.append("id_none_word")
        elif ur[2] < rates["id_of_other"]:
            # A household member's number when the person has one, else anyone's.
            idn = housemates.get(truth["person_id"][r]) or pool[int(ur[3] * len(pool))]
            applied.append("id_of_other")
        elif valid and ur[2] < rates["id_of_other"] + rates["id_scientific"]:
            idn = f"{float(idn[:17]) * 10:.5E}"
            applied.append("id_scientific")
        elif (
            valid
            and idn[6:8] == "19"
            and ur[2] < sum(rates[k] for k in ("id_of_other", "id_scientific", "id_fifteen"))
        ):
            try:
                identity.parse_resident_id(idn)
                idn = idn[:6] + idn[8:17]
                applied.append("id_fifteen")
            except identity.IdentityNumberError:
                pass
        elif ur[4] < rates["id_apostrophe"]:
            idn = "'" + idn
            applied.append("id_apostrophe")
        phone = row["phone"]
        if phone and ur[5] < rates["two_phones"]:
            other = f"13{int(ur[6] * 10**9):09d}"
            phone = f"{phone}/{other}" if ur[7] < 0.5 else f"{other}，{phone}"
            applied.append("two_phones")
        sex = row["sex"]
        if sex in ("男", "女") and ur[8] < rates["sex_words"]:
            words = {"男": ("男性", "1", "M"), "女": ("女性", "2", "F")}[sex]
            sex = words[int(ur[9] * 3)]
            applied.append("sex_words")
        category = row["category"]
        if category in _CATEGORY_WORDS and ur[10] < rates["category_words"]:
            choices = _CATEGORY_WORDS[category]
            category = choices[int(ur[11] * len(choices))]
            applied.append("category_words")
        exposure = row["exposure_at"]
        if exposure and ur[12] < rates["time_no_year"]:
            moment = dt.datetime.fromisoformat(exposure.replace("/", "-"))
            exposure = f"{moment.month}月{moment.day}日"
            applied.append("time_no_year")
        birth = _birth(row["birth_date"], float(ur[13]), rates, applied)
        values = row | {
            "name": name,
            "id_number": idn,
            "phone": phone,
            "sex": sex,
            "category": category,
            "exposure_at": exposure,
            "birth_date": birth,
        }
        for column in records.columns:
            out[column].append(values[column])
        added.append(",".join(applied))
    messy = pl.DataFrame(out, schema=dict.fromkeys(records.columns, pl.String))
    faults = truth["faults"].fill_null("")
    joined = [",".join(p for p in (a, b) if p) for a, b in zip(faults, added, strict=True)]
    return messy, truth.with_columns(pl.Series("faults", joined, dtype=pl.String))


def write_messy(df: pl.DataFrame, path: str | Path, *, title: str, total_label: str) -> Path:
    """An xlsx as senders make it: a title and a date row above the header, the
    headers they use (``MESSY_HEADERS``), the rows, and a totals row."""
    import openpyxl

    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("Sheet1")
        sheet.append([title])
        sheet.append(["填报单位：协查组", None, None, "日期：2021年9月12日"])
        sheet.append([MESSY_HEADERS.get(c, c) for c in df.columns])
        for row in df.iter_rows():
            sheet.append(list(row))
        sheet.append([f"{total_label}：{df.height}人"])
        book.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
