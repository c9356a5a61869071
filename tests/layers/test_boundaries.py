"""Area geometry: validity, geodesic area, current vs retired units."""

import datetime as dt

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from pyproj import Geod

from layers.codes import Level
from layers.errors import ErrorCode
from layers.models import AdministrativeArea
from layers.services.boundaries import area_create, area_retire
from tests.conftest import box

BOWTIE = "MULTIPOLYGON(((110 -0.1, 110.1 0, 110.1 -0.1, 110 0, 110 -0.1)))"


def test_invalid_geometry_is_refused_by_the_service_with_the_reason(region):
    with pytest.raises(ValidationError) as err:
        area_create(code="99.01.02.2002", name="Dasi", geom=GEOSGeometry(BOWTIE, srid=4326))
    assert err.value.code == ErrorCode.GEOMETRY_INVALID
    assert "Self-intersection" in str(err.value)
    assert not AdministrativeArea.objects.filter(code="99.01.02.2002").exists()


def test_invalid_geometry_is_refused_by_the_database(region):
    with pytest.raises(IntegrityError, match="adminarea_geom_valid"), transaction.atomic():
        AdministrativeArea.objects.create(
            code="99.01.02.2002", name="Dasi", level=Level.VILLAGE, parent=region.district_b,
            geom=GEOSGeometry(BOWTIE, srid=4326),
        )


def test_a_polygon_is_stored_as_a_multipolygon_and_a_point_is_refused(region):
    poly = Polygon.from_bbox((110.2, -0.1, 110.25, -0.05))
    poly.srid = 4326
    area = area_create(code="99.01.02.2002", name="Satu Bagian", geom=poly)
    assert area.geom.geom_type == "MultiPolygon"
    with pytest.raises(ValidationError) as err:
        area_create(code="99.01.02.2003", name="Titik",
                    geom=GEOSGeometry("POINT(110.25 -0.05)", srid=4326))
    assert err.value.code == ErrorCode.GEOMETRY_TYPE


def test_geometry_in_utm_is_reprojected_to_4326(region):
    # The same 0.05° square, given in WGS 84 / UTM 49N (EPSG:32649): stored in degrees.
    square = box(110.2, -0.1, 110.25, -0.05)
    utm = square.transform(32649, clone=True)
    area = area_create(code="99.01.02.2004", name="UTM", geom=utm)
    assert area.geom.srid == 4326
    assert area.geom.extent == pytest.approx((110.2, -0.1, 110.25, -0.05), abs=1e-7)


@pytest.mark.parametrize(
    "ring",
    [
        # A 0.1° square on the equator, one at 8°S (Nusa Tenggara), and an irregular shape.
        [(110.0, -0.1), (110.1, -0.1), (110.1, 0.0), (110.0, 0.0)],
        [(120.0, -8.2), (120.3, -8.2), (120.3, -8.0), (120.0, -8.0)],
        [(110.0, -0.1), (110.15, -0.08), (110.2, 0.0), (110.07, 0.05), (109.98, -0.02)],
    ],
)
def test_area_in_hectares_matches_pyproj_geod_within_0_1_percent(db, ring):
    geod = Geod(ellps="WGS84")
    lons, lats = zip(*ring, strict=True)
    reference_ha = abs(geod.polygon_area_perimeter(lons, lats)[0]) / 10_000
    poly = Polygon([*ring, ring[0]], srid=4326)
    area = area_create(code="98", name="Uji Luas", geom=MultiPolygon(poly, srid=4326))
    area.refresh_from_db()
    assert area.area_ha == pytest.approx(reference_ha, rel=1e-3)
    # And not a planar area in degrees mistaken for hectares.
    assert area.area_ha > 1000


def test_area_is_recomputed_when_the_boundary_changes(region):
    area = region.desa_a1
    before = AdministrativeArea.objects.get(pk=area.pk).area_ha
    area.geom = box(110.0, -0.1, 110.05, 0.0)
    area.save()
    after = AdministrativeArea.objects.get(pk=area.pk).area_ha
    assert after == pytest.approx(before / 2, rel=1e-3)


def test_retired_units_leave_the_default_but_stay_in_history(region):
    area_retire(area=region.kel_a2, valid_until=dt.date(2025, 6, 30),
                legal_basis="Perda pemekaran 2025")
    assert not AdministrativeArea.objects.filter(code="99.01.01.1002").exists()
    old = AdministrativeArea.all_versions.get(code="99.01.01.1002")
    assert old.valid_until == dt.date(2025, 6, 30) and not old.is_current
    assert set(AdministrativeArea.objects.within(region.district_a).values_list(
        "code", flat=True)) == {"99.01.01.2001"}


def test_kind_label_reads_desa_or_kelurahan_off_the_code(region):
    assert str(region.desa_a1.kind_label) == "Desa"
    assert str(region.kel_a2.kind_label) == "Kelurahan"
