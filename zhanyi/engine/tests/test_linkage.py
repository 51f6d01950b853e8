"""Record linkage against a small synthetic city's person index."""

from __future__ import annotations

import polars as pl
import pytest

from zhanyi.engine.linkage import (
    LinkageError,
    LinkageModel,
    RecordError,
    link,
    normalise_records,
    prepare_index,
    train_model,
)
from zhanyi.engine.synth import SynthConfig, generate


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("linkcity")
    generate(SynthConfig.for_scale(3000, seed=11), out, stays=False)
    people = pl.read_parquet(out / "people.parquet").rename({"identity_number": "id_number"})
    return out, people


@pytest.fixture(scope="module")
def index(city):
    return normalise_records(city[1])


@pytest.fixture(scope="module")
def model(index):
    return train_model(index, seed=5, max_pairs=100_000)


COLUMNS = ("record_key", "name", "id_number", "phone", "birth_date", "sex", "address")


def _swap(text: str, at: int) -> str:
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def _record(person: dict, key: str, **changes) -> dict:
    row = {
        "record_key": key,
        "name": person["name"],
        "id_number": person["id_number"],
        "phone": person["phone"],
        "birth_date": person["birth_date"].isoformat(),
        "sex": person["sex"],
        "address": person["address"],
    }
    row.update(changes)
    return row


def _frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=dict.fromkeys(COLUMNS, pl.String),
    )


def _distinct_person(people: pl.DataFrame, offset: int) -> dict:
    """An adult with a phone whose pinyin name + birth year is unique in the index."""
    norm = normalise_records(people)
    unique = norm.filter(
        pl.struct("name_pinyin", "birth_year").is_unique()
        & pl.col("phone").is_not_null()
        & (pl.col("birth_year") < 2000)
    )
    return unique.row(offset, named=True)


def test_a_valid_identity_number_in_the_index_links_exactly(index, model):
    person = index.row(10, named=True)
    out = link(_frame([_record(person, "a")]), index, model)
    row = out.row(0, named=True)
    assert row["decision"] == "link"
    assert row["method"] == "id_exact"
    assert row["person_id"] == person["person_id"]
    assert row["match_probability"] == 1.0


def test_a_swapped_pair_of_digits_and_a_typo_in_the_name_still_link(city, index, model):
    person = _distinct_person(city[1], 3)
    typo = person["name"][0] + ("伟" if person["name"][1] != "伟" else "强") + person["name"][2:]
    rec = _record(person, "b", id_number=_swap(person["id_number"], 15), name=typo)
    out = link(_frame([rec]), index, model).row(0, named=True)
    assert out["method"] == "probabilistic"
    assert out["decision"] == "link"
    assert out["person_id"] == person["person_id"]


def test_traditional_characters_and_spaces_match_the_simplified_name(city, index, model):
    person = _distinct_person(city[1], 7)
    import opencc

    traditional = " ".join(opencc.OpenCC("s2t").convert(person["name"]))
    rec = _record(person, "c", name=traditional, id_number=None)
    out = link(_frame([rec]), index, model).row(0, named=True)
    assert out["decision"] == "link"
    assert out["person_id"] == person["person_id"]


def test_duplicates_within_the_list_share_one_cluster_and_strangers_do_not(city, index, model):
    person = _distinct_person(city[1], 11)
    stranger = {
        "name": "欧阳明",
        "id_number": "350302199001011233",
        "phone": "13900000001",
        "birth_date": __import__("datetime").date(1990, 1, 1),
        "sex": "male",
        "address": "福建省莆田市荔城区镇海街道",
    }
    other = dict(stranger, name="司马光", id_number="350302198802021234", phone="13900000002")
    rows = [
        _record(person, "d1"),
        _record(person, "d2", id_number=_swap(person["id_number"], 12), phone=None),
        _record(stranger, "s1"),
        _record(stranger, "s2", id_number=None),
        _record(other, "o1"),
    ]
    out = link(_frame(rows), index, model)
    by_key = {r["record_key"]: r for r in out.to_dicts()}
    assert by_key["d1"]["cluster"] == by_key["d2"]["cluster"]
    assert by_key["s1"]["decision"] == "new"
    assert by_key["s1"]["cluster"] == by_key["s2"]["cluster"]
    assert by_key["o1"]["cluster"] != by_key["s1"]["cluster"]
    assert len({by_key[k]["cluster"] for k in ("d1", "s1", "o1")}) == 3
    # Without clusters (a register's rows): the same decisions, no cluster.
    bare = link(_frame(rows), index, model, clusters=False)
    assert bare.drop("cluster").equals(out.drop("cluster"))
    assert bare["cluster"].null_count() == len(rows)


def test_a_weak_match_goes_to_review_between_the_thresholds(city, index, model):
    person = _distinct_person(city[1], 5)
    # Same name and birth date, nothing else: not enough to link, too much to ignore.
    rec = _record(person, "r", id_number=None, phone=None, address=None, sex=None)
    strict = link(_frame([rec]), index, model, link_at=0.999999, new_below=0.0001)
    row = strict.row(0, named=True)
    assert row["decision"] == "review"
    assert person["person_id"] in row["candidates"]
    lenient = link(_frame([rec]), index, model, link_at=0.01, new_below=0.001)
    assert lenient.row(0, named=True)["decision"] == "link"


def test_a_person_not_in_the_index_is_new(index, model):
    rec = {
        "record_key": "n",
        "name": "欧阳明",
        "id_number": "350302199001011233",
        "phone": "13900000001",
        "birth_date": "1990-01-01",
        "sex": "male",
        "address": "福建省莆田市荔城区",
    }
    row = link(_frame([rec]), index, model).row(0, named=True)
    assert row["decision"] == "new"
    assert row["person_id"] is None or row["match_probability"] < 0.3


def test_the_model_round_trips_through_json_and_links_the_same(tmp_path, index, model):
    path = model.save(tmp_path / "model.json")
    again = LinkageModel.load(path)
    person = index.row(20, named=True)
    rec = _frame([_record(person, "m", id_number=_swap(person["id_number"], 15))])
    assert link(rec, index, again).equals(link(rec, index, model))


def test_a_prepared_parquet_index_gives_the_same_answer(tmp_path, city, index, model):
    path = prepare_index(city[1], tmp_path / "index.parquet")
    person = index.row(30, named=True)
    rec = _frame([_record(person, "p")])
    assert link(rec, path, model).equals(link(rec, index, model))


def test_bad_input_is_refused_with_a_clear_error(index, model, tmp_path):
    with pytest.raises(RecordError, match="phone"):
        normalise_records(pl.DataFrame({"name": ["a"], "id_number": ["1"]}))
    rec = _frame([_record(index.row(0, named=True), "x"), _record(index.row(1, named=True), "x")])
    with pytest.raises(LinkageError, match="record_key 'x'"):
        link(rec, index, model)
    with pytest.raises(LinkageError, match="thresholds"):
        link(rec, index, model, link_at=0.2, new_below=0.5)
    with pytest.raises(LinkageError, match="does not exist"):
        link(rec.head(1), tmp_path / "nope.parquet", model)
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(ValueError, match="not a zhanyi-linkage-model"):
        LinkageModel.load(bad)


def test_normalising_reads_identity_numbers_phones_and_dates_in_their_usual_forms():
    df = pl.DataFrame(
        {
            "name": ["陳 嘉"],
            "id_number": ["35060219840415025１"],
            "phone": ["+86 138-1234-5678"],
            "birth_date": ["1984/04/15"],
            "sex": ["男"],
            "address": ["漳州市薌城區"],
        }
    )
    row = normalise_records(df).row(0, named=True)
    assert row["name_norm"] == "陈嘉"
    assert row["name_pinyin"] == "chenjia"
    assert row["id_valid"] is True
    assert row["phone_norm"] == "13812345678"
    assert row["sex_norm"] == "male"
    assert row["address_norm"] == "漳州市芗城区"
    assert str(row["birth_date_norm"]) == "1984-04-15"


def test_a_shared_phone_counts_as_strong_evidence_though_sampling_never_sees_one(
    city, index, model
):
    person = _distinct_person(city[1], 9)
    rec = _record(person, "ph", id_number=None, birth_date=None, address=None)
    row = link(_frame([rec]), index, model).row(0, named=True)
    assert row["decision"] == "link"
    assert row["person_id"] == person["person_id"]
    assert "Exact match on phone_norm" in model.meta["u_from_value_counts"]


def test_a_swap_inside_the_birth_date_with_nothing_else_to_go_on_still_finds_the_person(
    city, index, model
):
    person = _distinct_person(city[1], 13)
    number = person["id_number"]
    at = next(i for i in range(10, 13) if number[i] != number[i + 1])
    rec = _record(
        person, "sw", id_number=_swap(number, at), phone=None, birth_date=None, address=None
    )
    row = link(_frame([rec]), index, model).row(0, named=True)
    assert row["person_id"] == person["person_id"]
    assert row["decision"] in ("link", "review")


def test_names_in_latin_letters_or_missing_are_normalised_without_error():
    df = pl.DataFrame(
        {
            "name": ["Ali", None],
            "id_number": [None, None],
            "phone": ["13800000000", None],
            "birth_date": [None, None],
            "sex": [None, None],
            "address": [None, None],
        }
    )
    out = normalise_records(df)
    assert out["name_pinyin"].to_list() == ["ali", None]


def test_a_valid_new_number_meets_no_one_through_the_numbers_head_a_mistyped_one_does(
    city, index, model
):
    """Two valid numbers never differ by one typo: a newcomer's valid number
    is not paired with the people born the same day in the same county (most
    of Splink's pairs in a city of millions); the same number mistyped is."""
    from zhanyi.engine.identity import check_char
    from zhanyi.engine.linkage.link import _score

    person = _distinct_person(city[1], 21)
    taken = set(index["id_norm"].drop_nulls().to_list())
    head = person["id_number"][:14]
    first17 = next(f"{head}{n:03d}" for n in range(999, 0, -1) if f"{head}{n:03d}" not in taken)
    valid = first17 + check_char(first17)
    mistyped = first17 + ("0" if check_char(first17) != "0" else "1")
    assert valid not in taken

    def pairs(number: str) -> pl.DataFrame:
        rec = dict.fromkeys(COLUMNS) | {"record_key": "n", "name": "新来者", "id_number": number}
        return _score(normalise_records(_frame([rec])).with_row_index("_row"), index, model, 0.8)

    assert pairs(valid).height == 0
    assert person["person_id"] in pairs(mistyped)["person_id"].to_list()
