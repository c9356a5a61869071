"""Tests for the fictional demo kabupaten generator (pure shapely/numpy, no Django, no DB)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely
from shapely import LineString, MultiPolygon, Point

from layers.demo.geometry import DemoRegion, build_region

AREA_TOL = 1e-9  # deg^2


@pytest.fixture(scope="module")
def region() -> DemoRegion:
    return build_region()


def _geoms(region: DemoRegion) -> np.ndarray:
    return np.array([d.geom for d in region.desa], dtype=object)


def assert_partition(region: DemoRegion) -> None:
    """Desa are valid single polygons that tile the outline without gaps or overlaps."""
    geoms = _geoms(region)
    assert all(isinstance(g, MultiPolygon) and not g.is_empty for g in geoms)
    assert shapely.is_valid(geoms).all()
    # Prefer one polygon per desa (the generator merges cut-off Voronoi pieces).
    assert all(len(g.geoms) == 1 for g in geoms)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    a, b = a[a < b], b[a < b]
    overlap = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    assert overlap.max(initial=0.0) < AREA_TOL
    outline = region.outline
    assert isinstance(outline, MultiPolygon) and outline.is_valid
    assert shapely.union_all(geoms).symmetric_difference(outline).area < AREA_TOL
    assert shapely.area(geoms).sum() == pytest.approx(outline.area, rel=1e-6)


def assert_kecamatan(region: DemoRegion, n_kecamatan: int) -> None:
    """Kecamatan are valid, contiguous unions of at least 4 desa each."""
    assert len(region.kecamatan) == n_kecamatan
    labels = np.array([d.kecamatan_index for d in region.desa])
    assert np.bincount(labels, minlength=n_kecamatan).min() >= 4
    geoms = _geoms(region)
    for k, kec in enumerate(region.kecamatan):
        assert isinstance(kec, MultiPolygon) and kec.is_valid
        assert len(kec.geoms) == 1  # contiguous
        union = shapely.union_all(geoms[labels == k])
        assert isinstance(union, shapely.Polygon)
        assert union.symmetric_difference(kec).area < AREA_TOL


def test_desa_count_and_partition(region: DemoRegion) -> None:
    assert len(region.desa) == 50
    assert_partition(region)


def test_kecamatan_contiguous(region: DemoRegion) -> None:
    assert_kecamatan(region, 6)


def test_shared_vertices_are_snapped(region: DemoRegion) -> None:
    coords = shapely.get_coordinates(_geoms(region))
    assert np.allclose(coords, np.round(coords / 1e-7) * 1e-7, rtol=0, atol=1e-12)


def test_deterministic() -> None:
    def dump(r: DemoRegion) -> list[bytes]:
        geoms = [r.outline, r.capital, *r.kecamatan, *r.rivers, *(ln for _, ln in r.roads)]
        geoms += [g for d in r.desa for g in (d.geom, d.centre)]
        return [shapely.to_wkb(g) for g in geoms] + [
            repr([(d.kecamatan_index, d.is_urban) for d in r.desa]).encode()
        ]

    assert dump(build_region(seed=11)) == dump(build_region(seed=11))
    assert dump(build_region(seed=11)) != dump(build_region(seed=12))


def test_outline_is_organic(region: DemoRegion) -> None:
    outline = region.outline
    assert outline.area / outline.convex_hull.area < 0.97
    # Roughly radius_km around centre: area close to pi*r^2 (converted to deg^2 at lat -0.25).
    km2 = outline.area * 111.32 * 110.57 * np.cos(np.radians(0.25))
    assert 0.8 * np.pi * 28**2 < km2 < 1.2 * np.pi * 28**2
    lon, lat = outline.centroid.x, outline.centroid.y
    assert abs(lon - 110.45) < 0.15 and abs(lat + 0.25) < 0.15


def test_borders_are_not_straight(region: DemoRegion) -> None:
    geoms = _geoms(region)
    assert np.mean(shapely.get_num_coordinates(geoms)) > 40
    # Shared borders between neighbours wander: longer than the straight chord between ends.
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="touches")
    a, b = a[a < b], b[a < b]
    borders = shapely.line_merge(
        shapely.intersection(shapely.boundary(geoms[a]), shapely.boundary(geoms[b]))
    )
    ratios = []
    for line in borders:
        if isinstance(line, LineString) and not line.is_closed and line.length > 0:
            (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
            ratios.append(line.length / np.hypot(x1 - x0, y1 - y0))
    assert len(ratios) > 50
    assert np.median(ratios) > 1.002


def test_within_indonesia(region: DemoRegion) -> None:
    minx, miny, maxx, maxy = region.outline.bounds
    assert 95 < minx < maxx < 141 and -11 < miny < maxy < 6


def test_centres_and_capital(region: DemoRegion) -> None:
    for d in region.desa:
        assert isinstance(d.centre, Point)
        assert d.geom.contains(d.centre)
    assert region.outline.contains(region.capital)


def test_urban_desa_are_nearest_capital(region: DemoRegion) -> None:
    urban = np.array([d.is_urban for d in region.desa])
    assert 3 <= urban.sum() <= 6
    dist = shapely.distance(region.capital, _geoms(region))
    assert dist[urban].max() < dist[~urban].min()
    assert dist[urban].min() == 0.0  # the capital's own desa is urban


def assert_lines(region: DemoRegion) -> None:
    """Roads and rivers are valid, gently curved LineStrings inside the outline."""
    classes = [cls for cls, _ in region.roads]
    assert set(classes) == {"arteri", "kolektor", "lokal"}
    assert classes.count("kolektor") >= len(region.kecamatan) - 1
    assert classes.count("lokal") >= len(region.desa) // 2
    cover = region.outline.buffer(1e-7)
    lines = [ln for _, ln in region.roads] + region.rivers
    for line in lines:
        assert isinstance(line, LineString) and line.is_valid and not line.is_empty
        assert line.is_simple and cover.covers(line)
    arteri = [ln for cls, ln in region.roads if cls == "arteri"]
    assert shapely.union_all(arteri).distance(region.capital) < 1e-6
    # The arteri crosses the whole region: every clipped piece ends on the outline's border.
    ends = shapely.points([c for ln in arteri for c in (ln.coords[0], ln.coords[-1])])
    assert shapely.distance(region.outline.boundary, ends).max() < 1e-6
    # Gently curved: most roads are longer than the chord between their ends.
    curved = [
        ln.length / Point(ln.coords[0]).distance(Point(ln.coords[-1])) > 1.0005
        for _, ln in region.roads
        if len(ln.coords) > 3
    ]
    assert np.mean(curved) > 0.7
    # One or two rivers (a clipped river may come out in a few pieces) that meander across.
    assert 1 <= len(region.rivers) <= 6
    assert max(river.length for river in region.rivers) > 0.3 * np.sqrt(region.outline.area)
    assert max(len(river.coords) for river in region.rivers) > 50


def test_roads_and_rivers(region: DemoRegion) -> None:
    assert_lines(region)


def test_runtime() -> None:
    start = time.perf_counter()
    build_region()
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seed": 1},
        {"seed": 42},
        {"seed": 7, "n_kecamatan": 4, "n_desa": 30, "radius_km": 15.0},
        {"seed": 3, "centre": (138.5, -4.0), "n_kecamatan": 8, "n_desa": 80, "radius_km": 40.0},
    ],
)
def test_other_parameters(kwargs: dict) -> None:
    region = build_region(**kwargs)
    n_desa = kwargs.get("n_desa", 50)
    assert len(region.desa) == n_desa
    assert_partition(region)
    assert_kecamatan(region, kwargs.get("n_kecamatan", 6))
    assert_lines(region)
    assert region.outline.area / region.outline.convex_hull.area < 0.97


def test_rejects_too_few_desa() -> None:
    with pytest.raises(ValueError):
        build_region(n_kecamatan=6, n_desa=20)
