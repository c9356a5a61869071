"""The map's points path in chromium: the opening layer's points are asked once (by early.js,
before the modules load, and taken by the layer), drawn from the binary answer with a
`sig:map-drawn` mark, held across pans (no new request), asked again when a filter changes,
and a click on a point still opens its popup."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from layers.models import AssetCategory
from layers.services.assets import asset_create

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def schools(region, settings):
    settings.SIG_BASEMAP_URL = ""  # no basemap: nothing but our own server
    school = AssetCategory.objects.create(slug="sekolah", name="Sekolah", geometry_type="point",
                                          color="#1d4ed8")
    for i in range(30):
        asset_create(category=school, geom=Point(110.02 + i * 0.008, -0.05, srid=4326),
                     name=f"SD {i}", condition="rusak_berat" if i % 3 == 0 else "baik",
                     is_verified=True, is_public=True)
    asset_create(category=school, geom=Point(110.1, -0.06, srid=4326), name="SD Draf")


def drawn(page, count: int) -> None:
    page.wait_for_function(
        """(n) => performance.getEntriesByName("sig:map-drawn")
             .some((m) => m.detail.layer === "aset" && m.detail.count === n)""",
        arg=count, timeout=30_000)


def test_points_are_asked_once_held_across_pans_and_refiltered(browser, live_server, schools):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/layers/aset/points" in r.url
            else None)
    page.goto(f"{live_server.url}/peta/#map=12/-0.05/110.14&layers=aset")
    drawn(page, 30)  # the 30 published schools, not the draft
    page.wait_for_function("document.getElementById('map').dataset.busy === '0'")
    assert len(asked) == 1, asked
    assert "f=bin" in asked[0] and "bbox" not in asked[0]
    assert page.locator("canvas.sig-points[data-layer='aset']").get_attribute("data-drawn") \
        == "30"

    # A pan redraws from the arrays held: no request.
    page.evaluate("SIG.map.panBy([500, 0], {animate: false})")
    page.wait_for_timeout(600)  # past the source's debounce
    assert len(asked) == 1, asked

    # A click on a point: its popup (the feature's full properties are fetched).
    page.evaluate("SIG.map.setView([-0.05, 110.14], 15, {animate: false})")
    drawn(page, 30)
    point = page.evaluate("(() => { const p = SIG.map.latLngToContainerPoint([-0.05, 110.14]);"
                          " return [p.x, p.y]; })()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "SD 15" in popup.inner_text()

    # A filter asks again, for the filtered points only.
    page.select_option("#map-filters select[name='condition']", "rusak_berat")
    drawn(page, 10)
    assert len(asked) == 2 and "condition=rusak_berat" in asked[1]
    context.close()


def test_bubble_counts_read_as_the_compact_number_format(browser, live_server, schools):
    """points.js writes bubble counts itself (making Intl's compact formatter cost the first
    drawing ~30 ms): the same text as that formatter, in the page's language."""
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/peta/#map=12/-0.05/110.14&layers=aset")
    drawn(page, 30)
    mismatches = page.evaluate("""async () => {
        const { shortCount } = await import("/static/js/map/points.js");
        const intl = new Intl.NumberFormat("id-ID",
          { notation: "compact", maximumFractionDigits: 1 });
        const wrong = [];
        for (let n = 1; n < 2500000; n += n < 20000 ? 1 : 97) {
          if (shortCount(n) !== intl.format(n)) wrong.push([n, shortCount(n), intl.format(n)]);
        }
        return wrong.slice(0, 5);
    }""")
    assert page.evaluate("document.documentElement.lang") == "id"
    assert mismatches == []
    context.close()
