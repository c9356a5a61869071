"""The folium map export: one HTML file that opens in headless Chromium with the network off
and draws its features, with the legend, sources and escaped popups. A screenshot is written
to var/screenshots/folium-export.png for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from layers.models import Feature
from tests.browser.conftest import screenshot
from tests.exports.conftest import NAMES

XSS = "<img src=x onerror=window.__xss=1>"
BASEMAP_HOST = "basemap.invalid"


@pytest.fixture
def map_file(client, region, thematic, settings, tmp_path) -> tuple[Path, str]:
    settings.SIG_BASEMAP_URL = f"https://{BASEMAP_HOST}/{{z}}/{{x}}/{{y}}.png"
    Feature.objects.create(layer=thematic.layer, geom=Point(110.08, -0.03, srid=4326),
                           is_public=True, is_verified=True,
                           properties={"nama": XSS, "jumlah_penduduk": 7})
    response = client.get(reverse("exports:map"), {
        "layers": "wilayah,titik-uji", "title": "Peta uji – Ké's",
        "bbox": "109.9,-0.2,110.4,0.1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Disposition"].startswith('attachment; filename="peta-')
    html = response.content.decode()
    path = tmp_path / "peta.html"
    path.write_text(html, encoding="utf-8")
    return path, html


@pytest.mark.django_db
def test_the_html_references_nothing_outside_but_the_basemap(map_file):
    _path, html = map_file
    external = re.findall(r"<script[^>]*\ssrc=|<link[^>]*\shref=|url\(\s*['\"]?https?:|"
                          r"@import", html, flags=re.I)
    assert external == []
    # Every http(s) address written in the page's attributes or CSS is the basemap's.
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    loaded = {a for a in addresses if BASEMAP_HOST in a}
    assert loaded == {f"https://{BASEMAP_HOST}/{{z}}/{{x}}/{{y}}.png"}
    assert "cdn." not in html and "jquery" not in html.lower().replace("jquery-free", "")
    assert "Leaflet 1.9.4" in html  # the vendored copy, inline
    assert "Peta uji – Ké&#x27;s" in html or "Peta uji – Ké&#39;s" in html  # escaped title
    assert XSS not in html.replace("\\u003c", "<").split("<script>")[0]  # not as markup


@pytest.mark.browser
@pytest.mark.django_db
def test_the_map_opens_offline_in_chromium_and_draws_its_features(map_file, browser):
    path, _html = map_file
    context = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    # 7 wilayah polygons (the region fixture) and 5 points of the thematic layer.
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length"
        " >= 12", timeout=20_000)
    paths = page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
    assert paths == 7 + len(NAMES) + 1
    assert errors == []
    legend = page.locator("#sig-legend").inner_text()
    assert "Titik uji – ekspor" in legend and "Desa/kelurahan" in legend
    assert "Peta uji – Ké's" in page.locator("#sig-title").inner_text()
    # The popup shows markup as text: no element is made from it, nothing runs.
    page.evaluate("""() => {
        for (const layer of Object.values(window)) {
            if (layer && layer.eachLayer && layer.toGeoJSON && layer.getLayers) {
                layer.eachLayer((f) => { if (f.feature && f.feature.properties.properties
                    && String(f.feature.properties.properties.nama).startsWith('<img'))
                    f.openPopup(); });
            }
        }
    }""")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert XSS in popup.inner_text()
    assert "Penduduk" in popup.inner_text()  # the schema's label for jumlah_penduduk
    assert popup.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
    # Nothing was fetched but the file itself and (failing, offline) basemap tiles.
    others = [u for u in requests if not u.startswith("file://") and BASEMAP_HOST not in u
              and not u.startswith("data:")]
    assert others == []
    shot = screenshot(page, "folium-export")
    assert shot.exists() and shot.stat().st_size > 10_000
    context.close()
