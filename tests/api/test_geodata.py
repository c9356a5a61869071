"""GeoJSON by bounding box and vector tiles: shape, limits, filters, caching."""

import json

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import LineString, Point

from layers.models import AssetCategory
from layers.services.assets import asset_create


@pytest.fixture
def assets(region):
    school = AssetCategory.objects.create(slug="sekolah", name="Sekolah", geometry_type="point",
                                          color="#1d4ed8")
    road = AssetCategory.objects.create(slug="jalan", name="Jalan", geometry_type="line")
    made = [asset_create(category=school, geom=Point(110.01 + i * 0.02, -0.05, srid=4326),
                         name=f"SD {i}", condition="baik" if i % 2 else "rusak_berat",
                         is_verified=True, is_public=True) for i in range(10)]
    made.append(asset_create(category=road, name="Jalan Poros", is_verified=True,
                             is_public=True, geom=LineString((110.01, -0.09), (110.29, -0.01),
                                                             srid=4326)))
    return made


def get_json(client, url, **params):
    response = client.get(url, params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, json.loads(body)


def test_geojson_is_a_feature_collection_of_the_bbox(client, assets):
    response, data = get_json(client, "/api/layers/aset/geojson", bbox="110.0,-0.1,110.1,0")
    assert response["Content-Type"] == "application/geo+json"
    assert data["type"] == "FeatureCollection" and data["truncated"] is False
    names = {f["properties"]["name"] for f in data["features"]}
    assert names == {"SD 0", "SD 1", "SD 2", "SD 3", "SD 4", "Jalan Poros"}
    school = next(f for f in data["features"] if f["properties"]["name"] == "SD 0")
    assert school["geometry"] == {"type": "Point", "coordinates": [110.01, -0.05]}
    assert school["properties"]["desa_code"] == "99.01.01.2001"
    assert school["properties"]["category"] == "sekolah"


def test_limit_sets_truncated_and_filters_apply(client, assets):
    _, data = get_json(client, "/api/layers/aset/geojson", limit=3)
    assert len(data["features"]) == 3 and data["truncated"] is True
    _, data = get_json(client, "/api/layers/aset/geojson", category="sekolah",
                       condition="rusak_berat")
    assert len(data["features"]) == 5
    _, data = get_json(client, "/api/layers/aset/geojson", area="99.01.01")
    assert {f["properties"]["desa_code"] for f in data["features"]} == {"99.01.01.2001",
                                                                       "99.01.01.1002"}
    _, data = get_json(client, "/api/layers/aset/geojson", area="99.01.02")
    assert data["features"] == []


def test_low_zoom_simplifies_lines(client, region):
    road = AssetCategory.objects.create(slug="jalan", name="Jalan", geometry_type="line")
    wiggly = LineString([(110.01 + i * 0.001, -0.05 + (i % 2) * 0.0001) for i in range(200)],
                        srid=4326)
    asset_create(category=road, geom=wiggly, is_verified=True, is_public=True)
    _, near = get_json(client, "/api/layers/aset/geojson", zoom=18)
    _, far = get_json(client, "/api/layers/aset/geojson", zoom=8)
    assert len(near["features"][0]["geometry"]["coordinates"]) == 200
    assert len(far["features"][0]["geometry"]["coordinates"]) < 10


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "110,0,100,1", "0,-100,1,1"])
def test_a_bad_bbox_is_a_400_with_a_message(client, db, bbox):
    response = client.get("/api/layers/aset/geojson", {"bbox": bbox})
    assert response.status_code == 400
    assert response.json()["description"]


def test_unknown_layer_is_404(client, db):
    assert client.get("/api/layers/tidak-ada/geojson").status_code == 404
    assert client.get("/tiles/tidak-ada/0/0/0.pbf").status_code == 404


def test_tiles_carry_features_and_revalidate_by_etag(client, assets):
    # z10 tile over 110.0–110.35°E, 0–0.35°S holds the test region.
    url = "/tiles/aset/10/824/512.pbf"
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert len(first.content) > 50 and b"sekolah" in first.content
    assert first["Cache-Control"].startswith("public")
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assets[0].name = "SD Baru"
    assets[0].save()
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


def test_a_tile_keeps_the_categories_asked_for(client, assets):
    """Tiles write the category filter with the categories' ids (features.CATEGORY_BY_ID):
    the same features as the slugs name, none for a slug that names no category."""
    url = "/tiles/aset/10/824/512.pbf"  # 109.69–110.04°E: the road and the first schools

    def ids(**params):
        data = mapbox_vector_tile.decode(client.get(url, params).content)
        return sorted(f["id"] for f in data.get("aset", {"features": []})["features"])

    road, schools = [assets[10].pk], ids(category="sekolah")
    assert schools and set(schools) <= {a.pk for a in assets[:10]}
    assert ids(category="jalan") == road
    assert ids(category="jalan,sekolah") == ids() == sorted(schools + road)
    assert ids(category="jalan,tidak-ada") == road
    assert ids(category="tidak-ada") == []
    baik = {a.pk for a in assets if a.condition == "baik"}
    assert ids(category="sekolah", condition="baik") == [i for i in schools if i in baik]


def test_tile_coordinates_out_of_range_are_refused(client, db):
    assert client.get("/tiles/aset/3/8/0.pbf").status_code == 400


def test_catalogue_and_tilejson_use_one_slug(client, assets):
    layers = client.get("/api/layers/").json()["layers"]
    aset = next(item for item in layers if item["slug"] == "aset")
    assert aset["tiles_url"].endswith("/tiles/aset/{z}/{x}/{y}.pbf")
    assert {e["value"] for e in aset["legend"]} >= {"sekolah", "jalan"}
    tj = client.get(aset["tilejson_url"]).json()
    assert tj["tiles"] == [aset["tiles_url"]]
    assert tj["bounds"] == pytest.approx([110.01, -0.09, 110.29, -0.01])
    assert tj["vector_layers"][0]["id"] == "aset"


def test_a_category_with_nothing_the_viewer_may_see_is_marked_empty(client, assets,
                                                                    django_user_model):
    river = AssetCategory.objects.create(slug="sungai", name="Sungai", geometry_type="line")
    asset_create(category=river, name="Sungai Kecil (belum diverifikasi)",
                 geom=LineString((110.02, -0.08), (110.05, -0.02), srid=4326))

    def empties(c) -> dict[str, bool]:
        layers = c.get("/api/layers/").json()["layers"]
        aset = next(item for item in layers if item["slug"] == "aset")
        return {e["value"]: e["empty"] for e in aset["legend"]}

    # The public map asks no tiles for the river: its only asset is not published.
    assert empties(client) == {"sekolah": False, "jalan": False, "sungai": True}
    client.force_login(django_user_model.objects.create_user("staf", is_staff=True))
    assert empties(client)["sungai"] is False



def test_tiled_layers_carry_the_extent_their_tiles_can_hold(client, assets, django_user_model,
                                                             settings):
    """The map asks for no tile outside `tile_bounds`: for the assets, the extent of the line
    and polygon categories this viewer may see (the points come as one answer, not tiles)."""
    # Kept by data version (here in memory, not in SIG_CACHE_DIR): a write moves the key on.
    settings.SIG_EXTENTS_CACHE = True
    settings.CACHES = {**settings.CACHES, "extents": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-extents"}}
    river = AssetCategory.objects.create(slug="sungai", name="Sungai", geometry_type="line")
    hidden = asset_create(category=river, name="Sungai (belum diverifikasi)",
                          geom=LineString((110.3, -0.2), (110.4, -0.3), srid=4326))

    def entries(c) -> dict[str, dict]:
        return {e["slug"]: e for e in c.get("/api/layers/").json()["layers"]}

    public = entries(client)
    assert public["aset"]["tile_bounds"] == pytest.approx([110.01, -0.09, 110.29, -0.01])
    assert public["wilayah"]["tile_bounds"] == pytest.approx([110.0, -0.1, 110.3, 0.0])
    assert "tile_bounds" not in public["pengaduan"]  # points only: no tiles
    hidden.is_verified = hidden.is_public = True
    hidden.save()
    assert entries(client)["aset"]["tile_bounds"] == pytest.approx([110.01, -0.3, 110.4, -0.01])
    hidden.delete()
    assert entries(client)["aset"]["tile_bounds"] == pytest.approx([110.01, -0.09, 110.29, -0.01])
    client.force_login(django_user_model.objects.create_user("staf", is_staff=True))
    asset_create(category=river, name="Sungai Baru", geom=LineString((110.3, -0.2), (110.5, -0.4),
                                                                     srid=4326))
    assert entries(client)["aset"]["tile_bounds"] == pytest.approx([110.01, -0.4, 110.5, -0.01])

def test_wilayah_search_by_code_and_name(client, region):
    by_code = client.get("/api/wilayah/", {"q": "99.01.02"}).json()["results"]
    assert [r["code"] for r in by_code] == ["99.01.02", "99.01.02.2001"]
    by_name = client.get("/api/wilayah/", {"q": "tiga"}).json()["results"]
    assert by_name[0]["code"] == "99.01.02.2001"
    assert by_name[0]["bbox"] == pytest.approx([110.2, -0.1, 110.3, 0.0])
