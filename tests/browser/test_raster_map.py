"""A raster layer on the public map and a zonal run's choropleth, in Debian's chromium:
the raster is listed with its legend, its PNG tiles load when it is switched on, and the run
page draws its zones. Screenshots in var/screenshots/."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.services.rasters import parse_classes, raster_import
from analysis.services.zonal_runs import zonal_run_create, zonal_run_execute
from tests.analysis.conftest import write_grid
from tests.browser.conftest import screenshot
from tests.browser.test_map import open_map, wait_idle

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def banjir(region, settings, tmp_path):
    """Flood classes over the test region (classes 1–3 in bands), public."""
    settings.SIG_BASEMAP_URL = ""
    settings.SIG_RASTER_DIR = tmp_path / "rasters"
    data = np.ones((10, 30), dtype="uint8")
    data[:, 10:20], data[:, 20:30] = 2, 3
    data[0:3, 0:5] = 0
    write_grid(tmp_path / "banjir.tif", data, west=110.0, north=0.0, size=0.01, nodata=0)
    return raster_import(path=tmp_path / "banjir.tif", slug="kelas-banjir",
                         name="Kelas banjir", categorical=True,
                         classes=parse_classes("1=Rendah:#fde68a,2=Sedang:#f59e0b,"
                                               "3=Tinggi:#b91c1c")).raster


def test_a_raster_layer_shows_as_image_tiles_with_its_legend(browser, live_server, banjir):
    context, page = open_map(browser, f"{live_server.url}/peta/#map=12/-0.05/110.15")
    item = page.locator("li.layer-item[data-slug='kelas-banjir']")
    assert item.locator(".legend li").all_text_contents() == ["Rendah", "Sedang", "Tinggi"]
    item.locator("input[type=checkbox]").check()
    page.wait_for_function("[...document.querySelectorAll('img.leaflet-tile-loaded')]"
                           ".some((i) => i.src.includes('/analisis/raster/kelas-banjir/'))",
                           timeout=30_000)
    wait_idle(page)
    screenshot(page, "raster-layer-map")
    context.close()


def test_a_zonal_run_page_draws_its_choropleth(browser, live_server, banjir):
    run = zonal_run_execute(zonal_run_create(raster_slug="kelas-banjir", zones="level:desa",
                                             stats=None))
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/analisis/zonal/{run.pk}/")
    page.wait_for_selector("#zonal-map .leaflet-overlay-pane canvas, "
                           "#zonal-map .leaflet-overlay-pane path", timeout=30_000)
    # Quintile classes without repeats: three zones (one with Rendah, two without) give two.
    assert 2 <= page.locator(".zonal-legend div").count() <= 5
    assert page.locator("table.zonal tbody tr").count() == 3
    screenshot(page, "zonal-choropleth")
    context.close()
