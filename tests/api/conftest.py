"""Data for the data-out tests: what the public may and may not see, side by side.

Near 110.05°E on the equator (inside Desa Satu of the shared `region` fixture), all in one
zoom-12 tile: a published and an unpublished asset, a public thematic layer with a public and
a staff-only field and an unpublished feature, a staff-only layer, and a complaint whose
reporter's name, phone and e-mail must never leave to anyone through these paths."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from layers.models import Asset, AssetCategory, Complaint, ComplaintCategory, Feature, Layer
from layers.services.assets import asset_create
from layers.services.complaints import complaint_create

TILE_Z = 12

# Values that must never reach the public (and, for the reporter, anyone) through an API.
REPORTER = {"name": "Siti Rahasiawati", "phone": "081299887766",
            "email": "siti.pelapor@example.org"}
SECRET_ASSET = {"register_code": "REG-RAHASIA-77", "value_idr": "987654321",
                "attribute": "Kepala Sekolah Rahasia", "name": "SD Draf Tersembunyi"}
SECRET_FEATURE = {"field": "0813-SANGAT-RAHASIA", "name": "Wisata Draf Tersembunyi"}
HIDDEN_LAYER = "rahasia-internal"
HIDDEN_FEATURE_NAME = "Gudang Rahasia"


def tile_of(lon: float, lat: float, z: int = TILE_Z) -> tuple[int, int, int]:
    """The XYZ (web mercator) tile holding a point."""
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    lat_rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_rad)) / math.pi) / 2.0 * n)
    return z, x, y


@dataclass
class DataOut:
    published_asset: Asset
    draft_asset: Asset
    public_layer: Layer
    public_feature: Feature
    draft_feature: Feature
    hidden_layer: Layer
    hidden_feature: Feature
    complaint: Complaint

    @property
    def tile(self) -> tuple[int, int, int]:
        return tile_of(110.05, -0.05)

    def secrets(self) -> list[str]:
        """Strings no public response may contain."""
        return [*REPORTER.values(), *SECRET_ASSET.values(), *SECRET_FEATURE.values(),
                HIDDEN_FEATURE_NAME, HIDDEN_LAYER, "value_idr", "register_code",
                "kontak_kepala", "pengelola_hp", "reporter"]


@pytest.fixture
def data_out(region) -> DataOut:
    category = AssetCategory.objects.create(
        slug="sekolah", name="Sekolah", geometry_type="point",
        attribute_schema=[
            {"name": "murid", "label": "Jumlah murid", "type": "integer"},
            {"name": "kontak_kepala", "label": "Kontak kepala sekolah", "type": "text",
             "public": False},
        ])
    published = asset_create(
        category=category, geom=Point(110.05, -0.05, srid=4326), name="SD Negeri Terbit",
        value_idr=Decimal(SECRET_ASSET["value_idr"]), is_verified=True, is_public=True,
        attributes={"murid": 240, "kontak_kepala": SECRET_ASSET["attribute"]})
    published.register_code = SECRET_ASSET["register_code"]
    published.save()
    draft = asset_create(category=category, geom=Point(110.055, -0.05, srid=4326),
                         name=SECRET_ASSET["name"])

    public_layer = Layer.objects.create(
        slug="titik-wisata", name="Titik wisata", kind="generic", geometry_type="point",
        is_public=True,
        schema=[{"name": "nama", "type": "text", "label": "Nama", "public": True},
                {"name": "pengelola_hp", "type": "text", "label": "HP pengelola",
                 "public": False}])
    public_feature = Feature.objects.create(
        layer=public_layer, geom=Point(110.06, -0.05, srid=4326), is_public=True,
        is_verified=True,
        properties={"nama": "Pantai Uji", "pengelola_hp": SECRET_FEATURE["field"]})
    draft_feature = Feature.objects.create(
        layer=public_layer, geom=Point(110.061, -0.05, srid=4326),
        properties={"nama": SECRET_FEATURE["name"]})

    hidden_layer = Layer.objects.create(slug=HIDDEN_LAYER, name="Lapisan internal",
                                        kind="generic", geometry_type="point", is_public=False,
                                        schema=[{"name": "nama", "type": "text"}])
    hidden_feature = Feature.objects.create(
        layer=hidden_layer, geom=Point(110.065, -0.05, srid=4326), is_public=True,
        is_verified=True, properties={"nama": HIDDEN_FEATURE_NAME})

    complaint = complaint_create(
        category=ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak"),
        description="Jalan berlubang di depan sekolah.", point=Point(110.07, -0.05, srid=4326),
        reporter_name=REPORTER["name"], reporter_phone=REPORTER["phone"],
        reporter_email=REPORTER["email"])
    return DataOut(published, draft, public_layer, public_feature, draft_feature,
                   hidden_layer, hidden_feature, complaint)
