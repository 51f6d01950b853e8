"""The faulty push list generator and its writer."""

from __future__ import annotations

import polars as pl
import pytest

from zhanyi.engine.identity import IdentityNumberError, parse_resident_id
from zhanyi.engine.synth import SynthConfig, generate
from zhanyi.engine.synth.pushlist import (
    CATEGORY_LABELS,
    HEADERS,
    OUTPUT_COLUMNS,
    generate_push_list,
    write_push_list,
)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("pushcity")
    generate(SynthConfig.for_scale(5000, seed=2), out, stays=False)
    return pl.read_parquet(out / "people.parquet"), pl.read_parquet(out / "areas.parquet")


@pytest.fixture(scope="module")
def pushed(city):
    return generate_push_list(*city, 3000, seed=7)


def _with_fault(truth: pl.DataFrame, fault: str) -> pl.DataFrame:
    return truth.filter(pl.col("faults").str.split(",").list.contains(fault))


def test_the_list_has_the_asked_size_columns_and_one_truth_row_per_record(pushed):
    records, truth = pushed
    assert records.height == 3000
    assert tuple(records.columns) == OUTPUT_COLUMNS
    assert records["record_key"].is_unique().all()
    assert truth["record_key"].to_list() == records["record_key"].to_list()


def test_people_not_in_the_city_and_repeats_come_in_the_articles_proportions(pushed, city):
    records, truth = pushed
    distinct = truth.unique("person_key")
    out_share = distinct["person_id"].null_count() / distinct.height
    assert 0.10 < out_share < 0.18  # 20,500 of 147,500 in the article
    repeats = 1 - distinct.height / truth.height
    assert 0.07 < repeats < 0.12
    in_city = truth["person_id"].drop_nulls()
    assert in_city.is_in(city[0]["person_id"].implode()).all()
    unswapped = ~truth["faults"].str.contains("id_swapped")
    outsiders = records.filter(truth["person_id"].is_null() & unswapped)
    assert outsiders["id_number"].drop_nulls().str.slice(0, 4).is_in(["3502", "3503", "3505"]).all()
    for number in outsiders["id_number"].drop_nulls():
        parse_resident_id(number)  # raises IdentityNumberError when not valid


def test_a_swapped_identity_number_fails_its_check_digit(pushed):
    records, truth = pushed
    swapped = records.join(_with_fault(truth, "id_swapped"), on="record_key")
    assert swapped.height > 10
    for number in swapped["id_number"]:
        with pytest.raises(IdentityNumberError):
            parse_resident_id(number)


def test_the_faults_named_in_the_issue_all_occur(pushed):
    records, truth = pushed
    for fault in (
        "duplicate",
        "name_typo",
        "traditional",
        "id_swapped",
        "id_missing",
        "phone_missing",
        "address_moved",
        "address_township_only",
        "address_variant",
    ):
        assert _with_fault(truth, fault).height > 0, fault
    typo = records.join(_with_fault(truth, "traditional"), on="record_key")
    assert (
        typo["address"].str.contains("漳州").sum() == 0
        or typo["address"].str.contains("區|縣|鎮|鄉").any()
    )
    missing = records.join(_with_fault(truth, "id_missing"), on="record_key")
    assert missing["id_number"].null_count() == missing.height
    assert missing["phone"].null_count() == 0  # a record keeps one way to find the person
    assert set(records["category"].unique()) <= set(CATEGORY_LABELS.values())
    assert set(records["origin"].unique()) <= {"莆田市", "厦门市", "泉州市"}


def test_the_same_seed_gives_the_same_list_and_another_seed_another(city):
    a, _ = generate_push_list(*city, 200, seed=1)
    b, _ = generate_push_list(*city, 200, seed=1)
    c, _ = generate_push_list(*city, 200, seed=2)
    assert a.equals(b)
    assert not a.equals(c)


def test_bad_arguments_are_refused(city):
    with pytest.raises(ValueError, match="unknown fault 'typos'"):
        generate_push_list(*city, 10, seed=1, faults={"typos": 0.1})
    with pytest.raises(ValueError, match="between 0 and 1"):
        generate_push_list(*city, 10, seed=1, faults={"name_typo": 2})
    with pytest.raises(ValueError, match="at least one record"):
        generate_push_list(*city, 0, seed=1)


def test_a_list_written_as_gbk_csv_or_xlsx_reads_back_the_same(pushed, tmp_path):
    records, _ = pushed
    head = records.head(300)
    csv = write_push_list(head, tmp_path / "list.csv", "csv", "gbk")
    text = csv.read_bytes().decode("gbk")
    back = pl.read_csv(text.encode("utf-8"), infer_schema=False)
    assert text.splitlines()[0].split(",") == [HEADERS[c] for c in OUTPUT_COLUMNS]
    assert back.rename(dict(zip(back.columns, head.columns, strict=True))).equals(head)
    xlsx = write_push_list(head, tmp_path / "list.xlsx", "xlsx")
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [HEADERS[c] for c in OUTPUT_COLUMNS]
    first = list(rows[1]) + [None] * (len(OUTPUT_COLUMNS) - len(rows[1]))
    assert first == list(head.row(0))


def test_a_character_gbk_cannot_hold_is_refused_and_leaves_no_file(tmp_path):
    df = pl.DataFrame({"record_key": ["1"], "name": ["陈𠀀"]})
    with pytest.raises(ValueError, match="gb18030"):
        write_push_list(df, tmp_path / "x.csv", "csv", "gbk")
    assert list(tmp_path.iterdir()) == []
    write_push_list(df, tmp_path / "x.csv", "csv", "gb18030")
    assert "陈𠀀" in (tmp_path / "x.csv").read_bytes().decode("gb18030")


def test_the_messy_list_writes_values_as_senders_do_and_records_each_fault(city, pushed, tmp_path):
    import openpyxl

    from zhanyi.engine.synth.messy import MESSY_HEADERS, make_messy, write_messy

    records, truth = pushed
    people = city[0]
    messy, messy_truth = make_messy(records, truth, people, seed=7)
    assert messy.height == records.height and messy_truth.height == truth.height
    kinds = {k for f in messy_truth["faults"] for k in f.split(",") if k}
    for kind in ("birth_time_part", "sex_words", "category_words", "time_no_year", "id_apostrophe"):
        assert kind in kinds, kind
    by_key = dict(zip(messy["record_key"], messy["id_number"], strict=True))
    for key in _with_fault(messy_truth, "id_fifteen")["record_key"]:
        assert len(by_key[key]) == 15
    for key in _with_fault(messy_truth, "id_apostrophe")["record_key"]:
        assert by_key[key].startswith("'")
    # The same seed, the same list.
    again, _ = make_messy(records, truth, people, seed=7)
    assert again.equals(messy)
    path = write_messy(messy, tmp_path / "list.xlsx", title="名单", total_label="合计")
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "名单" and rows[2][1] == MESSY_HEADERS["name"]
    assert rows[-1][0] == f"合计：{messy.height}人" and len(rows) == messy.height + 4
