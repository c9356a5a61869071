"""The public complaint form (/pengaduan/baru/), its nearby-complaints endpoint and “saya juga”:
the wilayah derived from the pin, a point outside the region, the honeypot, the rate limit,
photo checks, and no personal data in any public response."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from layers.models import (
    AdministrativeArea,
    Complaint,
    ComplaintCategory,
    ComplaintFollower,
    ComplaintPhoto,
    Status,
    SubmissionAttempt,
)
from layers.services.complaints import complaint_create, complaint_set_status

URL = "/pengaduan/baru/"
NEARBY = "/pengaduan/sekitar/"
PRIVATE = ("Siti Rahasiawati", "081299887766", "siti.pelapor@example.org")
TICKET = re.compile(r"ADU-\d{4}-\d{6}")


def jpeg(name: str = "foto.jpg", size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 120, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def road(db):
    return ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak",
                                            service_days=14)


def payload(category, *, lng=110.25, lat=-0.05, **extra) -> dict:
    data = {"category": category.pk, "description": "Jalan berlubang besar di depan masjid.",
            "lat": str(lat), "lng": str(lng), "reporter_name": PRIVATE[0],
            "reporter_phone": PRIVATE[1], "reporter_email": PRIVATE[2], "website": ""}
    data.update(extra)
    return data


def in_indonesian(message: str) -> str:
    with translation.override("id"):
        return translation.gettext(message)


def test_the_form_says_what_is_public_and_has_its_trap(client, region, road):
    html = client.get(URL).content.decode()
    assert 'id="privacy-notice"' in html
    assert 'name="website"' in html and 'class="cx-trap"' in html
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'name="lat"' in html and 'name="lng"' in html  # usable without JavaScript
    assert "Jalan rusak" in html
    assert '<html lang="id">' in html


@pytest.mark.parametrize(("lng", "desa"), [(110.05, "desa_a1"), (110.15, "kel_a2"),
                                           (110.25, "desa_b1")])
def test_the_wilayah_is_derived_from_the_pin(client, region, road, lng, desa):
    response = client.post(URL, payload(road, lng=lng, photos=[jpeg()]))
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/pengaduan/lacak/{complaint.ticket}/"
    assert complaint.area == getattr(region, desa)
    assert complaint.reporter_phone == PRIVATE[1]
    assert ComplaintPhoto.objects.filter(complaint=complaint).count() == 1
    assert SubmissionAttempt.objects.count() == 1
    # The tracking page shows the ticket prominently, and nothing private.
    html = client.get(response["Location"]).content.decode()
    assert f'id="ticket-code">{complaint.ticket}<' in html
    assert all(p not in html for p in PRIVATE)


def test_the_wilayah_is_derived_in_the_demo_region(client, db, settings):
    from layers.demo.seed import seed_demo

    seed_demo()
    settings.SIG_SUBMISSION_LIMIT = 100
    category = ComplaintCategory.objects.get(slug="jalan-rusak")
    # One desa of each of three kecamatan, at a point inside each.
    picked = {}
    for desa in AdministrativeArea.objects.villages().filter(code__startswith="99.01.")\
            .order_by("code"):
        picked.setdefault(desa.code.rsplit(".", 1)[0], desa)
    for desa in list(picked.values())[:3]:
        inside = desa.geom.point_on_surface
        before = set(Complaint.objects.values_list("pk", flat=True))
        response = client.post(URL, payload(category, lng=inside.x, lat=inside.y))
        assert response.status_code == 302
        new = Complaint.objects.exclude(pk__in=before).get()
        assert new.area == desa, (desa.code, new.area)
        assert new.area.parent.code == desa.code.rsplit(".", 1)[0]


def test_a_point_outside_the_region_is_refused_clearly_and_nothing_is_kept(client, region,
                                                                          road, media):
    response = client.post(URL, payload(road, lng=106.8, lat=-6.2, photos=[jpeg()]))
    assert response.status_code == 200
    html = response.content.decode()
    expected = in_indonesian("This location is outside the region's villages: place the pin "
                             "inside the map area.")
    assert expected in html.replace("&#x27;", "'")
    assert 'role="alert"' in html
    assert not Complaint.objects.exists() and not ComplaintPhoto.objects.exists()
    assert not SubmissionAttempt.objects.exists()
    assert not any(media.rglob("*.jpg"))
    # What the resident typed is kept in the form, so they only move the pin.
    assert "Jalan berlubang besar di depan masjid." in html


def test_a_missing_pin_or_category_is_explained(client, region, road):
    html = client.post(URL, {"description": "Lampu mati semua di gang"}).content.decode()
    assert in_indonesian("Place the pin on the map, or use your location.") in html
    assert in_indonesian("Choose a category.") in html
    assert not Complaint.objects.exists()


def test_the_honeypot_pretends_success_and_keeps_nothing(client, region, road):
    response = client.post(URL, payload(road, website="http://spam.example",
                                        photos=[jpeg()]))
    assert response.status_code == 302 and response["Location"].endswith("?terkirim=1")
    assert not Complaint.objects.exists() and not SubmissionAttempt.objects.exists()
    assert not ComplaintPhoto.objects.exists()
    assert 'class="cx-alert cx-ok"' in client.get(response["Location"]).content.decode()


def test_the_rate_limit_refuses_the_burst_and_keeps_nothing_of_it(client, region, road,
                                                                 settings):
    settings.SIG_SUBMISSION_LIMIT = 3
    codes = [client.post(URL, payload(road, photos=[jpeg()]),
                         REMOTE_ADDR="203.0.113.7").status_code for _ in range(6)]
    assert codes == [302, 302, 302, 429, 429, 429]
    assert Complaint.objects.count() == 3 and ComplaintPhoto.objects.count() == 3
    assert SubmissionAttempt.objects.count() == 3
    refused = client.post(URL, payload(road), REMOTE_ADDR="203.0.113.7")
    assert in_indonesian("Too many reports from this connection. Please wait a few minutes "
                         "and try again.") in refused.content.decode()
    # Another connection is not affected.
    assert client.post(URL, payload(road), REMOTE_ADDR="198.51.100.1").status_code == 302


def test_photo_type_count_and_size_are_checked(client, region, road, settings):
    fake = SimpleUploadedFile("x.jpg", b"<html>bukan foto</html>", content_type="image/jpeg")
    html = client.post(URL, payload(road, photos=[fake])).content.decode()
    assert in_indonesian("The file is not a readable photo.") in html
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")
    html = client.post(URL, payload(road, photos=[pdf])).content.decode()
    assert in_indonesian("Only JPEG, PNG or WebP photos are accepted.") in html
    html = client.post(URL, payload(road, photos=[jpeg(f"{i}.jpg") for i in range(4)])
                       ).content.decode()
    assert 'class="errorlist"' in html
    from layers import photos
    big = jpeg("big.jpg")
    settings_limit = photos.MAX_BYTES
    try:
        photos.MAX_BYTES = 1000
        html = client.post(URL, payload(road, photos=[big])).content.decode()
    finally:
        photos.MAX_BYTES = settings_limit
    assert 'class="errorlist"' in html
    assert not Complaint.objects.exists() and not ComplaintPhoto.objects.exists()


# ---- /pengaduan/sekitar/ ---------------------------------------------------------------------

@pytest.fixture
def neighbours(region, road, staff_user):
    """An open complaint ~20 m from the pin, a rejected one and a far one, and one of another
    category, each with a reporter whose data must not leave."""
    light = ComplaintCategory.objects.create(slug="pju", name="Lampu jalan")
    kw = {"reporter_name": PRIVATE[0], "reporter_phone": PRIVATE[1],
          "reporter_email": PRIVATE[2]}
    near = complaint_create(category=road, description="Lubang di jalan desa",
                            point=Point(110.2502, -0.05, srid=4326), **kw)
    rejected = complaint_create(category=road, description="Laporan palsu",
                                point=Point(110.2501, -0.05, srid=4326), **kw)
    complaint_set_status(complaint=rejected, status=Status.REJECTED, by=staff_user,
                         note="Tidak ditemukan di lokasi; catatan petugas")
    complaint_create(category=road, description="Jauh", point=Point(110.28, -0.05, srid=4326),
                     **kw)
    complaint_create(category=light, description="Lampu mati",
                     point=Point(110.2502, -0.05, srid=4326), **kw)
    return near


def test_nearby_lists_open_complaints_of_the_category_with_public_fields_only(client,
                                                                            neighbours, road):
    response = client.get(NEARBY, {"lat": "-0.05", "lng": "110.25", "category": road.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["location"] == {"code": "99.01.02.2001", "desa": "Desa Tiga",
                                "kecamatan": "Kecamatan B"}
    assert [c["ticket"] for c in body["complaints"]] == [neighbours.ticket]
    item = body["complaints"][0]
    assert set(item) == {"ticket", "description", "status", "supporters", "created_at",
                         "distance_m"}
    assert 15 <= item["distance_m"] <= 30
    text = response.content.decode()
    assert all(p not in text for p in PRIVATE) and "catatan petugas" not in text


def test_nearby_without_category_gives_the_place_and_outside_gives_null(client, neighbours):
    body = client.get(NEARBY, {"lat": "-0.05", "lng": "110.05"}).json()
    assert body == {"location": {"code": "99.01.01.2001", "desa": "Desa Satu",
                                 "kecamatan": "Kecamatan A"}, "complaints": []}
    assert client.get(NEARBY, {"lat": "-6.2", "lng": "106.8"}).json()["location"] is None
    assert client.get(NEARBY, {"lat": "x", "lng": "110"}).status_code == 400


# ---- “saya juga” ----------------------------------------------------------------------------

def support_url(complaint) -> str:
    return f"/pengaduan/lacak/{complaint.ticket}/saya-juga/"


def test_saya_juga_counts_once_per_browser_and_follows_by_email(client, neighbours):
    headers = {"HTTP_ACCEPT": "application/json"}
    response = client.post(support_url(neighbours), {"email": "tetangga@example.com"},
                           **headers)
    assert response.status_code == 200
    assert response.json() == {"ticket": neighbours.ticket, "supporters": 1}
    assert ComplaintFollower.objects.filter(complaint=neighbours,
                                            email="tetangga@example.com").exists()
    again = client.post(support_url(neighbours), {}, **headers)
    assert again.status_code == 409 and again.json()["supporters"] == 1
    # Without JavaScript: back to the tracking page, with a message.
    other = type(client)()
    plain = other.post(support_url(neighbours), {})
    assert plain.status_code == 302 and plain["Location"].endswith(f"{neighbours.ticket}/")
    neighbours.refresh_from_db()
    assert neighbours.supporters == 2
    assert "tetangga@example.com" not in other.get(plain["Location"]).content.decode()


def test_saya_juga_is_refused_for_closed_complaints_and_bursts(client, neighbours, settings,
                                                             staff_user):
    headers = {"HTTP_ACCEPT": "application/json"}
    settings.SIG_SUBMISSION_LIMIT = 2
    tickets = []
    for i in range(3):
        c = complaint_create(category=neighbours.category, description=f"Lubang {i}",
                             point=Point(110.2503, -0.05, srid=4326))
        tickets.append(client.post(support_url(c), {}, REMOTE_ADDR="203.0.113.9",
                                   **headers).status_code)
    assert tickets == [200, 200, 429]
    assert sorted(Complaint.objects.filter(description__regex=r"^Lubang \d$")
                  .values_list("supporters", flat=True)) == [0, 1, 1]
    closed = complaint_set_status(complaint=neighbours, status=Status.REJECTED, by=staff_user,
                                  note="Duplikat")
    assert client.post(support_url(closed), {}, **headers).status_code == 404


def test_form_page_and_json_never_carry_personal_data(client, neighbours, road):
    pages = [client.get(URL), client.get(NEARBY, {"lat": "-0.05", "lng": "110.25",
                                                  "category": road.pk}),
             client.get(f"/pengaduan/lacak/{neighbours.ticket}/")]
    for response in pages:
        text = response.content.decode()
        assert all(p not in text for p in PRIVATE), response.request["PATH_INFO"]
    config = re.search(r'id="complaint-config"[^>]*>(.*?)</script>',
                       pages[0].content.decode(), re.S)
    assert json.loads(config.group(1))["urls"]["nearby"] == NEARBY
    assert TICKET.search(neighbours.ticket)
