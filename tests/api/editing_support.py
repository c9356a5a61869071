"""Fixtures and helpers for the editing API tests: the shared `region` (desa_a1 110.0–110.1°E,
kel_a2 110.1–110.2°E, desa_b1 110.2–110.3°E, all 0.1°S–0°), asset categories with attribute
schemas, and one user per role, each scoped to a wilayah. Its fixtures are loaded for every
test (tests/conftest.py names this module in pytest_plugins)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client

from layers.models import AssetCategory, LandUseClass, LandUseClassification, Role, RoleAssignment

IN_A1 = (110.05, -0.05)  # Desa Satu (99.01.01.2001)
IN_A2 = (110.15, -0.05)  # Kelurahan Dua (99.01.01.1002), same kecamatan
IN_B1 = (110.25, -0.05)  # Desa Tiga (99.01.02.2001), the other kecamatan
OUTSIDE = (111.5, -0.05)  # outside every desa


@dataclass
class Editors:
    operator: object  # desa operator of Desa Satu
    field: object  # field officer of Desa Satu
    planner: object  # planner of Kecamatan A
    admin: object  # administrator of the whole region
    warga: object  # a logged-in user with no role


@pytest.fixture
def asset_categories(db) -> dict[str, AssetCategory]:
    school = AssetCategory.objects.create(
        slug="sekolah", name="Sekolah", geometry_type="point",
        attribute_schema=[
            {"name": "murid", "label": "Jumlah murid", "type": "integer", "required": True},
            {"name": "akreditasi", "label": "Akreditasi", "type": "choice",
             "choices": [["A", "A"], ["B", "B"], ["C", "C"]]},
            {"name": "buka", "label": "Tanggal buka", "type": "date"},
        ])
    road = AssetCategory.objects.create(slug="jalan", name="Jalan", geometry_type="line")
    return {"sekolah": school, "jalan": road}


@pytest.fixture
def zone_class(db) -> LandUseClass:
    scheme = LandUseClassification.objects.create(slug="rtrw", name="RTRW", kind="planned")
    return LandUseClass.objects.create(classification=scheme, code="LP2B", name="Pertanian")


@pytest.fixture
def editors(region, django_user_model) -> Editors:
    def make(name: str, role: str | None, area) -> object:
        user = django_user_model.objects.create_user(name)  # no password: no slow hashing
        if role:
            RoleAssignment.objects.create(user=user, role=role, area=area)
        return user

    return Editors(
        operator=make("operator", Role.VILLAGE_OPERATOR, region.desa_a1),
        field=make("lapangan", Role.FIELD_OFFICER, region.desa_a1),
        planner=make("perencana-a", Role.PLANNER, region.district_a),
        admin=make("admin-sig", Role.ADMIN, None),
        warga=make("warga", None, None),
    )


def client_for(user, **defaults) -> Client:
    """A client logged in as `user` that chose English (the messages' source language; SIG
    speaks Indonesian unless the language cookie says otherwise)."""
    client = Client(**defaults)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def point(lon_lat: tuple[float, float]) -> dict:
    return {"type": "Point", "coordinates": list(lon_lat)}


def school(lon_lat=IN_A1, **props) -> dict:
    return {"type": "Feature", "geometry": point(lon_lat),
            "properties": {"category": "sekolah", "name": "SD Uji",
                           "attributes": {"murid": 120}, **props}}


def post(client: Client, slug: str, body: dict):
    return client.post(f"/api/v1/layers/{slug}/features/", json.dumps(body),
                       content_type="application/json")


def patch(client: Client, slug: str, fid: int, body: dict):
    return client.patch(f"/api/v1/layers/{slug}/features/{fid}/", json.dumps(body),
                        content_type="application/json")


def delete(client: Client, slug: str, fid: int, version: int):
    return client.delete(f"/api/v1/layers/{slug}/features/{fid}/?version={version}")


def snapshot(model) -> list[tuple]:
    """Every row of a feature table as comparable values: a refused write changes none."""
    return [tuple(str(v) for v in row) for row in model.objects.order_by("pk").values_list()]
