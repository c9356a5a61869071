"""The complaint flow in Debian's chromium: a resident on a phone (390×844) places the pin,
sees a similar report nearby, attaches a photo and sends; gets a ticket code; an officer of the
kecamatan verifies and resolves it with public notes; the tracking page shows the history.
Screenshots go to var/screenshots/complaint-*.png and transparency*.png: look at them after a
change to these pages' look."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.gis.geos import Point
from PIL import Image, ImageDraw

from layers.models import (
    Agency,
    Complaint,
    ComplaintCategory,
    ComplaintPhoto,
    Role,
    RoleAssignment,
    Status,
)
from layers.services.complaints import complaint_create, complaint_set_status
from tests.browser.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TICKET = re.compile(r"^ADU-\d{4}-\d{6}$")
PRIVATE = ("Siti Aminah", "081234567890", "siti@example.com")


def photo_bytes() -> bytes:
    """A 1200×900 JPEG that looks like something: grey asphalt with a dark pothole."""
    img = Image.new("RGB", (1200, 900), (120, 122, 118))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 620, 1200, 900), fill=(96, 140, 80))
    draw.ellipse((380, 330, 820, 560), fill=(45, 42, 40))
    draw.line((0, 200, 1200, 200), fill=(235, 235, 230), width=14)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
def world(region, settings, tmp_path, django_user_model):
    settings.SIG_BASEMAP_URL = ""  # nothing leaves the test machine
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIG_SUBMISSION_LIMIT = 50
    office = Agency.objects.create(name="Dinas Pekerjaan Umum dan Penataan Ruang",
                                   short_name="Dinas PUPR")
    road = ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak / berlubang",
                                            agency=office, service_days=14)
    drain = ComplaintCategory.objects.create(slug="drainase", name="Drainase tersumbat",
                                             agency=office, service_days=7)
    officer = django_user_model.objects.create_user(
        "petugas-b", is_staff=True, first_name="Rina", last_name="Petugas")
    RoleAssignment.objects.create(user=officer, role=Role.COMPLAINT_OFFICER,
                                  area=region.district_b).complaint_categories.set([road, drain])
    # Reports already there: one ~25 m from where the resident stands (offered as "saya
    # juga"), and a few others so the queue and the figures are not empty.
    existing = complaint_create(category=road, description="Lubang besar di jalan depan "
                                "SD, motor sering jatuh.", point=Point(110.2502, -0.0502,
                                                                        srid=4326))
    Complaint.objects.filter(pk=existing.pk).update(supporters=4)
    for lng, lat, cat, text, steps in (
            (110.27, -0.03, drain, "Parit tersumbat sampah, air meluap ke jalan.",
             (Status.VERIFIED,)),
            (110.22, -0.08, road, "Aspal mengelupas sepanjang 100 meter.",
             (Status.VERIFIED, Status.IN_PROGRESS, Status.RESOLVED)),
            (110.05, -0.05, road, "Jalan desa rusak setelah banjir.", ()),
            (110.15, -0.02, drain, "Gorong-gorong ambrol.", (Status.VERIFIED,)),
            (110.12, -0.07, road, "Jalan amblas di tikungan.",
             (Status.VERIFIED, Status.RESOLVED)),
            (110.04, -0.02, drain, "Saluran tertutup tanah.", (Status.VERIFIED,
                                                               Status.RESOLVED)),
    ):
        c = complaint_create(category=cat, description=text, point=Point(lng, lat, srid=4326))
        for status in steps:
            c = complaint_set_status(complaint=c, status=status, by=officer,
                                     note="Ditindaklanjuti petugas.")
        if c.resolved_at:  # filed a few days before it was resolved
            Complaint.objects.filter(pk=c.pk).update(
                created_at=c.resolved_at - dt.timedelta(days=5, hours=6))
    return {"road": road, "officer": officer, "existing": existing, "region": region}


def serve_media(context, live_server) -> None:
    """The live server does not serve MEDIA_URL (DEBUG is off): answer from MEDIA_ROOT."""
    root = Path(django_settings.MEDIA_ROOT)

    def fulfil(route):
        rel = route.request.url.split(django_settings.MEDIA_URL, 1)[1]
        path = (root / rel).resolve()
        if root.resolve() in path.parents and path.is_file():
            route.fulfill(path=str(path))
        else:
            route.fulfill(status=404)

    context.route(f"{live_server.url}{django_settings.MEDIA_URL}**", fulfil)


def phone_context(browser, live_server, **options):
    context = browser.new_context(locale="id-ID", viewport=PHONE, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, **options)
    serve_media(context, live_server)
    return context


def officer_context(browser, live_server, client, user, **options):
    client.force_login(user)
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(locale="id-ID", **options)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    serve_media(context, live_server)
    return context


def tap_map(page, lng: float, lat: float) -> None:
    point = page.evaluate("([lat, lng]) => { const p = SIGComplaint.map"
                          ".latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }", [lat, lng])
    box = page.locator("#pin-map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def test_a_resident_files_with_a_photo_and_an_officer_resolves_it(browser, live_server, client,
                                                                  world):
    region, road = world["region"], world["road"]
    context = phone_context(browser, live_server, permissions=["geolocation"],
                            geolocation={"latitude": -0.05, "longitude": 110.25,
                                         "accuracy": 12})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/pengaduan/baru/")
    page.wait_for_function("window.SIGComplaint && SIGComplaint.map")
    assert page.locator("#privacy-notice").is_visible()

    # A tap on the map places the pin; the page names the desa under it.
    tap_map(page, 110.15, -0.05)
    page.wait_for_function("document.getElementById('pin-status').textContent"
                           ".includes('Kelurahan Dua')")
    assert float(page.input_value("#id_lng")) == pytest.approx(110.15, abs=0.002)

    # "Use my location": the pin jumps there and the accuracy is shown.
    page.click("#locate")
    page.wait_for_function("document.getElementById('pin-status').textContent.includes('12')")
    page.wait_for_function("document.getElementById('pin-status').textContent"
                           ".includes('Desa Tiga')")
    assert float(page.input_value("#id_lat")) == pytest.approx(-0.05, abs=1e-5)

    # The category brings up the report ~25 m away, offered as "saya juga".
    page.select_option("#id_category", str(road.pk))
    near = page.locator(f".cx-near[data-ticket='{world['existing'].ticket}']")
    near.wait_for()
    assert "4 warga" in near.inner_text()
    # A neighbour's "saya juga" (with an e-mail to follow it) is counted at once.
    near.get_by_role("button", name="Saya juga").click()
    near.locator("input[type=email]").fill("tetangga@example.com")
    near.locator("button[type=submit]").click()
    near.locator(".cx-near-done").wait_for()
    assert "5 warga" in near.inner_text()
    world["existing"].refresh_from_db()
    assert world["existing"].supporters == 5
    assert world["existing"].followers.filter(email="tetangga@example.com").exists()

    page.fill("#id_description", "Lubang kedua di sisi timur jembatan, dalam sekitar 20 cm.")
    page.set_input_files("#photo-gallery", files=[{"name": "lubang.jpg",
                                                   "mimeType": "image/jpeg",
                                                   "buffer": photo_bytes()}])
    page.locator("#photo-preview img").wait_for()
    page.fill("#id_reporter_name", PRIVATE[0])
    page.fill("#id_reporter_phone", PRIVATE[1])
    page.fill("#id_reporter_email", PRIVATE[2])
    # For the screenshots: the whole desa in view, and the page from the notice down.
    page.evaluate("SIGComplaint.map.setZoom(12)")
    page.wait_for_timeout(600)  # boundary tiles drawn
    page.evaluate("document.getElementById('privacy-notice').scrollIntoView()")
    screenshot(page, "complaint-form-phone")
    screenshot(page, "complaint-form-phone-full", full_page=True)

    page.click("#submit")
    page.wait_for_url(re.compile(r"/pengaduan/lacak/ADU-"))
    ticket = page.locator("#ticket-code").inner_text().strip()
    assert TICKET.match(ticket)
    complaint = Complaint.objects.get(ticket=ticket)
    assert complaint.area == region.desa_b1
    assert ComplaintPhoto.objects.filter(complaint=complaint).count() == 1
    assert complaint.reporter_email == PRIVATE[2]
    html = page.content()
    assert all(p not in html for p in PRIVATE)
    page.locator(".cx-photos img").first.wait_for()
    screenshot(page, "complaint-filed-phone", full_page=True)
    assert errors == []
    context.close()

    # The officer of Kecamatan B finds it in the queue, verifies and resolves it.
    staff = officer_context(browser, live_server, client, world["officer"])
    desk = staff.new_page()
    desk.goto(f"{live_server.url}/pengaduan/petugas/")
    row = desk.locator(f"tr[data-ticket='{ticket}']")
    row.wait_for()
    screenshot(desk, "complaint-queue", full_page=True)
    row.locator("a.cx-ticket-link").click()
    desk.wait_for_url(f"**/pengaduan/petugas/{ticket}/")
    assert PRIVATE[1] in desk.locator(".cx-private").inner_text()  # contact: officers only
    assert world["existing"].ticket in desk.locator("#duplicates").inner_text()
    desk.fill("#status-note", "Lokasi sudah ditinjau; perbaikan dijadwalkan minggu ini.")
    desk.click("#status-form button[value='diverifikasi']")
    desk.wait_for_selector("#status.cx-status-diverifikasi")
    desk.fill("#status-note", "Anggaran dari pos pemeliharaan rutin.")
    desk.check("#status-internal")
    desk.click("#status-form button[value='diproses']")
    desk.wait_for_selector("#status.cx-status-diproses")
    desk.fill("#status-note", "Lubang sudah ditambal dengan aspal hotmix. Terima kasih.")
    desk.click("#status-form button[value='selesai']")
    desk.wait_for_selector("#status.cx-status-selesai")
    desk.wait_for_timeout(300)
    screenshot(desk, "complaint-officer-detail", full_page=True)
    staff.close()
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED

    # Anyone with the ticket sees the public history, without the internal note.
    context = phone_context(browser, live_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/pengaduan/lacak/{ticket}/")
    history = page.locator("#history").inner_text()
    assert "Lokasi sudah ditinjau" in history and "hotmix" in history
    assert "Anggaran" not in page.content()
    assert "Selesai" in page.locator(".cx-status").first.inner_text()
    page.locator(".cx-photos img").first.wait_for()
    screenshot(page, "complaint-track-phone", full_page=True)
    context.close()


def test_transparency_page_screenshots(browser, live_server, client, world):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/transparansi/")
    page.wait_for_selector("#heat-map[data-ready='1']")
    page.wait_for_timeout(500)
    assert page.locator("#heat-map canvas.leaflet-heatmap-layer").count() == 1
    html = page.content()
    assert "Kecamatan B" in html and all(p not in html for p in PRIVATE)
    screenshot(page, "transparency", full_page=True)
    context.close()

    context = browser.new_context(locale="id-ID", viewport=PHONE, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/transparansi/")
    page.wait_for_selector("#heat-map[data-ready='1']")
    page.wait_for_timeout(400)
    screenshot(page, "transparency-phone", full_page=True)
    context.close()

    staff = officer_context(browser, live_server, client, world["officer"], viewport=PHONE,
                            device_scale_factor=2, is_mobile=True, has_touch=True)
    page = staff.new_page()
    page.goto(f"{live_server.url}/pengaduan/petugas/")
    page.locator("#queue").wait_for()
    screenshot(page, "complaint-queue-phone", full_page=True)
    staff.close()
