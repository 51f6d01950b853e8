"""Personas (画像) that drive each person's daily stays: fixed places and habits."""

from __future__ import annotations

import numpy as np

from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.engine.synth.areas import AreaTree
from zhanyi.engine.synth.config import STAGE_PERSONA, SynthConfig
from zhanyi.engine.synth.households import Households
from zhanyi.engine.synth.people import People
from zhanyi.engine.synth.stays import (
    F_ELDERLY,
    F_INFANT,
    F_SATURDAY,
    F_SUNDAY,
    N_PERSONA,
    P_C1,
    P_C2,
    P_DAY,
    P_EAT,
    P_FLAGS,
    P_HOME,
    P_KIN,
    P_LEAVE,
    P_LUNCH,
    P_MARKET,
    P_PERIOD,
    P_PHASE,
    P_ROLE,
    P_SHOP,
    P_TOWN,
    ROLE_HOME,
    ROLE_STUDENT,
    ROLE_WORKER,
)

#: Periodic location update interval of a phone, seconds (its own, fixed).
#: Chosen so that records average about 24 a person a day.
PERIOD_RANGE = (3600, 7200)


def land_cells(tree: AreaTree) -> np.ndarray:
    """Boolean per 800 m cell: does any land fall in it."""
    out = np.zeros(ZHANGZHOU.n_cells, dtype=bool)
    out[tree.raster.cell_of_fine(tree.land)] = True
    return out


def build_persona(
    cfg: SynthConfig,
    tree: AreaTree,
    hh: Households,
    people: People,
    work: np.ndarray,
    school: np.ndarray,
    place_kind: np.ndarray,
    place_cell: np.ndarray,
    place_township: np.ndarray,
) -> np.ndarray:
    """(people, N_PERSONA) int32; ``work``/``school`` index the place arrays, -1 for none."""
    rng = cfg.rng(STAGE_PERSONA)
    n = len(people)
    out = np.zeros((n, N_PERSONA), dtype=np.int32)
    home = hh.cell[people.household]
    out[:, P_HOME] = home
    role = np.where(work >= 0, ROLE_WORKER, np.where(school >= 0, ROLE_STUDENT, ROLE_HOME))
    day_place = np.where(work >= 0, work, school)
    dayc = np.where(day_place >= 0, place_cell[np.maximum(day_place, 0)], -1)
    out[:, P_DAY] = dayc
    out[:, P_ROLE] = role

    # Commute: cells a third and two thirds of the way, where they are land.
    land = land_cells(tree)
    target = np.where(dayc >= 0, dayc, home)
    hr, hc = np.divmod(home.astype(np.int64), ZHANGZHOU.n_cols)
    tr, tc = np.divmod(target.astype(np.int64), ZHANGZHOU.n_cols)
    for col, frac, fallback in ((P_C1, 1 / 3, home), (P_C2, 2 / 3, target)):
        c = np.rint(hr + (tr - hr) * frac) * ZHANGZHOU.n_cols + np.rint(hc + (tc - hc) * frac)
        c = c.astype(np.int64)
        out[:, col] = np.where(land[c], c, fallback)

    township = tree.villages.parent[people.village]
    hx, hy = tree.raster.to_xy(hh.lon[people.household], hh.lat[people.household])
    out[:, P_MARKET] = _nearest_of_kind(
        place_kind == "market", place_cell, place_township, township, hx, hy, tree
    )
    out[:, P_SHOP] = _random_of_kind(
        rng,
        place_kind == "supermarket",
        place_cell,
        place_township,
        township,
        fallback=out[:, P_MARKET],
    )
    out[:, P_EAT] = _random_of_kind(
        rng,
        place_kind == "restaurant",
        place_cell,
        place_township,
        township,
        fallback=out[:, P_MARKET],
    )
    # The county town: the seat township's busiest market.
    county = people.county
    seat_t = np.array(
        [np.flatnonzero(tree.townships.parent == c)[0] for c in range(len(tree.counties))]
    )
    markets = np.flatnonzero(place_kind == "market")
    town_cell = np.full(len(tree.counties), -1, dtype=np.int64)
    for c in range(len(tree.counties)):
        m = markets[place_township[markets] == seat_t[c]]
        town_cell[c] = place_cell[m[0]] if len(m) else -1
    out[:, P_TOWN] = np.where(town_cell[county] >= 0, town_cell[county], out[:, P_MARKET])
    # Relatives: a household elsewhere in the same county (households run in
    # county blocks, because villages are numbered county by county).
    h_county = tree.county_of_village()[hh.village]
    lo = np.searchsorted(h_county, np.arange(len(tree.counties)))
    hi = np.searchsorted(h_county, np.arange(len(tree.counties)), side="right")
    pick = lo[county] + (rng.random(n) * (hi[county] - lo[county])).astype(np.int64)
    out[:, P_KIN] = hh.cell[np.minimum(pick, len(hh) - 1)]
    # Lunch out near work: a restaurant in the workplace's township.
    work_t = np.where(day_place >= 0, place_township[np.maximum(day_place, 0)], township)
    out[:, P_LUNCH] = _random_of_kind(
        rng, place_kind == "restaurant", place_cell, place_township, work_t, fallback=dayc
    )

    age = people.age
    worker = role == ROLE_WORKER
    sat = worker & (rng.random(n) < 0.25)
    sun = sat & (rng.random(n) < 0.45)
    out[:, P_FLAGS] = (
        (sat * F_SATURDAY) | (sun * F_SUNDAY) | ((age >= 60) * F_ELDERLY) | ((age < 3) * F_INFANT)
    )
    leave_student = np.where(age < 6, 7.6, 7.0) * 3600 + rng.normal(0, 900, n)
    leave_worker = 7.5 * 3600 + rng.normal(0, 2400, n)
    leave = np.where(role == ROLE_STUDENT, leave_student, leave_worker)
    out[:, P_LEAVE] = np.clip(leave, 5.5 * 3600, 10 * 3600).astype(np.int32)
    period = rng.integers(PERIOD_RANGE[0], PERIOD_RANGE[1] + 1, n)
    out[:, P_PERIOD] = period
    out[:, P_PHASE] = (rng.random(n) * period).astype(np.int32)
    return out


def _nearest_of_kind(mask, place_cell, place_township, township, hx, hy, tree) -> np.ndarray:
    """Cell of the nearest place of a kind in the person's township."""
    out = np.full(len(township), -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    px, py = _cell_xy(place_cell[idx])
    order = np.argsort(township, kind="stable")
    ts = township[order]
    for t in np.unique(place_township[idx]):
        sel = place_township[idx] == t
        who = order[np.searchsorted(ts, t) : np.searchsorted(ts, t, side="right")]
        if len(who) == 0:
            continue
        d = (hx[who, None] - px[sel][None, :]) ** 2 + (hy[who, None] - py[sel][None, :]) ** 2
        out[who] = place_cell[idx[sel]][np.argmin(d, axis=1)]
    return out


def _random_of_kind(rng, mask, place_cell, place_township, township, fallback) -> np.ndarray:
    """Cell of a random place of a kind in the given township, else the fallback."""
    idx = np.flatnonzero(mask)
    t_of = place_township[idx]
    order = np.argsort(t_of, kind="stable")
    idx, t_of = idx[order], t_of[order]
    lo = np.searchsorted(t_of, township)
    hi = np.searchsorted(t_of, township, side="right")
    has = hi > lo
    pick = lo + (rng.random(len(township)) * (hi - lo)).astype(np.int64)
    pick = np.minimum(pick, max(len(idx) - 1, 0))
    cells = place_cell[idx[pick]] if len(idx) else np.full(len(township), -1)
    return np.where(has, cells, fallback)


def _cell_xy(cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    row, col = np.divmod(cell.astype(np.int64), ZHANGZHOU.n_cols)
    return (col + 0.5) * ZHANGZHOU.cell_m, (row + 0.5) * ZHANGZHOU.cell_m
