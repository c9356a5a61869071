"""Editing through the REST API (docs/editing-api.md): wilayah-scoped writes, 403 with the
database unchanged, versions (409), idempotent create, schema and geometry validation."""

from __future__ import annotations

import json
import uuid

from django.test import Client

from layers.models import Asset, Feature, LandUseZone, Layer
from tests.api.editing_support import (
    IN_A1,
    IN_A2,
    IN_B1,
    OUTSIDE,
    client_for,
    delete,
    patch,
    point,
    post,
    school,
    snapshot,
)


def test_desa_operator_creates_inside_their_desa_unverified(editors, asset_categories):
    response = post(client_for(editors.operator), "aset", school())
    assert response.status_code == 201, response.content
    feature = response.json()
    props = feature["properties"]
    assert props["area_code"] == "99.01.01.2001" and props["area_name"] == "Desa Satu"
    assert props["version"] == 1 and props["category"] == "sekolah"
    assert props["is_verified"] is False and props["is_public"] is False
    assert props["attributes"] == {"murid": 120}
    asset = Asset.objects.get(pk=feature["id"])
    assert asset.area.code == "99.01.01.2001" and asset.recorded_by == editors.operator
    assert asset.history.get().history_user == editors.operator


def test_desa_operator_cannot_create_outside_their_desa(editors, asset_categories):
    client = client_for(editors.operator)
    before = snapshot(Asset)
    for where in (IN_A2, IN_B1, OUTSIDE):
        response = post(client, "aset", school(where))
        assert response.status_code == 403, (where, response.content)
        assert response.json()["code"] == "forbidden"
        assert "wilayah" in response.json()["description"]
    assert snapshot(Asset) == before


def test_kecamatan_planner_creates_in_every_desa_of_the_kecamatan_verified(editors,
                                                                           asset_categories):
    client = client_for(editors.planner)
    for where, code in ((IN_A1, "99.01.01.2001"), (IN_A2, "99.01.01.1002")):
        response = post(client, "aset", school(where))
        assert response.status_code == 201, response.content
        props = response.json()["properties"]
        assert props["area_code"] == code
        assert props["is_verified"] is True and props["is_public"] is True
    before = snapshot(Asset)
    assert post(client, "aset", school(IN_B1)).status_code == 403
    assert snapshot(Asset) == before


def test_edit_and_delete_only_inside_the_desa(editors, asset_categories):
    planner = client_for(editors.planner)
    inside = post(planner, "aset", school(IN_A1)).json()
    outside = post(planner, "aset", school(IN_A2)).json()
    operator = client_for(editors.operator)
    before = snapshot(Asset)
    # Someone else's feature in another desa: neither changed nor deleted.
    assert patch(operator, "aset", outside["id"], {"version": 1, "properties": {
        "name": "Diubah"}}).status_code == 403
    assert delete(operator, "aset", outside["id"], 1).status_code == 403
    # Their own desa's feature, moved into another desa: refused at the new place.
    moved = patch(operator, "aset", inside["id"], {"version": 1, "geometry": point(IN_A2)})
    assert moved.status_code == 403
    assert snapshot(Asset) == before
    # Inside: changed (and, edited by a non-publisher, back to review), then deleted.
    changed = patch(operator, "aset", inside["id"], {
        "version": 1, "geometry": point((110.06, -0.06)),
        "properties": {"condition": "rusak_berat", "attributes": {"akreditasi": "B"}}})
    assert changed.status_code == 200, changed.content
    props = changed.json()["properties"]
    assert props["version"] == 2 and props["condition"] == "rusak_berat"
    assert props["attributes"] == {"murid": 120, "akreditasi": "B"}
    assert props["is_verified"] is False and props["is_public"] is False
    assert changed.json()["geometry"]["coordinates"] == [110.06, -0.06]
    assert delete(operator, "aset", inside["id"], 2).status_code == 204
    assert not Asset.objects.filter(pk=inside["id"]).exists()
    assert Asset.history.filter(id=inside["id"], history_type="-").get().history_user == \
        editors.operator


def test_stale_version_is_refused_with_both_versions(editors, asset_categories):
    client = client_for(editors.planner)
    created = post(client, "aset", school()).json()
    first = patch(client, "aset", created["id"], {"version": 1, "properties": {"name": "A"}})
    assert first.status_code == 200
    before = snapshot(Asset)
    mine = {"version": 1, "properties": {"name": "B"}, "geometry": point((110.07, -0.07))}
    stale = patch(client, "aset", created["id"], mine)
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "conflict"
    assert body["current"]["properties"]["version"] == 2
    assert body["current"]["properties"]["name"] == "A"
    assert body["yours"] == mine
    assert delete(client, "aset", created["id"], 1).status_code == 409
    assert snapshot(Asset) == before


def test_an_import_style_update_makes_an_open_edit_stale(editors, asset_categories):
    """A set-based write that does not manage the version (like an UPDATE in SQL) still bumps
    it (database trigger), so an edit opened before it is refused."""
    client = client_for(editors.planner)
    created = post(client, "aset", school()).json()
    Asset.objects.filter(pk=created["id"]).update(name="Dari impor")
    assert Asset.objects.get(pk=created["id"]).version == 2
    response = patch(client, "aset", created["id"], {"version": 1,
                                                    "properties": {"name": "Saya"}})
    assert response.status_code == 409
    assert Asset.objects.get(pk=created["id"]).name == "Dari impor"


def test_create_with_the_same_uid_twice_stores_one(editors, asset_categories):
    client = client_for(editors.field)
    uid = str(uuid.uuid4())
    first = post(client, "aset", {**school(), "uid": uid})
    again = post(client, "aset", {**school(), "uid": uid})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["properties"]["uid"] == uid
    assert Asset.objects.filter(uid=uid).count() == 1 and Asset.objects.count() == 1
    assert post(client, "aset", {**school(), "uid": "not-a-uuid"}).status_code == 400


def test_values_are_checked_against_the_schema(editors, asset_categories):
    client = client_for(editors.planner)
    before = snapshot(Asset)
    bad = school(attributes={"murid": "banyak", "akreditasi": "Z", "buka": "kemarin",
                             "tidak_ada": 1}, year_built=1500, condition="hancur")
    response = post(client, "aset", bad)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"attributes.murid", "attributes.akreditasi", "attributes.buka",
                           "attributes.tidak_ada", "year_built", "condition"}
    assert errors["attributes.murid"] == ["Enter a number."]
    assert errors["attributes.tidak_ada"] == ["Not a field of this layer."]
    missing = post(client, "aset", school(attributes={}))
    assert missing.json()["errors"] == {"attributes.murid": ["This field is required."]}
    line = {"type": "LineString", "coordinates": [[110.05, -0.05], [110.06, -0.05]]}
    wrong_kind = post(client, "aset", {**school(), "geometry": line})
    assert wrong_kind.status_code == 400
    assert "Expected a Point geometry" in wrong_kind.json()["errors"]["geometry"][0]
    no_category = post(client, "aset", {"type": "Feature", "geometry": point(IN_A1),
                                        "properties": {}})
    assert no_category.json()["errors"]["category"] == ["This field is required."]
    assert snapshot(Asset) == before
    ok = post(client, "aset", school(attributes={"murid": "1.200", "buka": "2001-07-17"}))
    assert ok.status_code == 400  # "1.200" is 1.2, not a whole number
    ok = post(client, "aset", school(attributes={"murid": "1200", "akreditasi": "A"},
                                     value_idr="1500000,50"))
    assert ok.status_code == 201, ok.content
    assert ok.json()["properties"]["attributes"] == {"murid": 1200, "akreditasi": "A"}
    assert ok.json()["properties"]["value_idr"] == 1500000.5


def test_land_use_polygon_is_repaired_with_a_notice_and_measured(editors, zone_class):
    client = client_for(editors.planner)
    bowtie = {"type": "Polygon", "coordinates": [[[110.01, -0.01], [110.03, -0.03],
                                                  [110.03, -0.01], [110.01, -0.03],
                                                  [110.01, -0.01]]]}
    response = post(client, "pola-ruang", {"type": "Feature", "geometry": bowtie,
                                           "properties": {"land_use_class": "LP2B",
                                                          "name": "Sawah"}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["notices"] and "repaired" in body["notices"][0]
    assert body["geometry"]["type"] == "MultiPolygon"
    zone = LandUseZone.objects.get(pk=body["id"])
    assert zone.geom.valid and zone.land_use_class == zone_class
    # Two triangles of 0.01° × 0.02° / 2 … about 247 ha in total near the equator.
    assert 240 < body["properties"]["area_ha"] < 250
    assert body["properties"]["area_code"] == "99.01.01.2001"
    garbage = post(client, "pola-ruang", {"type": "Feature", "geometry": {"type": "Polygon",
                                                                          "coordinates": 5},
                                          "properties": {"land_use_class": "LP2B"}})
    assert garbage.status_code == 400 and "geometry" in garbage.json()["errors"]
    far = post(client, "pola-ruang", {"type": "Feature", "geometry": point((200, 0)),
                                      "properties": {"land_use_class": "LP2B"}})
    assert far.status_code == 400


def test_generic_layer_fields_are_flat_and_typed(editors):
    layer = Layer.objects.create(slug="banjir", name="Rawan banjir", kind="generic",
                                 geometry_type="point", is_public=True,
                                 schema=[{"name": "kedalaman", "type": "number",
                                          "label": "Kedalaman (m)", "required": True},
                                         {"name": "catatan", "type": "text"}])
    client = client_for(editors.operator)
    body = {"type": "Feature", "geometry": point(IN_A1),
            "properties": {"kedalaman": "0,8", "catatan": "Genangan"}}
    response = post(client, "banjir", body)
    assert response.status_code == 201, response.content
    props = response.json()["properties"]
    assert props["kedalaman"] == 0.8 and props["catatan"] == "Genangan"
    assert props["is_verified"] is False and props["length_m"] == 0
    feature = Feature.objects.get(pk=response.json()["id"])
    assert feature.layer == layer and feature.properties == {"kedalaman": 0.8,
                                                             "catatan": "Genangan"}
    refused = post(client, "banjir", {**body, "properties": {"catatan": "x"}})
    assert refused.json()["errors"] == {"kedalaman": ["This field is required."]}
    collection = {"type": "GeometryCollection", "geometries": [point(IN_A1)]}
    assert post(client, "banjir", {**body, "geometry": collection}).status_code == 400
    # A flat field cleared with null; the others kept.
    changed = patch(client, "banjir", props["version"] and response.json()["id"],
                    {"version": 1, "properties": {"catatan": None, "kedalaman": 1}})
    assert changed.status_code == 200, changed.content
    assert Feature.objects.get(pk=response.json()["id"]).properties == {"kedalaman": 1}


def test_who_may_not_write_at_all(editors, asset_categories, region):
    before = snapshot(Asset)
    anonymous = post(Client(), "aset", school())
    assert anonymous.status_code == 403 and anonymous.json()["code"] == "forbidden"
    roleless = post(client_for(editors.warga), "aset", school())
    assert roleless.status_code == 403
    # Boundaries and complaints are not edited here.
    assert post(client_for(editors.admin), "wilayah", school()).status_code == 403
    assert post(client_for(editors.admin), "nope", school()).status_code == 404
    # The CSRF header is required with a session.
    strict = client_for(editors.admin, enforce_csrf_checks=True)
    assert post(strict, "aset", school()).status_code == 403
    assert snapshot(Asset) == before
    bad_json = client_for(editors.admin).post("/api/v1/layers/aset/features/", "{nope",
                                              content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json()["code"] == "invalid"


def test_edit_schema_describes_the_form(editors, asset_categories, zone_class):
    client = client_for(editors.field)
    schema = client.get("/api/v1/layers/aset/edit-schema/").json()
    assert schema["geometry_type"] == ""
    assert [f["name"] for f in schema["fields"]] == ["name", "register_code", "condition",
                                                     "year_built", "value_idr"]
    by_slug = {c["slug"]: c for c in schema["categories"]}
    assert by_slug["jalan"]["geometry_type"] == "line"
    murid, akreditasi, _buka = by_slug["sekolah"]["fields"]
    assert murid == {"name": "murid", "label": "Jumlah murid", "type": "integer",
                     "required": True, "choices": []}
    assert akreditasi["type"] == "choice" and akreditasi["choices"][0] == ["A", "A"]
    zones = client.get("/api/v1/layers/pola-ruang/edit-schema/").json()
    assert zones["geometry_type"] == "polygon"
    assert zones["fields"][0]["choices"] == [["LP2B", "LP2B Pertanian"]]
    assert Client().get("/api/v1/layers/aset/edit-schema/").status_code == 403


def test_reads_of_the_rest_features_are_unchanged(editors, asset_categories):
    created = post(client_for(editors.planner), "aset", school()).json()
    public = Client().get(f"/api/v1/layers/aset/features/{created['id']}/")
    assert public.status_code == 200 and json.loads(public.content)["id"] == created["id"]
    assert Client().get("/api/v1/layers/aset/features/999999/").json()["code"] == "not_found"
