"""Outlines (边界) of labelled raster regions as GeoJSON polygons.

Every region of a label raster is traced along the edges of its cells, so an
area's outline follows its cell set exactly (with holes and several parts where
it has them), then thinned so that staircases become slopes. Everything is
vectorised over all regions at once: boundary edges are linked by sorting,
rings are found by pointer jumping, and coordinates are formatted by Arrow.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhanyi.engine.synth.geo import Raster

# Edge directions: east, north, west, south. A left turn is (d + 1) % 4.
_E, _N, _W, _S = 0, 1, 2, 3


def trace(
    labels: np.ndarray, n_labels: int, raster: Raster, tolerance_m: float = 0.0
) -> list[str | None]:
    """GeoJSON geometry (a JSON string) per label 0..n_labels-1; None if empty.

    ``labels`` is the (rows, cols) raster, -1 outside every region. Outer rings
    run counter-clockwise and holes clockwise, as RFC 7946 asks. Rings pass
    through the midpoints of the cell edges between corners (cutting each
    corner by half a step); vertices within ``tolerance_m`` of the line through
    their neighbours are then dropped.
    """
    out: list[str | None] = [None] * n_labels
    lab, start, end, dirs, nv = _edges(labels)
    if len(lab) == 0:
        return out
    nxt = _link(lab, start, end, dirs, (labels.shape[0] + 3) * nv)
    ring, rank = _cycles(nxt)
    seq = np.lexsort((rank, ring))
    ring_s = ring[seq]
    first = np.r_[True, ring_s[1:] != ring_s[:-1]]
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(seq)]
    # Corners only: drop vertices in the middle of straight runs.
    prev = np.arange(len(seq)) - 1
    prev[starts] = ends - 1
    d_s = dirs[seq]
    keep = d_s != d_s[prev]
    v = start[seq][keep]
    ring_id = np.cumsum(first)[keep] - 1
    vy, vx = np.divmod(v, nv)
    x = ((vx - 1) * raster.size_m).astype(np.float64)
    y = ((vy - 1) * raster.size_m).astype(np.float64)
    ring_label = lab[seq[starts]]
    # Corners to edge midpoints: a regular staircase becomes a straight line
    # that thinning then drops to two points, and a border shared by two
    # areas keeps the same points on both sides.
    head = np.r_[0, np.flatnonzero(np.diff(ring_id)) + 1]
    after = np.arange(len(x)) + 1
    after[np.r_[head[1:], len(x)] - 1] = head
    x, y = (x + x[after]) / 2, (y + y[after]) / 2
    if tolerance_m > 0:
        k = _thin(x, y, ring_id, tolerance_m)
        x, y, ring_id = x[k], y[k], ring_id[k]

    n_rings = len(starts)
    counts = np.bincount(ring_id, minlength=n_rings)
    offsets = np.r_[0, np.cumsum(counts)]
    # Every ring keeps at least four vertices, so none is empty.
    nxt_v = np.arange(len(x)) + 1
    nxt_v[offsets[1:] - 1] = offsets[:-1]
    area = 0.5 * np.bincount(ring_id, x * y[nxt_v] - x[nxt_v] * y, minlength=n_rings)
    ring_str = _ring_strings(x, y, offsets, raster)

    order = np.argsort(ring_label, kind="stable")
    lab_sorted = ring_label[order]
    bounds = np.flatnonzero(np.r_[True, lab_sorted[1:] != lab_sorted[:-1], True])
    for a, b in itertools.pairwise(bounds):
        rings = order[a:b]
        outers = [int(r) for r in rings if area[r] > 0]
        holes = [int(r) for r in rings if area[r] <= 0]
        polys = [[o] for o in outers]
        if len(polys) == 1:
            polys[0].extend(holes)
        else:
            for h in holes:
                host = _host(h, polys, x, y, offsets, area)
                if host is not None:
                    host.append(h)
        parts = ["[" + ",".join(ring_str[r] for r in poly) + "]" for poly in polys]
        if len(parts) == 1:
            out[int(lab_sorted[a])] = '{"type":"Polygon","coordinates":' + parts[0] + "}"
        else:
            out[int(lab_sorted[a])] = (
                '{"type":"MultiPolygon","coordinates":[' + ",".join(parts) + "]}"
            )
    return out


def _edges(labels: np.ndarray):
    """Directed boundary edges of every region, with the region on their left."""
    h, w = labels.shape
    pad = np.full((h + 2, w + 2), -1, dtype=np.int64)
    pad[1:-1, 1:-1] = labels
    nv = w + 3  # vertices per row of the padded raster
    parts = []
    # Horizontal cell sides between rows r-1 (below) and r (above).
    above, below = pad[1:, :], pad[:-1, :]
    rr, cc = np.nonzero(above != below)
    r = rr + 1
    a, b = above[rr, cc], below[rr, cc]
    m = a >= 0
    parts.append((a[m], r[m] * nv + cc[m], r[m] * nv + cc[m] + 1, _E))
    m = b >= 0
    parts.append((b[m], r[m] * nv + cc[m] + 1, r[m] * nv + cc[m], _W))
    # Vertical cell sides between columns c-1 (west) and c (east).
    east, west = pad[:, 1:], pad[:, :-1]
    rr, cc = np.nonzero(east != west)
    c = cc + 1
    a, b = east[rr, cc], west[rr, cc]
    m = a >= 0
    parts.append((a[m], (rr[m] + 1) * nv + c[m], rr[m] * nv + c[m], _S))
    m = b >= 0
    parts.append((b[m], rr[m] * nv + c[m], (rr[m] + 1) * nv + c[m], _N))
    lab = np.concatenate([p[0] for p in parts])
    start = np.concatenate([p[1] for p in parts])
    end = np.concatenate([p[2] for p in parts])
    dirs = np.concatenate([np.full(len(p[0]), p[3], dtype=np.int64) for p in parts])
    return lab, start, end, dirs, nv


def _link(lab, start, end, dirs, n_vert: int) -> np.ndarray:
    """Each edge's successor: the edge leaving its end vertex in the same region.

    Where two leave (regions touching at a corner) take the left turn, which
    keeps the two cells in separate rings.
    """
    n = len(lab)
    key = lab * n_vert + start
    order = np.argsort(key, kind="stable")
    skey = key[order]
    want = lab * n_vert + end
    pos = np.searchsorted(skey, want)
    nxt = order[pos]
    alt_pos = np.minimum(pos + 1, n - 1)
    alt = order[alt_pos]
    two = (pos + 1 < n) & (skey[alt_pos] == want)
    return np.where(two & (dirs[alt] == (dirs + 1) % 4), alt, nxt)


def _cycles(nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a permutation made of cycles: each element's cycle id and its rank in it."""
    n = len(nxt)
    ring = np.arange(n)
    p = nxt.copy()
    steps = max(1, int(np.ceil(np.log2(n + 1))) + 1)
    for _ in range(steps):
        ring = np.minimum(ring, ring[p])
        p = p[p]
    # Break every cycle before its head and rank by distance to the tail.
    succ = nxt.copy()
    tail = ring[nxt] == nxt
    succ[tail] = np.flatnonzero(tail)
    dist = np.where(tail, 0, 1)
    for _ in range(steps):
        dist = dist + dist[succ]
        succ = succ[succ]
    return ring, -dist


def _thin(
    x: np.ndarray, y: np.ndarray, ring_id: np.ndarray, tol: float, passes: int = 6
) -> np.ndarray:
    """Mask of vertices kept after dropping those near their neighbours' chord.

    Each pass drops every other candidate (alternating parity), so two
    neighbours never go together; rings keep at least four vertices.
    """
    keep = np.ones(len(x), dtype=bool)
    for p in range(passes):
        idx = np.flatnonzero(keep)
        rid = ring_id[idx]
        first = np.r_[True, rid[1:] != rid[:-1]]
        head = np.flatnonzero(first)
        size = np.diff(np.r_[head, len(idx)])
        ring_head = np.repeat(head, size)
        ring_size = np.repeat(size, size)
        pos = np.arange(len(idx)) - ring_head
        prev = np.where(pos == 0, ring_head + ring_size - 1, np.arange(len(idx)) - 1)
        nxt = np.where(pos == ring_size - 1, ring_head, np.arange(len(idx)) + 1)
        ax, ay = x[idx[prev]], y[idx[prev]]
        bx, by = x[idx[nxt]], y[idx[nxt]]
        px, py = x[idx], y[idx]
        chord = np.hypot(bx - ax, by - ay)
        cross = np.abs((bx - ax) * (py - ay) - (by - ay) * (px - ax))
        dist = np.where(
            chord > 0, cross / np.where(chord > 0, chord, 1), np.hypot(px - ax, py - ay)
        )
        parity = (pos % 2) == (p % 2)
        # In an odd ring the last and first vertex share a parity: spare the last.
        parity &= ~((ring_size % 2 == 1) & (pos == ring_size - 1))
        drop = (dist < tol) & parity & (ring_size > 4)
        if not drop.any():
            break
        keep[idx[drop]] = False
    return keep


def _ring_strings(x: np.ndarray, y: np.ndarray, offsets: np.ndarray, raster: Raster) -> list[str]:
    """``[[lon,lat],…]`` per ring (closed), formatted by Arrow in one go."""
    lon, lat = raster.to_lonlat(x, y)
    lon_s = pc.cast(pa.array(np.round(lon, 5)), pa.string())
    lat_s = pc.cast(pa.array(np.round(lat, 5)), pa.string())
    pair = pc.binary_join_element_wise("[", lon_s, ",", lat_s, "]", "")
    # Close each ring by repeating its first vertex.
    n_rings = len(offsets) - 1
    counts = np.diff(offsets)
    closed_offsets = offsets + np.arange(n_rings + 1)
    idx = np.empty(len(x) + n_rings, dtype=np.int64)
    idx[np.arange(len(x)) + np.repeat(np.arange(n_rings), counts)] = np.arange(len(x))
    idx[closed_offsets[1:] - 1] = offsets[:-1]
    lists = pa.ListArray.from_arrays(pa.array(closed_offsets.astype(np.int32)), pair.take(idx))
    joined = pc.binary_join(lists, ",")
    return [f"[{s}]" for s in joined.to_pylist()]


def _host(hole: int, polys: list[list[int]], x, y, offsets, area) -> list[int] | None:
    """The smallest outer ring around a hole, tested just inside the region.

    The probe sits left of the hole's first edge, which is in the region and
    so inside the outer ring that holds the hole.
    """
    a = offsets[hole]
    p0 = np.array([x[a], y[a]])
    p1 = np.array([x[a + 1], y[a + 1]])
    d = p1 - p0
    probe = (p0 + p1) / 2 + np.array([-d[1], d[0]]) / (np.hypot(*d) or 1.0)
    around = []
    for poly in polys:
        o = poly[0]
        rx, ry = x[offsets[o] : offsets[o + 1]], y[offsets[o] : offsets[o + 1]]
        if _inside(probe, rx, ry):
            around.append(poly)
    if not around:
        return None
    return min(around, key=lambda p: area[p[0]])


def _inside(p: np.ndarray, rx: np.ndarray, ry: np.ndarray) -> bool:
    px, py = p
    xj, yj = np.roll(rx, 1), np.roll(ry, 1)
    crosses = (ry > py) != (yj > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = (xj - rx) * (py - ry) / (yj - ry) + rx
    return bool(np.count_nonzero(crosses & (px < x_at)) % 2)
