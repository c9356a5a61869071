"""/api/layers/<slug>/points?f=bin, the typed arrays the map draws points from
(layers/api/points_binary.py): decoded, it says what the GeoJSON of the same layer says, and
it shows the public no more than the GeoJSON does."""

from __future__ import annotations

import json
import struct

import pytest
from django.contrib.gis.geos import LineString, MultiPoint, Point
from django.db import connection

from layers.api.geodata import points_cache
from layers.api.points_binary import MAGIC, decode_points, encode_points
from layers.models import AssetCategory
from layers.services.assets import asset_create
from tests.api.conftest import SECRET_ASSET


@pytest.fixture
def assets(region):
    school = AssetCategory.objects.create(slug="sekolah", name="Sekolah", geometry_type="point",
                                          color="#1d4ed8")
    well = AssetCategory.objects.create(slug="sumur", name="Sumur", geometry_type="point")
    road = AssetCategory.objects.create(slug="jalan", name="Jalan", geometry_type="line")
    made = [asset_create(category=school if i % 3 else well,
                         geom=Point(110.01 + i * 0.02, -0.05 - i * 0.001, srid=4326),
                         name=f"SD {i}", condition=("rusak_ringan", "baik", "rusak_berat")[i % 3],
                         year_built=2000 + i if i % 2 else None,
                         is_verified=True, is_public=True) for i in range(12)]
    made.append(asset_create(category=well, name="Sumur kembar", is_verified=True,
                             is_public=True,
                             geom=MultiPoint(Point(110.2, -0.02), Point(110.21, -0.02),
                                             srid=4326)))
    made.append(asset_create(category=road, name="Jalan Poros", is_verified=True,
                             is_public=True, geom=LineString((110.01, -0.09), (110.29, -0.01),
                                                             srid=4326)))
    made.append(asset_create(category=school, geom=Point(110.15, -0.04, srid=4326),
                             name="SD Draf"))  # not published
    return made


def binary(client, slug, **params):
    response = client.get(f"/api/layers/{slug}/points", {"f": "bin", **params})
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/vnd.sig.points"
    return response, decode_points(response.content)


def geojson(client, slug, **params):
    response = client.get(f"/api/layers/{slug}/geojson", params)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def test_binary_points_match_the_geojson_of_the_layer(client, assets):
    _, points = binary(client, "aset", properties="category,condition,name,year_built")
    features = {f["id"]: f for f in geojson(client, "aset")["features"]}
    line, draft = assets[-2], assets[-1]
    # Every published point asset, once; the line (a tile feature) and the draft are not here.
    assert sorted(points["ids"]) == sorted(i for i, f in features.items()
                                           if f["geometry"]["type"] != "LineString")
    assert line.pk not in points["ids"] and draft.pk not in points["ids"]
    assert points["count"] == 13 and points["truncated"] is False
    for i, pk in enumerate(points["ids"]):
        feature = features[pk]
        geometry = feature["geometry"]
        spots = ([geometry["coordinates"]] if geometry["type"] == "Point"
                 else geometry["coordinates"])
        # Micro-degrees: within 1e-6 of a vertex (a multipoint: of one of its points).
        assert any(abs(points["lng"][i] - x) <= 1e-6 and abs(points["lat"][i] - y) <= 1e-6
                   for x, y in spots), (pk, points["lng"][i], points["lat"][i], spots)
        for name in ("category", "condition", "name", "year_built"):
            assert points["properties"][name][i] == feature["properties"][name]
    assert None in points["properties"]["year_built"]  # null stays null, numbers numbers
    assert 2001 in points["properties"]["year_built"]


def test_binary_and_json_columns_agree(client, assets):
    _, points = binary(client, "aset", properties="category,condition")
    columns = json.loads(client.get("/api/layers/aset/points",
                                    {"properties": "category,condition"}).content)
    assert points["ids"] == columns["ids"]
    assert points["lng"] == pytest.approx(columns["x"], abs=1e-6)
    assert points["lat"] == pytest.approx(columns["y"], abs=1e-6)
    assert points["properties"] == columns["properties"]


def test_layout_is_aligned_typed_arrays(client, assets):
    response, _ = binary(client, "aset", properties="category")
    data = response.content
    assert data[:4] == MAGIC
    (length,) = struct.unpack("<I", data[4:8])
    assert length % 8 == 0
    header = json.loads(data[8:8 + length])
    assert header["format"] == "sig-points" and header["version"] == 1
    types = {c["name"]: c["type"] for c in header["columns"]}
    assert types == {"id": "int32", "x": "int32", "y": "int32", "category": "uint8"}
    for column in header["columns"]:  # each column starts at a multiple of its item size
        size = {"int32": 4, "uint8": 1}[column["type"]]
        assert column["offset"] % size == 0
    assert sorted(next(c for c in header["columns"] if c["name"] == "category")["values"]) \
        == ["sekolah", "sumur"]


def test_filters_bbox_and_limit(client, assets):
    _, schools = binary(client, "aset", category="sekolah", properties="category")
    assert set(schools["properties"]["category"]) == {"sekolah"}
    assert schools["count"] == 8
    _, west = binary(client, "aset", bbox="110.0,-0.1,110.1,0")
    assert west["count"] == 5 and all(x < 110.1 for x in west["lng"])
    _, few = binary(client, "aset", limit=4)
    assert few["count"] == 4 and few["truncated"] is True
    _, everything = binary(client, "aset")
    assert few["ids"] == sorted(everything["ids"])[:4]  # the limit keeps the lowest ids
    assert everything["properties"] == {}


def test_the_limit_keeps_the_lowest_ids_however_the_rows_lie(client, assets):
    """The query reads rows in any order (the encoder sorts them): an answer cut by the limit
    is asked again in id order. Rewriting the first assets moves them to the end of the
    table, so an unordered read would meet them last."""
    first = sorted(a.pk for a in assets[:4])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE layers_asset SET name = name || ' ' WHERE id = ANY(%s)", [first])
    _, everything = binary(client, "aset", properties="condition")
    assert everything["ids"] == sorted(everything["ids"])
    _, few = binary(client, "aset", limit=4, properties="condition")
    assert few["truncated"] is True and few["ids"] == everything["ids"][:4]
    assert few["properties"]["condition"] == everything["properties"]["condition"][:4]


def test_rows_in_any_order_give_the_same_bytes():
    def row(order):
        ids, xs, ys, kinds = (7, 3, 5), (70, 30, 50), (-7, -3, -5), ("b", None, "a")
        return (3, struct.pack(">3q", *(ids[i] for i in order)),
                struct.pack(">3i", *(xs[i] for i in order)),
                struct.pack(">3i", *(ys[i] for i in order)),
                json.dumps([kinds[i] for i in order]))

    data = encode_points(row([1, 2, 0]), limit=10, names=["kind"])  # in id order
    assert encode_points(row([0, 1, 2]), limit=10, names=["kind"]) == data
    assert decode_points(data)["ids"] == [3, 5, 7]
    header = json.loads(data[8:8 + struct.unpack("<I", data[4:8])[0]])
    assert header["columns"][3]["values"] == [None, "a", "b"]  # as they first appear by id


def test_the_public_gets_what_the_geojson_gives_it_and_no_more(client, staff_user, data_out):
    response, public = binary(client, "aset", properties="name,category")
    assert public["ids"] == [data_out.published_asset.pk]
    for secret in data_out.secrets():
        assert secret.encode() not in response.content
    # properties the layer does not offer (or the jsonb columns) are simply not sent
    _, asked = binary(client, "aset", properties="register_code,attributes,value_idr")
    assert asked["properties"] == {}
    assert client.get(f"/api/layers/{data_out.hidden_layer.slug}/points",
                      {"f": "bin"}).status_code == 404
    _, generic = binary(client, data_out.public_layer.slug)
    assert generic["ids"] == [data_out.public_feature.pk]

    client.force_login(staff_user)
    _, staff = binary(client, "aset", properties="name")
    assert sorted(staff["ids"]) == sorted([data_out.published_asset.pk,
                                           data_out.draft_asset.pk])
    assert SECRET_ASSET["name"] in staff["properties"]["name"]


def test_revalidates_by_etag(client, assets):
    response, _ = binary(client, "aset")
    again = client.get("/api/layers/aset/points", {"f": "bin"},
                       HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert response["ETag"] != client.get("/api/layers/aset/points")["ETag"]  # per format


def test_bad_input_is_a_clear_400(client, assets):
    response = client.get("/api/layers/aset/points", {"f": "bin", "bbox": "1,2,3"})
    assert response.status_code == 400
    assert "bbox" in response.json()["description"]


def test_ids_beyond_int32_travel_as_float64():
    big = 2**40 + 7
    row = (2, struct.pack(">qq", 5, big), struct.pack(">ii", 110_000_001, -1),
           struct.pack(">ii", -5_000_000, 2), json.dumps(["a", None]))
    data = encode_points(row, limit=10, names=["kind"])
    decoded = decode_points(data)
    assert decoded["ids"] == [5, big]
    assert decoded["lng"] == pytest.approx([110.000001, -0.000001])
    assert decoded["properties"] == {"kind": ["a", None]}
    header = json.loads(data[8:8 + struct.unpack("<I", data[4:8])[0]])
    assert header["columns"][0]["type"] == "float64"


def test_an_empty_answer_is_still_a_valid_answer(client, region):
    AssetCategory.objects.create(slug="sekolah", name="Sekolah", geometry_type="point")
    _, points = binary(client, "aset", properties="category")
    assert points == {"count": 0, "truncated": False, "ids": [], "lng": [], "lat": [],
                      "properties": {"category": []}}


def test_the_kept_public_answer_follows_the_data(client, assets, settings, tmp_path):
    settings.SIG_POINTS_CACHE_MB = 64  # tests keep none (tests/conftest.py)
    settings.CACHES = {**settings.CACHES, "points": {
        **settings.CACHES["points"], "LOCATION": str(tmp_path / "points")}}
    kept = points_cache()
    kept.clear()
    response, before = binary(client, "aset")
    assert kept.get(response["ETag"]) == response.content  # kept for the next visitor
    _, again = binary(client, "aset")
    assert again == before
    school = AssetCategory.objects.get(slug="sekolah")
    new = asset_create(category=school, geom=Point(110.3, -0.05, srid=4326), name="SD Baru",
                       is_verified=True, is_public=True)
    _, after = binary(client, "aset")  # a write bumps data_version, so the ETag, so the key
    assert new.pk in after["ids"] and after["count"] == before["count"] + 1
