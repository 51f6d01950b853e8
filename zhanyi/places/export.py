"""The synthetic city's areas and places as a real city's files arrive.

``zhanyi synth`` writes Parquet for the direct loader. A city starting on
zhanyi has other files: the statistics bureau's division codes (CSV or xlsx,
12 digits, with the urban-rural code), its boundaries (GeoJSON) and a list
of places (CSV or xlsx, GeoJSON). ``export_city`` writes the synthetic city in
those shapes, so that a new installation can be tried, and tested, through the
importers (``zhanyi places import-*``) instead of the direct loader:

- ``divisions.csv`` (or .xlsx): 统计用区划代码, 名称, 城乡分类代码, 人口, 经度, 纬度
  (grids with their 15-digit codes after the villages, as a city adds its own);
- ``boundaries.geojson``: one feature per area with a boundary (code, name, level);
- ``places.csv`` (or .xlsx): 编号, 名称, 类别 (in Chinese), 经度, 纬度, 容量, 地址
  (township and village names) and 区划代码; ``places.geojson`` the same as
  points without the code or address (their boundaries place them);
- ``register.csv`` (or .xlsx): the population register (户籍人口) as the public
  security bureau writes it: 户号, 姓名, 公民身份号码, 性别, 出生日期, 联系电话, 住址,
  与户主关系 (for ``zhanyi register load --kind hukou``);
- ``staff.csv`` (or .xlsx): the demo's five personas as the organisation
  department's sheet: 姓名, 手机, 角色, 管辖范围 (12-digit code), 专班 (for
  ``zhanyi user import``; the task forces must be set up first);
- ``feeds/stays-DAY.parquet``: each day's location stays as an operator sends
  them (``zhanyi companions feed``), the people named by the number the
  register gives them in the index (``zhanyi.engine.identity.register_person_id``), so that the
  companions of a case loaded from the register are found.

Nothing here touches the database.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl

from zhanyi.engine.identity import register_person_id
from zhanyi.places.codes import statistical
from zhanyi.places.models import PlaceKind

#: The population register's header, as the public security bureau writes it.
REGISTER_HEADER = [
    "户号",
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "联系电话",
    "住址",
    "与户主关系",
]
STAFF_HEADER = ["姓名", "手机", "角色", "管辖范围", "专班"]
#: The demo's personas (``zhanyi.accounts.demo.PERSONAS``) as staff rows: name,
#: mobile, role (in Chinese, as an office writes it), the area's name or
#: "city", the task force (in Chinese).
STAFF = (
    ("陈指挥", "13805960001", "指挥长", "city", "综合协调"),
    ("林市长", "13805960002", "领导", "city", ""),
    ("黄流调", "13805960003", "工作人员", "台商投资区", "流调溯源"),
    ("郑网格", "13805960004", "五包一", "福龙社区", "社区管控"),
    ("吴管理", "13805960005", "系统管理员", "city", ""),
)

#: What the urban-rural code (城乡分类代码) of a village is, by its kind.
URBAN_RURAL = {"community": "111", "village": "220"}

PLACE_CATEGORY = {
    PlaceKind.RESIDENTIAL_COMPOUND: "住宅小区",
    PlaceKind.SCHOOL: "学校",
    PlaceKind.MARKET: "农贸市场",
    PlaceKind.SUPERMARKET: "超市",
    PlaceKind.RESTAURANT: "餐饮",
    PlaceKind.WORKPLACE: "企业",
    PlaceKind.HOSPITAL: "医院",
    PlaceKind.STATION: "车站",
    PlaceKind.PORT: "港口码头",
    PlaceKind.OTHER: "其他",
}
DIVISION_HEADER = ["统计用区划代码", "名称", "城乡分类代码", "人口", "经度", "纬度"]
PLACE_HEADER = ["编号", "名称", "类别", "经度", "纬度", "容量", "地址", "区划代码"]


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(path)
        return
    # GBK with a Windows machine in mind would lose no character here, but UTF-8
    # with its mark is what Excel opens right and the importers read either.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def export_city(city_dir: Path, out: Path, *, fmt: str = "csv") -> dict[str, int]:
    """Write the files of the synthetic city in ``city_dir`` to ``out``; the counts."""
    out.mkdir(parents=True, exist_ok=True)
    areas = pl.read_parquet(city_dir / "areas.parquet")
    places = pl.read_parquet(city_dir / "places.parquet")
    rows = []
    for a in areas.iter_rows(named=True):
        urban = URBAN_RURAL.get(a["kind"], "") if a["level"] == "village" else ""
        rows.append([statistical(a["code"]), a["name"], urban, a["population"], a["lon"], a["lat"]])
    _write(out / f"divisions.{fmt}", DIVISION_HEADER, rows)
    features = [
        {
            "type": "Feature",
            "properties": {"code": a["code"], "name": a["name"], "level": a["level"]},
            "geometry": json.loads(a["boundary"]),
        }
        for a in areas.iter_rows(named=True)
        if a["boundary"]
    ]
    (out / "boundaries.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    name_of = dict(zip(areas["code"].to_list(), areas["name"].to_list(), strict=True))
    parent_of = dict(zip(areas["code"].to_list(), areas["parent_code"].to_list(), strict=True))

    def address(code: str) -> str:
        parts = []
        while code and code in name_of and len(code) > 6:
            parts.append(name_of[code])
            code = parent_of[code]
        return "".join(reversed(parts))

    place_rows = [
        [
            p["place_id"],
            p["name"],
            PLACE_CATEGORY.get(p["kind"], p["kind"]),
            p["lon"],
            p["lat"],
            p["capacity"],
            address(p["area_code"]),
            statistical(p["area_code"]),
        ]
        for p in places.iter_rows(named=True)
    ]
    _write(out / f"places.{fmt}", PLACE_HEADER, place_rows)
    # The points carry no area code: their villages are found by their boundaries.
    points = [
        {
            "type": "Feature",
            "properties": {"编号": r[0], "名称": r[1], "类别": r[2], "容量": r[5]},
            "geometry": {"type": "Point", "coordinates": [r[3], r[4]]},
        }
        for r in place_rows
    ]
    (out / "places.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": points}, ensure_ascii=False),
        encoding="utf-8",
    )
    people = _write_register(city_dir, out, fmt)
    _write(out / f"staff.{fmt}", STAFF_HEADER, _staff_rows(areas))
    days = _write_feeds(city_dir, out / "feeds")
    return {
        "areas": len(rows),
        "boundaries": len(features),
        "places": len(place_rows),
        "people": people,
        "staff": len(STAFF),
        "feed_days": days,
    }


def _write_register(city_dir: Path, out: Path, fmt: str) -> int:
    people = pl.read_parquet(
        city_dir / "people.parquet",
        columns=[
            "household_id",
            "name",
            "identity_number",
            "sex",
            "birth_date",
            "phone",
            "address",
        ],
    )
    rows = [
        [
            r["household_id"],
            r["name"],
            r["identity_number"],
            {"male": "男", "female": "女"}.get(r["sex"], ""),
            r["birth_date"].isoformat() if r["birth_date"] else "",
            (r["phone"] or "").removeprefix("+86"),
            r["address"],
            "",
        ]
        for r in people.iter_rows(named=True)
    ]
    _write(out / f"register.{fmt}", REGISTER_HEADER, rows)
    return len(rows)


def _staff_rows(areas: pl.DataFrame) -> list[list]:
    city = areas.filter(pl.col("level") == "city")["code"][0]
    code_of = {
        r["name"]: r["code"]
        for r in areas.filter(pl.col("level").is_in(["county", "village"])).iter_rows(named=True)
    }
    return [
        [name, phone, role, statistical(city if area == "city" else code_of.get(area, city)), tf]
        for name, phone, role, area, tf in STAFF
    ]


def _write_feeds(city_dir: Path, out: Path) -> int:
    """One Parquet file of stays per day, people keyed as the register keys them."""
    stays = city_dir / "stays"
    if not stays.exists():
        return 0
    ids = pl.read_parquet(city_dir / "people.parquet", columns=["person_id", "identity_number"])
    ids = ids.with_columns(
        pl.col("identity_number")
        .map_elements(register_person_id, return_dtype=pl.Int64)
        .alias("register_id")
    ).select("person_id", "register_id")
    out.mkdir(parents=True, exist_ok=True)
    days = 0
    for day in sorted(stays.glob("day=*")):
        frame = (
            pl.read_parquet(day)
            .join(ids, on="person_id")
            .select(pl.col("register_id").alias("person_id"), "cell_id", "start", "end")
        )
        frame.write_parquet(out / f"stays-{day.name.removeprefix('day=')}.parquet")
        days += 1
    return days
