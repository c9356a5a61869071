"""Field capture offline, in Debian's chromium: a field officer of Kecamatan A on a phone loads
/lapangan/ once (its first load weighed, printed), loses the connection, records 102 assets
with photos (one through the real form with GPS, the rest through the page's own recording
call: same record shape, same photo resizing), reloads the page with no connection, and gets
the connection back. Then: exactly 100 assets exist (one outside their wilayah is refused
with 403, one without a required attribute with 400, both kept on the phone with the
server's reason); replaying the whole queue (a lost acknowledgement) still leaves 100; a
refused record is corrected and sent, another discarded. A second test: with no GPS, the
photo's EXIF position is offered and used. Screenshots: var/screenshots/field-*.png."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from django.contrib.gis.geos import Point
from django.contrib.sessions.models import Session
from django.core.signals import request_started
from django.db.models import Count
from PIL import Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

from layers.models import Asset, AssetCategory, AssetPhoto, Role, RoleAssignment
from layers.services.assets import asset_create
from tests.browser.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WEIGHT_LIMIT = 500 * 1024
BULK = 99  # plus one through the form: 100 that the server accepts


def photo_bytes(*, gps: tuple[float, float] | None = None, size=(1200, 900)) -> bytes:
    """A JPEG of a small concrete bridge; with an EXIF GPS position when `gps` is given."""
    img = Image.new("RGB", size, (150, 190, 220))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((0, int(h * .6), w, h), fill=(70, 110, 150))
    draw.rectangle((int(w * .1), int(h * .45), int(w * .9), int(h * .55)), fill=(160, 160, 155))
    exif = Image.Exif()
    if gps:
        lat, lng = gps

        def dms(value: float) -> tuple:
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60, 3)
            return (IFDRational(d), IFDRational(m), IFDRational(s))

        exif[0x8825] = {1: "S" if lat < 0 else "N", 2: dms(lat), 3: "E" if lng > 0 else "W",
                        4: dms(lng), 0x1F: IFDRational(6)}
        exif[0x8769] = {0x9003: "2026:11:20 09:15:00"}
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85, exif=exif)
    return out.getvalue()


@pytest.fixture
def field_world(region, settings, tmp_path, django_user_model):
    settings.SIG_BASEMAP_URL = ""  # no tiles: nothing leaves the machine, and the weight
    settings.MEDIA_ROOT = tmp_path / "media"  # is measured without them
    bridge = AssetCategory.objects.create(
        slug="jembatan", name="Jembatan", geometry_type="point", color="#0ea5e9",
        attribute_schema=[
            {"name": "bahan", "label": "Bahan", "type": "choice", "required": True,
             "choices": ["beton", "kayu", "baja"]},
            {"name": "panjang_m", "label": "Panjang (m)", "type": "number"},
        ])
    AssetCategory.objects.create(slug="jalan", name="Jalan", geometry_type="line")
    officer = django_user_model.objects.create_user("petugas-a", is_staff=True,
                                                    first_name="Budi")
    RoleAssignment.objects.create(user=officer, role=Role.FIELD_OFFICER, area=region.district_a)
    existing = asset_create(category=bridge, geom=Point(110.15, -0.05, srid=4326),
                            name="Jembatan lama", attributes={"bahan": "kayu"})
    return {"region": region, "bridge": bridge, "officer": officer, "existing": existing}


def officer_context(browser, live_server, client, user, **options):
    client.force_login(user)
    context = browser.new_context(locale="id-ID", viewport=PHONE, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, **options)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    return context


def counts(page) -> dict[str, int]:
    data = page.eval_on_selector("#queue-summary", "el => ({...el.dataset})")
    return {k: int(data.get(k) or 0) for k in ("pending", "sent", "refused")}


def wait_counts(page, *, timeout: float = 180_000, **wanted: int) -> None:
    checks = " && ".join(f"s.dataset.{k} === '{v}'" for k, v in wanted.items())
    page.wait_for_function(f"(() => {{ const s = document.getElementById('queue-summary');"
                           f" return {checks}; }})()", timeout=timeout)


def first_load_weight(context, page, url: str) -> tuple[int, list[tuple[int, str]]]:
    """Bytes transferred (headers + encoded bodies) by every request of the first load, the
    service worker's own included, until the page says its shell and data are kept offline."""
    finished = []
    context.on("requestfinished", lambda request: finished.append(request))
    page.goto(url)
    page.wait_for_selector("body[data-offline-ready='1']", timeout=60_000)
    page.wait_for_load_state("networkidle")
    rows = []
    for request in finished:
        sizes = request.sizes()
        rows.append((sizes["responseBodySize"] + sizes["responseHeadersSize"], request.url))
    return sum(size for size, _url in rows), sorted(rows, reverse=True)


def test_a_hundred_assets_recorded_offline_reach_the_server_once(browser, live_server, client,
                                                                 field_world):
    officer = field_world["officer"]
    context = officer_context(browser, live_server, client, officer,
                              permissions=["geolocation"],
                              geolocation={"latitude": -0.05, "longitude": 110.05,
                                           "accuracy": 12})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # ---- first load, online: weighed; the shell, the forms and the wilayah map are kept.
    total, rows = first_load_weight(context, page, f"{live_server.url}/lapangan/")
    perf = page.evaluate("""() => performance.getEntries()
        .filter((e) => 'transferSize' in e).reduce((n, e) => n + e.transferSize, 0)""")
    print(f"\nfield page first load: {total} bytes ({total / 1024:.1f} KB) over {len(rows)} "
          f"requests, incl. the service worker's; the page alone (Performance API "
          f"transferSize): {perf} bytes")
    for size, url in rows[:8]:
        print(f"  {size:>8}  {url.removeprefix(live_server.url)}")
    assert total < WEIGHT_LIMIT
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.locator("#category option[value='jembatan']").count() == 1
    assert page.locator("#category option[value='jalan']").count() == 0  # lines: not by GPS

    # ---- the connection goes. From here until it returns, no request may reach the server
    # (the service worker's included): what works, works from the phone alone.
    reached: list[str] = []

    def count_request(sender, environ, **kwargs):
        reached.append(environ.get("PATH_INFO", ""))

    request_started.connect(count_request)
    context.set_offline(True)
    page.wait_for_selector("#net[data-state='offline']")

    # One record through the real form: GPS with its accuracy, category, attributes, photo.
    page.click("#locate")
    page.wait_for_selector("#pin-status[data-source='gps'][data-accuracy='12']")
    assert "12" in page.inner_text("#pin-status")
    page.select_option("#category", "jembatan")
    page.fill("#f-name", "Jembatan Sungai Kecil")
    page.select_option("#f-condition", "rusak_ringan")
    page.select_option("#a-bahan", "beton")
    page.fill("#a-panjang_m", "12,5")
    page.set_input_files("#photo-gallery", files=[{"name": "jembatan.jpg",
                                                   "mimeType": "image/jpeg",
                                                   "buffer": photo_bytes()}])
    page.locator("#photo-preview li").wait_for()
    screenshot(page, "field-form-phone", full_page=True)
    page.click("#save")
    page.wait_for_function("document.getElementById('queue-count').textContent === '1'")

    # The rest through the page's own recording call, each with a resized photo; one outside
    # the officer's wilayah (Kecamatan B) and one missing a required attribute.
    bulk = page.evaluate("""async ({n, outside}) => {
        const canvas = new OffscreenCanvas(900, 600);
        const g = canvas.getContext('2d');
        g.fillStyle = '#8ab'; g.fillRect(0, 0, 900, 600);
        g.fillStyle = '#555'; g.fillRect(100, 250, 700, 80);
        const photo = await canvas.convertToBlob({type: 'image/jpeg', quality: 0.8});
        const uids = [];
        for (let i = 0; i < n; i++) {
            uids.push(await SIGField.addRecord({
                properties: {category: 'jembatan', name: `Jembatan ${i + 1}`, condition: 'baik',
                             attributes: {bahan: 'kayu', panjang_m: 4 + i % 7}},
                lat: -0.01 - (i % 9) * 0.009, lng: 110.01 + Math.floor(i / 9) * 0.016,
                accuracy: 8, photos: [photo]}));
        }
        const out = await SIGField.addRecord({properties: {category: 'jembatan',
            name: 'Di luar wilayah', attributes: {bahan: 'baja'}},
            lat: outside[1], lng: outside[0], photos: [photo]});
        const invalid = await SIGField.addRecord({properties: {category: 'jembatan',
            name: 'Tanpa bahan', attributes: {}}, lat: -0.05, lng: 110.12, photos: [photo]});
        await SIGField.refresh();
        return {uids, outside: out, invalid};
    }""", {"n": BULK, "outside": [110.25, -0.05]})
    assert counts(page) == {"pending": BULK + 3, "sent": 0, "refused": 0}
    assert Asset.objects.filter(recorded_by=officer).count() == 0

    # ---- a reload with no connection: the service worker serves the page; nothing is lost.
    reload = page.reload()
    assert reload.ok and reload.from_service_worker
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#category option[value='jembatan']").count() == 1  # forms kept
    assert page.evaluate("document.querySelectorAll('#field-map path.leaflet-interactive, "
                         "#field-map canvas').length") > 0
    assert counts(page) == {"pending": BULK + 3, "sent": 0, "refused": 0}
    photos_kept = page.evaluate("""async () => {
        const records = await SIGField.records();
        return records.reduce((n, r) => n + r.photoUids.length, 0);
    }""")
    assert photos_kept == BULK + 3
    page.click("#tab-queue")
    screenshot(page, "field-queue-offline-phone")
    request_started.disconnect(count_request)
    assert reached == []

    # ---- the connection returns: everything is sent by itself.
    context.set_offline(False)
    wait_counts(page, pending=0, sent=BULK + 1, refused=2)
    mine = Asset.objects.filter(recorded_by=officer)
    assert mine.count() == 100
    sent_uids = {str(u) for u in mine.values_list("uid", flat=True)}
    assert set(bulk["uids"]) <= sent_uids
    assert bulk["outside"] not in sent_uids and bulk["invalid"] not in sent_uids
    assert AssetPhoto.objects.filter(asset__recorded_by=officer).count() == 100
    assert mine.annotate(n=Count("photos")).filter(n=1).count() == 100
    form_asset = mine.get(name="Jembatan Sungai Kecil")
    assert form_asset.attributes == {"bahan": "beton", "panjang_m": 12.5}
    assert form_asset.condition == "rusak_ringan"
    assert (form_asset.geom.x, form_asset.geom.y) == pytest.approx((110.05, -0.05), abs=1e-6)
    assert not form_asset.is_verified and not form_asset.is_public  # a planner reviews it
    assert Asset.objects.count() == 101  # with the one that was there before

    # The refused records stay, each with the server's reason.
    refused = page.locator("#list-refused li")
    assert refused.count() == 2
    outside_reason = page.inner_text(f"#list-refused li[data-uid='{bulk['outside']}'] .fd-reason")
    invalid_reason = page.inner_text(f"#list-refused li[data-uid='{bulk['invalid']}'] .fd-reason")
    # The reason shown is the server's own (the API asked directly answers the same).
    answer = client.post("/api/v1/layers/aset/features/", content_type="application/json",
                         data={"type": "Feature", "properties": {
                             "category": "jembatan", "attributes": {"bahan": "baja"}},
                             "geometry": {"type": "Point", "coordinates": [110.25, -0.05]}})
    assert answer.status_code == 403
    assert answer.json()["description"] in outside_reason
    assert "Bahan: " in invalid_reason  # the field by its label in the form
    screenshot(page, "field-queue-synced-phone")

    # ---- a lost acknowledgement: the whole queue is sent again, and still 100 are stored.
    page.evaluate("SIGField.replayAll()")
    wait_counts(page, pending=0, sent=BULK + 1, refused=2)
    assert Asset.objects.filter(recorded_by=officer).count() == 100
    assert AssetPhoto.objects.filter(asset__recorded_by=officer).count() == 100

    # ---- a reload keeps the refused records and their reasons; the officer acts on them.
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.click("#tab-queue")
    assert page.inner_text(f"#list-refused li[data-uid='{bulk['outside']}'] .fd-reason") \
        == outside_reason
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#list-refused li[data-uid='{bulk['outside']}'] .fd-danger")
    page.wait_for_selector(f"#list-refused li[data-uid='{bulk['outside']}']", state="detached")
    page.click(f"#list-refused li[data-uid='{bulk['invalid']}'] button:not(.fd-danger)")
    page.wait_for_selector("#editing:not([hidden])")
    assert page.input_value("#f-name") == "Tanpa bahan"
    page.select_option("#a-bahan", "baja")
    page.click("#save")
    wait_counts(page, pending=0, sent=BULK + 2, refused=0)
    corrected = Asset.objects.get(uid=bulk["invalid"])
    assert corrected.attributes["bahan"] == "baja" and corrected.photos.count() == 1
    assert errors == []
    context.close()


def test_with_no_gps_the_photo_position_is_offered(browser, live_server, client, field_world):
    context = officer_context(browser, live_server, client, field_world["officer"])
    page = context.new_page()  # no geolocation permission: the GPS fails
    page.goto(f"{live_server.url}/lapangan/")
    page.wait_for_selector("body[data-ready='1']")
    page.click("#locate")
    page.wait_for_selector("#pin-status[data-tone='warn']")
    assert page.locator("#use-exif").is_hidden()
    page.set_input_files("#photo-camera", files=[{
        "name": "IMG_0001.jpg", "mimeType": "image/jpeg",
        "buffer": photo_bytes(gps=(-0.0612, 110.0875), size=(3000, 2000))}])
    page.locator("#photo-preview li").wait_for()
    page.locator("#use-exif").wait_for()
    page.click("#use-exif")
    page.wait_for_selector("#pin-status[data-source='exif']")
    pin = page.evaluate("SIGField.position()")
    assert (pin["lat"], pin["lng"]) == pytest.approx((-0.0612, 110.0875), abs=1e-5)
    assert pin["accuracy"] == 6
    # The stored photo is the resized one: at most 1600 px on its long side, no EXIF left.
    size = page.evaluate("""async () => {
        const img = document.querySelector('#photo-preview img');
        await img.decode();
        return [img.naturalWidth, img.naturalHeight];
    }""")
    assert size == [1600, 1067]
    exif_left = page.evaluate("""async () => {
        const src = document.querySelector('#photo-preview img').src;
        const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
        return new TextDecoder('latin1').decode(bytes.slice(0, 4096)).includes('Exif');
    }""")
    assert exif_left is False
    context.close()


def test_a_record_the_server_cannot_take_now_waits_and_is_sent_later(browser, live_server,
                                                                      client, field_world):
    """A server error keeps the record waiting (retried later, or at once by "sync now"); an
    ended session keeps it waiting too, with a link to log in, instead of marking it refused.
    Also: a poor GPS fix is flagged, and a pin placed by hand replaces it."""
    officer = field_world["officer"]
    context = officer_context(browser, live_server, client, officer,
                              permissions=["geolocation"],
                              geolocation={"latitude": -0.05, "longitude": 110.05,
                                           "accuracy": 80})
    page = context.new_page()
    page.goto(f"{live_server.url}/lapangan/")
    page.wait_for_selector("body[data-ready='1']")
    page.click("#locate")
    page.wait_for_selector("#pin-status[data-source='gps'][data-tone='warn']")
    assert "80" in page.inner_text("#pin-status") and "30" in page.inner_text("#pin-status")
    box = page.locator("#field-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2)
    page.wait_for_selector("#pin-status[data-source='manual']")
    placed = page.evaluate("SIGField.position()")
    assert placed["lng"] > 110.05 and placed["accuracy"] is None

    features = f"{live_server.url}/api/v1/layers/aset/features/"
    context.route(features, lambda route: route.fulfill(status=503, body="maintenance"))
    page.select_option("#category", "jembatan")
    page.select_option("#a-bahan", "kayu")
    page.click("#save")
    page.wait_for_selector("body[data-sync='retry']")
    assert counts(page) == {"pending": 1, "sent": 0, "refused": 0}
    assert Asset.objects.filter(recorded_by=officer).count() == 0
    context.unroute(features)
    page.click("#sync-now")
    wait_counts(page, pending=0, sent=1, refused=0, timeout=30_000)
    asset = Asset.objects.get(recorded_by=officer)
    assert (asset.geom.x, asset.geom.y) == pytest.approx((placed["lng"], placed["lat"]),
                                                         abs=1e-6)

    # The session ends (expired, or logged out elsewhere): the next record waits.
    Session.objects.all().delete()
    page.evaluate("""SIGField.addRecord({properties: {category: 'jembatan',
        attributes: {bahan: 'beton'}}, lat: -0.03, lng: 110.03}).then(() => SIGField.sync())""")
    page.wait_for_selector("body[data-sync='auth']")
    assert page.locator("#notice a[href^='/masuk/']").count() == 1
    assert counts(page) == {"pending": 1, "sent": 1, "refused": 0}
    # Logged in again, "sync now" sends it.
    client.force_login(officer)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    page.click("#sync-now")
    wait_counts(page, pending=0, sent=2, refused=0, timeout=30_000)
    assert Asset.objects.filter(recorded_by=officer).count() == 2
    context.close()

