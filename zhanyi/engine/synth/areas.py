"""The administrative tree (行政区划) of the synthetic city and its regions.

City → 16 county-level units → townships → villages and communities (村居) →
management grids (网格). Regions are drawn on the 200 m raster: counties as a
power diagram around their real seats (东山 is its island), townships,
villages and grids as density-weighted k-means clusters inside their parent, so
every child lies inside its parent and urban communities come out small.

Codes: county 6 digits; township 9 (county + 001.. for subdistricts, 100.. for
towns, 200.. for 乡); village 12 (township + 001.. communities, 200.. villages);
grid 15 (village + 001..). Township codes are stable across scales.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.engine.synth import gazetteer as gz
from zhanyi.engine.synth import names
from zhanyi.engine.synth.config import (
    FULL_SEALED_COMPOUND,
    FULL_VILLAGES,
    STAGE_AREAS,
    SynthConfig,
)
from zhanyi.engine.synth.geo import (
    Raster,
    add_kernels,
    assign_voronoi,
    kmeans,
    kmeans_groups,
    rasterize_polygon,
    weighted_voronoi,
)
from zhanyi.engine.synth.outline import trace

# Relative population of a township by kind; the seat is the largest.
_TOWNSHIP_WEIGHT = {"seat": 3.0, "subdistrict": 2.0, "town": 1.0, "township": 0.6}
# Real households per management grid is about 300; people per grid about 900.
_PEOPLE_PER_GRID = 900
_MAX_GRIDS = 15


@dataclass
class Level:
    """One level of the tree, as parallel columns."""

    code: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    parent: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    population: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    boundary: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.code)


@dataclass
class AreaTree:
    """The tree plus the raster that locates every point in a grid."""

    raster: Raster
    #: Land fine-cell ids, ascending, and per land cell its density and grid.
    land: np.ndarray
    land_density: np.ndarray
    land_grid: np.ndarray
    counties: Level
    townships: Level
    villages: Level
    grids: Level
    city_boundary: str | None
    #: Village population targets before households are drawn.
    village_target: np.ndarray

    def grid_of_lonlat(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Grid index of each point, -1 off land."""
        fine = self.raster.fine_of(lon, lat)
        pos = np.searchsorted(self.land, fine)
        pos = np.minimum(pos, len(self.land) - 1)
        hit = (fine >= 0) & (self.land[pos] == fine)
        return np.where(hit, self.land_grid[pos], -1)

    def village_cells(self) -> tuple[np.ndarray, np.ndarray]:
        """Land-cell positions grouped by village, and each village's start offset."""
        village = self.grids.parent[self.land_grid]
        order = np.argsort(village, kind="stable")
        counts = np.bincount(village, minlength=len(self.villages))
        return order, np.r_[0, np.cumsum(counts)]

    def county_of_village(self) -> np.ndarray:
        return self.townships.parent[self.villages.parent]

    def table(self, grid_population: np.ndarray | None = None) -> pa.Table:
        """The ``areas`` table; populations from the grids' head counts if given."""
        if grid_population is not None:
            self._set_populations(np.asarray(grid_population, dtype=np.int64))
        city_pop = int(self.counties.population.sum())
        rows: dict[str, list] = {
            k: []
            for k in (
                "code",
                "name",
                "level",
                "kind",
                "parent_code",
                "population",
                "lon",
                "lat",
                "boundary",
            )
        }
        rows["code"].append(gz.CITY_CODE)
        rows["name"].append(gz.CITY_NAME)
        rows["level"].append("city")
        rows["kind"].append("city")
        rows["parent_code"].append(None)
        rows["population"].append(city_pop)
        rows["lon"].append(gz.CITY_LON)
        rows["lat"].append(gz.CITY_LAT)
        rows["boundary"].append(self.city_boundary)
        parents: list[str] = [gz.CITY_CODE]
        for level_name, level in (
            ("county", self.counties),
            ("township", self.townships),
            ("village", self.villages),
            ("grid", self.grids),
        ):
            rows["code"].extend(level.code)
            rows["name"].extend(level.name)
            rows["level"].extend([level_name] * len(level))
            rows["kind"].extend(level.kind)
            rows["parent_code"].extend(parents[i] for i in level.parent)
            rows["population"].extend(level.population.tolist())
            rows["lon"].extend(np.round(level.lon, 6).tolist())
            rows["lat"].extend(np.round(level.lat, 6).tolist())
            rows["boundary"].extend(level.boundary)
            parents = level.code
        return pa.table(
            {
                "code": pa.array(rows["code"], pa.string()),
                "name": pa.array(rows["name"], pa.string()),
                "level": pa.array(rows["level"], pa.string()),
                "kind": pa.array(rows["kind"], pa.string()),
                "parent_code": pa.array(rows["parent_code"], pa.string()),
                "population": pa.array(rows["population"], pa.int64()),
                "lon": pa.array(rows["lon"], pa.float64()),
                "lat": pa.array(rows["lat"], pa.float64()),
                "boundary": pa.array(rows["boundary"], pa.string()),
            }
        )

    def _set_populations(self, grid_pop: np.ndarray) -> None:
        self.grids.population = grid_pop
        for child, parent in (
            (self.grids, self.villages),
            (self.villages, self.townships),
            (self.townships, self.counties),
        ):
            parent.population = np.bincount(
                child.parent, child.population, minlength=len(parent)
            ).astype(np.int64)


def sealed_compound_target(cfg: SynthConfig) -> int:
    """Residents of 万益学府花园 at this scale: the article's 1,095, at least 30."""
    return max(30, round(FULL_SEALED_COMPOUND * cfg.fraction))


def apportion(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Integers summing to ``total`` in proportion to weights (largest remainder)."""
    weights = np.asarray(weights, dtype=np.float64)
    base = np.full(len(weights), minimum, dtype=np.int64)
    rest = total - base.sum()
    if rest < 0:
        raise ValueError(f"cannot give {minimum} each to {len(weights)} parts from {total}")
    share = weights / weights.sum() * rest
    floor = np.floor(share).astype(np.int64)
    left = rest - floor.sum()
    order = np.argsort(-(share - floor), kind="stable")
    floor[order[:left]] += 1
    return base + floor


@dataclass(frozen=True)
class _Geography:
    """What does not depend on scale or seed: land, counties, urban cores."""

    raster: Raster
    land: np.ndarray
    lx: np.ndarray
    ly: np.ndarray
    county_of: np.ndarray
    seat_x: np.ndarray
    seat_y: np.ndarray
    density: np.ndarray  # 2-D, over the whole raster


@functools.lru_cache(maxsize=1)
def _geography() -> _Geography:
    raster = Raster(ZHANGZHOU)
    main_ring = np.column_stack(raster.to_xy(*np.array(gz.MAINLAND).T))
    isle_ring = np.column_stack(raster.to_xy(*np.array(gz.DONGSHAN_ISLAND).T))
    on_isle = rasterize_polygon(raster, isle_ring).ravel()
    on_main = rasterize_polygon(raster, main_ring).ravel() & ~on_isle
    land = np.flatnonzero(on_main | on_isle)
    lx, ly = raster.xy(land)
    isle = on_isle[land]

    counties = gz.COUNTIES
    seat_x, seat_y = raster.to_xy(
        np.array([c.lon for c in counties]), np.array([c.lat for c in counties])
    )
    isle_c = next(i for i, c in enumerate(counties) if c.code == gz.ISLAND_COUNTY)
    gens = [(i, c.lon, c.lat) for i, c in enumerate(counties) if i != isle_c]
    gens += [(i, lon, lat) for i, c in enumerate(counties) if i != isle_c for lon, lat in c.shape]
    present = np.array([i != isle_c for i in range(len(counties))])
    remap = np.cumsum(present) - 1
    owner = remap[np.array([g[0] for g in gens])]
    gx, gy = raster.to_xy(np.array([g[1] for g in gens]), np.array([g[2] for g in gens]))
    target = np.array([c.area_km2 for c in counties], dtype=np.float64)[present]
    # Counties are whole 800 m cells: every cell of the stay grid lies in one
    # county. The weights are tuned on the cells with land at their centre.
    g = raster.grid
    cell_row, cell_col = np.divmod(np.arange(g.n_cells), g.n_cols)
    cell_x, cell_y = (cell_col + 0.5) * g.cell_m, (cell_row + 0.5) * g.cell_m
    cell_land = np.zeros(g.n_cells, dtype=bool)
    cell_land[raster.cell_of_fine(land[~isle])] = True
    tune = np.flatnonzero(cell_land)
    r = weighted_voronoi(cell_x[tune], cell_y[tune], gx, gy, owner, target)
    cell_county = np.flatnonzero(present)[assign_voronoi(cell_x, cell_y, gx, gy, owner, r)]
    # A small unit squeezed between big neighbours could lose its own seat:
    # give every seat a disc around it, smaller units painted last.
    all_area = np.array([c.area_km2 for c in counties])
    for i in np.argsort(-all_area, kind="stable"):
        if i == isle_c:
            continue
        radius = min(3000.0, 0.4 * np.sqrt(all_area[i] * 1e6 / np.pi))
        near = (cell_x - seat_x[i]) ** 2 + (cell_y - seat_y[i]) ** 2 <= radius**2
        cell_county[near] = i
    county_of = np.where(isle, isle_c, cell_county[raster.cell_of_fine(land)])

    dens = np.ones((raster.n_rows, raster.n_cols))
    cores = []
    for i, c in enumerate(counties):
        if c.kind == "district" and c.village_density < 0.7:
            amp, sigma = 40.0, 3000.0  # the central city
        elif c.kind == "development_zone":
            amp, sigma = 15.0, 2000.0
        else:
            amp, sigma = 20.0, 2200.0
        cores.append((seat_x[i], seat_y[i], amp, sigma))
    add_kernels(dens, raster, cores)
    for a in (land, lx, ly, county_of, seat_x, seat_y, dens):
        a.flags.writeable = False
    return _Geography(raster, land, lx, ly, county_of, seat_x, seat_y, dens)


def build_areas(cfg: SynthConfig) -> AreaTree:
    """The area tree and regions for a configuration (no people needed)."""
    rng = cfg.rng(STAGE_AREAS)
    geo = _geography()
    dens2d = geo.density.copy()
    counties_gz = gz.COUNTIES
    n_c = len(counties_gz)
    county_pop = apportion(cfg.people, np.array([c.population for c in counties_gz], float))

    townships, township_of = _townships(cfg, rng, geo, county_pop, dens2d.ravel()[geo.land])
    # Every town centre is a small urban core: villages shrink around it.
    cx, cy = geo.raster.to_xy(townships.lon, townships.lat)
    add_kernels(dens2d, geo.raster, [(x, y, 4.0, 1200.0) for x, y in zip(cx, cy, strict=True)])
    dens = dens2d.ravel()[geo.land]
    villages, village_of = _villages(cfg, rng, geo, townships, township_of, dens)
    grids, grid_of = _grids(rng, geo, villages, village_of, dens)

    counties = Level(
        code=[c.code for c in counties_gz],
        name=[c.name for c in counties_gz],
        kind=[c.kind for c in counties_gz],
        parent=np.zeros(n_c, dtype=np.int64),
        population=county_pop.astype(np.int64),
    )
    tree = AreaTree(
        raster=geo.raster,
        land=geo.land,
        land_density=dens,
        land_grid=grid_of.astype(np.int32),
        counties=counties,
        townships=townships,
        villages=villages,
        grids=grids,
        city_boundary=None,
        village_target=villages.population.copy(),
    )
    # Grid populations follow village targets until households exist.
    share = np.bincount(grid_of, dens, len(grids))
    for v in range(len(villages)):
        m = np.flatnonzero(grids.parent == v)
        grids.population[m] = apportion(int(tree.village_target[v]), share[m])
    tree._set_populations(grids.population)
    _outline(tree, geo.lx, geo.ly)
    return tree


def _townships(
    cfg: SynthConfig,
    rng: np.random.Generator,
    geo: _Geography,
    county_pop: np.ndarray,
    dens: np.ndarray,
) -> tuple[Level, np.ndarray]:
    """Townships kept at this scale (the seat first) as clusters inside their county."""
    rows: list[tuple[int, str, str, str]] = []  # county, code, name, kind
    for ci, c in enumerate(gz.COUNTIES):
        keep = max(1, round(len(c.townships) * cfg.geo_scale))
        # Codes count within each kind over the full list, so they do not
        # change with the scale.
        counters = {"subdistrict": 0, "town": 100, "township": 200}
        for name, kind in c.townships[:keep]:
            counters[kind] += 1
            rows.append((ci, f"{c.code}{counters[kind]:03d}", name, kind))
    county = np.array([r[0] for r in rows], dtype=np.int64)
    n_t = len(rows)
    seat = np.r_[True, county[1:] != county[:-1]]
    weight = np.array(
        [_TOWNSHIP_WEIGHT["seat" if seat[i] else r[3]] for i, r in enumerate(rows)]
    ) * rng.lognormal(0.0, 0.25, n_t)
    pop = np.zeros(n_t, dtype=np.int64)
    township_of = np.zeros(len(geo.land), dtype=np.int64)
    for ci in range(len(gz.COUNTIES)):
        ts = np.flatnonzero(county == ci)
        pop[ts] = apportion(int(county_pop[ci]), weight[ts])
        cells = np.flatnonzero(geo.county_of == ci)
        lab = kmeans(
            geo.lx[cells],
            geo.ly[cells],
            dens[cells],
            len(ts),
            rng,
            fixed=(geo.seat_x[ci], geo.seat_y[ci]),
        )
        # The seat keeps cluster 0 (pinned on the real seat); denser clusters
        # go to subdistricts, then towns, then 乡.
        mean_d = np.bincount(lab, dens[cells], len(ts)) / np.bincount(lab, minlength=len(ts))
        order = np.r_[0, 1 + np.argsort(-mean_d[1:], kind="stable")]
        rank = np.empty(len(ts), dtype=np.int64)
        rank[order] = np.arange(len(ts))
        township_of[cells] = ts[rank[lab]]
    # Density-weighted centres, where the town itself is.
    w = np.bincount(township_of, dens, n_t)
    cx = np.bincount(township_of, dens * geo.lx, n_t) / w
    cy = np.bincount(township_of, dens * geo.ly, n_t) / w
    lon, lat = geo.raster.to_lonlat(cx, cy)
    level = Level(
        code=[r[1] for r in rows],
        name=[r[2] for r in rows],
        kind=[r[3] for r in rows],
        parent=county,
        population=pop,
        lon=lon,
        lat=lat,
    )
    return level, township_of


def _communities(kind: str, seat: bool, k: int) -> int:
    """How many of a township's k villages are urban communities (社区)."""
    if kind == "subdistrict":
        return k
    if seat:
        return max(1, math.ceil(0.4 * k))
    if kind == "town":
        return 1 if k >= 4 else 0
    return 1 if k >= 8 else 0


def _villages(
    cfg: SynthConfig,
    rng: np.random.Generator,
    geo: _Geography,
    townships: Level,
    township_of: np.ndarray,
    dens: np.ndarray,
) -> tuple[Level, np.ndarray]:
    """Villages and communities: 1,938 at full scale, fewer (≥1 a township) below."""
    n_c, n_t = len(gz.COUNTIES), len(townships)
    t_county = townships.parent
    seat = np.r_[True, t_county[1:] != t_county[:-1]]
    total = (
        FULL_VILLAGES if cfg.geo_scale >= 1.0 else max(n_t, round(FULL_VILLAGES * cfg.geo_scale))
    )
    c_weight = np.array([c.population * c.village_density for c in gz.COUNTIES], float)
    v_per_c = _apportion_min(total, c_weight, np.bincount(t_county, minlength=n_c))
    v_per_t = np.zeros(n_t, dtype=np.int64)
    for ci in range(n_c):
        m = np.flatnonzero(t_county == ci)
        # Subdistricts have fewer, larger communities for their people.
        w = townships.population[m] * np.array(
            [0.5 if townships.kind[i] == "subdistrict" else 1.0 for i in m]
        )
        v_per_t[m] = _apportion_min(int(v_per_c[ci]), w, np.ones(len(m), dtype=np.int64))

    compound_target = sealed_compound_target(cfg)
    scenario_t = next(
        i
        for i in range(n_t)
        if gz.COUNTIES[t_county[i]].code == gz.SCENARIO_COUNTY
        and townships.name[i] == gz.SCENARIO_TOWNSHIP
    )
    villages = Level()
    parent: list[int] = []
    pops: list[np.ndarray] = []
    village_of = np.zeros(len(geo.land), dtype=np.int64)
    taken: dict[int, set[str]] = {ci: set() for ci in range(n_c)}
    taken[int(t_county[scenario_t])].add(gz.SCENARIO_COMMUNITY)
    for t in range(n_t):
        k = int(v_per_t[t])
        kind = townships.kind[t]
        n_comm = _communities(kind, bool(seat[t]), k)
        if t == scenario_t:
            n_comm = max(n_comm, 1)
        ci = int(t_county[t])
        comm = names.community_names(rng, n_comm, taken[ci])
        vill = names.village_names(rng, k - n_comm, taken[ci])
        if t == scenario_t:
            comm[0] = gz.SCENARIO_COMMUNITY
        tcode = townships.code[t]
        codes = [f"{tcode}{i + 1:03d}" for i in range(n_comm)]
        codes += [f"{tcode}{200 + i + 1:03d}" for i in range(k - n_comm)]
        w = np.r_[np.full(n_comm, 2.5 if kind != "subdistrict" else 1.0), np.ones(k - n_comm)]
        pop = apportion(int(townships.population[t]), w * rng.lognormal(0.0, 0.35, k))
        if t == scenario_t and pop[0] < 2 * compound_target + 20:
            # 福龙社区 must hold the sealed compound with room to spare.
            need = 2 * compound_target + 20 - pop[0]
            pop[0] += need
            if k > 1:
                pop[1:] = apportion(int(pop[1:].sum() - need), pop[1:].astype(float))
        cells = np.flatnonzero(township_of == t)
        if k > len(cells):
            raise ValueError(f"township {townships.name[t]} has {k} villages, {len(cells)} cells")
        lab = kmeans(geo.lx[cells], geo.ly[cells], dens[cells], k, rng)
        # Communities take the densest clusters (the town), villages the rest.
        mean_d = np.bincount(lab, dens[cells], k) / np.bincount(lab, minlength=k)
        rank = np.empty(k, dtype=np.int64)
        rank[np.argsort(-mean_d, kind="stable")] = np.arange(k)
        village_of[cells] = len(villages) + rank[lab]
        villages.code.extend(codes)
        villages.name.extend(comm + vill)
        villages.kind.extend(["community"] * n_comm + ["village"] * (k - n_comm))
        parent.extend([t] * k)
        pops.append(pop)
    villages.parent = np.array(parent, dtype=np.int64)
    villages.population = np.concatenate(pops).astype(np.int64)
    return villages, village_of


def _grids(
    rng: np.random.Generator,
    geo: _Geography,
    villages: Level,
    village_of: np.ndarray,
    dens: np.ndarray,
) -> tuple[Level, np.ndarray]:
    """Management grids inside villages, a few each: about one per 900 residents."""
    n_cells = np.bincount(village_of, minlength=len(villages))
    k = np.clip(np.round(villages.population / _PEOPLE_PER_GRID), 2, _MAX_GRIDS).astype(np.int64)
    k = np.minimum(k, n_cells)
    lab = kmeans_groups(geo.lx, geo.ly, dens, village_of, k, rng)
    grid_of = np.r_[0, np.cumsum(k)][village_of] + lab
    grids = Level()
    for v in range(len(villages)):
        vname, vcode = villages.name[v], villages.code[v]
        grids.code.extend(f"{vcode}{i + 1:03d}" for i in range(k[v]))
        grids.name.extend(f"{vname}第{names.numeral(i + 1)}网格" for i in range(k[v]))
    grids.kind = ["grid"] * len(grids.code)
    grids.parent = np.repeat(np.arange(len(villages)), k).astype(np.int64)
    grids.population = np.zeros(len(grids.code), dtype=np.int64)
    return grids, grid_of


def _apportion_min(total: int, weights: np.ndarray, minimum: np.ndarray) -> np.ndarray:
    """Largest-remainder apportionment with a per-part floor."""
    minimum = np.asarray(minimum, dtype=np.int64)
    rest = total - int(minimum.sum())
    if rest < 0:
        raise ValueError("not enough to go round")
    return minimum + apportion(rest, np.asarray(weights, float))


def _outline(tree: AreaTree, lx: np.ndarray, ly: np.ndarray) -> None:
    """Centroids and boundaries for every level."""
    raster = tree.raster
    grid = tree.land_grid.astype(np.int64)
    village = tree.grids.parent[grid]
    township = tree.villages.parent[village]
    county = tree.townships.parent[township]
    shape = (raster.n_rows, raster.n_cols)
    # Thinning tolerances: counties and townships are drawn all at once on the
    # city map, so they lose more detail than villages and grids (200 m cells).
    for level, lab, tol in (
        (tree.counties, county, 300.0),
        (tree.townships, township, 250.0),
        (tree.villages, village, 60.0),
        (tree.grids, grid, 60.0),
    ):
        n = len(level)
        cnt = np.bincount(lab, minlength=n)
        mx = np.bincount(lab, lx, n) / np.maximum(cnt, 1)
        my = np.bincount(lab, ly, n) / np.maximum(cnt, 1)
        # A concave region's mean can fall outside it: use its nearest own cell then.
        fine = raster.fine_of(*raster.to_lonlat(mx, my))
        pos = np.minimum(np.searchsorted(tree.land, fine), len(tree.land) - 1)
        hit = (fine >= 0) & (tree.land[pos] == fine)
        at_lab = np.where(hit, lab[pos], -1)
        for i in np.flatnonzero(at_lab != np.arange(n)):
            m = np.flatnonzero(lab == i)
            j = m[np.argmin((lx[m] - mx[i]) ** 2 + (ly[m] - my[i]) ** 2)]
            mx[i], my[i] = lx[j], ly[j]
        level.lon, level.lat = raster.to_lonlat(mx, my)
        if level is tree.counties:
            # Counties are labelled at their real seats, which lie inside them.
            level.lon = np.array([c.lon for c in gz.COUNTIES])
            level.lat = np.array([c.lat for c in gz.COUNTIES])
        full = np.full(raster.n, -1, dtype=np.int64)
        full[tree.land] = lab
        level.boundary = trace(full.reshape(shape), n, raster, tol)
    full = np.full(raster.n, -1, dtype=np.int64)
    full[tree.land] = 0
    tree.city_boundary = trace(full.reshape(shape), 1, raster, 400.0)[0]
