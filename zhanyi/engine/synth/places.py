"""Places (场所) of the synthetic city, each inside one village or community.

Kinds: residential_compound, school, hospital, market, supermarket,
restaurant, station, port, workplace. ``capacity`` means: residents for a
compound; students plus staff for a school; workers for a workplace; staff
for a hospital, station or port; daily visitors for a market, supermarket or
restaurant. Counts of places shrink with ``SynthConfig.geo_scale`` like the
villages do, so a small city still has a school or market in every township.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zhanyi.engine.synth import gazetteer as gz
from zhanyi.engine.synth import names
from zhanyi.engine.synth.areas import AreaTree
from zhanyi.engine.synth.config import STAGE_PLACES, SynthConfig
from zhanyi.engine.synth.households import Households

#: Order of kinds in the table (and of place ids).
KINDS = (
    "residential_compound",
    "school",
    "hospital",
    "market",
    "supermarket",
    "restaurant",
    "station",
    "port",
    "workplace",
)


@dataclass
class PlaceList:
    """Places under construction, as parallel lists."""

    name: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    village: list[int] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    capacity: list[int] = field(default_factory=list)
    #: Jobs a place offers (a weight when workers pick a workplace).
    staff: list[float] = field(default_factory=list)
    #: School level ("kindergarten", "primary", "middle", "high", "college") or "".
    level: list[str] = field(default_factory=list)

    def add(
        self,
        name: str,
        kind: str,
        village: int,
        lon: float,
        lat: float,
        capacity: int = 0,
        staff: float = 0.0,
        level: str = "",
    ) -> int:
        self.name.append(name)
        self.kind.append(kind)
        self.village.append(int(village))
        self.lon.append(float(lon))
        self.lat.append(float(lat))
        self.capacity.append(int(capacity))
        self.staff.append(float(staff))
        self.level.append(level)
        return len(self.name) - 1

    def __len__(self) -> int:
        return len(self.name)


def stem(name: str) -> str:
    """A place-name stem: 角美镇 → 角美, 芗城区 → 芗城, 台商投资区 → 台投."""
    short = {
        "台商投资区": "台投",
        "漳州开发区": "开发区",
        "古雷开发区": "古雷",
        "常山开发区": "常山",
        "招商局片区": "招商局",
    }
    if name in short:
        return short[name]
    for suffix in ("畲族乡", "街道", "片区", "社区", "镇", "乡", "村", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class Locator:
    """Random points inside villages, weighted by density; plus coastal spots."""

    def __init__(self, tree: AreaTree, rng: np.random.Generator) -> None:
        self.tree = tree
        self.rng = rng
        self.order, self.offsets = tree.village_cells()
        self.cum = np.cumsum(tree.land_density[self.order])
        county_v = tree.county_of_village()
        self.village_county = county_v
        self.village_township = tree.villages.parent
        self.v_pop = tree.villages.population.astype(float)

    def points(self, village: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        village = np.asarray(village, dtype=np.int64)
        cum = np.r_[0.0, self.cum]
        lo, hi = cum[self.offsets[village]], cum[self.offsets[village + 1]]
        u = lo + self.rng.random(len(village)) * (hi - lo)
        pos = np.clip(
            np.searchsorted(self.cum, u, side="right"),
            self.offsets[village],
            self.offsets[village + 1] - 1,
        )
        return self.tree.raster.random_points(self.rng, self.tree.land[self.order[pos]])

    def villages_in(self, township: int) -> np.ndarray:
        return np.flatnonzero(self.village_township == township)

    def pick_villages(self, township: int, n: int, urban_first: bool = False) -> np.ndarray:
        """``n`` villages of a township drawn by population; optionally the largest first."""
        vs = self.villages_in(township)
        if n <= 0:
            return vs[:0]
        w = self.v_pop[vs] + 1.0
        picks = self.rng.choice(vs, n, p=w / w.sum())
        if urban_first:
            picks[0] = vs[np.argmax(w)]
        return picks

    def coastal_village(self, county: int) -> int:
        """The village holding the county's shore cell nearest its seat."""
        tree = self.tree
        r = tree.raster
        land = np.zeros(r.n, dtype=bool)
        land[tree.land] = True
        grid2 = land.reshape(r.n_rows, r.n_cols)
        inner = np.zeros_like(grid2)
        inner[1:-1, 1:-1] = grid2[:-2, 1:-1] & grid2[2:, 1:-1] & grid2[1:-1, :-2] & grid2[1:-1, 2:]
        shore = ~inner.ravel()[tree.land]
        village = tree.grids.parent[tree.land_grid]
        mine = shore & (self.village_county[village] == county)
        if not mine.any():
            mine = self.village_county[village] == county
        c = gz.COUNTIES[county]
        sx, sy = r.to_xy(c.lon, c.lat)
        x, y = r.xy(tree.land)
        idx = np.flatnonzero(mine)
        best = idx[np.argmin((x[idx] - sx) ** 2 + (y[idx] - sy) ** 2)]
        return int(village[best])


def build_places(cfg: SynthConfig, tree: AreaTree, hh: Households) -> tuple[PlaceList, Locator]:
    """Every place but schools' and workplaces' head counts (see ``assign``)."""
    rng = cfg.rng(STAGE_PLACES)
    loc = Locator(tree, rng)
    pl = PlaceList()
    comp = hh.compounds
    for i, nm in enumerate(comp["name"]):
        pl.add(
            nm,
            "residential_compound",
            comp["village"][i],
            comp["lon"][i],
            comp["lat"][i],
            capacity=int(comp["residents"][i]),
        )
    _health(cfg, tree, loc, pl)
    _shops(cfg, tree, loc, pl)
    _transport(cfg, tree, loc, pl)
    return pl, loc


def seat_township(tree: AreaTree, county: int) -> int:
    return int(np.flatnonzero(tree.townships.parent == county)[0])


def _scaled(cfg: SynthConfig, real: float) -> int:
    """Staff of one place: real staff shrunk with the head count per place."""
    return max(1, round(real * cfg.fraction / cfg.geo_scale))


def _add_at(
    pl: PlaceList,
    loc: Locator,
    name: str,
    kind: str,
    village: int,
    capacity: int = 0,
    staff: float = 0.0,
    level: str = "",
) -> int:
    lon, lat = loc.points(np.array([village]))
    return pl.add(name, kind, village, lon[0], lat[0], capacity, staff, level)


def _health(cfg: SynthConfig, tree: AreaTree, loc: Locator, pl: PlaceList) -> None:
    codes = tree.counties.code
    for name, code, staff in gz.CITY_HOSPITALS:
        county = codes.index(code)
        v = loc.pick_villages(seat_township(tree, county), 1, urban_first=True)[0]
        s = _scaled(cfg, staff)
        _add_at(pl, loc, name, "hospital", v, capacity=s, staff=s)
    for ci, c in enumerate(gz.COUNTIES):
        v = loc.pick_villages(seat_township(tree, ci), 1, urban_first=True)[0]
        if c.kind == "development_zone":
            s = _scaled(cfg, 250)
            _add_at(pl, loc, f"{c.name}医院", "hospital", v, capacity=s, staff=s)
            continue
        for suffix, real in (("医院", 700), ("中医院", 300)):
            s = _scaled(cfg, real)
            _add_at(pl, loc, f"{c.name}{suffix}", "hospital", v, capacity=s, staff=s)
    for t, tname in enumerate(tree.townships.name):
        v = loc.pick_villages(t, 1, urban_first=True)[0]
        kind = tree.townships.kind[t]
        label = f"{tname}社区卫生服务中心" if kind == "subdistrict" else f"{tname}卫生院"
        s = _scaled(cfg, 45)
        _add_at(pl, loc, label, "hospital", v, capacity=s, staff=s)


def _shops(cfg: SynthConfig, tree: AreaTree, loc: Locator, pl: PlaceList) -> None:
    rng = loc.rng
    taken: set[str] = set()
    urban = np.array([k == "community" for k in tree.villages.kind])
    for t, tname in enumerate(tree.townships.name):
        vs = loc.villages_in(t)
        pop = float(loc.v_pop[vs].sum())
        upop = float(loc.v_pop[vs][urban[vs]].sum())
        n_market = max(1, round(pop / cfg.place_size(8000)))
        for i, v in enumerate(loc.pick_villages(t, n_market, urban_first=True)):
            label = f"{stem(tname)}农贸市场" if i == 0 else f"{stem(tree.villages.name[v])}菜市场"
            if label in taken:
                label = f"{stem(tree.villages.name[v])}第{names.numeral(i + 1)}菜市场"
            taken.add(label)
            served = pop / n_market
            _add_at(
                pl,
                loc,
                label,
                "market",
                v,
                capacity=max(10, round(served * 0.25)),
                staff=_scaled(cfg, 60),
            )
        n_super = round((upop + 0.3 * (pop - upop)) / cfg.place_size(15000))
        for v in loc.pick_villages(t, n_super, urban_first=True):
            chain = names.SUPERMARKET_CHAINS[int(rng.integers(len(names.SUPERMARKET_CHAINS)))]
            label = f"{chain}（{stem(tree.villages.name[v])}店）"
            k = 2
            while label in taken:
                label = f"{chain}（{stem(tree.villages.name[v])}{k}店）"
                k += 1
            taken.add(label)
            _add_at(
                pl,
                loc,
                label,
                "supermarket",
                v,
                capacity=max(10, round(cfg.place_size(3000))),
                staff=_scaled(cfg, 40),
            )
        n_rest = max(1, round(pop / cfg.place_size(1500)))
        vs_r = loc.pick_villages(t, n_rest)
        # Restaurant names repeat across the city, as 阿伟大排档 does; not in a township.
        for v, label in zip(vs_r, names.restaurant_names(rng, n_rest, set()), strict=True):
            _add_at(
                pl,
                loc,
                label,
                "restaurant",
                v,
                capacity=max(5, round(cfg.place_size(200))),
                staff=_scaled(cfg, 8),
            )


def _transport(cfg: SynthConfig, tree: AreaTree, loc: Locator, pl: PlaceList) -> None:
    codes = tree.counties.code
    for name, code in gz.RAILWAY_STATIONS:
        county = codes.index(code)
        v = loc.pick_villages(seat_township(tree, county), 1)[0]
        s = _scaled(cfg, 400 if name == "漳州站" else 120)
        _add_at(pl, loc, name, "station", v, capacity=s, staff=s)
    for ci, c in enumerate(gz.COUNTIES):
        v = loc.pick_villages(seat_township(tree, ci), 1, urban_first=True)[0]
        s = _scaled(cfg, 80)
        _add_at(pl, loc, f"{stem(c.name)}汽车站", "station", v, capacity=s, staff=s)
    for name, code, staff in gz.PORTS:
        v = loc.coastal_village(codes.index(code))
        s = _scaled(cfg, staff)
        _add_at(pl, loc, name, "port", v, capacity=s, staff=s)
