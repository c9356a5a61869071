"""The editor's pages as HTTP answers: the staff map loads Geoman and the editing modules only
for users who may edit (layers.permissions), with the editing API's URLs and translated
sentences in its configuration; the review queue (/peta/staf/tinjau/) is for planners and
administrators, 403 for everyone else. (The editor in a browser: tests/browser/test_editing.py.)"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders

from layers.models import Layer, LayerKind, Role, RoleAssignment

GEOMAN = "leaflet-geoman.min.js"
EDITOR = "js/map/edit/editor.js"


def config_of(html: str, name: str) -> dict:
    raw = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(raw.group(1))


def user_with(django_user_model, name: str, role: str | None, area=None, **extra):
    user = django_user_model.objects.create_user(name, password="rahasia-123",
                                                 is_staff=True, **extra)
    if role:
        RoleAssignment.objects.create(user=user, role=role, area=area)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, Role.COMPLAINT_OFFICER])
def test_staff_who_may_not_edit_get_no_editor(client, django_user_model, region, role):
    client.force_login(user_with(django_user_model, "lihat", role, region.district_a))
    html = client.get("/peta/staf/").content.decode()
    assert GEOMAN not in html and EDITOR not in html
    assert "edit" not in config_of(html, "map-config")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PLANNER, Role.FIELD_OFFICER, Role.VILLAGE_OPERATOR,
                                  Role.ADMIN])
def test_editors_get_geoman_the_editor_and_its_configuration(client, django_user_model, region,
                                                             role):
    Layer.objects.create(slug="tema-garis", name="Tema garis", kind=LayerKind.GENERIC,
                         geometry_type="line")
    client.force_login(user_with(django_user_model, "pengedit", role, region.desa_a1))
    html = client.get("/peta/staf/").content.decode()
    assert GEOMAN in html and EDITOR in html
    # Geoman is vendored: served by this site, never a CDN.
    assert finders.find("vendor/geoman-io-leaflet-geoman-free-2.20.2/dist/" + GEOMAN)
    edit = config_of(html, "map-config")["edit"]
    urls = edit["urls"]
    assert urls["features"] == "/api/v1/layers/__slug__/features/"
    assert urls["feature"] == "/api/v1/layers/__slug__/features/__id__/"
    assert urls["schema"] == "/api/v1/layers/__slug__/edit-schema/"
    assert urls["history"].endswith("/__id__/history/")
    assert urls["revert"].endswith("/__id__/revert/")
    # Only planners and administrators are pointed at the review queue.
    assert (urls["review"] == "/peta/staf/tinjau/") == (role in (Role.PLANNER, Role.ADMIN))
    kinds = {layer["slug"]: layer["kind"] for layer in edit["layers"]}
    # Assets, land use and thematic layers; never boundaries or complaints.
    assert kinds["tema-garis"] == "generic"
    assert set(kinds.values()) <= {"assets", "land_use", "generic"}
    assert {"aset", "pola-ruang"} <= set(kinds)
    assert "wilayah" not in kinds and "pengaduan" not in kinds


@pytest.mark.django_db
def test_every_sentence_of_the_editor_comes_from_the_server(client, django_user_model, region):
    client.force_login(user_with(django_user_model, "perencana", Role.PLANNER, region.regency))
    edit = config_of(client.get("/peta/staf/").content.decode(), "map-config")["edit"]
    strings = edit["strings"]
    # Every sentence the scripts show comes from here: none is empty, the placeholders the
    # scripts fill are present, and Geoman's tooltips are replaced too.
    assert all(isinstance(v, str) and v for v in strings.values())
    assert "%(ha)s" in strings["areaHa"] and "%(m)s" in strings["lengthM"]
    assert "%(yours)s" in strings["conflictText"] and "%(theirs)s" in strings["conflictText"]
    assert set(edit["geoman"]["tooltips"]) >= {"firstVertex", "finishPoly", "placeMarker"}


@pytest.mark.django_db
def test_the_editor_modules_are_all_served(client):
    for name in ("api", "conflict", "editor", "form", "history", "review", "shape", "snap",
                 "values"):
        assert finders.find(f"js/map/edit/{name}.js"), name
    assert finders.find("css/edit.css")


@pytest.mark.django_db
def test_the_review_queue_is_403_for_the_public(client):
    response = client.get("/peta/staf/tinjau/")
    assert response.status_code == 403
    assert "review-config" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, Role.FIELD_OFFICER, Role.VILLAGE_OPERATOR,
                                  Role.COMPLAINT_OFFICER])
def test_the_review_queue_is_403_for_those_who_do_not_publish(client, django_user_model, region,
                                                              role):
    client.force_login(user_with(django_user_model, "petugas", role, region.desa_a1))
    response = client.get("/peta/staf/tinjau/")
    assert response.status_code == 403
    assert "review-config" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PLANNER, Role.ADMIN])
def test_planners_open_the_review_queue(client, django_user_model, region, role):
    client.force_login(user_with(django_user_model, "perencana", role, region.district_b))
    response = client.get("/peta/staf/tinjau/")
    assert response.status_code == 200
    config = config_of(response.content.decode(), "review-config")
    assert config["urls"]["queue"] == "/api/v1/review/"
    assert config["urls"]["verify"] == "/api/v1/layers/__slug__/features/__id__/verify/"
    assert config["urls"]["sendBack"] == "/api/v1/layers/__slug__/features/__id__/send-back/"
    assert all(config["strings"].values())


@pytest.mark.django_db
def test_a_superuser_without_roles_may_edit_and_review(client, django_user_model):
    client.force_login(user_with(django_user_model, "root", None, is_superuser=True))
    assert "edit" in config_of(client.get("/peta/staf/").content.decode(), "map-config")
    assert client.get("/peta/staf/tinjau/").status_code == 200
