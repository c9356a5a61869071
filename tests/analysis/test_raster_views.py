"""Raster layers on the map and in the catalogue, and the zonal statistics pages: PNG tiles
through the layer's permissions, legends, the feature paths answering 404 for a raster, a
run started from the page and computed by a real procrastinate worker."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from procrastinate.contrib.django.models import ProcrastinateJob

from analysis.models import RunStatus, ZonalRun
from analysis.services.rasters import raster_import
from tests.analysis.conftest import raster_path, write_grid
from tests.api.conftest import tile_of
from tests.importers.wizard_support import run_worker_until_idle


def _png(response) -> np.ndarray:
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    return np.asarray(Image.open(io.BytesIO(response.content)).convert("RGBA"))


@pytest.mark.shared_data
def test_a_tile_inside_is_drawn_and_one_outside_is_transparent(client, db, raster_dir):
    raster_import(path=raster_path("flood-class"), slug="kelas-banjir", categorical=True)
    z, x, y = tile_of(106.83, -6.2, 12)
    inside = _png(client.get(f"/analisis/raster/kelas-banjir/{z}/{x}/{y}.png"))
    assert inside.shape == (256, 256, 4)
    drawn = inside[inside[..., 3] > 0]
    assert len(drawn) > 1000  # classes drawn, no-data transparent
    assert len(drawn) < 256 * 256
    z, x, y = tile_of(110.0, 0.0, 12)
    outside = _png(client.get(f"/analisis/raster/kelas-banjir/{z}/{x}/{y}.png"))
    assert (outside[..., 3] == 0).all()
    legend = client.get("/analisis/raster/kelas-banjir/legend.json").json()
    assert [r["value"] for r in legend["legend"]] == [1, 2, 3] and legend["categorical"]


@pytest.mark.shared_data
def test_a_non_public_raster_is_staff_only_on_every_path(client, db, raster_dir, staff_user):
    raster_import(path=raster_path("population"), slug="penduduk", public=False,
                  units="jiwa")
    z, x, y = tile_of(106.83, -6.2, 11)
    paths = ["/analisis/raster/penduduk/legend.json", f"/analisis/raster/penduduk/{z}/{x}/{y}.png"]
    for path in paths:
        assert client.get(path).status_code == 404, path
    assert "penduduk" not in [e["slug"] for e in client.get("/api/layers/").json()["layers"]]
    client.force_login(staff_user)
    for path in paths:
        assert client.get(path).status_code == 200, path
    pixels = _png(client.get(paths[1]))
    assert (pixels[..., 3] > 0).any()
    entry = next(e for e in client.get("/api/layers/").json()["layers"]
                 if e["slug"] == "penduduk")
    assert entry["kind"] == "raster" and entry["tiles_url"].endswith(
        "/analisis/raster/penduduk/{z}/{x}/{y}.png")
    assert len(entry["legend"]) == 5 and entry["legend"][0]["label"].endswith("jiwa")


def test_feature_paths_skip_a_raster_cleanly(client, db, raster_dir, tmp_path):
    write_grid(tmp_path / "g.tif", np.ones((10, 10), "float32"), west=110.0, north=0.0,
               size=0.01)
    raster_import(path=tmp_path / "g.tif", slug="grid-uji", public=True)
    for path in ("/api/layers/grid-uji/geojson", "/api/layers/grid-uji/points",
                 "/tiles/grid-uji.json", "/tiles/grid-uji/12/3300/2047.pbf",
                 "/ogc/collections/grid-uji", "/ogc/collections/grid-uji/items"):
        assert client.get(path).status_code == 404, path
    collections = client.get("/ogc/collections", HTTP_ACCEPT="application/json")
    assert collections.status_code == 200
    assert "grid-uji" not in [c["id"] for c in collections.json()["collections"]]
    rest = client.get("/api/v1/layers/grid-uji/")
    assert rest.status_code == 200
    assert rest.json()["properties"] == [] and rest.json()["links"]["tiles"].endswith(".png")
    assert client.get("/api/v1/layers/").status_code == 200
    assert client.get("/").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_started_on_the_page_is_computed_by_the_worker(
        client, region, staff_user, raster_dir, empty_queue, tmp_path):
    data = np.full((10, 30), 3.0, dtype="float32")
    write_grid(tmp_path / "p.tif", data, west=110.0, north=0.0, size=0.01, nodata=-1)
    raster_import(path=tmp_path / "p.tif", slug="penduduk-uji", units="jiwa")
    assert client.get("/analisis/zonal/").status_code == 200
    assert client.post("/analisis/zonal/start/", {"raster": "penduduk-uji",
                                                  "zones": "level:desa"}).status_code == 302
    client.force_login(staff_user)
    page = client.get("/analisis/zonal/")
    assert b'name="zones"' in page.content
    response = client.post("/analisis/zonal/start/", {
        "raster": "penduduk-uji", "zones": "level:desa", "stats": ["sum", "count"]})
    run = ZonalRun.objects.get()
    assert response.status_code == 302 and response.url == f"/analisis/zonal/{run.pk}/"
    assert ProcrastinateJob.objects.get().task_name == "analysis.run_zonal_statistics"
    assert client.get(f"/analisis/zonal/{run.pk}/status.json").json()["finished"] is False

    run_worker_until_idle(queues=["analysis"])

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.progress == 1.0 and run.zone_count == 3
    client.logout()
    page = client.get(f"/analisis/zonal/{run.pk}/")
    assert page.status_code == 200 and "Desa Satu" in page.content.decode()
    csv = client.get(f"/analisis/zonal/{run.pk}/hasil.csv").content.decode(
        "utf-8-sig").splitlines()  # the export pipeline's CSV starts with a BOM (Excel)
    assert csv[0] == "zone,name,sum,count"
    assert csv[1].startswith("99.01.01.1002,Kelurahan Dua,300")
    geojson = client.get(f"/analisis/zonal/{run.pk}/zones.geojson").json()
    assert len(geojson["features"]) == 3
    assert geojson["features"][0]["properties"]["sum"] == pytest.approx(300)
    # A run over a staff-only raster is hidden from the public, its CSV too.
    run.raster.layer.is_public = False
    run.raster.layer.save()
    assert client.get(f"/analisis/zonal/{run.pk}/").status_code == 404
    assert client.get(f"/analisis/zonal/{run.pk}/hasil.csv").status_code == 404
