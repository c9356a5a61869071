"""The staff login (/masuk/): a SIG role is enough to sign in and reach the staff pages;
Django's is_staff flag only opens /admin/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from layers.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db


def test_a_field_officer_without_is_staff_signs_in_and_reaches_staff_pages(
        client, django_user_model, region):
    officer = django_user_model.objects.create_user("petugas", password="rahasia-123")
    RoleAssignment.objects.create(user=officer, role=Role.FIELD_OFFICER, area=region.desa_a1)
    response = client.post(reverse("login"), {"username": "petugas", "password": "rahasia-123",
                                              "next": "/lapangan/"})
    assert response.status_code == 302 and response["Location"] == "/lapangan/"
    assert client.get("/lapangan/").status_code == 200
    assert client.get("/peta/staf/").status_code == 200
    page = client.get("/").content.decode()
    assert 'href="/peta/staf/"' in page and "/admin/" not in page
    # A field officer may not import agency data.
    assert client.get(reverse("importers:jobs")).status_code == 403


def test_a_wrong_password_says_so_in_indonesian_and_signs_nobody_in(client, django_user_model):
    django_user_model.objects.create_user("perencana", password="rahasia-123")
    response = client.post(reverse("login"), {"username": "perencana", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi tidak benar" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signed_in_residents_get_403_not_a_login_loop(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("warga"))
    assert client.get("/peta/staf/").status_code == 403
    assert client.get("/lapangan/").status_code == 403


def test_log_out_is_a_post(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("warga"))
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_planner_without_is_staff_may_start_zonal_statistics(client, django_user_model,
                                                               region):
    planner = django_user_model.objects.create_user("perencana")
    RoleAssignment.objects.create(user=planner, role=Role.PLANNER, area=region.district_a)
    client.force_login(planner)
    assert b'name="zones"' in client.get("/analisis/zonal/").content
    response = client.post("/analisis/zonal/start/", {"raster": "tidak-ada"})
    # The form answers (400: an unknown raster), not a login page or a refusal.
    assert response.status_code == 400, response.status_code
