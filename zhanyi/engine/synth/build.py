"""``generate``: build the synthetic city and write its tables (see ``docs/synth.md``)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from zhanyi.engine.grid import ZHANGZHOU
from zhanyi.engine.synth import gazetteer as gz
from zhanyi.engine.synth.areas import AreaTree, build_areas
from zhanyi.engine.synth.assign import assign
from zhanyi.engine.synth.config import SynthConfig
from zhanyi.engine.synth.households import Households, build_households
from zhanyi.engine.synth.people import People, build_people
from zhanyi.engine.synth.persona import build_persona, land_cells
from zhanyi.engine.synth.places import KINDS, PlaceList, build_places
from zhanyi.engine.synth.stays import local_midnight_utc, write_stays

FORMAT_VERSION = 1
#: Average stays a person a day, to size progress bars before the count is known.
STAYS_PER_DAY = 24
_TABLE_OPTIONS = {"compression": "zstd", "compression_level": 3}


def generate(
    cfg: SynthConfig,
    out_dir: Path,
    progress: bool = False,
    stays: bool = True,
    workers: int | None = None,
) -> dict:
    """Write the city's tables (and, unless ``stays=False``, its stays) into ``out_dir``.

    ``workers`` processes generate the stays (default: one per CPU for a large
    city, in-process for a small one); the output is the same for any number.
    Returns the manifest, also written to ``manifest.json``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    bar = _stage_bar(progress)

    def stage(name: str, t0: float) -> float:
        timings[f"{name}_s"] = round(time.perf_counter() - t0, 3)
        if bar is not None:
            bar.set_postfix_str(name)
            bar.update(1)
        return time.perf_counter()

    t_all = t = time.perf_counter()
    tree = build_areas(cfg)
    t = stage("areas", t)
    hh = build_households(cfg, tree)
    people = build_people(cfg, tree, hh)
    t = stage("households", t)
    pl, loc = build_places(cfg, tree, hh)
    assign(cfg, tree, hh, people, pl, loc)
    t = stage("places", t)
    places = _finish_places(pl, people, hh)
    counts = _write_tables(cfg, out_dir, tree, hh, people, places)
    t = stage("write", t)
    if bar is not None:
        bar.close()
    timings["households_total_s"] = round(time.perf_counter() - t_all, 3)

    n_stays = 0
    stays_dir = out_dir / "stays"
    if stays_dir.exists():
        shutil.rmtree(stays_dir)
    if stays:
        t = time.perf_counter()
        n_stays = _stays(cfg, out_dir, tree, hh, people, places, progress, workers)
        timings["stays_s"] = round(time.perf_counter() - t, 3)
    timings["total_s"] = round(time.perf_counter() - t_all, 3)

    manifest = _manifest(cfg, tree, places, counts, n_stays, stays, timings, people)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def build_area_tree(cfg: SynthConfig) -> pa.Table:
    """Just the ``areas`` table, with target populations: cheap even at full scale."""
    return build_areas(cfg).table()


def _stage_bar(progress: bool):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=4, desc="city", unit="stage")


def _finish_places(pl: PlaceList, people: People, hh: Households) -> dict[str, np.ndarray]:
    """Order places by kind, drop empty workplaces, number them from 1, remap people."""
    kind = np.array(pl.kind)
    cap = np.array(pl.capacity, dtype=np.int64)
    rank = np.array([KINDS.index(k) for k in pl.kind])
    keep = ~((kind == "workplace") & (cap == 0))
    order = np.lexsort((np.arange(len(pl)), rank))
    order = order[keep[order]]
    new_id = np.full(len(pl), -1, dtype=np.int64)
    new_id[order] = np.arange(1, len(order) + 1)
    for arr in (people.school, people.work):
        arr[arr >= 0] = new_id[arr[arr >= 0]]
    lon = np.array(pl.lon)[order]
    lat = np.array(pl.lat)[order]
    compound_id = np.where(hh.compound >= 0, new_id[np.maximum(hh.compound, 0)], -1)
    return {
        "place_id": np.arange(1, len(order) + 1, dtype=np.int64),
        "name": np.array(pl.name, dtype=object)[order],
        "kind": kind[order],
        "village": np.array(pl.village, dtype=np.int64)[order],
        "lon": lon,
        "lat": lat,
        "cell_id": ZHANGZHOU.cell_of(lon, lat),
        "capacity": cap[order],
        "compound_id": compound_id,
    }


def _codes(codes: list[str], idx: np.ndarray) -> pa.Array:
    return pa.array(codes, pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


def _nullable(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values, pa.int64(), mask=values < 0)


def _write_tables(
    cfg: SynthConfig,
    out_dir: Path,
    tree: AreaTree,
    hh: Households,
    people: People,
    places: dict[str, np.ndarray],
) -> dict[str, int]:
    grid_pop = np.bincount(hh.grid, hh.size, minlength=len(tree.grids))
    areas = tree.table(grid_pop)
    pq.write_table(areas, out_dir / "areas.parquet", **_TABLE_OPTIONS)

    vcodes = tree.villages.code
    pq.write_table(
        pa.table(
            {
                "place_id": pa.array(places["place_id"], pa.int64()),
                "name": pa.array(places["name"].tolist(), pa.string()),
                "kind": pa.array(places["kind"].tolist(), pa.string()),
                "area_code": _codes(vcodes, places["village"]),
                "lon": pa.array(np.round(places["lon"], 6), pa.float64()),
                "lat": pa.array(np.round(places["lat"], 6), pa.float64()),
                "cell_id": pa.array(places["cell_id"], pa.int32()),
                "capacity": pa.array(places["capacity"], pa.int64()),
            }
        ),
        out_dir / "places.parquet",
        **_TABLE_OPTIONS,
    )

    n_h = len(hh)
    pq.write_table(
        pa.table(
            {
                "household_id": pa.array(np.arange(1, n_h + 1), pa.int64()),
                "village_code": _codes(vcodes, hh.village),
                "grid_code": _codes(tree.grids.code, hh.grid),
                "address": hh.address,
                "lon": pa.array(np.round(hh.lon, 6), pa.float64()),
                "lat": pa.array(np.round(hh.lat, 6), pa.float64()),
                "cell_id": pa.array(hh.cell, pa.int32()),
                "place_id": _nullable(places["compound_id"]),
            }
        ),
        out_dir / "households.parquet",
        **_TABLE_OPTIONS,
    )

    n = len(people)
    sex = pa.array(["female", "male"], pa.string()).take(pa.array(people.male.astype(np.int64)))
    pq.write_table(
        pa.table(
            {
                "person_id": pa.array(np.arange(1, n + 1), pa.int64()),
                "identity_number": people.identity,
                "name": people.name,
                "sex": sex,
                "birth_date": pa.array(people.birth, pa.date32()),
                "phone": people.phone,
                "household_id": pa.array(people.household + 1, pa.int64()),
                "village_code": _codes(vcodes, people.village),
                "address": hh.address.take(pa.array(people.household)),
                "home_cell": pa.array(hh.cell[people.household], pa.int32()),
                "school_place_id": _nullable(people.school),
                "work_place_id": _nullable(people.work),
            }
        ),
        out_dir / "people.parquet",
        **_TABLE_OPTIONS,
    )

    # Which 800 m cells each grid covers, and how much of each: the bridge
    # from areas (zones, jurisdictions) to stays.
    fine_cell = tree.raster.cell_of_fine(tree.land).astype(np.int64)
    key = fine_cell * len(tree.grids) + tree.land_grid
    uniq, cnt = np.unique(key, return_counts=True)
    cell, grid = np.divmod(uniq, len(tree.grids))
    pq.write_table(
        pa.table(
            {
                "cell_id": pa.array(cell, pa.int32()),
                "grid_code": _codes(tree.grids.code, grid),
                "village_code": _codes(vcodes, tree.grids.parent[grid]),
                "share": pa.array(cnt / 16.0, pa.float64()),
            }
        ),
        out_dir / "area_cells.parquet",
        **_TABLE_OPTIONS,
    )
    return {"areas": areas.num_rows, "households": n_h, "people": n}


def _stays(
    cfg: SynthConfig,
    out_dir: Path,
    tree: AreaTree,
    hh: Households,
    people: People,
    places: dict[str, np.ndarray],
    progress: bool,
    workers: int | None,
) -> int:
    # Personas index places 0-based, in the final order.
    place_township = tree.villages.parent[places["village"]]
    persona = build_persona(
        cfg,
        tree,
        hh,
        people,
        np.where(people.work > 0, people.work - 1, -1),
        np.where(people.school > 0, people.school - 1, -1),
        places["kind"],
        places["cell_id"].astype(np.int64),
        place_township,
    )
    tmp = out_dir / ".persona"
    tmp.mkdir(exist_ok=True)
    persona_path, land_path = tmp / "persona.npy", tmp / "land.npy"
    np.save(persona_path, persona)
    np.save(land_path, land_cells(tree))
    n_people = len(people)
    del persona
    if workers is None:
        workers = (os.cpu_count() or 1) if n_people >= 300_000 else 1
    workers = max(1, min(workers, cfg.days * cfg.n_chunks))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=n_people * cfg.days * STAYS_PER_DAY,
            desc="stays",
            unit=" stays",
            unit_scale=True,
            smoothing=0.1,
        )
    try:
        total = write_stays(
            persona_path,
            land_path,
            out_dir / "stays",
            cfg.seed,
            cfg.dates,
            n_people,
            cfg.chunk_people,
            workers,
            on_done=bar.update if bar is not None else None,
        )
    finally:
        if bar is not None:
            bar.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return total


def _manifest(
    cfg: SynthConfig,
    tree: AreaTree,
    places: dict[str, np.ndarray],
    counts: dict[str, int],
    n_stays: int,
    stays: bool,
    timings: dict[str, float],
    people: People,
) -> dict:
    kinds, kind_counts = np.unique(places["kind"], return_counts=True)
    compound = int(np.flatnonzero(places["name"] == gz.SCENARIO_COMPOUND)[0])
    g = ZHANGZHOU
    start, end = cfg.start_date, cfg.end_date
    return {
        "format_version": FORMAT_VERSION,
        "generator": "zhanyi.engine.synth",
        "seed": cfg.seed,
        "scale": cfg.scale,
        "config": cfg.as_dict(),
        "people": counts["people"],
        "households": counts["households"],
        "places": len(places["place_id"]),
        "places_by_kind": {str(k): int(c) for k, c in zip(kinds, kind_counts, strict=True)},
        "areas": {
            "city": 1,
            "county": len(tree.counties),
            "township": len(tree.townships),
            "village": len(tree.villages),
            "grid": len(tree.grids),
        },
        "school_round": int((people.school >= 0).sum()),
        "sealed_compound": {
            "name": gz.SCENARIO_COMPOUND,
            "community": gz.SCENARIO_COMMUNITY,
            "place_id": int(places["place_id"][compound]),
            "residents": int(places["capacity"][compound]),
        },
        "stays": n_stays if stays else None,
        "window": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "days": cfg.days,
            "timezone": "Asia/Shanghai",
            "start_utc": local_midnight_utc(start),
            "end_utc": local_midnight_utc(end) + 86_400,
        },
        "grid": {
            "min_lon": g.min_lon,
            "min_lat": g.min_lat,
            "max_lon": g.max_lon,
            "max_lat": g.max_lat,
            "cell_m": g.cell_m,
            "n_cols": g.n_cols,
            "n_rows": g.n_rows,
        },
        "files": sorted(
            [
                "areas.parquet",
                "places.parquet",
                "households.parquet",
                "people.parquet",
                "area_cells.parquet",
            ]
            + (["stays/"] if stays else [])
        ),
        "timings": timings,
    }
