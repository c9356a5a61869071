"""The public never sees an unverified feature, on any data-out path (REST, the map's GeoJSON
and points, vector tiles, OGC API items); once a planner verifies it, it is there; sent back,
it is gone again."""

from __future__ import annotations

import json

import mapbox_vector_tile
from django.test import Client

from tests.api.conftest import tile_of
from tests.api.editing_support import (
    IN_A1,
    client_for,
    post,
    school,
)


def _json(response) -> dict:
    assert response.status_code == 200
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(raw)


def public_ids(client: Client) -> dict[str, set[int]]:
    """The asset ids each public path hands out around IN_A1."""
    z, x, y = tile_of(*IN_A1)
    tile = client.get(f"/tiles/aset/{z}/{x}/{y}.pbf")
    assert tile.status_code == 200
    layer = mapbox_vector_tile.decode(tile.content).get("aset", {"features": []})
    return {
        "rest": {f["id"] for f in _json(client.get("/api/v1/layers/aset/features/"))[
            "features"]},
        "geojson": {f["id"] for f in _json(client.get("/api/layers/aset/geojson"))["features"]},
        "points": set(_json(client.get("/api/layers/aset/points"))["ids"]),
        "ogc": {f["id"] for f in _json(client.get("/ogc/collections/aset/items"))["features"]},
        "tiles": {f["id"] for f in layer["features"]},
    }


def by_id_status(client: Client, fid: int) -> set[int]:
    return {client.get(f"/api/v1/layers/aset/features/{fid}/").status_code,
            client.get(f"/ogc/collections/aset/items/{fid}").status_code}


def test_unverified_features_never_reach_the_public(editors, asset_categories):
    public = Client()
    field = post(client_for(editors.field), "aset", school(name="Usulan lapangan")).json()
    planner = client_for(editors.planner)
    own = post(planner, "aset", school((110.051, -0.051), name="Milik perencana")).json()
    fid = field["id"]
    for path, ids in public_ids(public).items():
        assert ids == {own["id"]}, path
    assert by_id_status(public, fid) == {404}
    # Staff see it (to review it) on the same paths.
    assert fid in public_ids(planner)["geojson"]

    url = f"/api/v1/layers/aset/features/{fid}/"
    verified = planner.post(url + "verify/", json.dumps({"version": 1}),
                            content_type="application/json")
    assert verified.status_code == 200
    for path, ids in public_ids(Client()).items():
        assert ids == {own["id"], fid}, path
    assert by_id_status(Client(), fid) == {200}

    back = planner.post(url + "send-back/", json.dumps({"version": 2, "note": "Salah lokasi"}),
                        content_type="application/json")
    assert back.status_code == 200
    for path, ids in public_ids(Client()).items():
        assert ids == {own["id"]}, path


def test_verified_but_not_public_stays_hidden(editors, asset_categories):
    planner = client_for(editors.planner)
    fid = post(client_for(editors.operator), "aset", school()).json()["id"]
    planner.post(f"/api/v1/layers/aset/features/{fid}/verify/",
                 json.dumps({"version": 1, "public": False}), content_type="application/json")
    for path, ids in public_ids(Client()).items():
        assert fid not in ids, path
