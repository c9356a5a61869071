"""Set-based vector analysis per wilayah (analysis/selectors): land-use area per desa against
pyproj's geodesic area of shapely intersections (on the `region` fixture and on real Kalbar
desa and RTRW/LP2B layers), roll-ups equal to the sum of their children, nearest-asset
distances against a direct geodesic computation, desa beyond a distance, what the public
counts versus staff, and complaints per 1,000 people from a population raster."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
import shapely
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from pyproj import Geod
from shapely.geometry.polygon import orient

from analysis.selectors.access import nearest_asset, nearest_asset_summary
from analysis.selectors.assets import assets_by_condition
from analysis.selectors.complaints import complaints_by_area, complaints_per_1000
from analysis.selectors.land_use import land_use_areas, zone_areas
from analysis.selectors.scope import Scope
from layers.codes import Level
from layers.models import (
    AdministrativeArea,
    AssetCategory,
    Feature,
    LandUseClass,
    LandUseClassification,
    LandUseZone,
    Layer,
)
from layers.selectors.complaint_stats import transparency_figures
from layers.services.assets import asset_create
from layers.services.land_use import zone_create
from tests.conftest import box, shared_file

pytestmark = pytest.mark.django_db
GEOD = Geod(ellps="WGS84")
PUBLIC = AnonymousUser()


def geod_area_ha(geom) -> float:
    """Geodesic area (WGS 84) of a shapely (multi)polygon, in ha: each part oriented
    counter-clockwise so pyproj counts its holes negative."""
    parts = getattr(geom, "geoms", [geom])
    return sum(GEOD.geometry_area_perimeter(orient(p, 1.0))[0]
               for p in parts if p.geom_type == "Polygon") / 10_000


def expected_areas(zones, *, only_published: bool) -> dict[tuple[str, str], float]:
    """(desa code, class code) → ha, from shapely intersections and pyproj areas."""
    desa = list(AdministrativeArea.objects.villages().only("code", "geom"))
    desa_geoms = shapely.from_wkb([bytes(d.geom.wkb) for d in desa])
    tree = shapely.STRtree(desa_geoms)
    out: dict[tuple[str, str], float] = defaultdict(float)
    for zone in zones:
        if only_published and not (zone.is_public and zone.is_verified):
            continue
        g = shapely.from_wkb(bytes(zone.geom.wkb))
        for i in tree.query(g, predicate="intersects"):
            piece = shapely.intersection(desa_geoms[i], g)
            area = geod_area_ha(piece) if piece.geom_type != "GeometryCollection" else sum(
                geod_area_ha(p) for p in piece.geoms if p.geom_type in ("Polygon",
                                                                         "MultiPolygon"))
            if area > 0:
                out[(desa[i].code, zone.land_use_class.code)] += area
    return dict(out)


def by_key(rows) -> dict[tuple[str, str], float]:
    return {(r["code"], r["class_code"]): r["area_ha"] for r in rows}


@pytest.fixture
def zones(region, staff_user):
    rtrw = LandUseClassification.objects.create(slug="rtrw-uji", name="RTRW Uji",
                                                kind=LandUseClassification.Kind.PLANNED)
    hl = LandUseClass.objects.create(classification=rtrw, code="HL", name="Hutan Lindung",
                                     color="#1b5e20")
    pt = LandUseClass.objects.create(classification=rtrw, code="PT", name="Pertanian",
                                     color="#c0ca33")
    pub = {"is_public": True, "is_verified": True}
    holed = Polygon(((110.15, -0.06), (110.25, -0.06), (110.25, -0.01), (110.15, -0.01),
                     (110.15, -0.06)),
                    ((110.17, -0.05), (110.17, -0.03), (110.19, -0.03), (110.19, -0.05),
                     (110.17, -0.05)), srid=4326)
    return [
        # across Desa Satu and Kelurahan Dua: two partial intersections
        zone_create(land_use_class=hl, geom=box(110.05, -0.08, 110.15, -0.02), **pub),
        # exactly Desa Tiga: the zone covers the desa and the desa covers the zone
        zone_create(land_use_class=pt, geom=box(110.2, -0.1, 110.3, 0.0), **pub),
        # inside Desa Satu
        zone_create(land_use_class=pt, geom=box(110.01, -0.09, 110.03, -0.07), **pub),
        # with a hole, across Kelurahan Dua and Desa Tiga
        zone_create(land_use_class=pt, geom=MultiPolygon(holed, srid=4326), **pub),
        # not verified yet: staff count it, the public does not
        zone_create(land_use_class=hl, geom=box(110.21, -0.09, 110.25, -0.05),
                    is_public=True, is_verified=False),
    ]


def test_land_use_area_per_desa_matches_pyproj_on_the_same_intersections(zones, staff_user):
    desa = Scope(area=None, level=Level.VILLAGE)
    public = by_key(land_use_areas(scope=desa, user=PUBLIC).rows)
    staff = by_key(land_use_areas(scope=desa, user=staff_user).rows)
    for got, only_published in ((public, True), (staff, False)):
        want = expected_areas(zones, only_published=only_published)
        assert set(got) == set(want)
        for key, ha in want.items():
            assert got[key] == pytest.approx(ha, rel=1e-3), key
    # The unverified HL zone in Desa Tiga shows for staff only (0.04° × 0.04° ≈ 1,970 ha).
    assert ("99.01.02.2001", "HL") not in public
    assert staff[("99.01.02.2001", "HL")] == pytest.approx(1970, rel=0.01)
    # A zone that is exactly the desa gives the desa's own geodesic area.
    tiga = AdministrativeArea.objects.get(code="99.01.02.2001")
    whole_pt = expected_areas(zones[1:2], only_published=True)[("99.01.02.2001", "PT")]
    assert whole_pt == pytest.approx(tiga.area_ha, rel=1e-9)


def test_land_use_rolls_up_to_the_sum_of_the_children(zones, region):
    def rows(level, area=None):
        return land_use_areas(scope=Scope(area=area, level=level), user=PUBLIC).rows

    desa = rows(Level.VILLAGE)
    for level, n in ((Level.DISTRICT, 8), (Level.REGENCY, 5), (Level.PROVINCE, 2)):
        summed: dict[tuple[str, str], float] = defaultdict(float)
        for r in desa:
            summed[(r["code"][:n], r["class_code"])] += r["area_ha"]
        assert by_key(rows(level)) == pytest.approx(dict(summed), rel=1e-12)
    # Scoped to Kecamatan A: its two desa only, named, with their share of the desa area.
    inside = rows(Level.VILLAGE, region.district_a)
    assert {r["code"] for r in inside} == {"99.01.01.2001", "99.01.01.1002"}
    satu = next(r for r in inside if r["code"] == "99.01.01.2001" and r["class_code"] == "PT")
    assert satu["name"] == "Desa Satu"
    assert satu["share_pct"] == pytest.approx(
        100 * satu["area_ha"] / region.desa_a1.area_ha, rel=1e-9)


def test_thematic_zone_layer_area_per_kecamatan(region, staff_user):
    layer = Layer.objects.create(slug="rawan-banjir-uji", name="Rawan banjir", kind="generic",
                                 geometry_type="polygon", is_public=True,
                                 schema=[{"name": "kelas", "type": "text", "public": True}])
    for cls, geom in (("tinggi", box(110.05, -0.1, 110.15, 0.0)),
                      ("rendah", box(110.25, -0.1, 110.3, 0.0))):
        Feature.objects.create(layer=layer, geom=geom, properties={"kelas": cls},
                               is_public=True, is_verified=True)
    fig = zone_areas(scope=Scope(area=None, level=Level.DISTRICT), user=PUBLIC,
                     slug="rawan-banjir-uji", by="kelas")
    got = {(r["code"], r["zone_class"]): r["area_ha"] for r in fig.rows}
    assert set(got) == {("99.01.01", "tinggi"), ("99.01.02", "rendah")}
    assert got[("99.01.01", "tinggi")] == pytest.approx(
        geod_area_ha(shapely.box(110.05, -0.1, 110.15, 0.0)), rel=1e-6)
    assert [s.slug for s in fig.sources] == ["rawan-banjir-uji", "wilayah"]


@pytest.fixture
def services(region):
    puskesmas = AssetCategory.objects.create(slug="puskesmas", name="Puskesmas",
                                             geometry_type="point")
    road = AssetCategory.objects.create(slug="jalan", name="Jalan", geometry_type="line")
    pub = {"is_public": True, "is_verified": True}
    return {
        "p1": asset_create(category=puskesmas, geom=Point(110.05, -0.05, srid=4326),
                           name="Puskesmas Satu", **pub),
        # recorded in the field, not verified yet: staff see it, the public does not
        "p2": asset_create(category=puskesmas, geom=Point(110.25, -0.05, srid=4326),
                           name="Puskesmas Tiga"),
        "p3": asset_create(category=puskesmas, geom=Point(110.12, -0.02, srid=4326),
                           name="Pustu Dua", condition="rusak_ringan", **pub),
        "road": asset_create(category=road, name="Jalan Poros", condition="rusak_berat",
                             geom=LineString((110.01, -0.05), (110.09, -0.05), srid=4326),
                             **pub),
    }


def direct_nearest_m(lon: float, lat: float, assets) -> float:
    """The geodesic distance to every asset, computed directly (pyproj), the least of them."""
    xs = np.array([a.geom.x for a in assets])
    ys = np.array([a.geom.y for a in assets])
    _az, _baz, dist = GEOD.inv(np.full(len(xs), lon), np.full(len(xs), lat), xs, ys)
    return float(dist.min())


def test_nearest_asset_distances_equal_a_direct_geodesic_computation(services, staff_user):
    desa = Scope(area=None, level=Level.VILLAGE)
    for user, visible in ((PUBLIC, [services["p1"], services["p3"]]),
                          (staff_user, [services["p1"], services["p2"], services["p3"]])):
        rows = nearest_asset(scope=desa, user=user, category="puskesmas", beyond_m=5000).rows
        assert len(rows) == 3
        for r in rows:
            area = AdministrativeArea.objects.get(code=r["code"])
            assert area.geom.contains(Point(r["lon"], r["lat"], srid=4326))
            assert r["distance_m"] == pytest.approx(
                direct_nearest_m(r["lon"], r["lat"], visible), rel=1e-6, abs=1e-3)
            assert r["distance_km"] == pytest.approx(r["distance_m"] / 1000)
    public = {r["code"]: r for r in nearest_asset(scope=desa, user=PUBLIC,
                                                  category="puskesmas", beyond_m=5000).rows}
    assert public["99.01.01.2001"]["asset_name"] == "Puskesmas Satu"
    assert public["99.01.01.1002"]["asset_name"] == "Pustu Dua"
    # Desa Tiga's own puskesmas is not verified: the public's nearest is 14 km away.
    assert public["99.01.02.2001"]["distance_m"] == pytest.approx(14_600, rel=0.05)


def test_desa_beyond_the_distance_are_listed_and_rolled_up(services, staff_user, region):
    desa = Scope(area=None, level=Level.VILLAGE)
    rows = nearest_asset(scope=desa, user=PUBLIC, category="puskesmas", beyond_m=10_000).rows
    assert [r["code"] for r in rows if r["beyond"]] == ["99.01.02.2001"]
    assert rows[0]["code"] == "99.01.02.2001"  # farthest first
    staff_rows = nearest_asset(scope=desa, user=staff_user, category="puskesmas",
                               beyond_m=10_000).rows
    assert not [r for r in staff_rows if r["beyond"]]
    # A category with no asset at all: every desa is beyond, with no distance.
    AssetCategory.objects.create(slug="pasar", name="Pasar", geometry_type="point")
    none = nearest_asset(scope=desa, user=PUBLIC, category="pasar", beyond_m=10_000).rows
    assert all(r["beyond"] and r["distance_m"] is None for r in none)
    # Rolled up per kecamatan: the same counts, farthest and mean distances.
    summary = nearest_asset_summary(scope=Scope(area=region.regency, level=Level.DISTRICT),
                                    user=PUBLIC, category="puskesmas", beyond_m=10_000).rows
    assert [(r["code"], r["origins"], r["beyond"]) for r in summary] == [
        ("99.01.01", 2, 0), ("99.01.02", 1, 1)]
    a_rows = [r["distance_m"] for r in rows if r["code"].startswith("99.01.01.")]
    assert summary[0]["max_m"] == pytest.approx(max(a_rows))
    assert summary[0]["mean_m"] == pytest.approx(sum(a_rows) / 2)
    assert summary[0]["name"] == "Kecamatan A"


def test_distance_from_each_settlement_point_of_a_point_layer(services):
    layer = Layer.objects.create(slug="permukiman-uji", name="Permukiman", kind="generic",
                                 geometry_type="point", is_public=True,
                                 schema=[{"name": "nama", "type": "text", "public": True}])
    for name, lon in (("Dusun Hulu", 110.02), ("Dusun Hilir", 110.28)):
        Feature.objects.create(layer=layer, geom=Point(lon, -0.05, srid=4326),
                               properties={"nama": name}, is_public=True, is_verified=True)
    Feature.objects.create(layer=layer, geom=Point(110.29, -0.05, srid=4326),
                           properties={"nama": "Dusun Rahasia"})  # not published
    rows = nearest_asset(scope=Scope(area=None, level=Level.VILLAGE), user=PUBLIC,
                         category="puskesmas", beyond_m=10_000,
                         points_layer="permukiman-uji").rows
    got = {r["name"]: r for r in rows}
    assert set(got) == {"Dusun Hulu", "Dusun Hilir"}
    assert got["Dusun Hulu"]["desa_code"] == "99.01.01.2001"
    assert got["Dusun Hilir"]["desa_code"] == "99.01.02.2001" and got["Dusun Hilir"]["beyond"]
    assert got["Dusun Hulu"]["distance_m"] == pytest.approx(
        direct_nearest_m(110.02, -0.05, [services["p1"], services["p3"]]), rel=1e-6)
    hidden = nearest_asset(scope=Scope(area=None, level=Level.VILLAGE), user=PUBLIC,
                           category="puskesmas", beyond_m=1, points_layer="tidak-ada")
    assert not hidden.available


def test_assets_per_category_and_condition_public_and_staff(services, staff_user, region):
    def table(user, level):
        rows = assets_by_condition(scope=Scope(area=region.regency, level=level),
                                   user=user).rows
        return {(r["code"], r["category"], r["condition"]): r for r in rows}

    public = table(PUBLIC, Level.VILLAGE)
    assert {k: r["count"] for k, r in public.items()} == {
        ("99.01.01.2001", "jalan", "rusak_berat"): 1,
        ("99.01.01.2001", "puskesmas", "baik"): 1,
        ("99.01.01.1002", "puskesmas", "rusak_ringan"): 1,
    }
    assert all("unverified" not in r for r in public.values())
    road = public[("99.01.01.2001", "jalan", "rusak_berat")]
    assert road["length_km"] == pytest.approx(
        GEOD.inv(110.01, -0.05, 110.09, -0.05)[2] / 1000, rel=1e-6)
    staff = table(staff_user, Level.VILLAGE)
    assert staff[("99.01.02.2001", "puskesmas", "baik")]["unverified"] == 1
    assert staff[("99.01.01.2001", "puskesmas", "baik")]["unverified"] == 0
    # Rolled up per kecamatan and kabupaten: the sums of the desa rows.
    for level, n in ((Level.DISTRICT, 8), (Level.REGENCY, 5)):
        summed: dict[tuple, int] = defaultdict(int)
        for (code, cat, cond), r in staff.items():
            summed[(code[:n], cat, cond)] += r["count"]
        assert {k: r["count"] for k, r in table(staff_user, level).items()} == dict(summed)


def test_complaints_per_wilayah_reuse_the_transparency_figures(region, staff_user):
    from layers.models import ComplaintCategory, Status
    from layers.services.complaints import complaint_create, complaint_set_status

    cat = ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak")
    for lng in (110.05, 110.06, 110.15, 110.25):
        complaint_create(category=cat, description="Lubang", point=Point(lng, -0.05, srid=4326))
    c = complaint_create(category=cat, description="Bukan", point=Point(110.26, -0.05,
                                                                         srid=4326))
    complaint_set_status(complaint=c, status=Status.REJECTED, by=staff_user, note="x")
    desa = complaints_by_area(scope=Scope(area=None, level=Level.VILLAGE), user=PUBLIC).rows
    kec = complaints_by_area(scope=Scope(area=None, level=Level.DISTRICT), user=PUBLIC).rows
    assert {r["code"]: r["total"] for r in desa} == {
        "99.01.01.1002": 1, "99.01.01.2001": 2, "99.01.02.2001": 2}
    assert {r["code"]: r["total"] for r in kec} == {"99.01.01": 3, "99.01.02": 2}
    assert {r["code"]: r["total"] for r in kec} == {
        r["code"]: r["total"] for r in transparency_figures().by_kecamatan}
    assert "overdue" not in kec[0] and "rejected" not in kec[0]
    staff = complaints_by_area(scope=Scope(area=None, level=Level.DISTRICT),
                               user=staff_user).rows
    assert {r["code"]: r["rejected"] for r in staff} == {"99.01.01": 0, "99.01.02": 1}


def test_complaints_per_1000_people_from_a_population_raster(region, raster_dir, tmp_path):
    from analysis.services.rasters import raster_import
    from layers.models import ComplaintCategory
    from layers.services.complaints import complaint_create
    from tests.analysis.conftest import write_grid

    # 10 people in every 0.01° cell over the three desa: 1,000 people in each desa.
    grid = write_grid(tmp_path / "populasi.tif", np.full((10, 30), 10.0, dtype="float32"),
                      west=110.0, north=0.0, size=0.01, nodata=-9999.0)
    raster_import(path=grid, slug="populasi-uji", units="jiwa")
    cat = ComplaintCategory.objects.create(slug="sampah", name="Sampah")
    for lng in (110.05, 110.06, 110.25):
        complaint_create(category=cat, description="Sampah", point=Point(lng, -0.05,
                                                                          srid=4326))
    desa = complaints_per_1000(scope=Scope(area=None, level=Level.VILLAGE), user=PUBLIC,
                               raster_slug="populasi-uji")
    got = {r["code"]: (r["population"], r["per_1000"]) for r in desa.rows}
    assert got["99.01.01.2001"] == pytest.approx((1000.0, 2.0), rel=1e-6)
    assert got["99.01.02.2001"] == pytest.approx((1000.0, 1.0), rel=1e-6)
    kec = complaints_per_1000(scope=Scope(area=None, level=Level.DISTRICT), user=PUBLIC,
                              raster_slug="populasi-uji")
    assert {r["code"]: r["population"] for r in kec.rows} == pytest.approx(
        {"99.01.01": 2000.0, "99.01.02": 1000.0}, rel=1e-6)
    assert "populasi-uji" in [s.slug for s in kec.sources]
    missing = complaints_per_1000(scope=Scope(area=None, level=Level.VILLAGE), user=PUBLIC,
                                  raster_slug="tidak-ada")
    assert not missing.available


KALBAR = ("indonesia", "wilayah-kemendagri-cahyadsn", "kalbar_kecamatan_desa.gpkg")
LAHAN = ("indonesia", "atrbpn-kalbar-lahan")


def test_land_use_area_on_real_kalbar_desa_and_rtrw_layers():
    """The 2,130 desa of Kalimantan Barat and two real agency layers (Pontianak RTRW
    agriculture allocation, Singkawang LP2B with its invalid polygon repaired on import)."""
    from importers.jobs import ImportRequest, run_import

    gpkg = shared_file(*KALBAR)
    for layer in ("kabupaten_kota", "kecamatan", "desa_kelurahan"):
        run_import(ImportRequest(path=gpkg, target="admin_areas", layer=layer))
    for name, slug in (("pontianak_rtrw_peruntukan_pertanian.geojson", "rtrw-pontianak"),
                       ("singkawang_lp2b.geojson", "lp2b-singkawang")):
        run_import(ImportRequest(path=shared_file(*LAHAN, name), target="land_use",
                                 constants={"classification": slug}))
    assert AdministrativeArea.objects.villages().count() == 2130
    zones = list(LandUseZone.objects.select_related("land_use_class"))
    want = expected_areas(zones, only_published=True)
    got = by_key(land_use_areas(scope=Scope(area=None, level=Level.VILLAGE),
                                user=PUBLIC).rows)
    # 45 (desa, class) pairs in 5 kabupaten/kota: the zones spill over the simplified borders.
    assert len(want) >= 45
    assert set(got) == set(want)
    for key, ha in want.items():
        assert got[key] == pytest.approx(ha, rel=1e-3), key
    # Kota Pontianak (61.71) and Kota Singkawang (61.72) per kecamatan: sums of their desa.
    kec = by_key(land_use_areas(scope=Scope(area=None, level=Level.DISTRICT),
                                user=PUBLIC).rows)
    summed: dict[tuple[str, str], float] = defaultdict(float)
    for (code, cls), ha in got.items():
        summed[(code[:8], cls)] += ha
    assert kec == pytest.approx(dict(summed), rel=1e-9)
    assert {code[:5] for code, _cls in got} >= {"61.71", "61.72", "61.12"}
    assert {cls for _code, cls in got} == {"Sawah", "Pertanian-Tanaman-Pangan",
                                           "Peruntukan-Perkebunan"}
