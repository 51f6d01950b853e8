"""Gazetteer (地名录) of the synthetic Zhangzhou: county-level units and townships.

The 11 counties and districts carry their real names and division codes as of
late 2021 (龙海 and 长泰 had just become districts). The 5 development zones are
managed by the city but have no division code of their own; they get stable
synthetic codes in the unused 3506 7x range:

=========  ==========  =======================  ====================
code       zone        identity numbers use     addresses use
=========  ==========  =======================  ====================
350671     台商投资区  350604 (龙海区)          龙海区
350672     高新区      350602 (芗城区)          芗城区
350673     漳州开发区  350604 (龙海区)          龙海区
350674     古雷开发区  350623 (漳浦县)          漳浦县
350675     常山开发区  350622 (云霄县)          云霄县
=========  ==========  =======================  ====================

Township lists follow the real ones where known (the first one is the seat);
the sub-units of 漳州开发区 and 常山开发区 are synthetic. Populations are
rounded 2020-census figures with the development zones carved out of their
host counties, summing to 5.05 million. Areas are approximate, in km².
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_CODE = "350600"
CITY_NAME = "漳州市"
CITY_LON, CITY_LAT = 117.65, 24.51


@dataclass(frozen=True)
class County:
    """A county-level unit (县级单位): county, district or development zone."""

    code: str
    name: str
    kind: str  # "district", "county" or "development_zone"
    lon: float
    lat: float
    population: int
    area_km2: float
    #: Division code that identity numbers of residents start with.
    id_code: str
    #: County name used in postal addresses.
    address_name: str
    #: Villages per head relative to the city: mountain counties have many small
    #: villages, city districts fewer and larger communities.
    village_density: float
    #: Jobs per resident relative to the city (development zones draw commuters).
    job_pull: float
    #: (name, kind); kind is "subdistrict" (街道), "town" (镇) or "township" (乡).
    townships: tuple[tuple[str, str], ...]
    #: Extra generator points (lon, lat) that pull the region toward the
    #: county's real shape; the seat is always the first generator.
    shape: tuple[tuple[float, float], ...] = ()


def _t(names: str) -> tuple[tuple[str, str], ...]:
    out = []
    for name in names.split():
        kind = (
            "subdistrict"
            if name.endswith(("街道", "片区"))
            else ("township" if name.endswith("乡") else "town")
        )
        out.append((name, kind))
    return tuple(out)


COUNTIES: tuple[County, ...] = (
    County(
        "350602",
        "芗城区",
        "district",
        117.65,
        24.51,
        535_000,
        230,
        "350602",
        "芗城区",
        0.55,
        1.3,
        _t("西桥街道 巷口街道 新桥街道 南坑街道 通北街道 浦南镇 天宝镇 芝山镇 石亭镇"),
        shape=((117.57, 24.59),),
    ),
    County(
        "350603",
        "龙文区",
        "district",
        117.71,
        24.50,
        330_000,
        130,
        "350603",
        "龙文区",
        0.6,
        1.2,
        _t("步文街道 蓝田街道 碧湖街道 景山街道 朝阳镇 郭坑镇"),
        shape=((117.76, 24.54),),
    ),
    County(
        "350604",
        "龙海区",
        "district",
        117.82,
        24.45,
        570_000,
        850,
        "350604",
        "龙海区",
        0.9,
        0.9,
        _t("石码街道 海澄镇 榜山镇 紫泥镇 浮宫镇 白水镇 程溪镇 港尾镇 东园镇 隆教畲族乡 东泗乡"),
        shape=((117.72, 24.37), (117.88, 24.34), (117.97, 24.26)),
    ),
    County(
        "350605",
        "长泰区",
        "district",
        117.76,
        24.63,
        220_000,
        900,
        "350605",
        "长泰区",
        1,
        0.9,
        _t("武安镇 岩溪镇 陈巷镇 枋洋镇 坂里乡"),
        shape=((117.85, 24.76), (117.70, 24.76)),
    ),
    County(
        "350622",
        "云霄县",
        "county",
        117.34,
        23.96,
        410_000,
        1050,
        "350622",
        "云霄县",
        1,
        0.8,
        _t("云陵镇 莆美镇 陈岱镇 东厦镇 火田镇 列屿镇 下河乡 马铺乡 和平乡"),
        shape=((117.24, 24.10), (117.45, 24.04)),
    ),
    County(
        "350623",
        "漳浦县",
        "county",
        117.61,
        24.12,
        620_000,
        1600,
        "350623",
        "漳浦县",
        1,
        0.8,
        _t(
            "绥安镇 旧镇镇 佛昙镇 赤湖镇 深土镇 六鳌镇 前亭镇 马坪镇 "
            "长桥镇 官浔镇 石榴镇 盘陀镇 大南坂镇 南浦乡 赤岭畲族乡 "
            "湖西畲族乡"
        ),
        shape=((117.78, 24.04), (117.52, 24.26), (117.82, 24.20)),
    ),
    County(
        "350624",
        "诏安县",
        "county",
        117.18,
        23.71,
        570_000,
        1290,
        "350624",
        "诏安县",
        1,
        0.8,
        _t(
            "南诏镇 四都镇 梅岭镇 桥东镇 深桥镇 太平镇 霞葛镇 官陂镇 "
            "秀篆镇 西潭镇 金星乡 白洋乡 红星乡 建设乡"
        ),
        shape=((117.02, 23.86), (117.06, 23.65), (117.20, 23.93)),
    ),
    County(
        "350626",
        "东山县",
        "county",
        117.43,
        23.70,
        215_000,
        250,
        "350626",
        "东山县",
        0.8,
        0.9,
        _t("西埔镇 铜陵镇 康美镇 杏陈镇 陈城镇 樟塘镇 前楼镇"),
        shape=(),
    ),
    County(
        "350627",
        "南靖县",
        "county",
        117.36,
        24.52,
        320_000,
        1960,
        "350627",
        "南靖县",
        1.2,
        0.8,
        _t("山城镇 靖城镇 丰田镇 龙山镇 金山镇 和溪镇 奎洋镇 梅林镇 书洋镇 船场镇 南坑镇"),
        shape=((117.10, 24.62), (117.28, 24.76), (117.47, 24.66)),
    ),
    County(
        "350628",
        "平和县",
        "county",
        117.31,
        24.36,
        470_000,
        2330,
        "350628",
        "平和县",
        1.1,
        0.7,
        _t(
            "小溪镇 山格镇 文峰镇 南胜镇 坂仔镇 安厚镇 大溪镇 霞寨镇 "
            "九峰镇 芦溪镇 五寨乡 国强乡 崎岭乡 长乐乡 秀峰乡"
        ),
        shape=((117.04, 24.30), (117.18, 24.14), (117.45, 24.30)),
    ),
    County(
        "350629",
        "华安县",
        "county",
        117.53,
        25.00,
        150_000,
        1310,
        "350629",
        "华安县",
        1.3,
        0.8,
        _t("华丰镇 丰山镇 沙建镇 新圩镇 高安镇 仙都镇 马坑乡 湖林乡"),
        shape=((117.40, 25.10), (117.63, 24.86)),
    ),
    County(
        "350671",
        "台商投资区",
        "development_zone",
        117.92,
        24.49,
        280_000,
        150,
        "350604",
        "龙海区",
        0.55,
        2.2,
        _t("角美镇"),
        shape=(),
    ),
    County(
        "350672",
        "高新区",
        "development_zone",
        117.60,
        24.47,
        120_000,
        200,
        "350602",
        "芗城区",
        0.8,
        1.8,
        _t("九湖镇 颜厝镇"),
        shape=((117.55, 24.42),),
    ),
    County(
        "350673",
        "漳州开发区",
        "development_zone",
        118.00,
        24.40,
        80_000,
        60,
        "350604",
        "龙海区",
        0.5,
        2.4,
        _t("招商局片区"),
        shape=(),
    ),
    County(
        "350674",
        "古雷开发区",
        "development_zone",
        117.60,
        23.83,
        130_000,
        250,
        "350623",
        "漳浦县",
        0.9,
        2,
        _t("古雷镇 杜浔镇 霞美镇 沙西镇"),
        shape=((117.62, 23.76),),
    ),
    County(
        "350675",
        "常山开发区",
        "development_zone",
        117.42,
        23.88,
        30_000,
        100,
        "350622",
        "云霄县",
        0.8,
        1.6,
        _t("常山片区"),
        shape=(),
    ),
)

#: The Taiwanese Investment Zone's township, community and compound of the demo.
SCENARIO_COUNTY = "350671"
SCENARIO_TOWNSHIP = "角美镇"
SCENARIO_COMMUNITY = "福龙社区"
SCENARIO_COMPOUND = "万益学府花园"

# Rough outline of the city's land (lon, lat), clockwise from the north tip of
# 华安. Good enough to keep the map recognisable and stays off the sea.
MAINLAND: tuple[tuple[float, float], ...] = (
    (117.47, 25.24),
    (117.62, 25.20),
    (117.72, 25.12),
    (117.84, 25.01),
    (117.95, 24.86),
    (118.00, 24.74),
    (117.99, 24.63),
    (118.03, 24.55),
    (118.04, 24.48),
    (118.09, 24.45),
    (118.13, 24.41),
    (118.10, 24.35),
    (118.01, 24.29),
    (117.94, 24.21),
    (117.89, 24.12),
    (117.84, 24.04),
    (117.80, 23.96),
    (117.72, 23.93),
    (117.67, 23.89),
    (117.65, 23.79),
    (117.61, 23.72),
    (117.56, 23.77),
    (117.53, 23.85),
    (117.49, 23.89),
    (117.44, 23.84),
    (117.40, 23.80),
    (117.33, 23.76),
    (117.27, 23.73),
    (117.22, 23.66),
    (117.16, 23.60),
    (117.09, 23.57),
    (117.00, 23.59),
    (116.93, 23.68),
    (116.91, 23.86),
    (116.93, 24.06),
    (116.90, 24.25),
    (116.91, 24.42),
    (116.89, 24.58),
    (116.95, 24.74),
    (117.10, 24.84),
    (117.22, 24.93),
    (117.30, 25.06),
    (117.38, 25.17),
)

#: 东山岛, the island county.
DONGSHAN_ISLAND: tuple[tuple[float, float], ...] = (
    (117.38, 23.76),
    (117.45, 23.76),
    (117.50, 23.72),
    (117.53, 23.66),
    (117.48, 23.60),
    (117.38, 23.61),
    (117.33, 23.65),
    (117.34, 23.71),
)
ISLAND_COUNTY = "350626"

#: Colleges (高校) of the city: (name, county code, share of college students).
COLLEGES: tuple[tuple[str, str, float], ...] = (
    ("闽南师范大学", "350602", 0.28),
    ("厦门大学嘉庚学院", "350671", 0.22),
    ("漳州职业技术学院", "350603", 0.17),
    ("漳州卫生职业学院", "350602", 0.10),
    ("漳州城市职业学院", "350604", 0.10),
    ("漳州科技职业学院", "350671", 0.08),
    ("漳州理工职业学院", "350672", 0.05),
)

#: City-level hospitals: (name, county code, staff at full scale).
CITY_HOSPITALS: tuple[tuple[str, str, int], ...] = (
    ("漳州市医院", "350602", 2600),
    ("漳州市中医院", "350602", 1200),
    ("联勤保障部队第909医院", "350602", 1500),
    ("漳州市第三医院", "350603", 700),
    ("漳州正兴医院", "350603", 900),
    ("漳州市妇幼保健院", "350602", 600),
)

#: Railway stations (火车站): (name, county code).
RAILWAY_STATIONS: tuple[tuple[str, str], ...] = (
    ("漳州站", "350603"),
    ("角美站", "350671"),
    ("漳州东站", "350604"),
    ("漳浦站", "350623"),
    ("云霄站", "350622"),
    ("诏安站", "350624"),
    ("南靖站", "350627"),
    ("华安站", "350629"),
    ("长泰站", "350605"),
)

#: Sea ports (港口): (name, county code, staff at full scale).
PORTS: tuple[tuple[str, str, int], ...] = (
    ("招商局漳州港", "350673", 1800),
    ("古雷港", "350674", 1200),
    ("后石港", "350604", 600),
    ("东山港", "350626", 500),
)
