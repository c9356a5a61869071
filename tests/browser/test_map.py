"""The public and staff maps (/peta/, /peta/staf/) in Debian's chromium: nothing leaves the
server but the configured basemap, layers switch, popups escape attribute text, the search
zooms to a desa, non-public layers stay with staff, and screenshots of the demo region."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.contrib.gis.geos import Point

from layers.models import AssetCategory, ComplaintCategory, Feature, Layer
from layers.services.assets import asset_create
from layers.services.complaints import complaint_create
from tests.browser.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

XSS = "<img src=x onerror=alert(1)>"
FAKE_BASEMAP = "basemap.invalid"


@pytest.fixture
def data(region, settings):
    """Three desa (conftest `region`), a few assets and complaints, and two generic layers:
    one public, one for staff only."""
    settings.SIG_BASEMAP_URL = f"http://{FAKE_BASEMAP}/{{z}}/{{x}}/{{y}}.png"
    school = AssetCategory.objects.create(slug="sekolah", name="Sekolah", geometry_type="point",
                                          color="#1d4ed8")
    asset_create(category=school, geom=Point(110.05, -0.05, srid=4326), name=XSS,
                 is_verified=True, is_public=True)
    asset_create(category=school, geom=Point(110.15, -0.05, srid=4326), name="SD Negeri 2",
                 condition="rusak_berat", is_verified=True, is_public=True)
    road = ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak")
    complaint_create(category=road, description="Jalan berlubang", point=Point(110.25, -0.03,
                                                                               srid=4326))
    internal = Layer.objects.create(slug="data-internal", name="Data internal",
                                    geometry_type="polygon", is_public=False)
    Feature.objects.create(layer=internal, geom=region.desa_b1.geom, is_public=True,
                           is_verified=True, properties={"catatan": "rahasia"})
    Layer.objects.create(slug="tema-uji", name="<b>Tema</b> uji", geometry_type="polygon",
                         is_public=True)
    return region


def open_map(browser, url: str, **context_options):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800},
                                  **context_options)
    page = context.new_page()
    page.goto(url)
    wait_idle(page)
    return context, page


def wait_idle(page) -> None:
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)
    page.wait_for_function("document.getElementById('map').dataset.busy === '0'",
                           timeout=30_000)
    page.wait_for_timeout(300)  # the last tiles are drawn on the next frames


def click_at(page, lng: float, lat: float) -> None:
    point = page.evaluate("([lat, lng]) => { const p = SIG.map.latLngToContainerPoint("
                          "[lat, lng]); return [p.x, p.y]; }", [lat, lng])
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def staff_context(browser, live_server, client, user):
    client.force_login(user)
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    return context


def test_public_map_asks_only_its_own_server_and_the_basemap(browser, live_server, data):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(urlparse(request.url).hostname or ""))
    page.goto(f"{live_server.url}/peta/#map=12/-0.05/110.15")
    wait_idle(page)
    page.wait_for_timeout(500)
    own = urlparse(live_server.url).hostname
    assert set(hosts) - {""} <= {own, FAKE_BASEMAP}, hosts  # "": data: URLs
    # The basemap is unreachable: its one probe tile failed, so no tile layer was made.
    assert hosts.count(FAKE_BASEMAP) == 1, hosts
    assert page.locator(".leaflet-tile-pane img").count() == 0
    # Indonesian by default, and the layer names come from the catalogue.
    assert page.locator("#layers-title").text_content() == "Lapisan"
    assert page.locator("input[data-layer='aset']").is_checked()
    context.close()




def test_a_reachable_basemap_is_shown(browser, live_server, data, settings):
    """The basemap's layer is made once its probe tile came (here any image of our own)."""
    settings.SIG_BASEMAP_URL = (f"{live_server.url}/static/vendor/leaflet-1.9.4/dist/images/"
                                "marker-icon.png?{z}/{x}/{y}")
    context, page = open_map(browser, f"{live_server.url}/peta/#map=12/-0.05/110.15")
    page.wait_for_function("document.querySelectorAll('.leaflet-tile-pane img').length > 0")
    sources = page.eval_on_selector_all(".leaflet-tile-pane img", "imgs => imgs.map(i => i.src)")
    assert sources and all(s.startswith(f"{live_server.url}/static/") for s in sources), sources
    context.close()


def test_no_tile_is_asked_for_where_a_layer_has_nothing(browser, live_server, data):
    """Tiled layers carry their extent in the catalogue (tile_bounds): a view away from the
    region asks for no tile at all, a view over it asks the tiles it needs."""
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    tiles: list[str] = []
    page.on("request", lambda request: tiles.append(request.url) if "/tiles/" in request.url
            else None)
    page.goto(f"{live_server.url}/peta/#map=12/-3.0/115.0&layers=wilayah,aset,tema-uji")
    wait_idle(page)
    assert tiles == []
    page.evaluate("SIG.map.setView([-0.05, 110.15], 12)")
    page.wait_for_timeout(300)
    wait_idle(page)
    assert any("/tiles/wilayah/12/" in url for url in tiles), tiles
    # tema-uji has no feature and the assets no line or polygon: no tiles for them, anywhere.
    assert not any("/tiles/tema-uji/" in url or "/tiles/aset/" in url for url in tiles), tiles
    context.close()

def test_switching_a_layer_off_removes_its_features(browser, live_server, data):
    context, page = open_map(browser, f"{live_server.url}/peta/#map=12/-0.05/110.15")
    assert page.locator(".leaflet-sigPoint-pane canvas.sig-points").count() == 2  # aset, pengaduan
    click_at(page, 110.15, -0.05)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "SD Negeri 2" in popup.inner_text()
    page.locator(".leaflet-popup-close-button").click()

    page.locator("input[data-layer='aset']").uncheck()
    assert page.locator(".leaflet-sigPoint-pane canvas.sig-points").count() == 1
    assert page.evaluate("SIG.layers.get('aset').visible") is False
    click_at(page, 110.15, -0.05)
    page.wait_for_timeout(300)
    assert not any("SD Negeri 2" in text
                   for text in page.locator(".leaflet-popup-content").all_inner_texts())
    assert "layers=wilayah,pola-ruang,pengaduan" in page.url  # the permalink follows

    # Tiles too: the boundaries' canvases go with their layer.
    assert page.locator(".leaflet-sigBoundary-pane canvas").count() > 0
    page.locator("input[data-layer='wilayah']").uncheck()
    assert page.locator(".leaflet-sigBoundary-pane canvas").count() == 0
    context.close()


def test_crowded_points_cluster_and_a_click_zooms_in(browser, live_server, data):
    context, page = open_map(browser, f"{live_server.url}/peta/#map=11/-0.05/110.15")
    # The test data is small: make a cell big enough to hold both schools.
    bubble = page.evaluate("""(() => { const p = SIG.layers.get('aset').points;
        Object.assign(p.options, {clusterMin: 1, cell: 4000}); p.redraw();
        const c = p._clusters[0];
        const at = SIG.map.layerPointToContainerPoint([c.x, c.y]);
        return {n: c.n, x: at.x, y: at.y}; })()""")
    assert bubble["n"] == 2
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + bubble["x"], box["y"] + bubble["y"])
    page.wait_for_function("SIG.map.getZoom() === 13")
    assert page.locator(".leaflet-popup-content").count() == 0
    context.close()


def test_popup_and_switcher_show_attribute_text_as_text(browser, live_server, data):
    context, page = open_map(browser, f"{live_server.url}/peta/#map=13/-0.05/110.05")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    click_at(page, 110.05, -0.05)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS in popup.text_content()
    assert page.locator("img[src='x']").count() == 0
    # A layer name with markup is text in the switcher too.
    assert page.locator(".layer-name", has_text="<b>Tema</b> uji").count() == 1
    assert page.locator(".layer-name b").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []
    context.close()


def test_search_by_code_zooms_to_the_desa(browser, live_server, data):
    context, page = open_map(browser, f"{live_server.url}/peta/#map=9/-0.05/110.15")
    page.fill("#map-search-q", "99.01.02.2001")
    page.press("#map-search-q", "Enter")
    page.wait_for_function("SIG.layers.get('wilayah').highlighted === '99.01.02.2001'")
    page.wait_for_timeout(500)
    west, south, east, north = page.evaluate(
        "(() => { const b = SIG.map.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()")
    # Desa Tiga is 110.2–110.3 × -0.1–0.0: all of it in view, and the view not much larger.
    assert west <= 110.2 and east >= 110.3 and south <= -0.1 and north >= 0.0
    assert east - west < 0.6 and north - south < 0.6
    assert "Desa Tiga" in page.locator(".search-picked").inner_text()
    context.close()


def test_a_non_public_layer_is_for_staff_only(browser, live_server, client, staff_user, data):
    context, page = open_map(browser, f"{live_server.url}/peta/#map=11/-0.05/110.15")
    assert page.locator("input[data-layer='data-internal']").count() == 0
    assert page.locator("input[data-layer='tema-uji']").count() == 1
    api = page.request
    assert api.get(f"{live_server.url}/api/layers/data-internal/geojson").status == 404
    assert api.get(f"{live_server.url}/tiles/data-internal/11/1649/1024.pbf").status == 404
    assert page.request.get(f"{live_server.url}/peta/staf/", max_redirects=0).status == 302
    context.close()

    staff = staff_context(browser, live_server, client, staff_user)
    page = staff.new_page()
    page.goto(f"{live_server.url}/peta/staf/#map=11/-0.05/110.15&layers=wilayah,data-internal")
    wait_idle(page)
    item = page.locator(".layer-item[data-slug='data-internal']")
    assert item.count() == 1
    assert "khusus petugas" in item.inner_text()  # "staff only"
    assert page.locator("input[data-layer='data-internal']").is_checked()
    assert page.request.get(f"{live_server.url}/api/layers/data-internal/geojson").status == 200
    click_at(page, 110.25, -0.05)
    page.locator(".leaflet-popup-content").wait_for()
    assert "rahasia" in page.locator(".leaflet-popup-content").inner_text()
    staff.close()


def test_screenshots_of_the_demo_region(browser, live_server, settings):
    """var/screenshots/public-map.png (desktop) and public-map-phone.png (390×844): look at
    them after a change to the map's look."""
    from layers.demo.seed import seed_demo

    settings.SIG_BASEMAP_URL = ""  # boundaries only, as on an intranet
    seed_demo()
    context, page = open_map(browser, f"{live_server.url}/peta/")
    page.wait_for_function("SIG.map.getZoom() >= 10")
    wait_idle(page)
    page.wait_for_timeout(800)
    screenshot(page, "public-map")
    # A popup of a school, as a visitor would open one.
    centre = page.evaluate("(() => { const c = SIG.layers.get('aset');"
                           " const i = c.features.findIndex((x) => x.properties.category"
                           " === 'sekolah'); return [c.lng[i], c.lat[i]]; })()")
    page.evaluate("([lng, lat]) => SIG.map.setView([lat, lng], 15, {animate: false})", centre)
    wait_idle(page)
    click_at(page, *centre)
    page.locator(".leaflet-popup-content").wait_for()
    assert "Sekolah" in page.locator(".leaflet-popup-content").text_content()
    page.wait_for_timeout(400)  # the popup's fade-in
    screenshot(page, "public-map-popup")
    context.close()

    phone = browser.new_context(locale="id-ID", viewport=PHONE, device_scale_factor=2,
                                is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{live_server.url}/peta/")
    wait_idle(page)
    page.wait_for_timeout(800)
    screenshot(page, "public-map-phone")
    page.locator("#map-panel-toggle").click()
    page.wait_for_timeout(300)
    assert page.locator("#layer-list").is_visible()
    screenshot(page, "public-map-phone-panel")
    phone.close()
