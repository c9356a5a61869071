"""Deterministic geometry for a fictional Indonesian kabupaten (regency), for demo data.

Everything returned is in EPSG:4326 (longitude/latitude in degrees). Internally the region is laid
out in a local east/north tangent plane in kilometres around ``centre`` and converted to degrees at
the end, so distances in the parameters are true kilometres at the given latitude.

Only numpy and shapely 2 are used; the same seed always yields bit-identical geometries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import LineString, MultiPolygon, Point, Polygon

GRID_DEG = 1e-7  # output snapping grid (~1 cm); makes vertices shared by neighbours bit-identical
_WGS84_A_KM = 6378.137
_WGS84_E2 = 6.69437999014e-3
_TAU = 2.0 * np.pi

XY = np.ndarray  # (n, 2) float array of km or degree coordinates


@dataclass(frozen=True)
class DemoDesa:
    """One village (desa/kelurahan). Geometries are EPSG:4326 lon/lat degrees."""

    kecamatan_index: int  # 0..n_kecamatan-1; 0 is the kecamatan holding the capital
    geom: MultiPolygon
    centre: Point  # point_on_surface of ``geom``: always inside the desa
    is_urban: bool  # True for the few desa nearest the kabupaten capital (kelurahan)


@dataclass(frozen=True)
class DemoRegion:
    """A fictional kabupaten. Geometries are EPSG:4326 lon/lat degrees."""

    outline: MultiPolygon  # the kabupaten = union of all desa
    kecamatan: list[MultiPolygon]  # union of their desa, index = kecamatan_index
    desa: list[DemoDesa]
    capital: Point  # the kabupaten capital (inside the outline)
    roads: list[tuple[str, LineString]]  # (road class: "arteri" | "kolektor" | "lokal", line)
    rivers: list[LineString]


class _Frame:
    """Local tangent plane (x east, y north, km) <-> lon/lat degrees on the WGS84 ellipsoid."""

    def __init__(self, lon0: float, lat0: float) -> None:
        phi = np.radians(lat0)
        w = 1.0 - _WGS84_E2 * np.sin(phi) ** 2
        prime_vertical = _WGS84_A_KM / np.sqrt(w)  # radius of curvature east-west, km
        meridional = _WGS84_A_KM * (1.0 - _WGS84_E2) / w**1.5  # radius north-south, km
        self.origin = np.array([lon0, lat0], dtype=float)
        self.deg_per_km = np.degrees(1.0 / np.array([prime_vertical * np.cos(phi), meridional]))

    def to_deg(self, xy: XY) -> XY:
        return self.origin + np.asarray(xy) * self.deg_per_km

    def to_km(self, lonlat: XY) -> XY:
        return (np.asarray(lonlat) - self.origin) / self.deg_per_km


class _Field:
    """Smooth displacement p -> p + D(p) in km, D a sum of plane waves over four octaves.

    Being one fixed function of position is what keeps the desa partition intact: a vertex
    shared by two desa moves identically for both, so no gaps or overlaps can appear.
    """

    def __init__(self, rng: np.random.Generator, spacing: float, extent: float) -> None:
        lam = spacing * np.repeat([2.5, 1.1, 0.5, 0.22], 3)  # wavelengths, km
        wave_dir = rng.uniform(0.0, _TAU, lam.size)
        self.k = (_TAU / lam)[:, None] * np.c_[np.cos(wave_dir), np.sin(wave_dir)]
        self.phase = rng.uniform(0.0, _TAU, lam.size)
        push_dir = rng.uniform(0.0, _TAU, lam.size)
        # Equal slope per term gives a fractal-looking (roughly Brownian) border.
        self.amp = (0.22 * lam / _TAU)[:, None] * np.c_[np.cos(push_dir), np.sin(push_dir)]
        # Shrink until the map stays a local diffeomorphism (Jacobian determinant well above 0)
        # over the whole region, so a border can never fold over its neighbour. The Jacobian is
        # linear in the amplitude, so det(I + s*J) = 1 + s*tr(J) + s^2*det(J) for a scale s.
        g = np.linspace(-extent, extent, 200)
        grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
        cos = np.cos(grid @ self.k.T + self.phase)
        j00, j01, j10, j11 = (cos @ (self.amp[:, i] * self.k[:, j]) for i, j in np.ndindex(2, 2))
        trace, det = j00 + j11, j00 * j11 - j01 * j10
        scale = 1.0
        while np.min(1.0 + scale * trace + scale**2 * det) < 0.3:
            scale *= 0.9
        self.amp *= scale

    def __call__(self, xy: XY) -> XY:
        return xy + np.sin(xy @ self.k.T + self.phase) @ self.amp


def _outline_km(rng: np.random.Generator, radius: float) -> Polygon:
    """Star-shaped organic outline (km): radial harmonics, bays and an area-preserving
    stretch; its area is pi * radius**2."""
    theta = np.linspace(0.0, _TAU, 720, endpoint=False)
    j = np.arange(2, 15)
    amp = rng.uniform(0.4, 1.0, j.size) * 0.3 / j**1.3  # sum < 0.44, so r stays positive
    r = 1.0 + np.cos(np.outer(theta, j) + rng.uniform(0.0, _TAU, j.size)) @ amp
    u, s = rng.uniform(0.0, np.pi), rng.uniform(1.0, 1.25)
    rot = np.array([[np.cos(u), -np.sin(u)], [np.sin(u), np.cos(u)]])
    stretch = rot @ np.diag([s, 1.0 / s]) @ rot.T  # real kabupaten are rarely round; det = 1
    bay = rng.uniform(0.0, _TAU)
    while True:
        # Bays where neighbouring kabupaten bite in; keep carving until clearly non-convex.
        d_theta = np.angle(np.exp(1j * (theta - bay)))
        r *= 1.0 - rng.uniform(0.25, 0.4) * np.exp(-((d_theta / 0.3) ** 2))
        xy = np.c_[r * np.cos(theta), r * np.sin(theta)] @ stretch.T
        poly = Polygon(xy)
        if poly.area < 0.95 * poly.convex_hull.area:
            return Polygon(xy * radius * np.sqrt(np.pi / poly.area))  # area = pi * radius**2
        bay += np.pi * rng.uniform(0.6, 1.4)


def _sample_seeds(
    rng: np.random.Generator, outline: Polygon, capital: XY, n: int, radius: float
) -> XY:
    """Best-candidate (Mitchell) sampling: well spread, denser near the capital, off the edge."""
    shapely.prepare(outline)
    boundary = outline.boundary
    (x0, y0, x1, y1), pts = outline.bounds, [np.asarray(capital, dtype=float)]
    for _ in range(n - 1):
        cand = rng.uniform((x0, y0), (x1, y1), (128, 2))
        cand = cand[shapely.contains_xy(outline, cand[:, 0], cand[:, 1])][:24]
        d_pts = np.min(np.linalg.norm(cand[:, None] - np.array(pts)[None], axis=-1), axis=1)
        d_edge = shapely.distance(boundary, shapely.points(cand))
        # Desired spacing grows away from the capital; the edge counts as a half-distance
        # neighbour so border desa are not slivers.
        spacing = 0.5 + 0.5 * np.clip(np.linalg.norm(cand - capital, axis=1) / radius, 0, 1)
        pts.append(cand[np.argmax(np.minimum(d_pts, 2.0 * d_edge) / spacing)])
    return np.array(pts)


def _partition(
    outline: Polygon, seeds: XY, warp: Callable[[XY], XY], step: float
) -> tuple[list[Polygon], list[dict[int, float]]]:
    """Warped Voronoi partition of ``outline``: one polygon per seed plus desa adjacency."""
    vor = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline)
    cells = shapely.intersection(shapely.get_parts(vor), outline)
    # Node all cell borders into one network first, so each shared border exists exactly once
    # when it is densified and warped: both neighbours then get literally the same vertices.
    net = shapely.union_all(shapely.boundary(cells), grid_size=1e-6)
    net = shapely.transform(shapely.segmentize(net, step), warp)
    # Snap-round onto the output grid (the same snapping set_precision does); re-noding here
    # also repairs any chord crossing the piecewise-linear warp might have introduced.
    net = shapely.union_all(shapely.set_precision(net, GRID_DEG), grid_size=GRID_DEG)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(net)))
    tree = shapely.STRtree(faces)
    s_idx, f_idx = tree.query(shapely.points(warp(seeds)), predicate="within")
    if np.unique(s_idx).size != len(seeds):
        raise RuntimeError("a desa seed fell outside the warped partition")
    owner = np.full(len(faces), -1)
    owner[f_idx] = s_idx
    a, b = tree.query(faces, predicate="intersects")
    a, b = a[a < b], b[a < b]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(faces[a]), shapely.boundary(faces[b]))
    )
    a, b, shared = a[shared > 0], b[shared > 0], shared[shared > 0]
    # Faces without a seed are Voronoi cells cut in two by the concave outline (or tiny snap
    # artefacts); handing them to the neighbour with the longest common border keeps every desa
    # a single polygon.
    while (owner < 0).any():
        before = owner.copy()
        for f in np.flatnonzero(owner < 0):
            m = (a == f) | (b == f)
            other, w = np.where(a[m] == f, b[m], a[m]), shared[m]
            ok = owner[other] >= 0
            if ok.any():
                owner[f] = owner[other[ok][np.argmax(w[ok])]]
        if np.array_equal(before, owner):
            raise RuntimeError("orphan faces without a neighbouring desa")
    geoms = [shapely.coverage_union_all(faces[owner == i]) for i in range(len(seeds))]
    nbrs: list[dict[int, float]] = [{} for _ in seeds]
    for i, j, w in zip(owner[a], owner[b], shared, strict=True):
        if i != j:
            nbrs[i][j] = nbrs[i].get(j, 0.0) + w
            nbrs[j][i] = nbrs[j].get(i, 0.0) + w
    return geoms, nbrs


def _kmeans(rng: np.random.Generator, xy: XY, k: int, iters: int = 100) -> np.ndarray:
    """Plain k-means with k-means++ seeding; returns a label per point."""
    c = xy[[rng.integers(len(xy))]]
    for _ in range(k - 1):
        d2 = np.min(((xy[:, None] - c[None]) ** 2).sum(-1), axis=1)
        c = np.vstack([c, xy[rng.choice(len(xy), p=d2 / d2.sum())]])
    for _ in range(iters):
        dist = ((xy[:, None] - c[None]) ** 2).sum(-1)
        lab = np.argmin(dist, axis=1)
        for g in np.setdiff1d(np.arange(k), lab):  # re-seed an empty cluster at the worst fit
            lab[np.argmax(dist[np.arange(len(xy)), lab])] = g
        new = np.array([xy[lab == g].mean(axis=0) for g in range(k)])
        if np.allclose(new, c):
            break
        c = new
    return lab


def _components(members: set[int], nbrs: list[dict[int, float]]) -> list[list[int]]:
    """Connected components of ``members`` in the desa adjacency graph, largest first."""
    left, comps = set(members), []
    while left:
        stack = [min(left)]
        comp = set(stack)
        while stack:
            for j in nbrs[stack.pop()]:
                if j in left and j not in comp:
                    comp.add(j)
                    stack.append(j)
        left -= comp
        comps.append(sorted(comp))
    return sorted(comps, key=len, reverse=True)


def _fix_groups(
    lab: np.ndarray, nbrs: list[dict[int, float]], xy: XY, k: int, min_size: int
) -> np.ndarray | None:
    """Make every group contiguous and at least ``min_size`` desa by moving border desa;
    None if that did not work out for this starting labelling."""
    lab = lab.copy()
    for _ in range(10 * len(lab)):
        changed = False
        for g in range(k):  # strays join the other group they share the longest border with
            for comp in _components(set(np.flatnonzero(lab == g)), nbrs)[1:]:
                for i in comp:
                    votes: dict[int, float] = {}
                    for j, w in nbrs[i].items():
                        if lab[j] != g:
                            votes[lab[j]] = votes.get(lab[j], 0.0) + w
                    if votes:
                        lab[i], changed = max(votes, key=votes.__getitem__), True
        sizes = np.bincount(lab, minlength=k)
        for g in np.flatnonzero(sizes < min_size):  # small groups steal a neighbour's desa
            centroid = xy[lab == g].mean(axis=0)
            cands = [
                (float(np.linalg.norm(xy[j] - centroid)), j)
                for j in sorted({j for i in np.flatnonzero(lab == g) for j in nbrs[i]})
                if lab[j] != g
                and sizes[lab[j]] > min_size
                and len(_components(set(np.flatnonzero(lab == lab[j])) - {j}, nbrs)) == 1
            ]
            if cands:
                lab[min(cands)[1]], changed = g, True
                break
        if not changed:
            break
    sizes = np.bincount(lab, minlength=k)
    if sizes.min() < min_size or any(
        len(_components(set(np.flatnonzero(lab == g)), nbrs)) != 1 for g in range(k)
    ):
        return None
    return lab


def _curve(
    rng: np.random.Generator, a: XY, b: XY, wiggle: float, n: int = 16, n_modes: int = 3
) -> XY:
    """Polyline a -> b (km) bowed sideways by smooth sine modes (relative amplitude ``wiggle``).

    The ends stay put, and being a graph over the chord the line can never self-intersect.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    t, d = np.linspace(0.0, 1.0, n)[:, None], b - a
    modes = np.arange(1, n_modes + 1)
    coef = rng.normal(0.0, wiggle, modes.size) / modes**0.8
    offset = (np.sin(np.pi * t * modes) @ coef) * np.hypot(*d)
    return a + t * d + offset[:, None] * np.array([-d[1], d[0]]) / np.hypot(*d)


def _clip(coords_deg: XY, outline: MultiPolygon, min_len: float) -> list[LineString]:
    """Clip a line to the outline and return its non-trivial LineString pieces."""
    parts = shapely.get_parts(shapely.intersection(LineString(coords_deg), outline))
    parts = parts[shapely.get_type_id(parts) == 1]  # drop points where the line only touches
    merged = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(parts)))
    merged = shapely.set_precision(merged, GRID_DEG)
    return [p for p in merged if isinstance(p, LineString) and p.length > min_len]


def _as_multi(g: shapely.Geometry) -> MultiPolygon:
    return MultiPolygon([g]) if isinstance(g, Polygon) else g


def build_region(
    *,
    seed: int = 2026,
    centre: tuple[float, float] = (110.45, -0.25),
    n_kecamatan: int = 6,
    n_desa: int = 50,
    radius_km: float = 28.0,
) -> DemoRegion:
    """Build a fictional kabupaten deterministically from ``seed``.

    ``centre`` is (lon, lat) in degrees EPSG:4326, ``radius_km`` the approximate mean radius in
    kilometres. Returns exactly ``n_desa`` desa grouped into ``n_kecamatan`` contiguous
    kecamatan of at least 4 desa each; all geometries are EPSG:4326 lon/lat degrees.
    """
    if n_kecamatan < 1 or n_desa < 4 * n_kecamatan or radius_km <= 0:
        raise ValueError("need n_kecamatan >= 1, n_desa >= 4 * n_kecamatan and radius_km > 0")
    rng = np.random.default_rng(seed)
    frame = _Frame(*centre)
    spacing = radius_km * np.sqrt(np.pi / n_desa)  # typical desa diameter, km
    outline0 = _outline_km(rng, radius_km)
    # The outline is star-shaped around the origin, so any fraction < 1 of a vertex is inside.
    ring = shapely.get_coordinates(outline0.exterior)
    capital0 = rng.uniform(0.1, 0.4) * ring[rng.integers(len(ring) - 1)]
    seeds = _sample_seeds(rng, outline0, capital0, n_desa, radius_km)
    field = _Field(rng, spacing, 1.1 * np.abs(outline0.bounds).max())
    geoms, nbrs = _partition(outline0, seeds, lambda xy: frame.to_deg(field(xy)), spacing / 25)
    desa_geoms = [_as_multi(g) for g in geoms]
    outline = _as_multi(shapely.coverage_union_all(desa_geoms))
    capital_km = field(capital0[None])[0]
    capital = Point(frame.to_deg(capital_km))  # seed 0 is the capital, so it is inside desa 0
    centres = shapely.point_on_surface(desa_geoms)
    centres_km = frame.to_km(shapely.get_coordinates(centres))

    # Kecamatan: k-means on desa centres, then repaired to be contiguous and large enough. In
    # tight cases (few desa per kecamatan) the repair can get stuck; a new k-means start helps.
    for _ in range(50):
        lab = _fix_groups(_kmeans(rng, centres_km, n_kecamatan), nbrs, centres_km, n_kecamatan, 4)
        if lab is not None:
            break
    else:
        raise RuntimeError("could not form contiguous kecamatan of at least 4 desa")
    # Number kecamatan from the capital's (0), then clockwise from north around the capital.
    means = np.array([centres_km[lab == g].mean(axis=0) for g in range(n_kecamatan)])
    azimuth = np.mod(np.arctan2(*(means - capital_km).T), _TAU)
    azimuth[lab[0]] = -1.0
    lab = np.argsort(np.argsort(azimuth))[lab]
    kecamatan = [
        _as_multi(shapely.coverage_union_all([desa_geoms[i] for i in np.flatnonzero(lab == g)]))
        for g in range(n_kecamatan)
    ]
    # Urban kelurahan: the desa closest to the capital (the capital's own desa is at distance 0).
    n_urban = int(np.clip(round(0.08 * n_desa), 3, 6))
    urban = set(np.argsort(shapely.distance(capital, desa_geoms))[:n_urban].tolist())
    order = np.lexsort((centres_km[:, 0], -centres_km[:, 1], lab))  # north-to-south per kecamatan
    desa = [DemoDesa(int(lab[i]), desa_geoms[i], centres[i], i in urban) for i in order]

    # Roads (built in km, clipped in degrees): arteri through the capital, kolektor to each
    # kecamatan's main centre, lokal from every desa towards the nearest road.
    min_len = 0.05 * spacing * frame.deg_per_km[1]
    u = np.array([np.cos(b := rng.uniform(0.0, _TAU)), np.sin(b)]) * 2.2 * radius_km
    halves = [
        _curve(rng, capital_km - u, capital_km, 0.04),
        _curve(rng, capital_km, capital_km + u, 0.04),
    ]
    main = [np.vstack([halves[0], halves[1][1:]])]
    roads = [("arteri", line) for line in _clip(frame.to_deg(main[0]), outline, min_len)]
    for g in range(n_kecamatan):
        members = np.flatnonzero(lab == g)
        centroid = frame.to_km(shapely.get_coordinates(shapely.centroid(kecamatan[g])))[0]
        hub = centres_km[members[np.argmin(np.linalg.norm(centres_km[members] - centroid, axis=1))]]
        if np.linalg.norm(hub - capital_km) > 0.5 * spacing:
            main.append(_curve(rng, capital_km, hub, 0.06))
            roads += [("kolektor", ln) for ln in _clip(frame.to_deg(main[-1]), outline, min_len)]
    network = shapely.multilinestrings([LineString(c) for c in main])
    d_road = shapely.distance(network, shapely.points(centres_km))
    for i in np.argsort(d_road):
        if d_road[i] < 0.1 * spacing:
            continue  # already on a main road
        # Link to the nearest centre that is closer to the network (so chains always end on a
        # road), unless the network itself is nearer.
        closer = np.flatnonzero(d_road < d_road[i])
        dist = np.linalg.norm(centres_km[closer] - centres_km[i], axis=1)
        if closer.size and dist.min() < d_road[i]:
            target = centres_km[closer[np.argmin(dist)]]
        else:
            link = shapely.shortest_line(Point(centres_km[i]), network)
            target = shapely.get_coordinates(link)[1]
        line = _curve(rng, centres_km[i], target, 0.05, n=8)
        roads += [("lokal", ln) for ln in _clip(frame.to_deg(line), outline, min_len)]

    # Rivers: a meandering main river across the region, sometimes with a tributary joining it.
    side = rng.uniform(0.0, _TAU)
    ends = [2.2 * radius_km * np.array([np.cos(t), np.sin(t)]) for t in (side, side + np.pi)]
    river = _curve(
        rng, ends[0], ends[1] + rng.normal(0.0, 0.15 * radius_km, 2), 0.05, n=400, n_modes=10
    )
    courses = [river]
    if rng.random() < 0.6:
        t = side + np.pi / 2 + rng.uniform(-0.5, 0.5)
        start = 2.0 * radius_km * np.array([np.cos(t), np.sin(t)])
        courses.append(_curve(rng, start, river[rng.integers(140, 260)], 0.05, n=200, n_modes=10))
    rivers = [ln for c in courses for ln in _clip(frame.to_deg(c), outline, 4 * min_len)]
    return DemoRegion(outline, kecamatan, desa, capital, roads, rivers)
