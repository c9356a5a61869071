"""The officer's queue (/pengaduan/petugas/) and complaint page: who sees what, the filters and
overdue flags, every action with its note in the history, and that an officer of another
wilayah (or category) can neither see nor act."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone, translation

from layers.models import (
    Agency,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    Role,
    RoleAssignment,
    Status,
)
from layers.services.complaints import complaint_create, complaint_set_status

QUEUE = "/pengaduan/petugas/"
PRIVATE = ("Budi Pelapor", "081355554444", "budi.pelapor@example.org")


def officer_url(complaint) -> str:
    return f"{QUEUE}{complaint.ticket}/"


@pytest.fixture
def data(region, django_user_model):
    road = ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak",
                                            service_days=14)
    light = ComplaintCategory.objects.create(slug="pju", name="Lampu jalan", service_days=5)
    kw = dict(zip(("reporter_name", "reporter_phone", "reporter_email"), PRIVATE,
                  strict=True))
    in_b = complaint_create(category=road, description="Jalan berlubang di Desa Tiga",
                            point=Point(110.25, -0.05, srid=4326), **kw)
    in_b_light = complaint_create(category=light, description="Lampu mati di Desa Tiga",
                                  point=Point(110.26, -0.05, srid=4326))
    in_a = complaint_create(category=road, description="Jalan rusak di Desa Satu",
                            point=Point(110.05, -0.05, srid=4326))

    def user(name, *roles, **extra):
        u = django_user_model.objects.create_user(name, is_staff=True, **extra)
        for role, area, categories in roles:
            RoleAssignment.objects.create(user=u, role=role, area=area) \
                .complaint_categories.set(categories)
        return u

    return {
        "road": road, "light": light, "in_b": in_b, "in_b_light": in_b_light, "in_a": in_a,
        "officer_b": user("petugas-b", (Role.COMPLAINT_OFFICER, region.district_b, [road])),
        "officer_a": user("petugas-a", (Role.COMPLAINT_OFFICER, region.district_a, [])),
        "officer_b_light": user("petugas-b-pju",
                                (Role.COMPLAINT_OFFICER, region.district_b, [light])),
        "planner": user("perencana-b", (Role.PLANNER, region.district_b, [])),
        "region": region,
    }


def login(client, user):
    client.force_login(user)
    return client


def snapshot(complaint) -> tuple:
    c = Complaint.objects.get(pk=complaint.pk)
    return (c.status, c.version, c.agency_id, c.area_id, c.geom.wkt,
            ComplaintEvent.objects.filter(complaint=c).count())


def test_the_queue_needs_a_login_and_a_complaint_role(client, data):
    assert client.get(QUEUE).status_code == 302
    login(client, data["planner"])
    response = client.get(QUEUE)
    assert response.status_code == 403
    with translation.override("id"):
        from layers.views.complaint_queue import NOT_AN_OFFICER
        assert str(NOT_AN_OFFICER) in response.content.decode()
    assert client.get(officer_url(data["in_b"])).status_code == 403


def test_the_queue_lists_the_officers_wilayah_and_categories_only(client, data):
    html = login(client, data["officer_b"]).get(QUEUE).content.decode()
    assert data["in_b"].ticket in html
    assert data["in_a"].ticket not in html and data["in_b_light"].ticket not in html
    assert "Desa Tiga" in html and "Kecamatan B" in html
    assert all(p not in html for p in PRIVATE)  # the list carries no contact details


def test_overdue_is_highlighted_filtered_and_sorted_first(client, data, region):
    road = data["road"]
    late = complaint_create(category=road, description="Sudah lama", point=Point(
        110.27, -0.06, srid=4326))
    Complaint.objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=3))
    login(client, data["officer_b"])
    html = client.get(QUEUE).content.decode()
    assert f'<tr class="is-overdue" data-ticket="{late.ticket}">' in html
    assert html.index(late.ticket) < html.index(data["in_b"].ticket)  # due date first
    only = client.get(QUEUE, {"status": "terbuka", "overdue": "on"}).content.decode()
    assert late.ticket in only and data["in_b"].ticket not in only
    newest = client.get(QUEUE, {"sort": "new"}).content.decode()
    assert newest.index(late.ticket) < newest.index(data["in_b"].ticket)


def test_filters_by_status_category_and_kecamatan(client, data, django_user_model):
    root = django_user_model.objects.create_superuser("root", password=None)
    login(client, root)
    complaint_set_status(complaint=data["in_a"], status=Status.VERIFIED, by=root)
    t = {k: data[k].ticket for k in ("in_a", "in_b", "in_b_light")}
    html = client.get(QUEUE).content.decode()
    assert all(v in html for v in t.values())
    verified = client.get(QUEUE, {"status": "diverifikasi"}).content.decode()
    assert t["in_a"] in verified and t["in_b"] not in verified
    lights = client.get(QUEUE, {"category": data["light"].pk}).content.decode()
    assert t["in_b_light"] in lights and t["in_b"] not in lights
    kec_a = client.get(QUEUE, {"kecamatan": "99.01.01"}).content.decode()
    assert t["in_a"] in kec_a and t["in_b"] not in kec_a


def test_the_officer_sees_contact_photos_history_and_internal_notes(client, data):
    officer = data["officer_b"]
    complaint_set_status(complaint=data["in_b"], status=Status.VERIFIED, by=officer,
                         note="Dicek besok", internal=True)
    html = login(client, officer).get(officer_url(data["in_b"])).content.decode()
    assert all(p in html for p in PRIVATE)
    assert "Dicek besok" in html and 'class="is-internal"' in html
    assert 'name="status" value="diproses"' in html  # the next steps are offered


def test_an_officer_of_another_wilayah_can_neither_see_nor_act(client, data):
    target = data["in_b"]
    before = snapshot(target)
    for officer in (data["officer_a"], data["officer_b_light"]):
        login(client, officer)
        assert client.get(officer_url(target)).status_code == 404
        for body in ({"action": "status", "status": "diverifikasi", "note": "x",
                      "version": target.version},
                     {"action": "move", "lat": "-0.05", "lng": "110.05", "version":
                      target.version},
                     {"action": "assign", "agency": Agency.objects.create(
                         name=f"Kantor {officer.pk}").pk, "version": target.version}):
            assert client.post(officer_url(target), body).status_code in (403, 404)
        client.logout()
    assert snapshot(target) == before


def test_verify_then_resolve_with_public_notes_and_an_internal_one(client, data):
    c = data["in_b"]
    login(client, data["officer_b"])
    url = officer_url(c)
    r = client.post(url, {"action": "status", "status": "diverifikasi",
                          "note": "Lokasi sudah dicek petugas.", "version": c.version})
    assert r.status_code == 302 and r["Location"] == url
    c.refresh_from_db()
    r = client.post(url, {"action": "status", "status": "diproses",
                          "note": "Kontraktor X belum dibayar", "internal": "on",
                          "version": c.version})
    c.refresh_from_db()
    client.post(url, {"action": "status", "status": "selesai",
                      "note": "Lubang sudah ditambal.", "version": c.version})
    c.refresh_from_db()
    assert c.status == Status.RESOLVED and c.resolved_at is not None
    notes = list(c.events.values_list("note", "is_internal"))
    assert ("Kontraktor X belum dibayar", True) in notes
    assert ("Lubang sudah ditambal.", False) in notes
    public = type(client)().get(f"/pengaduan/lacak/{c.ticket}/").content.decode()
    assert "Lokasi sudah dicek petugas." in public and "Lubang sudah ditambal." in public
    assert "Kontraktor X" not in public
    assert all(p not in public for p in PRIVATE)


def test_reject_needs_a_note_and_stale_forms_are_refused(client, data):
    c = data["in_b"]
    login(client, data["officer_b"])
    before = snapshot(c)
    r = client.post(officer_url(c), {"action": "status", "status": "ditolak", "note": "",
                                     "version": c.version})
    assert r.status_code == 400 and snapshot(c) == before
    with translation.override("id"):
        assert translation.gettext("Say why the complaint is rejected.") in r.content.decode()
    stale = client.post(officer_url(c), {"action": "status", "status": "diverifikasi",
                                         "note": "", "version": c.version - 1})
    assert stale.status_code == 400 and snapshot(c) == before
    # A transition the workflow does not allow is not offered and not accepted.
    bad = client.post(officer_url(c), {"action": "status", "status": "selesai",
                                       "version": c.version})
    assert bad.status_code == 400 and snapshot(c) == before


def test_assign_and_move_say_so_in_the_history(client, data, region):
    c = data["in_b"]
    office = Agency.objects.create(name="Dinas Perhubungan")
    login(client, data["officer_b"])
    r = client.post(officer_url(c), {"action": "assign", "agency": office.pk,
                                     "note": "Wewenang Dishub", "version": c.version})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.agency == office
    # Moving inside Kecamatan B keeps it in this officer's queue.
    r = client.post(officer_url(c), {"action": "move", "lat": "-0.07", "lng": "110.29",
                                     "note": "Titik digeser ke simpang", "version":
                                     c.version})
    assert r.status_code == 302 and r["Location"] == officer_url(c)
    c.refresh_from_db()
    assert c.area == region.desa_b1 and round(c.geom.x, 2) == 110.29
    # Outside the region: refused, unchanged.
    before = snapshot(c)
    r = client.post(officer_url(c), {"action": "move", "lat": "-6.2", "lng": "106.8",
                                     "version": c.version})
    assert r.status_code == 400 and snapshot(c) == before
    # Into Kecamatan A: re-routed to its officers; this officer goes back to the queue.
    r = client.post(officer_url(c), {"action": "move", "lat": "-0.05", "lng": "110.15",
                                     "version": c.version})
    assert r.status_code == 302 and r["Location"] == QUEUE
    c.refresh_from_db()
    assert c.area == region.kel_a2
    notes = " ".join(c.events.values_list("note", flat=True))
    assert "Dinas Perhubungan" in notes and "Desa Tiga → Kelurahan Dua" in notes
    public = type(client)().get(f"/pengaduan/lacak/{c.ticket}/").content.decode()
    assert "Titik digeser ke simpang" in public


def test_nearby_duplicates_are_suggested_not_merged(client, data):
    c = data["in_b"]
    twin = complaint_create(category=data["road"], description="Lubang yang sama",
                            point=Point(110.2502, -0.0501, srid=4326))
    login(client, data["officer_b"])
    html = client.get(officer_url(twin)).content.decode()
    assert 'id="duplicates"' in html and c.ticket in html
    assert Complaint.objects.get(pk=twin.pk).status == Status.NEW  # nothing merged
    r = client.post(officer_url(twin), {"action": "status", "status": "ditolak",
                                        "duplicate_of": c.ticket, "version": twin.version})
    assert r.status_code == 302
    twin.refresh_from_db()
    assert twin.status == Status.REJECTED
    assert c.ticket in twin.events.last().note
