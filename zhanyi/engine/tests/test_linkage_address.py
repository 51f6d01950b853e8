"""Address resolution against a small synthetic city's area tree."""

from __future__ import annotations

import polars as pl
import pytest

from zhanyi.engine.linkage.address import Gazetteer
from zhanyi.engine.synth import SynthConfig
from zhanyi.engine.synth.build import build_area_tree


@pytest.fixture(scope="module")
def areas():
    return pl.from_arrow(build_area_tree(SynthConfig.for_scale(20_000, seed=3)))


@pytest.fixture(scope="module")
def gazetteer(areas):
    return Gazetteer(areas)


def _village(areas: pl.DataFrame, suffix: str) -> dict:
    v = areas.filter((pl.col("level") == "village") & pl.col("name").str.ends_with(suffix))
    row = v.row(0, named=True)
    town = areas.filter(pl.col("code") == row["parent_code"]).row(0, named=True)
    county = areas.filter(pl.col("code") == town["parent_code"]).row(0, named=True)
    return {"village": row, "town": town, "county": county}


def test_the_ways_an_address_is_written_resolve_to_the_same_village(areas, gazetteer):
    a = _village(areas, "社区")
    v, t, c = a["village"]["name"], a["town"]["name"], a["county"]["name"]
    stem = v[:-2]
    import opencc

    variants = [
        f"漳州市{c}{t}{v}中央华府1栋101室",
        f"{t}{v}中央华府1栋101室",
        f"福建省漳州市{c} {t} {stem}居委会 ３栋１０２室",
        f"{c}{t}{stem}社区居民委员会",
        opencc.OpenCC("s2t").convert(f"漳州市{c}{t}{v}"),
        f"{t}办{v}",
        f"{v}中央华府",
        f"{c[:-1]}{t[:-2] if t.endswith('街道') else t[:-1]}{stem}3号",
    ]
    out = gazetteer.resolve(variants)
    assert out["village_code"].to_list() == [a["village"]["code"]] * len(variants)
    assert out["township_code"].to_list() == [a["town"]["code"]] * len(variants)
    assert out["confidence"].min() >= 0.7


def test_a_village_written_with_committee_suffix_resolves(areas, gazetteer):
    a = _village(areas, "村")
    stem = a["village"]["name"][:-1]
    out = gazetteer.resolve([f"{a['town']['name']}{stem}村委会5号"]).row(0, named=True)
    assert out["village_code"] == a["village"]["code"]


def test_an_old_address_with_a_township_but_no_village_falls_back_to_the_township(areas, gazetteer):
    a = _village(areas, "社区")
    out = gazetteer.resolve([f"漳州市{a['county']['name']}{a['town']['name']}老街12号"])
    row = out.row(0, named=True)
    assert row["village_code"] is None
    assert row["township_code"] == a["town"]["code"]
    assert row["county_code"] == a["county"]["code"]
    assert 0 < row["confidence"] < 0.8


def test_an_address_outside_the_city_or_empty_resolves_to_nothing(gazetteer):
    out = gazetteer.resolve(pl.Series(["福建省莆田市荔城区镇海街道", "", None]))
    assert out["village_code"].null_count() == 3
    assert out["township_code"].null_count() == 3
    assert out["confidence"].to_list() == [0.0, 0.0, 0.0]
    assert out["address"].to_list() == ["福建省莆田市荔城区镇海街道", "", None]


def test_an_area_table_without_the_needed_columns_is_refused():
    with pytest.raises(ValueError, match="parent_code"):
        Gazetteer(pl.DataFrame({"code": ["1"], "name": ["x"], "level": ["city"]}))


def test_a_compound_of_the_places_index_resolves_to_its_village(areas):
    a = _village(areas, "社区")
    t, code = a["town"]["name"], a["village"]["code"]
    places = pl.DataFrame({"name": ["翠湖天地花园", "翠湖小学"], "area_code": [code, code]})
    gazetteer = Gazetteer(areas, places)
    out = gazetteer.resolve([f"{t}翠湖天地花园3栋201", "翠湖天地花园5栋", f"{t}新华路12号"])
    assert out["village_code"].to_list() == [code, code, None]
    assert out["confidence"].to_list()[:2] == [0.8, 0.7]
    assert out["township_code"][2] == a["town"]["code"]  # the township's manual queue


def test_a_place_name_two_villages_share_resolves_to_neither(areas):
    villages = areas.filter(pl.col("level") == "village")["code"].to_list()[:2]
    places = pl.DataFrame({"name": ["阳光花园", "阳光花园"], "area_code": villages})
    out = Gazetteer(areas, places).resolve(["阳光花园1栋"])
    assert out["village_code"][0] is None


def test_one_wrong_character_in_a_township_or_village_name_is_tolerated(areas, gazetteer):
    a = _village(areas, "社区")
    v, t = a["village"]["name"], a["town"]["name"]
    wrong_v = v[0] + ("乙" if v[1] != "乙" else "丙") + v[2:]
    wrong_t = t[0] + ("乙" if t[1] != "乙" else "丙") + t[2:]
    stem = v[:-2]
    out = gazetteer.resolve([f"{t}{wrong_v}1号", f"漳州市{wrong_t}{stem}2号", f"{wrong_t}{v}"])
    assert out["village_code"].to_list() == [a["village"]["code"]] * 3
    assert out["confidence"].to_list()[:2] == [0.6, 0.6]
