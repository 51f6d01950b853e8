"""Households (户) of the synthetic city: composition, homes and addresses.

Each village gets households until its population is reached exactly. Half of
urban households live in residential compounds (小区) with buildings and rooms;
village households live in hamlets with house numbers. The demo's compound
万益学府花园 in 福龙社区 is filled first, to its article-scaled head count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.engine.synth import gazetteer as gz
from zhanyi.engine.synth import names
from zhanyi.engine.synth.areas import AreaTree, sealed_compound_target
from zhanyi.engine.synth.config import STAGE_HOUSEHOLDS, SynthConfig

# Household types: single, couple, couple with children, three generations,
# single parent, grandparents with grandchildren (留守, skip-generation).
SINGLE, COUPLE, NUCLEAR, THREE_GEN, SINGLE_PARENT, SKIP_GEN = range(6)
_TYPE_P_URBAN = np.array([0.27, 0.25, 0.31, 0.11, 0.04, 0.02])
_TYPE_P_RURAL = np.array([0.22, 0.24, 0.25, 0.21, 0.04, 0.04])
#: Member slots: head, spouse, three children, two grandparents.
N_SLOTS = 7
# When a village's last household must shrink to fit, adults stay first.
_SLOT_PRIORITY = np.array([0, 2, 4, 5, 6, 1, 3])  # rank of slot i when trimming
# Share of community households that live in compounds.
_COMPOUND_SHARE = 0.75


class Compounds(TypedDict):
    """Residential compounds (小区), one entry per compound."""

    name: list[str]
    village: np.ndarray  # village index
    lon: np.ndarray
    lat: np.ndarray
    residents: np.ndarray


@dataclass
class Households:
    """Households as parallel arrays (index = household_id - 1)."""

    village: np.ndarray  # village index
    kind: np.ndarray  # household type
    present: np.ndarray  # (n, N_SLOTS) bool: which member slots exist
    grid: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    cell: np.ndarray
    compound: np.ndarray  # compound index or -1
    address: pa.Array
    compounds: Compounds

    def __len__(self) -> int:
        return len(self.village)

    @property
    def size(self) -> np.ndarray:
        return self.present.sum(axis=1)


def build_households(cfg: SynthConfig, tree: AreaTree) -> Households:
    rng = cfg.rng(STAGE_HOUSEHOLDS)
    target = tree.village_target
    n_v = len(target)
    urban = np.array([k == "community" for k in tree.villages.kind])

    village, kind, present = _draw_households(rng, target, urban)
    size = present.sum(axis=1)
    n_h = len(village)
    h_first = np.r_[0, np.cumsum(np.bincount(village, minlength=n_v))]

    # Compounds: the first share of each community's households, in runs.
    compound = np.full(n_h, -1, dtype=np.int64)
    c_village: list[int] = []
    c_name: list[str] = []
    sealed_target = sealed_compound_target(cfg)
    median = float(np.clip(cfg.place_size(250), 8, 250))
    # Compound names are unique within a county (碧桂园 may be in several).
    county_of_v = tree.county_of_village()
    taken: dict[int, set[str]] = {c: {gz.SCENARIO_COMPOUND} for c in range(len(tree.counties))}
    scenario_v = _scenario_village(tree)
    for v in np.flatnonzero(urban):
        lo, hi = int(h_first[v]), int(h_first[v + 1])
        n_in = round((hi - lo) * _COMPOUND_SHARE)
        sizes: list[int] = []
        if v == scenario_v:
            # Enough households to house the sealed zone's head count.
            cum = np.cumsum(size[lo:hi])
            first_n = int(np.searchsorted(cum, sealed_target)) + 1
            sizes.append(min(first_n, hi - lo))
            n_in = max(n_in, sizes[0])
        left = n_in - sum(sizes)
        while left > 0:
            s = int(np.clip(rng.lognormal(math.log(median), 0.5), 4, 3 * median))
            s = min(s, left)
            sizes.append(s)
            left -= s
        names_v = names.compound_names(rng, len(sizes), taken[int(county_of_v[v])])
        if v == scenario_v:
            names_v[0] = gz.SCENARIO_COMPOUND
        at = lo
        for s, nm in zip(sizes, names_v, strict=True):
            compound[at : at + s] = len(c_name)
            c_name.append(nm)
            c_village.append(int(v))
            at += s
    c_village_a = np.array(c_village, dtype=np.int64)

    # Homes: compounds at one point each, other households scattered by density.
    order, offsets = tree.village_cells()
    land_pos = _pick_cells(rng, tree, order, offsets, np.r_[c_village_a, village])
    fine = tree.land[land_pos]
    lon, lat = tree.raster.random_points(rng, fine)
    c_lon, c_lat = lon[: len(c_name)], lat[: len(c_name)]
    lon, lat = lon[len(c_name) :], lat[len(c_name) :]
    in_c = compound >= 0
    lon[in_c] = c_lon[compound[in_c]]
    lat[in_c] = c_lat[compound[in_c]]
    grid = tree.grid_of_lonlat(lon, lat)
    if (grid < 0).any() or (tree.grids.parent[grid] != village).any():
        raise AssertionError("a household landed outside its village")
    cell = ZHANGZHOU.cell_of(lon, lat)

    c_res = np.bincount(compound[in_c], size[in_c], minlength=len(c_name))
    address = _addresses(rng, tree, village, compound, c_name, urban)
    return Households(
        village=village,
        kind=kind,
        present=present,
        grid=grid.astype(np.int64),
        lon=lon,
        lat=lat,
        cell=cell,
        compound=compound,
        address=address,
        compounds={
            "name": c_name,
            "village": c_village_a,
            "lon": c_lon,
            "lat": c_lat,
            "residents": c_res.astype(np.int64),
        },
    )


def _scenario_village(tree: AreaTree) -> int:
    county = tree.county_of_village()
    for v, name in enumerate(tree.villages.name):
        if name == gz.SCENARIO_COMMUNITY and tree.counties.code[county[v]] == gz.SCENARIO_COUNTY:
            return v
    raise AssertionError("the scenario community is missing")


def _draw_households(
    rng: np.random.Generator, target: np.ndarray, urban: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Households per village whose sizes add up to the village targets exactly."""
    n_v = len(target)
    need = target.astype(np.int64).copy()
    villages, kinds, presents = [], [], []
    while need.sum() > 0:
        # Enough candidates for nearly every village in one round.
        n_cand = np.where(need > 0, np.ceil(need / 2.5 * 1.25).astype(np.int64) + 3, 0)
        v = np.repeat(np.arange(n_v), n_cand)
        p = np.where(urban[v, None], _TYPE_P_URBAN, _TYPE_P_RURAL)
        u = rng.random(len(v))
        k = (u[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
        pres = _slots(rng, k)
        size = pres.sum(axis=1)
        cum = np.cumsum(size)
        first = np.r_[0, np.cumsum(n_cand)][v]
        before = cum - size - np.r_[0, cum][first]
        keep = before < need[v]
        room = need[v] - before
        trim = keep & (size > room)
        if trim.any():
            # Keep the highest-priority present slots up to the room left.
            rank = np.where(pres[trim], _SLOT_PRIORITY[None, :], 99)
            kth = np.sort(rank, axis=1)[np.arange(trim.sum()), room[trim] - 1]
            pres[trim] &= rank <= kth[:, None]
        villages.append(v[keep])
        kinds.append(k[keep])
        presents.append(pres[keep])
        need = need - np.bincount(v[keep], pres[keep].sum(axis=1), minlength=n_v).astype(np.int64)
    village = np.concatenate(villages)
    order = np.argsort(village, kind="stable")
    return village[order], np.concatenate(kinds)[order], np.concatenate(presents)[order]


def _slots(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    n = len(kind)
    pres = np.zeros((n, N_SLOTS), dtype=bool)
    kids = 1 + (rng.random(n)[:, None] > np.array([[0.54, 0.93]])).sum(axis=1)
    kids = np.where(kind == THREE_GEN, 1 + (rng.random(n)[:, None] > [[0.35, 0.80]]).sum(1), kids)
    kids = np.where(np.isin(kind, (SINGLE_PARENT, SKIP_GEN)), 1 + (rng.random(n) > 0.6), kids)
    grand = 1 + (rng.random(n) > 0.45)
    pres[:, 0] = kind != SKIP_GEN
    pres[:, 1] = np.isin(kind, (COUPLE, NUCLEAR, THREE_GEN))
    with_kids = np.isin(kind, (NUCLEAR, THREE_GEN, SINGLE_PARENT, SKIP_GEN))
    for j in range(3):
        pres[:, 2 + j] = with_kids & (kids > j)
    with_grand = np.isin(kind, (THREE_GEN, SKIP_GEN))
    pres[:, 5] = with_grand
    pres[:, 6] = with_grand & (grand > 1)
    return pres


def _pick_cells(
    rng: np.random.Generator,
    tree: AreaTree,
    order: np.ndarray,
    offsets: np.ndarray,
    village: np.ndarray,
) -> np.ndarray:
    """A land-cell position in each item's village, weighted by density."""
    dens = tree.land_density[order]
    cum = np.cumsum(dens)
    lo = np.r_[0.0, cum][offsets[village]]
    hi = np.r_[0.0, cum][offsets[village + 1]]
    u = lo + rng.random(len(village)) * (hi - lo)
    pos = np.searchsorted(cum, u, side="right")
    pos = np.clip(pos, offsets[village], offsets[village + 1] - 1)
    return order[pos]


def _addresses(
    rng: np.random.Generator,
    tree: AreaTree,
    village: np.ndarray,
    compound: np.ndarray,
    c_name: list[str],
    urban: np.ndarray,
) -> pa.Array:
    """Postal addresses: 漳州市 + county + township + village + the home itself."""
    county_of_v = tree.county_of_village()
    addr_county = [gz.COUNTIES[c].address_name for c in range(len(gz.COUNTIES))]
    prefix = pa.array(
        [
            f"{gz.CITY_NAME}{addr_county[county_of_v[v]]}"
            f"{tree.townships.name[tree.villages.parent[v]]}{tree.villages.name[v]}"
            for v in range(len(tree.villages))
        ],
        pa.string(),
    ).take(pa.array(village))
    n = len(village)
    idx = np.arange(n)

    # Compounds: building, floor and room; two or four flats a floor.
    in_c = compound >= 0
    c_start = np.full(max(len(c_name), 1), n, dtype=np.int64)
    np.minimum.at(c_start, compound[in_c], idx[in_c])
    k = idx - c_start[np.maximum(compound, 0)]
    per_floor = np.where(rng.random(max(len(c_name), 1)) < 0.5, 2, 4)[np.maximum(compound, 0)]
    floors = rng.integers(6, 34, max(len(c_name), 1))[np.maximum(compound, 0)]
    per_bldg = per_floor * floors
    bldg = k // per_bldg + 1
    j = k % per_bldg
    room = (j // per_floor + 1) * 100 + j % per_floor + 1
    c_names = pa.array(c_name if c_name else [""], pa.string())
    c_arr = c_names.take(pa.array(np.maximum(compound, 0)))
    home_c = pc.binary_join_element_wise(
        c_arr,
        pc.cast(pa.array(bldg), pa.string()),
        "栋",
        pc.cast(pa.array(room), pa.string()),
        "室",
        "",
    )

    # Villages: a hamlet and a house number; communities: a road and a number.
    hamlets = names.hamlets()
    roads = names.roads()
    h_pick = rng.integers(0, 4, n)
    v_base = rng.integers(0, len(hamlets), len(tree.villages))
    r_base = rng.integers(0, len(roads), len(tree.villages))
    street_idx = np.where(
        urban[village],
        (r_base[village] + h_pick) % len(roads),
        len(roads) + (v_base[village] + h_pick) % len(hamlets),
    )
    # House numbers count up along each street of each village.
    key = (village * 64 + street_idx) * 2 + in_c
    order = np.argsort(key, kind="stable")
    sk = key[order]
    start = np.r_[True, sk[1:] != sk[:-1]]
    run_start = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    number = np.empty(n, dtype=np.int64)
    number[order] = np.arange(n) - run_start + 1
    number = number * np.where(urban[village], 2, 1) + rng.integers(0, 2, n) * urban[village]
    street = pa.array(roads + hamlets, pa.string()).take(pa.array(street_idx))
    home_s = pc.binary_join_element_wise(street, pc.cast(pa.array(number), pa.string()), "号", "")
    home = pc.if_else(pa.array(in_c), home_c, home_s)
    return pc.binary_join_element_wise(prefix, home, "")
