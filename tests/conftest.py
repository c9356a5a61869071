"""Shared fixtures: a tiny, fixed wilayah hierarchy on real PostGIS (nothing mocked)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

# Fixtures of the editing API tests (editors per role, asset categories, a land-use class).
pytest_plugins = ["tests.api.editing_support"]


def shared_file(*parts: str) -> Path:
    """A file from ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real agency data not available: {path} (../shared is absent)")
    return path


def box(west: float, south: float, east: float, north: float) -> MultiPolygon:
    poly = Polygon.from_bbox((west, south, east, north))
    return MultiPolygon(poly, srid=4326)


@dataclass
class Region:
    province: object
    regency: object
    district_a: object
    district_b: object
    desa_a1: object
    kel_a2: object
    desa_b1: object


@pytest.fixture
def region(db) -> Region:
    """Provinsi 99 → Kab 99.01 → two kecamatan → three desa/kelurahan, side by side along the
    equator near 110°E: 0.1° squares (≈ 11 km)."""
    from layers.services.boundaries import area_create

    prov = area_create(code="99", name="Provinsi Uji", geom=box(110.0, -0.1, 110.3, 0.0))
    kab = area_create(code="99.01", name="Kabupaten Uji", geom=box(110.0, -0.1, 110.3, 0.0))
    kec_a = area_create(code="99.01.01", name="Kecamatan A", geom=box(110.0, -0.1, 110.2, 0.0))
    kec_b = area_create(code="99.01.02", name="Kecamatan B", geom=box(110.2, -0.1, 110.3, 0.0))
    return Region(
        province=prov, regency=kab, district_a=kec_a, district_b=kec_b,
        desa_a1=area_create(code="99.01.01.2001", name="Desa Satu",
                            geom=box(110.0, -0.1, 110.1, 0.0)),
        kel_a2=area_create(code="99.01.01.1002", name="Kelurahan Dua",
                           geom=box(110.1, -0.1, 110.2, 0.0)),
        desa_b1=area_create(code="99.01.02.2001", name="Desa Tiga",
                            geom=box(110.2, -0.1, 110.3, 0.0)),
    )


@pytest.fixture
def staff_user(db, django_user_model):
    return django_user_model.objects.create_user(
        username="perencana", password="rahasia-123", is_staff=True
    )


@pytest.fixture
def import_dir(settings, tmp_path) -> Path:
    """A private folder for the import wizard's uploads, one per test."""
    settings.SIG_IMPORT_DIR = tmp_path / "imports"
    return settings.SIG_IMPORT_DIR


@pytest.fixture
def empty_queue(transactional_db):
    """procrastinate's tables are not Django-managed, so a flush leaves their rows: start and
    end each test that runs a worker with an empty queue."""
    from django.db import connection

    def empty() -> None:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM procrastinate_periodic_defers; "
                        "DELETE FROM procrastinate_jobs WHERE status <> 'doing';")

    empty()
    yield
    empty()


@pytest.fixture(autouse=True)
def english_messages():
    """Service and pipeline messages are asserted in English (their msgids); pages are
    rendered per request in the visitor's language (Indonesian by default) regardless."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_kept_points(settings):
    """Tests rebuild their database with the same layer data_version values, so public points
    answers kept by ETag (layers/api/geodata.py points_cache) and layer extents would outlive
    their data from one test to the next: keep none (tests/api/test_points.py turns the
    points cache on to test it)."""
    settings.SIG_POINTS_CACHE_MB = 0
    # The same for layer extents (layers/selectors/extents.py).
    settings.SIG_EXTENTS_CACHE = False
