"""Editing on the staff map (/peta/staf/) in Debian's chromium: a planner draws a polygon,
fills the form (the server's per-field error shown first), saves and finds it again after a
reload with its area in ha; a second browser saving from an older version gets the conflict
view and nothing is overwritten; the history panel's revert restores the earlier geometry and
attributes. The database is checked each time."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.test import Client

from layers.models import Asset, AssetCategory, Role, RoleAssignment
from layers.services.assets import asset_create
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CENTRE = (110.05, -0.05)  # inside Desa Satu (conftest `region`: 110.0–110.1 × -0.1–0.0)
HALF = 0.004  # a square of ≈ 890 m: ≈ 79 ha


def square(lng: float, lat: float, half: float = HALF) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lng - half, lat - half, lng + half, lat + half)),
                        srid=4326)


@pytest.fixture
def market(region, settings):
    """A polygon asset category with a required integer and a choice among its attributes."""
    settings.SIG_BASEMAP_URL = ""  # no tiles from outside during the test
    return AssetCategory.objects.create(
        slug="pasar", name="Pasar", geometry_type="polygon", color="#b45309",
        attribute_schema=[
            {"name": "kios", "label": "Jumlah kios", "type": "integer", "required": True},
            {"name": "jenis", "label": "Jenis pasar", "type": "choice",
             "choices": [["harian", "Harian"], ["mingguan", "Mingguan"]]},
        ])


def planner(django_user_model, region, name: str = "perencana-kab"):
    user = django_user_model.objects.create_user(name, password="rahasia-123", is_staff=True)
    RoleAssignment.objects.create(user=user, role=Role.PLANNER, area=region.regency)
    return user


def open_editor(browser, live_server, user, *, lng: float, lat: float, zoom: int = 15):
    """A browser context signed in as `user`, the staff map at (lng, lat), editor ready.
    The view is shifted so that (lng, lat) lies in the left half of the map, clear of the
    editing panel on the right."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "revert?", "discard?"
    page.goto(f"{live_server.url}/peta/staf/#map={zoom}/{lat}/{lng + 0.006}"
              "&layers=wilayah,aset")
    wait_idle(page)
    page.wait_for_function("window.SIG && SIG.editor")
    return context, page


def wait_idle(page) -> None:
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)
    page.wait_for_function("document.getElementById('map').dataset.busy === '0'",
                           timeout=30_000)
    page.wait_for_timeout(300)  # the last tiles are drawn on the next frames


def map_point(page, lng: float, lat: float) -> tuple[float, float]:
    x, y = page.evaluate("([lat, lng]) => { const p = SIG.map.latLngToContainerPoint("
                         "[lat, lng]); return [p.x, p.y]; }", [lat, lng])
    box = page.locator("#map").bounding_box()
    return box["x"] + x, box["y"] + y


def click_map(page, lng: float, lat: float) -> None:
    page.mouse.click(*map_point(page, lng, lat))


def field(page, name: str):
    return page.locator(f"#edit-panel .edit-field[data-field='{name}']")


def open_popup_action(page, lng: float, lat: float, action: str) -> None:
    """Click the feature at (lng, lat) and, in its popup, the editor's button `action`."""
    click_map(page, lng, lat)
    button = page.locator(f".leaflet-popup-content .popup-edit [data-action='{action}']")
    button.wait_for(timeout=10_000)
    button.click()
    page.locator("#edit-panel").wait_for(state="visible")


def area_text(area_ha: float) -> str:
    """The area as the popup writes it in Indonesian (at most two decimals, comma)."""
    return f"{round(area_ha, 2):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def test_a_planner_draws_a_polygon_saves_it_and_finds_it_after_a_reload(
        browser, live_server, django_user_model, region, market):
    user = planner(django_user_model, region)
    context, page = open_editor(browser, live_server, user, lng=CENTRE[0], lat=CENTRE[1])
    page.locator("#edit-new").click()
    page.locator("#edit-layer").select_option("aset")
    page.locator("#edit-category").select_option("pasar")
    page.locator("[data-tool='draw-polygon']").click()
    lng, lat = CENTRE
    corners = [(lng - HALF, lat - HALF), (lng + HALF, lat - HALF), (lng + HALF, lat + HALF),
               (lng - HALF, lat + HALF)]
    for corner in corners:
        click_map(page, *corner)
    page.locator("[data-tool='finish']").click()
    page.wait_for_function("SIG.editor.shape.parts.length === 1 && !SIG.editor.shape.drawing")
    assert page.locator("[data-tool='cut']").count() == 1  # a polygon may get a hole

    # The required attribute is left empty: the server refuses and says so under the field.
    field(page, "name").locator("input").fill("Pasar Uji")
    page.locator("#edit-save").click()
    error = field(page, "kios").locator(".edit-field-error")
    error.wait_for(state="visible")
    assert error.inner_text().strip()
    assert field(page, "kios").locator("input").get_attribute("aria-invalid") == "true"
    assert not Asset.objects.filter(name="Pasar Uji").exists()

    field(page, "kios").locator("input").fill("40")
    field(page, "jenis").locator("select").select_option(label="Harian")
    page.locator("#edit-save").click()
    page.wait_for_function("(document.getElementById('edit-measures') || {}).textContent"
                           "?.includes('ha')")
    asset = Asset.objects.get(name="Pasar Uji")
    assert asset.version == 1 and asset.category == market
    assert asset.attributes == {"kios": 40, "jenis": "harian"}
    assert asset.area == region.desa_a1
    assert 70 < asset.area_ha < 90, asset.area_ha
    # Planners' own features are verified on save.
    assert asset.is_verified
    measures = page.locator("#edit-measures").inner_text()
    assert area_text(asset.area_ha).split(",")[0] in measures
    screenshot(page, "editor-saved")

    page.locator(".edit-close").click()
    page.reload()
    wait_idle(page)
    click_map(page, lng, lat)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Pasar Uji" in text
    assert "Luas (ha)" in text and area_text(asset.area_ha) in text, text
    assert popup.locator(".popup-edit [data-action='edit']").count() == 1
    context.close()


def test_a_save_from_an_older_version_gets_the_conflict_view_and_overwrites_nothing(
        browser, live_server, django_user_model, region, market):
    lng, lat = CENTRE
    first = planner(django_user_model, region, "perencana-satu")
    second = planner(django_user_model, region, "perencana-dua")
    asset = asset_create(category=market, geom=square(lng, lat), name="Pasar Lama",
                         attributes={"kios": 10}, is_verified=True, by=first)
    one, page_one = open_editor(browser, live_server, first, lng=lng, lat=lat)
    two, page_two = open_editor(browser, live_server, second, lng=lng, lat=lat)
    for page in (page_one, page_two):  # both open version 1
        open_popup_action(page, lng, lat, "edit")
        field(page, "name").locator("input").wait_for()

    field(page_one, "name").locator("input").fill("Pasar Satu")
    field(page_one, "kios").locator("input").fill("20")
    page_one.locator("#edit-save").click()
    page_one.locator("#edit-panel .edit-msg.tone-ok").first.wait_for()
    asset.refresh_from_db()
    assert (asset.name, asset.version, asset.attributes["kios"]) == ("Pasar Satu", 2, 20)

    # The second editor still works on version 1.
    field(page_two, "name").locator("input").fill("Pasar Dua")
    page_two.locator("#edit-save").click()
    conflict = page_two.locator(".edit-conflict")
    conflict.wait_for()
    row = conflict.locator("tr[data-field='name']")
    assert "differs" in row.get_attribute("class")
    assert row.locator("td.theirs").inner_text() == "Pasar Satu"
    assert row.locator("td.yours").inner_text() == "Pasar Dua"
    assert "differs" in conflict.locator("tr[data-field='attributes.kios']").get_attribute("class")
    # The stored geometry is drawn on the map next to the editor's own.
    assert page_two.locator(".leaflet-sigEditOverlay-pane canvas").count() >= 1
    screenshot(page_two, "editor-conflict")
    asset.refresh_from_db()
    assert (asset.name, asset.version, asset.attributes["kios"]) == ("Pasar Satu", 2, 20)

    # "Apply mine on top": the second editor's change (the name) goes onto version 2, and the
    # first editor's other change (kios) is kept.
    conflict.locator("[data-action='apply-mine']").click()
    page_two.locator("#edit-panel .edit-msg.tone-ok").first.wait_for()
    asset.refresh_from_db()
    assert (asset.name, asset.version, asset.attributes["kios"]) == ("Pasar Dua", 3, 20)
    one.close()
    two.close()


def test_revert_from_the_history_panel_restores_geometry_and_attributes(
        browser, live_server, django_user_model, region, market):
    lng, lat = CENTRE
    user = planner(django_user_model, region)
    original = square(lng, lat)
    asset = asset_create(category=market, geom=original, name="Pasar Asli",
                         attributes={"kios": 10, "jenis": "harian"}, is_verified=True, by=user)
    # Someone moves and renames it (version 2) through the editing API.
    client = Client()
    client.force_login(user)
    moved = square(lng + 0.002, lat + 0.001, HALF / 2)
    answer = client.patch(
        f"/api/v1/layers/aset/features/{asset.pk}/",
        data=json.dumps({"type": "Feature", "version": 1, "geometry": json.loads(moved.geojson),
                         "properties": {"name": "Pasar Baru",
                                        "attributes": {"kios": 99, "jenis": "mingguan"}}}),
        content_type="application/json")
    assert answer.status_code == 200, answer.content
    asset.refresh_from_db()
    assert asset.version == 2 and asset.name == "Pasar Baru"

    context, page = open_editor(browser, live_server, user, lng=lng, lat=lat)
    open_popup_action(page, lng + 0.002, lat + 0.001, "history")
    entries = page.locator(".edit-history-list > li")
    entries.nth(1).wait_for()
    assert entries.count() == 2
    assert "Pasar Baru" in entries.nth(0).inner_text()  # what changed, newest first
    first_version = page.locator(".edit-history-list > li[data-version='1']")
    first_version.locator(".edit-history-entry").click()
    assert first_version.locator(".edit-history-entry").get_attribute("aria-pressed") == "true"
    assert page.locator(".leaflet-sigEditOverlay-pane canvas").count() >= 1  # before/after
    screenshot(page, "editor-history")
    first_version.locator("[data-action='revert']").click()
    page.locator("#edit-panel .edit-msg.tone-ok").first.wait_for()

    asset.refresh_from_db()
    assert asset.version == 3
    assert asset.name == "Pasar Asli"
    assert asset.attributes == {"kios": 10, "jenis": "harian"}
    assert asset.geom.equals_exact(original, 1e-9)
    # The panel now lists the revert as the newest entry.
    page.locator(".edit-history-list > li[data-version='3']").wait_for()
    context.close()


def test_a_hole_is_cut_into_a_polygon(browser, live_server, django_user_model, region, market):
    lng, lat = CENTRE
    user = planner(django_user_model, region)
    asset = asset_create(category=market, geom=square(lng, lat), name="Pasar Berlubang",
                         attributes={"kios": 5}, is_verified=True, by=user)
    context, page = open_editor(browser, live_server, user, lng=lng, lat=lat)
    open_popup_action(page, lng, lat, "edit")
    page.locator("[data-tool='cut']").click()
    inner = HALF / 3
    for corner in [(lng - inner, lat - inner), (lng + inner, lat - inner),
                   (lng + inner, lat + inner), (lng - inner, lat + inner)]:
        click_map(page, *corner)
    page.locator("[data-tool='finish']").click()
    page.wait_for_function("SIG.editor.shape.dirty && !SIG.editor.shape.drawing")
    page.locator("#edit-save").click()
    page.locator("#edit-panel .edit-msg.tone-ok").first.wait_for()
    asset.refresh_from_db()
    assert asset.version == 2
    polygon = asset.geom[0] if asset.geom.geom_type == "MultiPolygon" else asset.geom
    assert len(polygon) == 2  # the outer ring and the hole
    assert asset.area_ha < square(lng, lat).transform(3857, clone=True).area / 10_000
    assert not asset.geom.contains(Point(lng, lat, srid=4326))
    context.close()


def test_points_and_lines_in_thematic_layers_with_the_keyboard_too(
        browser, live_server, django_user_model, region, market):
    from layers.models import Feature, Layer

    lng, lat = CENTRE
    schema = [{"name": "nama", "label": "Nama", "type": "text", "required": True},
              {"name": "jumlah", "label": "Jumlah", "type": "integer"}]
    Layer.objects.create(slug="titik-uji", name="Titik uji", geometry_type="point",
                         schema=schema)
    Layer.objects.create(slug="garis-uji", name="Garis uji", geometry_type="line",
                         schema=schema)
    user = planner(django_user_model, region)
    context, page = open_editor(browser, live_server, user, lng=lng, lat=lat)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.locator("#edit-new").click()
    page.locator("#edit-layer").select_option("titik-uji")
    page.locator("[data-tool='draw-point']").wait_for()  # the layer's form has arrived
    assert page.locator("#edit-category").count() == 0  # categories are for assets only
    assert page.locator("[data-tool^='draw-']").count() == 1  # the layer's kind only
    page.locator("[data-tool='draw-point']").click()
    click_map(page, lng, lat)
    page.wait_for_function("SIG.editor.shape.parts.length === 1")
    field(page, "nama").locator("input").fill("Titik Satu")
    field(page, "jumlah").locator("input").fill("3")
    page.locator("#edit-save").click()
    page.locator("#edit-panel .edit-msg.tone-ok").first.wait_for()
    point = Feature.objects.get(layer__slug="titik-uji")
    assert point.properties == {"nama": "Titik Satu", "jumlah": 3}
    assert abs(point.geom.x - lng) < 1e-4 and abs(point.geom.y - lat) < 1e-4
    assert page.locator("input[data-layer='titik-uji']").is_checked()  # shown after saving

    # Without a mouse: the point takes the focus and the arrow keys move it.
    marker = page.locator(".leaflet-marker-pane [role='button'][tabindex='0']").first
    marker.focus()
    for _ in range(5):
        page.keyboard.press("Shift+ArrowRight")
    page.locator("#edit-save").click()
    page.wait_for_function("document.querySelector('#edit-panel .tone-ok')?.textContent"
                           ".includes('2')")
    point.refresh_from_db()
    assert point.version == 2 and point.geom.x > lng + 1e-4  # 50 px east at zoom 15
    page.locator(".edit-close").click()

    page.locator("#edit-new").click()
    page.locator("#edit-layer").select_option("garis-uji")
    page.locator("[data-tool='draw-line']").click()
    # The saved point is a snap target: a first vertex placed a few pixels off lands on it.
    page.wait_for_function("SIG.editor.snap.group && SIG.editor.snap.group.getLayers().length")
    x, y = map_point(page, point.geom.x, point.geom.y)
    page.mouse.move(x + 20, y + 20)
    page.mouse.move(x + 6, y + 5, steps=4)
    page.mouse.click(x + 6, y + 5)
    for step in range(1, 3):
        click_map(page, lng - HALF + step * HALF, lat - HALF / 2 * (step % 2))
    page.locator("[data-tool='finish']").click()
    page.wait_for_function("SIG.editor.shape.parts.length === 1 && !SIG.editor.shape.drawing")
    field(page, "nama").locator("input").fill("Garis Satu")
    page.locator("#edit-save").click()
    page.wait_for_function("(document.getElementById('edit-measures') || {}).textContent"
                           "?.includes(' m')")
    line = Feature.objects.get(layer__slug="garis-uji")
    assert line.geom.geom_type in ("LineString", "MultiLineString")
    coords = line.geom.coords if line.geom.geom_type == "LineString" else line.geom[0].coords
    assert len(coords) == 3
    # Snapped (to the map's GeoJSON of the point, which has 6 decimals: ≈ 0.1 m), where the
    # click was 6 px (≈ 30 m) away.
    assert coords[0] == pytest.approx((point.geom.x, point.geom.y), abs=1e-6)
    assert errors == []
    context.close()


def test_a_refused_save_says_why_and_a_delete_removes_the_feature(
        browser, live_server, django_user_model, region, market):
    lng, lat = CENTRE
    operator = django_user_model.objects.create_user("operator-tiga", password="x",
                                                     is_staff=True)
    RoleAssignment.objects.create(user=operator, role=Role.VILLAGE_OPERATOR,
                                  area=region.desa_b1)  # Desa Tiga: 110.2–110.3
    context, page = open_editor(browser, live_server, operator, lng=lng, lat=lat)
    page.locator("#edit-new").click()
    page.locator("#edit-category").select_option("pasar")
    page.locator("[data-tool='draw-polygon']").click()
    for corner in [(lng - HALF, lat - HALF), (lng + HALF, lat - HALF), (lng, lat + HALF)]:
        click_map(page, *corner)
    page.locator("[data-tool='finish']").click()
    field(page, "kios").locator("input").fill("4")
    page.locator("#edit-save").click()
    refusal = page.locator("#edit-panel .edit-msg.tone-error")
    refusal.wait_for()
    assert len(refusal.inner_text()) > 20  # the server's reason, not just "forbidden"
    assert not Asset.objects.exists()
    # The drawing and the form are still there to move or abandon.
    assert page.evaluate("SIG.editor.shape.parts.length") == 1
    assert field(page, "kios").locator("input").input_value() == "4"
    context.close()

    user = planner(django_user_model, region)
    asset = asset_create(category=market, geom=square(lng, lat), name="Pasar Hapus",
                         attributes={"kios": 1}, is_verified=True, by=user)
    context, page = open_editor(browser, live_server, user, lng=lng, lat=lat)
    open_popup_action(page, lng, lat, "edit")
    page.locator("#edit-delete").click()  # the confirmation is accepted (open_editor)
    page.locator("#edit-panel .edit-msg.tone-ok").first.wait_for()
    assert not Asset.objects.filter(pk=asset.pk).exists()
    assert Asset.history.filter(id=asset.pk, history_type="-").exists()  # kept in history
    context.close()
