"""Values as senders write them (``zhanyi.engine.linkage.written``) and the
normaliser's names: notes, pinyin in both orders, surname readings, sound-alikes."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from zhanyi.engine.linkage import written
from zhanyi.engine.linkage.normalise import normalise_records

TODAY = dt.date(2021, 9, 15)


@pytest.mark.parametrize(
    ("value", "date", "month"),
    [
        ("1996-2-28 0:00:00", dt.date(1996, 2, 28), ""),
        ("96-2-28", dt.date(1996, 2, 28), ""),
        ("05/3/1", dt.date(2005, 3, 1), ""),
        ("35123", dt.date(1996, 2, 28), ""),
        (35123, dt.date(1996, 2, 28), ""),
        ("19960228", dt.date(1996, 2, 28), ""),
        ("1996年2月28日", dt.date(1996, 2, 28), ""),
        ("1996年2月", None, "1996-02"),
        ("199602", None, "1996-02"),
        (dt.datetime(1996, 2, 28, 0, 0), dt.date(1996, 2, 28), ""),  # noqa: DTZ001
    ],
)
def test_birth_dates_as_written(value, date, month):
    moment = written.read_moment(value, TODAY, past=True)
    assert (moment.date, moment.month_only) == (date, month)


def test_days_without_a_year_are_of_the_lists_year_or_the_one_before():
    assert written.read_moment("9月12日", TODAY, past=False).date == dt.date(2021, 9, 12)
    late = written.read_moment("12月30日 14时30分", TODAY, past=False)
    assert (late.date, late.time) == (dt.date(2020, 12, 30), dt.time(14, 30))


@pytest.mark.parametrize("value", ["2月30日", "abc", "1996-13-01", "123"])
def test_unreadable_dates_say_so(value):
    with pytest.raises(written.Unreadable):
        written.read_moment(value, TODAY, past=True)


def test_sex_and_categories_in_the_senders_words():
    assert [written.read_sex(v) for v in ("男性", "女性", "1", "2", "M", "f", "")] == [
        "male",
        "female",
        "male",
        "female",
        "male",
        "female",
        "",
    ]
    words = ["密接人员", "次密接人员", "密接的密接", "时空伴随者", "中风险地区来漳人员"]
    assert [written.read_category(v) for v in words] == [
        "close_contact",
        "secondary_contact",
        "secondary_contact",
        "companion",
        "risk_area_arrival",
    ]
    with pytest.raises(written.Unreadable):
        written.read_category("路人")


def test_identity_numbers_as_written():
    valid = "35060219750312111X"
    assert written.read_identity("350602750312111", TODAY).number == valid
    assert written.read_identity("'" + valid, TODAY).valid
    assert written.read_identity("\t" + valid.lower(), TODAY).valid
    for nothing in ("无", "-", "不详", "", None):
        assert written.read_identity(nothing, TODAY) is None
    sci = written.read_identity("3.50602E+17", TODAY)
    assert (sci.valid, sci.problem) == (False, "scientific")
    cell = written.read_identity(3.50602197503121e17, TODAY)
    assert cell.number == "350602197503121000" and cell.problem == "scientific"
    typo = written.read_identity(valid[:-1] + "1", TODAY)
    assert (typo.valid, typo.problem, typo.number) == (False, "check_digit", valid[:-1] + "1")


def test_phones_several_to_a_cell():
    assert written.split_phones("13905961001/13905961002") == ["13905961001", "13905961002"]
    assert written.split_phones("13905961001 13905961002") == ["13905961001", "13905961002"]
    assert written.split_phones("1390596100113905961002") == ["13905961001", "13905961002"]
    assert written.split_phones("0596-2345678，139 0596 1001") == ["0596-2345678", "139 0596 1001"]
    assert written.split_phones("无") == []


def _norm(names: list[str]) -> pl.DataFrame:
    n = len(names)
    frame = pl.DataFrame({"name": names} | {c: [None] * n for c in ("id_number", "phone")})
    frame = frame.with_columns(
        pl.lit(None, pl.String).alias("birth_date"),
        pl.lit(None, pl.String).alias("sex"),
        pl.lit(None, pl.String).alias("address"),
    )
    return normalise_records(frame)


def test_names_lose_their_notes_and_pinyin_reads_both_orders():
    out = _norm(
        ["林晴芷(其子)", "林晴芷（母）", "林晴芷其子", "Lin Qingzhi", "QINGZHI LIN", "林晴芷"]
    )
    assert out["name_norm"].to_list()[:3] == ["林晴芷"] * 3
    assert set(out["name_pinyin"].to_list()) == {"linqingzhi"}


def test_surnames_with_their_own_reading_and_minnan_sound_alikes():
    out = _norm(
        ["曾志明", "单丽", "Zeng Zhiming", "黄丽芳", "王丽芳", "方丽芳", "陈志强", "陈子强"]
    )
    pinyin = out["name_pinyin"].to_list()
    assert pinyin[0] == pinyin[2] == "zengzhiming"
    assert pinyin[1] == "shanli"
    sound = out["name_sound"].to_list()
    assert sound[3] == sound[5]  # 黄 huang and 方 fang: f/h
    assert sound[6] == sound[7]  # 志 zhi and 子 zi: zh/z
    assert sound[3] != sound[4]


def _index_and_records(index_rows: list[tuple], record_rows: list[tuple]):
    cols = ["name", "id_number", "phone", "birth_date"]
    index = pl.DataFrame(index_rows, schema=cols, orient="row").with_columns(
        pl.Series("person_id", range(1, len(index_rows) + 1), dtype=pl.Int64),
        pl.lit(None, pl.String).alias("sex"),
        pl.lit(None, pl.String).alias("address"),
    )
    records = pl.DataFrame(record_rows, schema=cols, orient="row").with_columns(
        pl.lit(None, pl.String).alias("sex"), pl.lit(None, pl.String).alias("address")
    )
    return normalise_records(index), normalise_records(records).with_row_index("_row")


def test_a_number_whose_person_the_row_denies_is_a_conflict():
    from zhanyi.engine.identity import check_char
    from zhanyi.engine.linkage.link import _exact_ids, _id_conflicts

    def number(birth: str, seq: str) -> str:
        first = f"350602{birth}{seq}"
        return first + check_char(first)

    yu, jianguo = number("20080210", "112"), number("19750312", "111")
    index, records = _index_and_records(
        [("戴雨", yu, "13715213315", "2008-02-10"), ("陈建国", jianguo, "13905961001", None)],
        [
            ("戴云", yu, "13960279898", None),  # two characters, another given name
            ("陈建囯", jianguo, None, None),  # one character off in three: a typo
            ("戴雨", yu, None, "1954-03-09"),  # the same name: a birth date alone does not deny it
            ("林秀英", jianguo, "13905961001", None),  # the person's phone confirms
            ("林秀英", jianguo, None, "1982-07-04"),  # another name and another birth date
        ],
    )
    exact = _exact_ids(records, index)
    denied = sorted(_id_conflicts(records, exact, index)["_row"].to_list())
    assert denied == [0, 4]
