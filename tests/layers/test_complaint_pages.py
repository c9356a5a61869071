"""The public tracking page: status and public history, never the reporter or internal notes."""

import pytest
from django.contrib.gis.geos import Point

from layers.models import ComplaintCategory, Status
from layers.services.complaints import complaint_create, complaint_set_status


@pytest.fixture
def complaint(region, staff_user):
    cat = ComplaintCategory.objects.create(slug="drainase", name="Drainase tersumbat")
    c = complaint_create(category=cat, description="Parit <b>meluap</b>",
                         point=Point(110.25, -0.05, srid=4326), reporter_name="Siti Aminah",
                         reporter_phone="081234567890", reporter_email="siti@example.com")
    c = complaint_set_status(complaint=c, status=Status.VERIFIED, by=staff_user,
                             note="Petugas dijadwalkan")
    return complaint_set_status(complaint=c, status=Status.IN_PROGRESS, by=staff_user,
                                note="Koordinasi dengan kontraktor lama", internal=True)


def test_tracking_page_shows_the_public_history_only(client, complaint):
    html = client.get(f"/pengaduan/lacak/{complaint.ticket.lower()}/").content.decode()
    assert complaint.ticket in html and "Desa Tiga" in html
    assert "Petugas dijadwalkan" in html
    assert "Koordinasi dengan kontraktor lama" not in html
    for private in ("Siti Aminah", "081234567890", "siti@example.com"):
        assert private not in html
    assert "Parit &lt;b&gt;meluap&lt;/b&gt;" in html  # escaped


def test_the_reporter_reopens_a_resolved_complaint_from_the_page(client, complaint,
                                                                 staff_user):
    complaint_set_status(complaint=complaint, status=Status.RESOLVED, by=staff_user)
    url = f"/pengaduan/lacak/{complaint.ticket}/"
    empty = client.post(url, {"note": ""})
    assert empty.status_code == 200 and "role=\"alert\"" in empty.content.decode()
    assert client.post(url, {"note": "Air masih meluap"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS


def test_unknown_ticket_is_404(client, db):
    assert client.get("/pengaduan/lacak/ADU-2026-999999/").status_code == 404
