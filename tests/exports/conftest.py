"""Data for the export tests: a public thematic layer whose names carry the Indonesian text
that must survive every format (en dash, apostrophe, accents, brackets), a staff-only field,
an unverified feature and field names too long for a Shapefile; plus the API tests' data_out
(a complaint whose reporter must never appear, a draft asset, a hidden layer)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyogrio
import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon

from layers.models import Feature, Layer
from tests.api.conftest import REPORTER, DataOut, data_out  # noqa: F401  (fixture)
from tests.browser.conftest import browser, chromium_endpoint  # noqa: F401  (fixtures)

NAMES = ["Sungai Raya – Kuala Dua", "Kelurahan Tanjung Hulu (Lama)", "Ké", "Tua' Abang"]
SECRET_PHONE = "0813-NOMOR-PENGELOLA"
DRAFT_NAME = "Draf Belum Diverifikasi"


@dataclass
class Thematic:
    layer: Layer
    features: list[Feature]
    draft: Feature


@pytest.fixture
def thematic(db) -> Thematic:
    layer = Layer.objects.create(
        slug="titik-uji", name="Titik uji – ekspor", kind="generic", geometry_type="point",
        is_public=True, style={"color": "#0ea5e9"},
        schema=[{"name": "nama", "type": "text", "label": "Nama"},
                {"name": "jumlah_penduduk", "type": "integer", "label": "Penduduk"},
                {"name": "luas_ha", "type": "number"},
                {"name": "aktif", "type": "boolean"},
                {"name": "keterangan_panjang", "type": "text"},
                {"name": "keterangan_pendek", "type": "text"},
                {"name": "Ké", "type": "text"},
                {"name": "hp_pengelola", "type": "text", "public": False}])
    features = [
        Feature.objects.create(
            layer=layer, geom=Point(110.01 + i * 0.01, -0.05, srid=4326), is_public=True,
            is_verified=True,
            properties={"nama": name, "jumlah_penduduk": 1000 + i, "luas_ha": 12.5 + i,
                        "aktif": i % 2 == 0, "keterangan_panjang": f"Panjang {name}",
                        "keterangan_pendek": f"Pendek {i}", "Ké": f"Nilai é {i}",
                        "hp_pengelola": SECRET_PHONE})
        for i, name in enumerate(NAMES)]
    draft = Feature.objects.create(layer=layer, geom=Point(110.2, -0.05, srid=4326),
                                   properties={"nama": DRAFT_NAME})
    return Thematic(layer, features, draft)


@pytest.fixture
def mixed_layer(db) -> Layer:
    """A staff-only thematic layer holding points, lines and polygons."""
    layer = Layer.objects.create(slug="campuran", name="Campuran", kind="generic",
                                 is_public=False, schema=[{"name": "nama", "type": "text"}])
    geoms = [Point(110.05, -0.05, srid=4326),
             LineString((110.0, -0.05), (110.1, -0.04), srid=4326),
             MultiPolygon(Polygon.from_bbox((110.0, -0.1, 110.05, -0.06)), srid=4326)]
    for geom, name in zip(geoms, ["Titik Ké", "Garis – satu", "Area (Lama)"], strict=True):
        Feature.objects.create(layer=layer, geom=geom, is_public=True, is_verified=True,
                               properties={"nama": name})
    return layer


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def save(response, folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(body_of(response))
    return path


def ogrinfo_summary(path: Path | str) -> str:
    """`ogrinfo -al -so` of a file (Debian's GDAL, not the one inside pyogrio)."""
    result = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True,
                            text=True, check=True, timeout=60)
    return result.stdout


def read(path: Path | str, **kwargs):
    return pyogrio.read_dataframe(path, **kwargs)
