"""The transparency page (/transparansi/): counts by status, category and kecamatan (rolled up
from the desa), the median days to resolve and the on-time share, computed in SQL, the heat
map of open complaints, staff-only overdue figures, and no personal data."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from layers.models import Complaint, ComplaintCategory, Role, RoleAssignment, Status
from layers.selectors.complaint_stats import transparency_figures
from layers.services.complaints import complaint_create, complaint_set_status

URL = "/transparansi/"
PRIVATE = ("Rahmat Pelapor", "081211112222", "rahmat@example.org")
INTERNAL = "Catatan internal: anggaran habis"


@pytest.fixture
def complaints(region, staff_user):
    """Six complaints: three resolved after 2, 4 and 10 days (the 10-day one late), one open
    and overdue, one open, one rejected; in Kecamatan A (two desa) and Kecamatan B."""
    road = ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak",
                                            service_days=7)
    light = ComplaintCategory.objects.create(slug="pju", name="Lampu jalan", service_days=3)
    kw = dict(zip(("reporter_name", "reporter_phone", "reporter_email"), PRIVATE,
                  strict=True))
    now = timezone.now()

    def make(cat, lng, *, days_to_resolve=None, steps=(), filed_days_ago=20, note=""):
        c = complaint_create(category=cat, description=f"Masalah di {lng}",
                             point=Point(lng, -0.05, srid=4326), **kw)
        for status in steps:
            c = complaint_set_status(complaint=c, status=status, by=staff_user, note=note,
                                     internal=bool(note))
        filed = now - dt.timedelta(days=filed_days_ago)
        update = {"created_at": filed,
                  "due_date": timezone.localdate(filed) + dt.timedelta(days=cat.service_days)}
        if days_to_resolve is not None:
            update["resolved_at"] = filed + dt.timedelta(days=days_to_resolve)
        Complaint.objects.filter(pk=c.pk).update(**update)
        return c

    resolve = (Status.VERIFIED, Status.RESOLVED)
    return {
        "r2": make(road, 110.05, days_to_resolve=2, steps=resolve),      # Desa Satu (A)
        "r4": make(road, 110.15, days_to_resolve=4, steps=resolve),      # Kelurahan Dua (A)
        "r10": make(light, 110.25, days_to_resolve=10, steps=resolve),   # Desa Tiga (B), late
        "late": make(road, 110.26, steps=(Status.VERIFIED,), note=INTERNAL),  # B, overdue
        "open": make(light, 110.27, filed_days_ago=1),                   # B, not yet due
        "rejected": make(road, 110.06, steps=(Status.REJECTED,), note="Bukan wewenang"),
    }


def test_figures_are_right(complaints):
    t = transparency_figures()
    o = t.overall
    assert (o["total"], o["open"], o["resolved"], o["rejected"], o["overdue"]) == (6, 2, 3, 1,
                                                                                   1)
    assert o["median_days"] == pytest.approx(4.0, abs=0.05)
    assert o["on_time"] == 2 and o["on_time_pct"] == 67
    assert {s["status"]: s["count"] for s in t.by_status} == {
        "baru": 1, "diverifikasi": 1, "diproses": 0, "selesai": 3, "ditolak": 1}
    by_cat = {c["name"]: c for c in t.by_category}
    assert by_cat["Jalan rusak"]["total"] == 4 and by_cat["Lampu jalan"]["total"] == 2
    assert by_cat["Jalan rusak"]["median_days"] == pytest.approx(3.0, abs=0.05)
    kec = {k["name"]: k for k in t.by_kecamatan}
    # Kecamatan A holds Desa Satu and Kelurahan Dua: rolled up through area.parent.
    assert (kec["Kecamatan A"]["total"], kec["Kecamatan A"]["resolved"]) == (3, 2)
    assert kec["Kecamatan A"]["median_days"] == pytest.approx(3.0, abs=0.05)
    assert (kec["Kecamatan B"]["total"], kec["Kecamatan B"]["open"],
            kec["Kecamatan B"]["overdue"], kec["Kecamatan B"]["on_time_pct"]) == (3, 2, 1, 0)
    # The heat map: open complaints only, as [lat, lng, count] cells.
    assert sorted(round(p[1], 2) for p in t.heat) == [110.26, 110.27]
    assert all(p[2] == 1 for p in t.heat)


def test_figures_take_a_fixed_number_of_queries(complaints, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        transparency_figures()


def test_the_public_page_shows_figures_and_no_personal_data(client, complaints):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kecamatan A" in html and "Kecamatan B" in html and "Jalan rusak" in html
    assert 'id="median"><strong>4,0<' in html  # Indonesian decimal comma
    for secret in (*PRIVATE, INTERNAL, "Bukan wewenang", "Masalah di"):
        assert secret not in html
    config = json.loads(re.search(r'id="complaint-config"[^>]*>(.*?)</script>', html,
                                  re.S).group(1))
    assert len(config["heat"]) == 2
    assert "overdue" not in html.lower() and "Terlambat" not in html  # staff only


def test_staff_also_see_overdue_per_kecamatan(client, complaints, django_user_model,
                                              region):
    officer = django_user_model.objects.create_user("petugas", is_staff=True)
    RoleAssignment.objects.create(user=officer, role=Role.COMPLAINT_OFFICER,
                                  area=region.district_b)
    client.force_login(officer)
    html = client.get(URL).content.decode()
    assert '<tr class="is-overdue">' in html
    assert all(p not in html for p in PRIVATE) and INTERNAL not in html


def test_an_empty_region_shows_dashes(client, region):
    html = client.get(URL).content.decode()
    assert 'id="median"><strong>—<' in html
