"""The REST API v1, its OpenAPI document and the documentation pages."""

from __future__ import annotations

import json

from django.core.management import call_command


def collection(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(b"".join(response.streaming_content))


def test_layer_list_and_detail(client, data_out):
    slugs = [x["slug"] for x in client.get("/api/v1/layers/").json()]
    assert slugs == ["wilayah", "aset", "pola-ruang", "pengaduan", "titik-wisata"]
    layer = client.get("/api/v1/layers/aset/").json()
    assert layer["kind"] == "assets"
    assert "register_code" not in layer["properties"]
    assert layer["filters"] == ["area", "category", "condition"]
    assert layer["links"]["features"] == "http://testserver/api/v1/layers/aset/features/"
    assert layer["links"]["tiles"] == "http://testserver/tiles/aset/{z}/{x}/{y}.pbf"
    assert layer["links"]["ogc_items"] == "http://testserver/ogc/collections/aset/items"


def test_staff_see_the_staff_only_properties(client, staff_user, data_out):
    client.force_login(staff_user)
    assert "register_code" in client.get("/api/v1/layers/aset/").json()["properties"]
    schema = client.get("/api/v1/layers/titik-wisata/").json()["schema"]
    assert [f["name"] for f in schema] == ["nama", "pengelola_hp"]


def test_features_paged_in_a_bbox_and_filtered(client, data_out):
    data = collection(client, "/api/v1/layers/wilayah/features/?limit=2&level=4")
    assert (data["numberMatched"], data["numberReturned"]) == (3, 2)
    next_url = next(link["href"] for link in data["links"] if link["rel"] == "next")
    rest = collection(client, next_url.removeprefix("http://testserver"))
    assert rest["numberReturned"] == 1
    codes = {f["properties"]["code"] for f in data["features"] + rest["features"]}
    assert codes == {"99.01.01.2001", "99.01.01.1002", "99.01.02.2001"}
    near = collection(client, "/api/v1/layers/wilayah/features/?level=4"
                              "&bbox=110.21,-0.09,110.29,-0.01")
    assert [f["properties"]["code"] for f in near["features"]] == ["99.01.02.2001"]


def test_one_feature(client, data_out):
    response = client.get(f"/api/v1/layers/aset/features/{data_out.published_asset.pk}/")
    assert response["Content-Type"] == "application/geo+json"
    assert response.json()["properties"]["name"] == "SD Negeri Terbit"
    missing = client.get("/api/v1/layers/aset/features/123456789/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad = client.get("/api/v1/layers/aset/features/?limit=x")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_request"


def test_the_catalogue_is_read_only_and_features_need_an_editing_role(client, staff_user,
                                                                       data_out):
    client.force_login(staff_user)
    assert client.post("/api/v1/layers/", {"slug": "baru"}).status_code == 405
    assert client.delete("/api/v1/layers/aset/").status_code == 405
    # Feature writes are the editing API's (tests/api/test_editing*.py): staff with no SIG
    # role may not write.
    response = client.post("/api/v1/layers/aset/features/", "{}",
                           content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_openapi_document_validates_without_warnings(tmp_path, db):
    # The same check as `manage.py spectacular --validate --fail-on-warn`.
    call_command("spectacular", "--validate", "--fail-on-warn",
                 "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/layers/{slug}/features/" in text and "/ogc/collections" in text


def test_schema_and_docs_are_served_from_local_files(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["info"]["title"] == "SIG API"
    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html, page
        assert "cdn" not in html.lower(), page
