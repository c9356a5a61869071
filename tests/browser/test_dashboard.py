"""A wilayah dashboard (/wilayah/<code>/) in Debian's chromium: it loads nothing from
outside the server (Chart.js and Leaflet are vendored), draws its charts and its map, and a
click on a child wilayah opens that wilayah's dashboard. Screenshot in var/screenshots/."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.contrib.gis.geos import Point

from layers.models import AssetCategory, ComplaintCategory
from layers.services.assets import asset_create
from layers.services.complaints import complaint_create
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def data(region):
    puskesmas = AssetCategory.objects.create(slug="puskesmas", name="Puskesmas",
                                             geometry_type="point")
    for lng, condition in ((110.05, "baik"), (110.15, "rusak_berat"), (110.25, "baik")):
        asset_create(category=puskesmas, geom=Point(lng, -0.05, srid=4326), name="Puskesmas",
                     condition=condition, is_public=True, is_verified=True)
    road = ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak")
    complaint_create(category=road, description="Lubang", point=Point(110.05, -0.03,
                                                                       srid=4326))
    return region


def test_dashboard_draws_charts_and_map_with_nothing_from_outside(browser, live_server, data):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hosts, errors = set(), []
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/wilayah/99.01/")
    page.wait_for_selector(".dash[data-ready='1']", timeout=30_000)
    assert errors == []
    assert hosts == {urlparse(live_server.url).netloc}
    drawn = page.evaluate("""['chart-assets', 'chart-access', 'chart-complaints']
        .map((id) => Boolean(window.Chart.getChart(document.getElementById(id))))""")
    assert drawn == [True, True, True]
    assert page.locator("#dash-map path.leaflet-interactive").count() == 2  # the two kecamatan
    screenshot(page, "dashboard-kabupaten", full_page=True)
    page.locator("#dash-map path.leaflet-interactive").first.click()
    page.wait_for_url(f"{live_server.url}/wilayah/99.01.0*/", timeout=15_000)
    page.wait_for_selector(".dash[data-ready='1']", timeout=30_000)
    assert page.locator("h1").inner_text() in ("Kecamatan A", "Kecamatan B")
    context.close()
