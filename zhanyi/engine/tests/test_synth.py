"""The synthetic city generator (合成城市): determinism, validity, geography, stays."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.engine.identity import parse_resident_id
from zhanyi.engine.schema import STAYS
from zhanyi.engine.synth import SynthConfig, build_area_tree, generate
from zhanyi.engine.synth import gazetteer as gz
from zhanyi.engine.synth.stays import read_stays

PEOPLE = 2_000
DAYS = 2
TABLES = ("areas", "places", "households", "people", "area_cells")


def _config(seed: int = 7) -> SynthConfig:
    return SynthConfig.for_scale(PEOPLE, seed=seed, days=DAYS)


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate(_config(), out)
    return out


def _read(city: Path, name: str):
    return pq.read_table(city / f"{name}.parquet")


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.parquet"))
    }


def _stays(city: Path):
    return read_stays(city / "stays")


def test_the_same_seed_gives_byte_identical_files_whatever_the_worker_count(city, tmp_path):
    generate(_config(), tmp_path, workers=2)
    assert _hashes(tmp_path) == _hashes(city)


def test_another_seed_gives_another_city(city, tmp_path):
    generate(_config(seed=8), tmp_path, stays=False)
    mine, theirs = _hashes(city), _hashes(tmp_path)
    for name in ("people", "households", "places"):
        assert mine[f"{name}.parquet"] != theirs[f"{name}.parquet"]


def test_scales_and_the_default_window():
    assert SynthConfig.for_scale("small").people == 20_000
    assert SynthConfig.for_scale("medium").people == 200_000
    assert SynthConfig.for_scale("full").people == 5_050_000
    assert SynthConfig.for_scale("12345").people == 12_345
    cfg = SynthConfig.for_scale(1_000_000, seed=20210916, days=14)
    assert (cfg.start_date, cfg.end_date) == (dt.date(2021, 9, 3), dt.date(2021, 9, 16))
    with pytest.raises(ValueError):
        SynthConfig.for_scale("huge")


def test_the_manifest_counts_what_was_written(city):
    manifest = json.loads((city / "manifest.json").read_text())
    assert manifest["people"] == _read(city, "people").num_rows == PEOPLE
    assert manifest["households"] == _read(city, "households").num_rows
    assert manifest["places"] == _read(city, "places").num_rows
    assert manifest["stays"] == _stays(city).num_rows
    assert manifest["window"]["start"] == "2021-09-15"
    assert manifest["window"]["end"] == "2021-09-16"
    assert manifest["areas"]["county"] == 16
    assert manifest["format_version"] >= 1


def test_every_identity_number_is_valid_and_matches_sex_and_birth_date(city):
    people = _read(city, "people").to_pydict()
    county_of = _village_county(city)
    id_code = {c.code: c.id_code for c in gz.COUNTIES}
    seen = set()
    for number, sex, birth, village in zip(
        people["identity_number"],
        people["sex"],
        people["birth_date"],
        people["village_code"],
        strict=True,
    ):
        parsed = parse_resident_id(number, today=dt.date(2021, 9, 16))
        assert parsed.sex == sex
        assert parsed.birth_date == birth
        assert parsed.division_code == id_code[county_of[village]]
        seen.add(number)
    assert len(seen) == PEOPLE


def test_development_zones_use_their_host_countys_division_code():
    by_code = {c.code: c for c in gz.COUNTIES}
    assert by_code["350671"].id_code == "350604"  # 台商投资区 in 龙海区
    assert all(c.id_code == c.code for c in gz.COUNTIES if c.kind != "development_zone")


def test_phones_are_valid_unique_mainland_mobiles_and_young_children_have_none(city):
    people = _read(city, "people")
    phones = [p for p in people["phone"].to_pylist() if p is not None]
    assert len(set(phones)) == len(phones)
    for p in phones:
        parsed = phonenumbers.parse(p, "CN")
        assert phonenumbers.is_valid_number_for_region(parsed, "CN")
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
    young = pc.greater(people["birth_date"], pa.scalar(dt.date(2014, 1, 1), pa.date32()))
    assert people.filter(young)["phone"].null_count == people.filter(young).num_rows > 0


def test_names_are_chinese_and_sexes_are_balanced(city):
    people = _read(city, "people").to_pydict()
    assert all(2 <= len(n) <= 4 for n in people["name"])
    assert people["name"][0][0] in "".join(gz_surnames())
    share = people["sex"].count("male") / PEOPLE
    assert 0.45 < share < 0.55


def gz_surnames() -> list[str]:
    from zhanyi.engine.synth.names import SURNAMES

    return SURNAMES


def test_there_are_sixteen_county_level_units_with_their_real_names(city):
    areas = _read(city, "areas")
    counties = areas.filter(pc.equal(areas["level"], "county")).to_pydict()
    assert dict(zip(counties["code"], counties["name"], strict=True)) == {
        "350602": "芗城区",
        "350603": "龙文区",
        "350604": "龙海区",
        "350605": "长泰区",
        "350622": "云霄县",
        "350623": "漳浦县",
        "350624": "诏安县",
        "350626": "东山县",
        "350627": "南靖县",
        "350628": "平和县",
        "350629": "华安县",
        "350671": "台商投资区",
        "350672": "高新区",
        "350673": "漳州开发区",
        "350674": "古雷开发区",
        "350675": "常山开发区",
    }
    assert counties["kind"].count("development_zone") == 5


def test_the_area_tree_is_whole_and_populations_add_up(city) -> None:
    areas = _read(city, "areas").to_pydict()
    rows = [dict(zip(areas, vals, strict=True)) for vals in zip(*areas.values(), strict=True)]
    by_code = {r["code"]: r for r in rows}
    depth = {"city": 0, "county": 1, "township": 2, "village": 3, "grid": 4}
    children: dict[str, int] = {}
    for r in rows:
        if r["level"] == "city":
            assert r["parent_code"] is None
            continue
        parent = by_code[r["parent_code"]]
        assert depth[parent["level"]] == depth[r["level"]] - 1
        assert r["code"].startswith(parent["code"]) or parent["level"] == "city"
        children[parent["code"]] = children.get(parent["code"], 0) + r["population"]
        geometry = json.loads(r["boundary"])
        assert geometry["type"] in ("Polygon", "MultiPolygon")
    for code, total in children.items():
        assert by_code[code]["population"] == total
    assert by_code[gz.CITY_CODE]["population"] == PEOPLE
    villages = _read(city, "people")["village_code"].value_counts().to_pylist()
    for item in villages:
        assert by_code[item["values"]]["population"] == item["counts"]


def test_the_scenario_community_and_compound_exist(city):
    areas = _read(city, "areas").to_pydict()
    code = areas["code"][areas["name"].index(gz.SCENARIO_COMMUNITY)]
    township = areas["name"][areas["code"].index(code[:9])]
    assert township == gz.SCENARIO_TOWNSHIP and code.startswith(gz.SCENARIO_COUNTY)
    places = _read(city, "places").to_pydict()
    i = places["name"].index(gz.SCENARIO_COMPOUND)
    assert places["kind"][i] == "residential_compound"
    assert places["area_code"][i] == code
    households = _read(city, "households")
    mine = households.filter(pc.equal(households["place_id"], places["place_id"][i]))
    people = _read(city, "people")
    residents = people.filter(pc.is_in(people["household_id"], mine["household_id"])).num_rows
    assert residents == places["capacity"][i] >= 30
    for address in mine["address"].to_pylist():
        assert address.startswith("漳州市龙海区角美镇福龙社区万益学府花园")


def test_places_and_homes_lie_in_their_areas_cells(city):
    area_cells = _read(city, "area_cells").to_pydict()
    pairs = set(zip(area_cells["cell_id"], area_cells["village_code"], strict=True))
    places = _read(city, "places").to_pydict()
    for cell, area, lon, lat in zip(
        places["cell_id"], places["area_code"], places["lon"], places["lat"], strict=True
    ):
        assert (cell, area) in pairs
        assert ZHANGZHOU.cell_of(lon, lat) == cell
    households = _read(city, "households").to_pydict()
    for cell, village, grid in zip(
        households["cell_id"], households["village_code"], households["grid_code"], strict=True
    ):
        assert (cell, village) in pairs
        assert grid.startswith(village)


def test_students_and_staff_are_the_school_rounds_share(city):
    people = _read(city, "people")
    places = _read(city, "places").to_pydict()
    schools = {p for p, k in zip(places["place_id"], places["kind"], strict=True) if k == "school"}
    at_school = [s for s in people["school_place_id"].to_pylist() if s is not None]
    assert set(at_school) <= schools
    assert len(at_school) == pytest.approx(PEOPLE * 1_083_000 / 5_050_000, rel=0.05)
    workers = [w for w in people["work_place_id"].to_pylist() if w is not None]
    assert 0.35 < len(workers) / PEOPLE < 0.6


def test_stays_have_the_schema_and_about_24_a_person_a_day(city):
    files = sorted((city / "stays").rglob("*.parquet"))
    assert [f.parent.name for f in files] == ["day=2021-09-15", "day=2021-09-16"]
    for f in files:
        # Parquet stores seconds as milliseconds; the Arrow schema it carries is exact.
        assert pq.read_schema(f).names == STAYS.names
        assert pq.read_table(f, schema=STAYS).schema == STAYS
    stays = _stays(city)
    assert stays.schema == STAYS
    per_day = stays.num_rows / PEOPLE / DAYS
    assert 20 < per_day < 28
    assert pc.count_distinct(stays["person_id"]).as_py() == PEOPLE


def test_stays_tile_each_local_day_without_crossing_midnight(city):
    for f in sorted((city / "stays").rglob("*.parquet")):
        day = dt.date.fromisoformat(f.parent.name.split("=")[1])
        t = pq.read_table(f, schema=STAYS)
        pid = t["person_id"].to_numpy()
        start = t["start"].cast("int64").to_numpy()
        end = t["end"].cast("int64").to_numpy()
        midnight = int(
            dt.datetime(
                day.year, day.month, day.day, tzinfo=dt.timezone(dt.timedelta(hours=8))
            ).timestamp()
        )
        assert (start < end).all()
        assert (start >= midnight).all() and (end <= midnight + 86_400).all()
        # Sorted by person then start, and each person's records tile the day.
        assert (np.diff(pid) >= 0).all()
        same = pid[1:] == pid[:-1]
        assert (start[1:][same] == end[:-1][same]).all()
        assert np.all(
            np.bincount(pid - pid.min(), end - start)[np.unique(pid) - pid.min()] == 86_400
        )
        assert ZHANGZHOU.is_valid(t["cell_id"].to_numpy()).all()


def test_people_sleep_at_home_most_nights(city):
    home = _read(city, "people")["home_cell"].to_numpy()
    stays = _stays(city)
    pid = stays["person_id"].to_numpy()
    cell = stays["cell_id"].to_numpy()
    local = 8 * 3600
    start = (stays["start"].cast("int64").to_numpy() + local) % 86_400
    end = (stays["end"].cast("int64").to_numpy() + local - 1) % 86_400 + 1
    at_three = (start <= 3 * 3600) & (end > 3 * 3600)
    assert at_three.sum() == PEOPLE * DAYS
    # At home, or handed over to a neighbouring tower now and then.
    assert 0.85 < np.mean(cell[at_three] == home[pid[at_three] - 1]) < 0.99


def test_the_full_city_has_the_articles_1938_villages():
    areas = build_area_tree(SynthConfig.for_scale("full"))
    levels = areas["level"].value_counts().to_pylist()
    count = {item["values"]: item["counts"] for item in levels}
    assert count["village"] == 1_938
    assert count["county"] == 16
    assert count["township"] >= 100
    assert count["grid"] >= 2 * 1_938
    names = areas["name"].to_pylist()
    assert gz.SCENARIO_COMMUNITY in names
    populations = areas.filter(pc.equal(areas["level"], "county"))["population"]
    assert pc.sum(populations).as_py() == 5_050_000


def _village_county(city: Path) -> dict[str, str]:
    areas = _read(city, "areas").to_pydict()
    parent = dict(zip(areas["code"], areas["parent_code"], strict=True))
    level = dict(zip(areas["code"], areas["level"], strict=True))
    out = {}
    for code, lv in level.items():
        if lv == "village":
            out[code] = parent[parent[code]]
    return out
