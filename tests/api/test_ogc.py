"""OGC API – Features (Part 1 Core) as GDAL reads it, and the shape of its documents."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from django.contrib.gis.geos import Point

from layers.api.ogc import CONFORMANCE
from layers.models import Feature

OGRINFO = shutil.which("ogrinfo")


def ogrinfo(*args: str) -> str:
    env = {**os.environ, "NO_PROXY": "*", "no_proxy": "*", "GDAL_HTTP_TIMEOUT": "60",
           "CPL_DEBUG": "OFF"}
    for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(proxy, None)
    done = subprocess.run([OGRINFO, "-ro", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def more_wisata(layer, n: int) -> None:
    Feature.objects.bulk_create(
        Feature(layer=layer, geom=Point(110.01 + i * 0.001, -0.02, srid=4326), is_public=True,
                is_verified=True, properties={"nama": f"Wisata {i}"}) for i in range(n))


@pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is not installed")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gdal_lists_the_collections_and_reads_features(live_server, data_out):
    more_wisata(data_out.public_layer, 11)  # 12 public: more than GDAL's page of 10
    url = f"OAPIF:{live_server.url}/ogc/"

    listing = ogrinfo("-so", url)
    names = re.findall(r"^\d+: (\S+)", listing, re.M)
    assert names == ["wilayah", "aset", "pola-ruang", "pengaduan", "titik-wisata"]

    summary = ogrinfo("-so", "-al", url, "aset")
    assert "Feature Count: 1" in summary
    assert "register_code" not in summary and "value_idr" not in summary

    summary = ogrinfo("-so", "-al", url, "titik-wisata")
    assert "Feature Count: 12" in summary

    # Reading every feature follows the `next` links page by page.
    features = ogrinfo("-al", "-q", url, "titik-wisata")
    assert len(re.findall(r"^OGRFeature\(titik-wisata\)", features, re.M)) == 12
    assert "Pantai Uji" in features and "Wisata Draf" not in features

    one = ogrinfo("-al", "-q", "-fid", str(data_out.published_asset.pk), url, "aset")
    assert "SD Negeri Terbit" in one


QGIS_SCRIPT = """
import sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
for name in sys.argv[2:]:
    layer = QgsVectorLayer(f"url='{sys.argv[1]}' typename='{name}'", name, "OAPIF")
    names = [f["properties"] if "properties" in layer.fields().names() else f["name"]
             for f in layer.getFeatures()] if layer.isValid() else []
    print(name, layer.isValid(), len(names), sorted(map(str, names)))
app.exitQgis()
"""


def qgis_python() -> str:
    """Debian's python3 with QGIS's bindings (python3-qgis), or skip."""
    python = "/usr/bin/python3"
    ok = shutil.which(python) and subprocess.run(
        [python, "-c", "import qgis.core"], capture_output=True, check=False).returncode == 0
    if not ok:
        pytest.skip("QGIS's Python bindings (Debian python3-qgis) are not installed")
    return python


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_qgis_adds_the_collections_as_layers(live_server, data_out):
    python = qgis_python()
    more_wisata(data_out.public_layer, 11)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NO_PROXY": "*", "no_proxy": "*"}
    done = subprocess.run([python, "-c", QGIS_SCRIPT, f"{live_server.url}/ogc/", "aset",
                           "titik-wisata"], capture_output=True, text=True, env=env,
                          timeout=180, check=False)
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert lines["aset"] == "True 1 ['SD Negeri Terbit']", done.stderr
    assert lines["titik-wisata"].startswith("True 12 "), done.stderr
    assert "Wisata Draf" not in done.stdout and "0813" not in done.stdout


def test_landing_page_links(client, db):
    data = client.get("/ogc/").json()
    rels = {link["rel"]: link for link in data["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= \
        set(rels)
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert rels["data"]["href"].endswith("/ogc/collections?f=json")

    api = client.get("/ogc/api")
    assert api["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = json.loads(api.content)
    assert document["openapi"].startswith("3.0")
    assert "/ogc/collections/{collectionId}/items" in document["paths"]
    # QGIS reads the largest page it may ask for here.
    assert document["components"]["parameters"]["limit"]["schema"]["maximum"] == 10000


def test_conformance(client, db):
    assert client.get("/ogc/conformance").json()["conformsTo"] == CONFORMANCE


def test_json_or_html_by_f_or_accept(client, db):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/ogc/collections", HTTP_ACCEPT=browser)["Content-Type"].startswith(
        "text/html")
    assert client.get("/ogc/collections", HTTP_ACCEPT="application/json")[
        "Content-Type"] == "application/json"
    assert client.get("/ogc/collections")["Content-Type"] == "application/json"
    assert client.get("/ogc/collections?f=json", HTTP_ACCEPT=browser)[
        "Content-Type"] == "application/json"
    html = client.get("/ogc/collections?f=html").content.decode()
    assert 'lang="id"' in html and 'data-collection="aset"' in html


def test_collection_extent_and_links(client, data_out):
    data = client.get("/ogc/collections/aset").json()
    assert data["id"] == "aset"
    # The public extent is of what the public sees: the published asset alone.
    assert data["extent"]["spatial"]["bbox"] == [[110.05, -0.05, 110.05, -0.05]]
    assert data["extent"]["spatial"]["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    hrefs = [link["href"] for link in data["links"]]
    for end in ("/ogc/collections/aset/items", "/tiles/aset.json",
                "/tiles/aset/{z}/{x}/{y}.pbf", "/api/layers/aset/geojson",
                "/api/v1/layers/aset/"):
        assert any(h.endswith(end) for h in hrefs), end


def page(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(b"".join(response.streaming_content))


def test_items_are_paged_with_next_and_prev_links(client, data_out):
    more_wisata(data_out.public_layer, 4)  # 5 public features
    first = page(client, "/ogc/collections/titik-wisata/items?limit=2")
    assert (first["numberMatched"], first["numberReturned"]) == (5, 2)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", first["timeStamp"])
    links = {link["rel"]: link["href"] for link in first["links"]}
    assert "prev" not in links
    second = page(client, links["next"].removeprefix("http://testserver"))
    assert second["numberReturned"] == 2
    assert {f["id"] for f in first["features"]}.isdisjoint(f["id"] for f in second["features"])
    links = {link["rel"]: link["href"] for link in second["links"]}
    assert "offset=4" in links["next"] and "prev" in links
    last = page(client, links["next"].removeprefix("http://testserver"))
    assert last["numberReturned"] == 1
    assert "next" not in {link["rel"] for link in last["links"]}


def test_items_in_a_bbox(client, data_out):
    more_wisata(data_out.public_layer, 3)  # at 110.01–110.012, -0.02
    near = page(client, "/ogc/collections/titik-wisata/items?bbox=110.055,-0.06,110.07,-0.04")
    assert [f["properties"]["properties"]["nama"] for f in near["features"]] == ["Pantai Uji"]
    assert near["numberMatched"] == 1
    assert page(client, "/ogc/collections/titik-wisata/items")["numberMatched"] == 4


def test_a_too_large_limit_is_served_as_the_maximum(client, data_out):
    data = page(client, "/ogc/collections/aset/items?limit=50000")
    assert data["numberReturned"] == 1
    (self_link,) = [link["href"] for link in data["links"] if link["rel"] == "self"]
    assert "limit=10000" in self_link


def test_one_item(client, data_out):
    response = client.get(f"/ogc/collections/aset/items/{data_out.published_asset.pk}")
    assert response["Content-Type"] == "application/geo+json"
    feature = response.json()
    assert feature["id"] == data_out.published_asset.pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [110.05, -0.05]}
    assert {link["rel"] for link in feature["links"]} == {"self", "alternate", "collection"}


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/ogc/collections/tidak-ada", 404, "not_found"),
    ("/ogc/collections/tidak-ada/items", 404, "not_found"),
    ("/ogc/collections/aset/items/999999999", 404, "not_found"),
    ("/ogc/collections/aset/items/bukan-angka", 404, "not_found"),
    ("/ogc/collections/aset/items/99999999999999999999999", 404, "not_found"),
    ("/ogc/collections/aset/items?bbox=1,2,3", 400, "bad_request"),
    ("/ogc/collections/aset/items?limit=0", 400, "bad_request"),
    ("/ogc/collections/aset/items?offset=-1", 400, "bad_request"),
    ("/ogc/collections/aset/items?tidak_dikenal=1", 400, "bad_request"),
    ("/ogc/collections?f=xml", 400, "bad_request"),
])
def test_errors_are_json_with_a_code(client, data_out, path, status, code):
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code
    assert response.json()["description"]


def test_layer_filters_apply_to_items(client, data_out):
    assert page(client, "/ogc/collections/aset/items?category=sekolah")["numberMatched"] == 1
    assert page(client, "/ogc/collections/aset/items?category=jalan")["numberMatched"] == 0
