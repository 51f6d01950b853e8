"""Geometry on a fine raster (细栅格) under the 800 m grid.

Areas are drawn on 200 m cells, four by four inside each 800 m cell, so that a
small urban community or grid still gets whole raster cells of its own while
the stays stay on the 800 m grid. Coordinates in metres are the grid's local
equirectangular projection, origin at its south-west corner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from zhanyi.engine.grid import Grid

#: Fine cells per 800 m cell side.
FINE = 4


@dataclass(frozen=True)
class Raster:
    """The 200 m raster of a grid: fine cell ids are ``row * n_cols + col``."""

    grid: Grid

    @property
    def size_m(self) -> float:
        return self.grid.cell_m / FINE

    @property
    def n_cols(self) -> int:
        return self.grid.n_cols * FINE

    @property
    def n_rows(self) -> int:
        return self.grid.n_rows * FINE

    @property
    def n(self) -> int:
        return self.n_cols * self.n_rows

    def xy(self, fine: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centres of fine cells in metres."""
        row, col = np.divmod(np.asarray(fine, dtype=np.int64), self.n_cols)
        return (col + 0.5) * self.size_m, (row + 0.5) * self.size_m

    def to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = self.grid
        lon = g.min_lon + np.asarray(x) / g.m_per_deg_lon
        return lon, g.min_lat + np.asarray(y) / g.m_per_deg_lat

    def to_xy(self, lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        g = self.grid
        x = (np.asarray(lon) - g.min_lon) * g.m_per_deg_lon
        return x, (np.asarray(lat) - g.min_lat) * g.m_per_deg_lat

    def fine_of_xy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        col = np.floor(np.asarray(x) / self.size_m).astype(np.int64)
        row = np.floor(np.asarray(y) / self.size_m).astype(np.int64)
        inside = (col >= 0) & (col < self.n_cols) & (row >= 0) & (row < self.n_rows)
        return np.where(inside, row * self.n_cols + col, -1)

    def fine_of(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return self.fine_of_xy(*self.to_xy(lon, lat))

    def cell_of_fine(self, fine: np.ndarray) -> np.ndarray:
        """The 800 m cell that holds each fine cell."""
        row, col = np.divmod(np.asarray(fine, dtype=np.int64), self.n_cols)
        return ((row // FINE) * self.grid.n_cols + col // FINE).astype(np.int32)

    def random_points(
        self, rng: np.random.Generator, fine: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Uniform points (lon, lat) inside the given fine cells."""
        x, y = self.xy(fine)
        half = self.size_m / 2
        # Keep clear of the edges so that rounding never moves a point out of its cell.
        x = x + rng.uniform(-0.9, 0.9, len(x)) * half
        y = y + rng.uniform(-0.9, 0.9, len(y)) * half
        return self.to_lonlat(x, y)


def rasterize_polygon(raster: Raster, ring: np.ndarray) -> np.ndarray:
    """Boolean mask (rows, cols) of cells whose centre lies inside a ring of (x, y).

    Scanline fill with the even-odd rule: per row, the crossings of the
    polygon's edges with the row's centre line bound the inside spans.
    """
    mask = np.zeros((raster.n_rows, raster.n_cols), dtype=bool)
    x0, y0 = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    s = raster.size_m
    for row in range(raster.n_rows):
        yc = (row + 0.5) * s
        hit = (y0 > yc) != (y1 > yc)
        if not hit.any():
            continue
        xs = np.sort(x0[hit] + (yc - y0[hit]) * (x1[hit] - x0[hit]) / (y1[hit] - y0[hit]))
        for a, b in zip(xs[0::2], xs[1::2], strict=True):
            c0 = max(0, int(np.ceil(a / s - 0.5)))
            c1 = min(raster.n_cols, int(np.floor(b / s - 0.5)) + 1)
            if c1 > c0:
                mask[row, c0:c1] = True
    return mask


def kmeans(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    k: int,
    rng: np.random.Generator,
    fixed: tuple[float, float] | None = None,
    iters: int = 10,
    sample: int = 3000,
) -> np.ndarray:
    """Weighted k-means labels (0..k-1) of points; every cluster gets a point.

    Denser points (higher ``w``) get more and smaller clusters, which is how
    communities come out small in the city and villages large in the hills.
    ``fixed`` pins cluster 0's centre (a county seat). Centres are fitted on a
    sample of at most ``sample`` points; every point is then assigned.
    """
    n_all = len(x)
    if not 1 <= k <= n_all:
        raise ValueError(f"cannot make {k} clusters of {n_all} points")
    if k == n_all:
        return np.arange(n_all)
    if k == 1:
        return np.zeros(n_all, dtype=np.int64)
    x_all, y_all = x, y
    if n_all > sample:
        pick = np.sort(rng.choice(n_all, sample, replace=False))
        x, y, w = x[pick], y[pick], w[pick]
    n = len(x)
    cx = np.empty(k)
    cy = np.empty(k)
    if fixed is not None:
        cx[0], cy[0] = fixed
    else:
        i = rng.choice(n, p=w / w.sum())
        cx[0], cy[0] = x[i], y[i]
    d2 = (x - cx[0]) ** 2 + (y - cy[0]) ** 2
    for j in range(1, k):
        p = w * d2
        total = p.sum()
        i = rng.choice(n, p=p / total) if total > 0 else int(rng.integers(n))
        cx[j], cy[j] = x[i], y[i]
        d2 = np.minimum(d2, (x - cx[j]) ** 2 + (y - cy[j]) ** 2)
    for _ in range(iters):
        labels = _nearest(x, y, cx, cy)
        sw = np.bincount(labels, w, minlength=k)
        ok = sw > 0
        nx = np.bincount(labels, w * x, minlength=k)
        ny = np.bincount(labels, w * y, minlength=k)
        cx = np.where(ok, nx / np.where(ok, sw, 1), cx)
        cy = np.where(ok, ny / np.where(ok, sw, 1), cy)
        if fixed is not None:
            cx[0], cy[0] = fixed
    labels = _nearest(x_all, y_all, cx, cy)
    return _fill_empty(labels, x_all, y_all, cx, cy, k)


def kmeans_groups(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    group: np.ndarray,
    k: np.ndarray,
    rng: np.random.Generator,
    iters: int = 6,
    sample: int = 400,
) -> np.ndarray:
    """Weighted k-means inside many small groups at once (grids in villages).

    Each group starts cut into ``k[g]`` slabs of equal weight across a random
    direction, then Lloyd iterations run for all groups together, every point
    measured only against its own group's centres. Centres are fitted on about
    ``sample`` points per group; labels (0..k[g]-1) are then given to all.
    """
    n_groups = len(k)
    k = np.asarray(k, dtype=np.int64)
    kmax = int(k.max())
    size = np.bincount(group, minlength=n_groups)
    fit = np.flatnonzero(rng.random(len(x)) < np.minimum(1.0, sample / np.maximum(size, 1))[group])
    # Every group keeps at least k of its points in the fit.
    fit = np.union1d(fit, _first_per_group(group, k))
    fx, fy, fw, fg = x[fit], y[fit], w[fit], group[fit]
    theta = rng.uniform(0, np.pi, n_groups)
    proj = fx * np.cos(theta[fg]) + fy * np.sin(theta[fg])
    order = np.lexsort((proj, fg))
    g_sorted = fg[order]
    cw = np.cumsum(fw[order])
    g_total = np.bincount(fg, fw, n_groups)
    g_before = np.r_[0.0, np.cumsum(g_total)][g_sorted]
    frac = (cw - fw[order] / 2 - g_before) / np.maximum(g_total[g_sorted], 1e-12)
    labels = np.empty(len(fit), dtype=np.int64)
    labels[order] = np.minimum((frac * k[g_sorted]).astype(np.int64), k[g_sorted] - 1)
    valid = (np.arange(kmax)[None, :] < k[:, None]).ravel()
    for it in range(iters + 1):
        flat = fg * kmax + labels
        sw = np.bincount(flat, fw, n_groups * kmax)
        cx = np.bincount(flat, fw * fx, n_groups * kmax) / np.where(sw > 0, sw, 1)
        cy = np.bincount(flat, fw * fy, n_groups * kmax) / np.where(sw > 0, sw, 1)
        # Empty or padding slots sit far away so that nothing picks them.
        far = ~valid | (sw == 0)
        cx = np.where(far, 1e12, cx).reshape(n_groups, kmax)
        cy = np.where(far, 1e12, cy).reshape(n_groups, kmax)
        if it < iters:
            labels = _nearest_in_group(fx, fy, fg, cx, cy)
    labels = _nearest_in_group(x, y, group, cx, cy)
    counts = np.bincount(group * kmax + labels, minlength=n_groups * kmax).reshape(n_groups, kmax)
    for g, j in zip(*np.nonzero((counts == 0) & valid.reshape(n_groups, kmax)), strict=True):
        members = np.flatnonzero(group == g)
        sub = labels[members]
        big = int(np.argmax(np.bincount(sub, minlength=kmax)))
        cand = members[sub == big]
        labels[cand[len(cand) // 2]] = j
    return labels


def _nearest_in_group(x, y, group, cx, cy) -> np.ndarray:
    d = (x[:, None] - cx[group]) ** 2 + (y[:, None] - cy[group]) ** 2
    return np.argmin(d, axis=1)


def _first_per_group(group: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Indices of the first k[g] points of each group g."""
    order = np.argsort(group, kind="stable")
    gs = group[order]
    start = np.searchsorted(gs, gs)
    rank = np.arange(len(gs)) - start
    return np.sort(order[rank < k[gs]])


def _nearest(x: np.ndarray, y: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    out = np.empty(len(x), dtype=np.int64)
    step = max(1, 4_000_000 // max(len(cx), 1))
    for i in range(0, len(x), step):
        xs, ys = x[i : i + step], y[i : i + step]
        d = (xs[:, None] - cx[None, :]) ** 2 + (ys[:, None] - cy[None, :]) ** 2
        out[i : i + step] = np.argmin(d, axis=1)
    return out


def _fill_empty(
    labels: np.ndarray, x: np.ndarray, y: np.ndarray, cx: np.ndarray, cy: np.ndarray, k: int
) -> np.ndarray:
    """Give each empty cluster the point of the largest cluster nearest its centre."""
    counts = np.bincount(labels, minlength=k)
    for j in np.flatnonzero(counts == 0):
        big = int(np.argmax(counts))
        members = np.flatnonzero(labels == big)
        d = (x[members] - cx[j]) ** 2 + (y[members] - cy[j]) ** 2
        pick = members[int(np.argmin(d))]
        labels[pick] = j
        counts[big] -= 1
        counts[j] += 1
    return labels


def weighted_voronoi(
    x: np.ndarray,
    y: np.ndarray,
    gx: np.ndarray,
    gy: np.ndarray,
    owner: np.ndarray,
    target: np.ndarray,
    iters: int = 60,
) -> np.ndarray:
    """Weights of an additively weighted Voronoi diagram that meets target sizes.

    A point belongs to the region owning the generator that minimises
    ``d - r[region]``. Regions stay star-shaped around their generators (a
    development zone is a compact blob around its seat) and, unlike
    multiplicative weights, a large county never wraps around the others.
    Each region may own several generators, which pull it toward its real
    shape. Tuned on the given points; apply with ``assign_voronoi``.
    """
    n_regions = len(target)
    share = target / target.sum() * len(x)
    r = np.zeros(n_regions)
    d = np.sqrt((x[:, None] - gx[None, :]) ** 2 + (y[:, None] - gy[None, :]) ** 2)
    # Metres of equivalent-disc radius per sqrt(point count).
    spacing = float(np.sqrt(np.median(np.diff(np.unique(x))) * np.median(np.diff(np.unique(y)))))
    for _ in range(iters):
        lab = owner[np.argmin(d - r[owner][None, :], axis=1)]
        count = np.bincount(lab, minlength=n_regions)
        r += 0.5 * spacing * (np.sqrt(share / np.pi) - np.sqrt(count / np.pi))
    return r


def assign_voronoi(
    x: np.ndarray, y: np.ndarray, gx: np.ndarray, gy: np.ndarray, owner: np.ndarray, r: np.ndarray
) -> np.ndarray:
    out = np.empty(len(x), dtype=np.int64)
    ro = r[owner].astype(np.float32)
    step = 200_000
    for i in range(0, len(x), step):
        xs = x[i : i + step, None].astype(np.float32)
        ys = y[i : i + step, None].astype(np.float32)
        d = np.sqrt((xs - gx[None, :]) ** 2 + (ys - gy[None, :]) ** 2) - ro[None, :]
        out[i : i + step] = owner[np.argmin(d, axis=1)]
    return out


def add_kernels(
    dens: np.ndarray, raster: Raster, centres: list[tuple[float, float, float, float]]
) -> None:
    """Add Gaussian urban cores (x, y, amplitude, sigma in metres) to a density raster.

    Each kernel touches only the window within 3.5 sigma of its centre.
    """
    s = raster.size_m
    for cx, cy, amp, sigma in centres:
        reach = 3.5 * sigma
        c0 = max(0, int((cx - reach) / s))
        c1 = min(raster.n_cols, int((cx + reach) / s) + 1)
        r0 = max(0, int((cy - reach) / s))
        r1 = min(raster.n_rows, int((cy + reach) / s) + 1)
        if c0 >= c1 or r0 >= r1:
            continue
        xs = (np.arange(c0, c1) + 0.5) * s - cx
        ys = (np.arange(r0, r1) + 0.5) * s - cy
        kx = np.exp(-(xs**2) / (2 * sigma**2))
        ky = np.exp(-(ys**2) / (2 * sigma**2))
        dens[r0:r1, c0:c1] += amp * np.outer(ky, kx)
