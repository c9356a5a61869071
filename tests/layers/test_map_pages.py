"""The map pages as HTML: configuration, languages and who may open the staff map. (The maps
in a browser: tests/browser/test_map.py.)"""

import json
import re

import pytest


def config_of(html: str) -> dict:
    raw = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(raw.group(1))


@pytest.mark.django_db
def test_public_map_is_indonesian_and_carries_its_configuration(client, region, settings):
    settings.SIG_BASEMAP_URL = ""
    response = client.get("/peta/")
    assert response.status_code == 200
    html = response.content.decode()
    config = config_of(html)
    assert config["staff"] is False and "admin" not in config["urls"]
    assert config["basemap"]["url"] == ""
    assert config["urls"]["catalogue"] == "/api/layers/"
    assert config["strings"]["locate"] == "Lokasi saya"
    assert "ditolak" not in [s["value"] for s in config["statuses"]]  # never public
    assert "Kabupaten Uji" in html and "Kecamatan A" in html  # wilayah filter choices
    assert "/static/vendor/leaflet-1.9.4/dist/leaflet.js" in html
    assert 'type="module" src="/static/js/map/map.js"' in html


@pytest.mark.django_db
def test_english_when_chosen(client, region):
    client.post("/i18n/setlang/", {"language": "en", "next": "/peta/"})
    config = config_of(client.get("/peta/").content.decode())
    assert config["strings"]["locate"] == "My location"


@pytest.mark.django_db
def test_staff_map_is_for_staff(client, staff_user):
    assert client.get("/peta/staf/").status_code == 302
    client.force_login(staff_user)
    config = config_of(client.get("/peta/staf/").content.decode())
    assert config["staff"] is True
    assert config["urls"]["admin"]["assets"] == "/admin/layers/asset/{id}/change/"
    assert "ditolak" in [s["value"] for s in config["statuses"]]


@pytest.mark.django_db
def test_the_map_is_linked_from_the_header_and_the_landing_page(client):
    html = client.get("/").content.decode()
    assert html.count('href="/peta/"') >= 2
