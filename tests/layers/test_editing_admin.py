"""The admin under the same wilayah rules as the editing API: a desa operator lists, changes
and deletes only their desa's features; users, roles and scopes stay manageable."""

from __future__ import annotations

import json

import pytest
from django.contrib.gis.geos import Point

from layers.models import Asset, Role, RoleAssignment
from layers.services.assets import asset_create
from tests.api.editing_support import snapshot


@pytest.fixture
def operator(region, django_user_model):
    user = django_user_model.objects.create_user("operator-admin", is_staff=True)
    RoleAssignment.objects.create(user=user, role=Role.VILLAGE_OPERATOR, area=region.desa_a1)
    return user


@pytest.fixture
def two_assets(asset_categories):
    school = asset_categories["sekolah"]
    inside = asset_create(category=school, geom=Point(110.05, -0.05, srid=4326),
                          name="SD Dalam", attributes={"murid": 10}, is_verified=True,
                          is_public=True)
    outside = asset_create(category=school, geom=Point(110.15, -0.05, srid=4326),
                           name="SD Luar", attributes={"murid": 10}, is_verified=True,
                           is_public=True)
    return inside, outside


def form_data(asset: Asset, **changes) -> dict:
    data = {"category": asset.category_id, "name": asset.name, "register_code": "",
            "geom": asset.geom.ewkt, "condition": asset.condition, "year_built": "",
            "value_idr": "", "agency": "", "attributes": json.dumps(asset.attributes),
            "recorded_by": "", "review_note": "", "is_verified": "on", "is_public": "on",
            "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0",
            "photos-MIN_NUM_FORMS": "0", "photos-MAX_NUM_FORMS": "1000"}
    data.update(changes)
    return data


def test_operator_lists_and_changes_only_their_desa(client, operator, two_assets, settings):
    inside, outside = two_assets
    client.force_login(operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the refusal is read in English
    listing = client.get("/admin/layers/asset/")
    assert listing.status_code == 200
    assert b"SD Dalam" in listing.content and b"SD Luar" not in listing.content
    before = snapshot(Asset)
    url = f"/admin/layers/asset/{outside.pk}/change/"
    assert client.get(url).status_code in (302, 403, 404)
    client.post(url, form_data(outside, name="Diubah"))
    client.post(f"/admin/layers/asset/{outside.pk}/delete/", {"post": "yes"})
    client.post("/admin/layers/asset/", {"action": "delete_selected",
                                         "_selected_action": [outside.pk], "post": "yes"})
    assert snapshot(Asset) == before

    moved = client.post(f"/admin/layers/asset/{inside.pk}/change/",
                        form_data(inside, geom=Point(110.15, -0.05, srid=4326).ewkt))
    assert moved.status_code == 200 and b"outside your wilayah" in moved.content
    assert snapshot(Asset) == before

    saved = client.post(f"/admin/layers/asset/{inside.pk}/change/",
                        form_data(inside, name="SD Dalam Baru"))
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    inside.refresh_from_db()
    assert inside.name == "SD Dalam Baru" and inside.version == 2
    # An operator's change waits for review (publication flags are not theirs to set).
    assert not inside.is_verified and not inside.is_public
    assert inside.history.first().history_user == operator


def test_region_admin_and_superuser_see_everything_and_manage_roles(admin_client, two_assets,
                                                                    region, operator):
    listing = admin_client.get("/admin/layers/asset/")
    assert b"SD Dalam" in listing.content and b"SD Luar" in listing.content
    page = admin_client.get(f"/admin/auth/user/{operator.pk}/change/")
    assert page.status_code == 200 and b"sig_roles" in page.content
