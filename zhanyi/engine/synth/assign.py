"""Schools and jobs: who studies and works where (就学、就业).

Children go to the nearest school of their level in their township (high
schools in their county, colleges city-wide); enrolment is calibrated so that
students plus school staff come to the article's 1,083,000 at full scale (the
school testing round of 13 September 2021). Workers pick a township by a
gravity model (jobs near home, development zones pulling commuters) and then a
workplace there by its size.
"""

from __future__ import annotations

import numpy as np

from zhanyi.engine.synth import gazetteer as gz
from zhanyi.engine.synth import names
from zhanyi.engine.synth.areas import AreaTree, apportion
from zhanyi.engine.synth.config import FULL_SCHOOL_ROUND, STAGE_ASSIGN, SynthConfig
from zhanyi.engine.synth.households import Households
from zhanyi.engine.synth.people import People
from zhanyi.engine.synth.places import Locator, PlaceList, seat_township, stem

# level: (first age, last age, enrolment, students per staff, real school size)
LEVELS = {
    "kindergarten": (3, 5, 0.90, 9, 220),
    "primary": (6, 11, 1.00, 16, 900),
    "middle": (12, 14, 0.99, 12, 1100),
    "high": (15, 17, 0.90, 12, 2200),
    "college": (18, 22, 0.15, 15, 0),
}
_CALIBRATED = ("kindergarten", "high", "college")
# Commuting distance scale of the gravity model, metres.
_COMMUTE_M = 8000.0


def assign(
    cfg: SynthConfig, tree: AreaTree, hh: Households, people: People, pl: PlaceList, loc: Locator
) -> None:
    """Create schools and workplaces and set ``people.school`` / ``people.work``."""
    rng = cfg.rng(STAGE_ASSIGN)
    x, y = tree.raster.to_xy(hh.lon[people.household], hh.lat[people.household])
    township = tree.villages.parent[people.village]
    level = _enrol(cfg, rng, people)
    _schools(cfg, rng, tree, people, pl, loc, level, township, x, y)
    _jobs(cfg, rng, tree, people, pl, loc, level, township)


def _enrol(cfg: SynthConfig, rng: np.random.Generator, people: People) -> np.ndarray:
    """School level index per person (-1 for none), hitting the school-round total."""
    age = people.age.astype(np.int64)
    counts = {k: int(((age >= a) & (age <= b)).sum()) for k, (a, b, *_r) in LEVELS.items()}
    per_head = {k: v[2] * (1 + 1 / v[3]) for k, v in LEVELS.items()}
    target = FULL_SCHOOL_ROUND * cfg.fraction
    fixed = sum(counts[k] * per_head[k] for k in LEVELS if k not in _CALIBRATED)
    var = sum(counts[k] * per_head[k] for k in _CALIBRATED)
    scale = float(np.clip((target - fixed) / var, 0.2, 1.5)) if var > 0 else 1.0
    level = np.full(len(age), -1, dtype=np.int64)
    u = rng.random(len(age))
    for li, (k, (a, b, rate, *_rest)) in enumerate(LEVELS.items()):
        r = min(0.98 if k != "college" else 0.6, rate * scale) if k in _CALIBRATED else rate
        who = np.flatnonzero((age >= a) & (age <= b))
        take = round(len(who) * r)
        if take:
            chosen = who[np.argsort(u[who], kind="stable")[:take]]
            level[chosen] = li
    return level


def _schools(
    cfg,
    rng,
    tree: AreaTree,
    people: People,
    pl: PlaceList,
    loc: Locator,
    level: np.ndarray,
    township: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
) -> None:
    level_names = list(LEVELS)
    county = people.county
    taken: set[str] = set()
    city_high = 0
    for li, lname in enumerate(level_names):
        students = np.flatnonzero(level == li)
        if lname == "college":
            _colleges(cfg, rng, tree, people, pl, loc, students)
            continue
        group = county if lname == "high" else township
        for g in np.unique(group[students]):
            st = students[group[students] == g]
            size = cfg.place_size(LEVELS[lname][4])
            n = max(1, round(len(st) / size))
            t = seat_township(tree, int(g)) if lname == "high" else int(g)
            vs = loc.pick_villages(t, n, urban_first=True)
            ids = []
            for i, v in enumerate(vs):
                if lname == "high":
                    cname = tree.counties.name[int(g)]
                    if cname in ("芗城区", "龙文区"):
                        city_high += 1
                        label = f"漳州第{names.numeral(city_high)}中学"
                    else:
                        label = f"{stem(cname)}第{names.numeral(i + 1)}中学"
                else:
                    label = _school_name(lname, tree.townships.name[t], tree.villages.name[v], i)
                label = _unique(label, taken)
                ids.append(_add(pl, loc, label, v, lname))
            ids_a = np.array(ids)
            sx, sy = np.array(pl.lon)[ids_a], np.array(pl.lat)[ids_a]
            sx, sy = tree.raster.to_xy(sx, sy)
            d = (x[st, None] - sx[None, :]) ** 2 + (y[st, None] - sy[None, :]) ** 2
            people.school[st] = ids_a[np.argmin(d, axis=1)]
    _staff(cfg, rng, tree, people, pl, level)


def _school_name(level: str, township: str, village: str, i: int) -> str:
    t, v = stem(township), stem(village)
    if level == "kindergarten":
        return f"{v}幼儿园"
    if level == "primary":
        return f"{t}中心小学" if i == 0 else f"{t}{v}小学"
    return f"{t}中学" if i == 0 else f"{t}第{names.numeral(i + 1)}中学"


def _unique(label: str, taken: set[str]) -> str:
    """The label, or with an ordinal (第二, 第三, …) before its kind when taken."""
    if label not in taken:
        taken.add(label)
        return label
    for suffix in ("幼儿园", "小学", "中学"):
        if label.endswith(suffix):
            head = label[: -len(suffix)]
            break
    else:
        head, suffix = label, ""
    k = 2
    while f"{head}第{names.numeral(k)}{suffix}" in taken:
        k += 1
    out = f"{head}第{names.numeral(k)}{suffix}"
    taken.add(out)
    return out


def _add(pl: PlaceList, loc: Locator, label: str, village: int, level: str) -> int:
    lon, lat = loc.points(np.array([village]))
    return pl.add(label, "school", village, lon[0], lat[0], level=level)


def _colleges(
    cfg, rng, tree: AreaTree, people: People, pl: PlaceList, loc: Locator, students: np.ndarray
) -> None:
    ids = []
    for name, code, _share in gz.COLLEGES:
        county = tree.counties.code.index(code)
        v = loc.pick_villages(seat_township(tree, county), 1)[0]
        ids.append(_add(pl, loc, name, v, "college"))
    share = np.array([c[2] for c in gz.COLLEGES])
    pick = rng.choice(len(ids), len(students), p=share / share.sum())
    people.school[students] = np.array(ids)[pick]


def _staff(
    cfg: SynthConfig,
    rng: np.random.Generator,
    tree: AreaTree,
    people: People,
    pl: PlaceList,
    level: np.ndarray,
) -> None:
    """Teachers and staff, drawn from adults of the school's county.

    Every school has at least one; in a small city those floors add up, so
    optional pupils (kindergarten, high school, college) are let go until
    students plus staff come back to the school round's share.
    """
    n_places = len(pl)
    need = _staff_needed(people, pl)
    excess = int((people.school >= 0).sum() + need.sum() - round(FULL_SCHOOL_ROUND * cfg.fraction))
    if excess > 0:
        optional = np.isin(level, [list(LEVELS).index(k) for k in _CALIBRATED])
        cand = np.flatnonzero(optional & (people.school >= 0))
        drop = cand[np.argsort(rng.random(len(cand)), kind="stable")[:excess]]
        # Keep each school's last pupil, so no school is left empty.
        alone = (
            np.bincount(people.school[cand], minlength=n_places)
            - np.bincount(people.school[drop], minlength=n_places)
            <= 0
        )
        drop = drop[~alone[people.school[drop]]]
        people.school[drop] = -1
        level[drop] = -1
        need = _staff_needed(people, pl)
    county_of_place = tree.county_of_village()[np.array(pl.village, dtype=np.int64)]
    age = people.age
    free = (level < 0) & (age >= 22) & (age <= 59)
    u = rng.random(len(age))
    for c in np.unique(county_of_place[need > 0]):
        schools = np.flatnonzero((need > 0) & (county_of_place == c))
        pool = np.flatnonzero(free & (people.county == c))
        pool = pool[np.argsort(u[pool], kind="stable")]
        want = np.repeat(schools, need[schools])[: len(pool)]
        staff = pool[: len(want)]
        people.school[staff] = want
        people.work[staff] = want
    total = np.bincount(people.school[people.school >= 0], minlength=n_places)
    for p in np.flatnonzero(total):
        pl.capacity[p] = int(total[p])


def _staff_needed(people: People, pl: PlaceList) -> np.ndarray:
    kids = np.bincount(people.school[people.school >= 0], minlength=len(pl))
    ratio = {k: v[3] for k, v in LEVELS.items()}
    need = np.zeros(len(pl), dtype=np.int64)
    for p in np.flatnonzero(kids):
        need[p] = max(1, round(kids[p] / ratio[pl.level[p]]))
    return need


def _jobs(
    cfg,
    rng,
    tree: AreaTree,
    people: People,
    pl: PlaceList,
    loc: Locator,
    level: np.ndarray,
    township: np.ndarray,
) -> None:
    """Workers, workplaces sized to the jobs left, and a gravity-model commute."""
    age = people.age
    male = people.male
    p_work = np.select(
        [age < 16, age < 18, age < 60, age < 65],
        [0.0, 0.3, np.where(male, 0.86, 0.74), np.where(male, 0.35, 0.15)],
        0.0,
    )
    worker = (rng.random(len(age)) < p_work) & (level < 0) & (people.work < 0)
    workers = np.flatnonzero(worker)

    n_t = len(tree.townships)
    place_t = tree.villages.parent[np.array(pl.village, dtype=np.int64)]
    staff = np.array(pl.staff)
    jobs_kind = np.array([k not in ("school", "residential_compound") for k in pl.kind])
    fixed = np.bincount(place_t[jobs_kind], staff[jobs_kind], minlength=n_t)
    left = max(0, len(workers) - int(fixed.sum()))
    pull = np.array([gz.COUNTIES[c].job_pull for c in tree.townships.parent], dtype=float)
    seat = np.r_[True, tree.townships.parent[1:] != tree.townships.parent[:-1]]
    weight = tree.townships.population * pull * np.where(seat, 1.3, 1.0)
    jobs_t = apportion(left, weight) if left else np.zeros(n_t, dtype=np.int64)

    first_workplace = len(pl)
    zone = np.array([gz.COUNTIES[c].kind == "development_zone" for c in tree.townships.parent])
    plans = []
    for t in np.flatnonzero(jobs_t):
        median = max(3.0, cfg.place_size(60 if zone[t] else 18))
        sizes = np.maximum(1, rng.lognormal(np.log(median), 1.1, int(jobs_t[t] / median * 1.5) + 4))
        n = int(np.searchsorted(np.cumsum(sizes), jobs_t[t])) + 1
        plans.append((int(t), sizes[:n]))
    labels = iter(names.firm_names(rng, sum(len(p[1]) for p in plans), set(pl.name)))
    for town, sizes in plans:
        vs = loc.pick_villages(town, len(sizes))
        lon, lat = loc.points(vs)
        for v, lo, la, size in zip(vs, lon, lat, sizes, strict=True):
            pl.add(next(labels), "workplace", v, lo, la, staff=float(size))

    staff = np.array(pl.staff)
    is_job = np.array([k not in ("school", "residential_compound") for k in pl.kind])
    place_t = tree.villages.parent[np.array(pl.village, dtype=np.int64)]
    jobs_per_t = np.bincount(place_t[is_job], staff[is_job], minlength=n_t)
    # Gravity: jobs there, discounted by distance; staying in one's township is easiest.
    tx, ty = tree.raster.to_xy(tree.townships.lon, tree.townships.lat)
    d = np.hypot(tx[:, None] - tx[None, :], ty[:, None] - ty[None, :])
    g = jobs_per_t[None, :] * np.exp(-d / _COMMUTE_M) * np.where(np.eye(n_t, dtype=bool), 4, 1)
    g = g / g.sum(axis=1, keepdims=True)
    cum = np.cumsum(g, axis=1)
    cum[:, -1] = 1.0
    origin = township[workers]
    dest = _draw_rows(cum, origin, rng.random(len(workers)))

    # Then a place within the destination township, in proportion to its jobs.
    jobs = np.flatnonzero(is_job)
    jt = place_t[jobs]
    order = np.argsort(jt, kind="stable")
    jobs, jt = jobs[order], jt[order]
    w = np.cumsum(staff[jobs])
    start = np.searchsorted(jt, np.arange(n_t))
    end = np.searchsorted(jt, np.arange(n_t), side="right")
    base = np.r_[0.0, w][start]
    top = np.r_[0.0, w][end]
    u = base[dest] + rng.random(len(workers)) * (top[dest] - base[dest])
    pos = np.clip(np.searchsorted(w, u, side="right"), start[dest], end[dest] - 1)
    people.work[workers] = jobs[pos]

    counts = np.bincount(people.work[people.work >= 0], minlength=len(pl))
    for p in range(first_workplace, len(pl)):
        pl.capacity[p] = int(counts[p])


def _draw_rows(cum: np.ndarray, row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Column drawn per item from the cumulative distribution of its row."""
    n_rows, n_cols = cum.shape
    flat = (cum + np.arange(n_rows)[:, None]).ravel()
    pos = np.searchsorted(flat, row + u, side="right")
    return np.minimum(pos - row * n_cols, n_cols - 1)
