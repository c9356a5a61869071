"""Where people and programs find the downloads: the map's layer panel (from the catalogue)
and the REST API's layer links."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_catalogue_and_the_rest_api_link_every_format(client, thematic):
    entry = next(e for e in client.get(reverse("layers:catalogue")).json()["layers"]
                 if e["slug"] == "titik-uji")
    assert entry["export_urls"] == {f: f"/ekspor/titik-uji.{f}"
                                    for f in ("gpkg", "shp", "geojson", "csv", "kml")}
    links = client.get("/api/v1/layers/titik-uji/").json()["links"]
    assert links["export_shp"] == "http://testserver/ekspor/titik-uji.shp"
    assert client.get(entry["export_urls"]["csv"]).status_code == 200


def test_the_map_panel_offers_the_map_as_html(client, db):
    page = client.get(reverse("layers:map")).content.decode()
    assert 'id="map-export"' in page and 'data-base="/ekspor/peta.html"' in page
