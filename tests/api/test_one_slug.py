"""One name per layer: the OGC API collection id is the layer's slug, and the same slug names
its TileJSON, tiles, the map's GeoJSON and the REST API — so a client that found a collection
can fetch its tiles."""

from __future__ import annotations

import pytest

from layers.models import Layer


@pytest.mark.parametrize("viewer", ["public", "staff"])
def test_every_collection_answers_on_every_path_by_its_slug(client, staff_user, data_out,
                                                            viewer):
    if viewer == "staff":
        client.force_login(staff_user)
    collections = client.get("/ogc/collections").json()["collections"]
    ids = [c["id"] for c in collections]
    assert set(ids) <= set(Layer.objects.values_list("slug", flat=True))
    assert ("rahasia-internal" in ids) == (viewer == "staff")
    for collection in collections:
        slug = collection["id"]
        layer = Layer.objects.get(slug=slug)
        assert collection["title"] == layer.name
        tilejson = client.get(f"/tiles/{slug}.json")
        assert tilejson.status_code == 200, slug
        assert tilejson.json()["vector_layers"][0]["id"] == slug
        z, x, y = data_out.tile
        assert client.get(f"/tiles/{slug}/{z}/{x}/{y}.pbf").status_code == 200, slug
        for path in (f"/api/layers/{slug}/geojson", f"/api/v1/layers/{slug}/",
                     f"/api/v1/layers/{slug}/features/",
                     f"/ogc/collections/{slug}/items"):
            assert client.get(path).status_code == 200, path
        # The collection's own links lead to the same paths.
        hrefs = {link["href"].removeprefix("http://testserver") for link in
                 collection["links"]}
        assert {f"/tiles/{slug}.json", f"/tiles/{slug}/{{z}}/{{x}}/{{y}}.pbf",
                f"/api/layers/{slug}/geojson", f"/api/v1/layers/{slug}/"} <= hrefs
