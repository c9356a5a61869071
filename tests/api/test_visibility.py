"""Layer, feature and field visibility on every data-out path — the map's GeoJSON, vector
tiles, OGC API items and the REST API — decided on the server, from one FeatureSource."""

from __future__ import annotations

import json

import mapbox_vector_tile
import pytest

from tests.api.conftest import HIDDEN_LAYER, REPORTER, SECRET_ASSET, SECRET_FEATURE

SLUGS = ["aset", "titik-wisata", "pengaduan"]


def public_paths(data_out) -> list[str]:
    """Every public read of the three visible layers, JSON and HTML."""
    z, x, y = data_out.tile
    paths = []
    for slug in SLUGS:
        paths += [f"/api/layers/{slug}/geojson", f"/tiles/{slug}/{z}/{x}/{y}.pbf",
                  f"/tiles/{slug}.json", f"/ogc/collections/{slug}/items",
                  f"/ogc/collections/{slug}/items?f=html", f"/ogc/collections/{slug}",
                  f"/api/v1/layers/{slug}/features/", f"/api/v1/layers/{slug}/"]
    return [*paths, "/ogc/collections", "/ogc/collections?f=html", "/api/v1/layers/",
            "/api/layers/", f"/ogc/collections/pengaduan/items/{data_out.complaint.pk}",
            f"/api/v1/layers/pengaduan/features/{data_out.complaint.pk}/",
            f"/ogc/collections/aset/items/{data_out.published_asset.pk}?f=html"]


def tile_layer(client, slug: str, tile: tuple[int, int, int]) -> list[dict]:
    z, x, y = tile
    response = client.get(f"/tiles/{slug}/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    return mapbox_vector_tile.decode(response.content).get(slug, {}).get("features", [])


def items(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, path
    return json.loads(b"".join(response.streaming_content) if response.streaming
                      else response.content)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def feature_paths(slug: str) -> list[str]:
    return [f"/api/layers/{slug}/geojson", f"/ogc/collections/{slug}/items",
            f"/api/v1/layers/{slug}/features/"]


def test_no_public_response_carries_a_secret(client, data_out):
    for path in public_paths(data_out):
        response = client.get(path)
        assert response.status_code == 200, path
        raw = body(response)
        for secret in data_out.secrets():
            assert secret.encode() not in raw, f"{secret!r} leaked through {path}"


def test_the_public_sees_published_features_only(client, data_out):
    for path in feature_paths("aset"):
        assert [f["properties"]["name"] for f in items(client, path)["features"]] == \
            ["SD Negeri Terbit"], path
    for path in feature_paths("titik-wisata"):
        assert [f["properties"]["properties"] for f in items(client, path)["features"]] == \
            [{"nama": "Pantai Uji"}], path
    names = [f["properties"]["name"] for f in tile_layer(client, "aset", data_out.tile)]
    assert names == ["SD Negeri Terbit"]


def test_an_unpublished_feature_is_not_found_by_id(client, data_out):
    for path in (f"/ogc/collections/aset/items/{data_out.draft_asset.pk}",
                 f"/api/v1/layers/aset/features/{data_out.draft_asset.pk}/",
                 f"/ogc/collections/titik-wisata/items/{data_out.draft_feature.pk}",
                 f"/api/v1/layers/titik-wisata/features/{data_out.draft_feature.pk}/",
                 # A feature of another layer is not this layer's feature.
                 f"/ogc/collections/titik-wisata/items/{data_out.hidden_feature.pk}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_non_public_fields_are_left_out_of_every_path(client, data_out):
    staff_only = {"register_code", "value_idr", "is_verified", "is_public", "version"}
    for path in feature_paths("aset"):
        (feature,) = items(client, path)["features"]
        assert not staff_only & set(feature["properties"]), path
        assert feature["properties"]["attributes"] == {"murid": 240}, path
    (tile_feature,) = tile_layer(client, "aset", data_out.tile)
    assert not staff_only & set(tile_feature["properties"])
    assert "kontak_kepala" not in tile_feature["properties"]
    (wisata,) = tile_layer(client, "titik-wisata", data_out.tile)
    assert wisata["properties"].get("nama") == "Pantai Uji"
    assert "pengelola_hp" not in wisata["properties"]
    detail = client.get("/api/v1/layers/titik-wisata/").json()
    assert [f["name"] for f in detail["schema"]] == ["nama"]


def test_the_reporter_never_leaves_even_to_staff(client, staff_user, data_out):
    for viewer in ("public", "staff"):
        if viewer == "staff":
            client.force_login(staff_user)
        paths = [*feature_paths("pengaduan"),
                 f"/ogc/collections/pengaduan/items/{data_out.complaint.pk}",
                 f"/api/v1/layers/pengaduan/features/{data_out.complaint.pk}/",
                 "/tiles/pengaduan/{}/{}/{}.pbf".format(*data_out.tile)]
        for path in paths:
            raw = body(client.get(path))
            assert b"Jalan berlubang" in raw, path  # the complaint itself is there
            for value in REPORTER.values():
                assert value.encode() not in raw, f"{value} leaked to {viewer} via {path}"


@pytest.mark.parametrize("path", [
    f"/api/layers/{HIDDEN_LAYER}/geojson", f"/tiles/{HIDDEN_LAYER}.json",
    f"/tiles/{HIDDEN_LAYER}/12/3300/2048.pbf", f"/ogc/collections/{HIDDEN_LAYER}",
    f"/ogc/collections/{HIDDEN_LAYER}/items", f"/ogc/collections/{HIDDEN_LAYER}/items/1",
    f"/api/v1/layers/{HIDDEN_LAYER}/", f"/api/v1/layers/{HIDDEN_LAYER}/features/",
    f"/api/v1/layers/{HIDDEN_LAYER}/features/1/",
])
def test_a_non_public_layer_is_404_everywhere_for_the_public(client, data_out, path):
    assert client.get(path).status_code == 404


def test_a_non_public_layer_is_in_no_public_list(client, data_out):
    assert HIDDEN_LAYER not in [c["id"] for c in client.get("/ogc/collections").json()
                                ["collections"]]
    assert HIDDEN_LAYER not in [x["slug"] for x in client.get("/api/v1/layers/").json()]
    assert HIDDEN_LAYER not in [x["slug"] for x in client.get("/api/layers/").json()["layers"]]


def test_staff_see_unpublished_features_and_non_public_layers(client, staff_user, data_out):
    client.force_login(staff_user)
    for path in feature_paths("aset"):
        names = sorted(f["properties"]["name"] for f in items(client, path)["features"])
        assert names == sorted(["SD Negeri Terbit", SECRET_ASSET["name"]]), path
        published = next(f for f in items(client, path)["features"]
                         if f["id"] == data_out.published_asset.pk)
        assert published["properties"]["register_code"] == SECRET_ASSET["register_code"]
    assert len(tile_layer(client, "aset", data_out.tile)) == 2
    for path in feature_paths("titik-wisata"):
        assert len(items(client, path)["features"]) == 2, path
    staff_props = items(client, f"/ogc/collections/titik-wisata/items/{data_out.public_feature.pk}")
    assert staff_props["properties"]["properties"]["pengelola_hp"] == SECRET_FEATURE["field"]

    assert HIDDEN_LAYER in [c["id"] for c in client.get("/ogc/collections").json()
                            ["collections"]]
    assert HIDDEN_LAYER in [x["slug"] for x in client.get("/api/v1/layers/").json()]
    for path in [*feature_paths(HIDDEN_LAYER), f"/tiles/{HIDDEN_LAYER}.json",
                 f"/ogc/collections/{HIDDEN_LAYER}",
                 f"/ogc/collections/{HIDDEN_LAYER}/items/{data_out.hidden_feature.pk}",
                 f"/api/v1/layers/{HIDDEN_LAYER}/"]:
        assert client.get(path).status_code == 200, path
    assert len(tile_layer(client, HIDDEN_LAYER, data_out.tile)) == 1


def test_an_edit_changes_the_tile_etag(client, data_out):
    z, x, y = data_out.tile
    path = f"/tiles/aset/{z}/{x}/{y}.pbf"
    first = client.get(path)
    old = first["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=old).status_code == 304

    asset = data_out.published_asset
    asset.name = "SD Negeri Terbit (direnovasi)"
    asset.save()

    second = client.get(path)
    assert second.status_code == 200
    new = second["ETag"]
    assert new != old
    assert [f["properties"]["name"] for f in mapbox_vector_tile.decode(second.content)
            ["aset"]["features"]] == ["SD Negeri Terbit (direnovasi)"]
    assert client.get(path, HTTP_IF_NONE_MATCH=old).status_code == 200
    assert client.get(path, HTTP_IF_NONE_MATCH=new).status_code == 304
