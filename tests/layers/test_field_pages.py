"""The field capture page (/lapangan/), its web manifest and its service worker as HTTP
answers: who may open the page, what its configuration names, and what makes it installable.
(The page offline in a browser: tests/browser/test_field_offline.py.)"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from layers import permissions
from layers.models import Role, RoleAssignment


def config_of(html: str) -> dict:
    raw = re.search(r'<script id="field-config" type="application/json">(.*?)</script>', html,
                    re.S)
    return json.loads(raw.group(1))


def user_with(django_user_model, name: str, role: str | None, area=None):
    user = django_user_model.objects.create_user(name, password="rahasia-123", is_staff=True)
    if role:
        RoleAssignment.objects.create(user=user, role=role, area=area)
    return user


@pytest.mark.django_db
def test_the_page_asks_for_a_login(client):
    response = client.get("/lapangan/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/") and "lapangan" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, Role.COMPLAINT_OFFICER])
def test_staff_without_an_editing_role_are_refused(client, django_user_model, region, role):
    user = user_with(django_user_model, "tanpa-peran", role, region.district_a)
    client.force_login(user)
    response = client.get("/lapangan/")
    assert response.status_code == 403
    assert "field-config" not in response.content.decode()
    assert not permissions.can_edit_somewhere(user)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.FIELD_OFFICER, Role.VILLAGE_OPERATOR, Role.PLANNER])
def test_an_officer_gets_the_map_data_of_their_wilayah(client, django_user_model, region, role,
                                                       settings):
    settings.SIG_FIELD_ACCURACY_WARN_M = 25
    user = user_with(django_user_model, "petugas", role, region.desa_a1)
    client.force_login(user)
    response = client.get("/lapangan/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # the service worker keeps its own copy
    html = response.content.decode()
    config = config_of(html)
    assert config["user"]["id"] == user.pk
    assert config["accuracyWarnM"] == 25
    assert config["photoMaxPx"] == 1600
    assert config["urls"]["features"] == "/api/v1/layers/aset/features/"
    assert config["urls"]["schema"] == "/api/v1/layers/aset/edit-schema/"
    assert config["urls"]["photos"] == "/api/v1/layers/aset/features/{id}/photos/"
    assert config["urls"]["serviceWorker"] == "/lapangan/sw.js"
    assert config["urls"]["session"] == "/lapangan/sesi/"
    [area] = config["areas"]
    assert area["code"] == "99.01.01.2001" and area["name"] == "Desa Satu"
    assert area["bbox"] == pytest.approx([110.0, -0.1, 110.1, 0.0])
    assert area["boundaries"].startswith("/api/layers/wilayah/geojson?bbox=110.000000%2C-0.1")
    assert "level=3%2C4" in area["boundaries"]
    assert area["assets"].startswith("/api/layers/aset/geojson?bbox=")
    # Every sentence of the script comes translated from the server.
    assert config["strings"]["needPosition"]
    assert 'rel="manifest" href="/lapangan/manifest.webmanifest"' in html
    assert 'type="module" src="/static/js/field/app.js"' in html


@pytest.mark.django_db
def test_the_offline_map_data_answers_for_the_officer(client, django_user_model, region):
    """The URLs the page keeps offline are real GeoJSON answers covering the wilayah."""
    user = user_with(django_user_model, "petugas", Role.FIELD_OFFICER, region.district_b)
    client.force_login(user)
    [area] = config_of(client.get("/lapangan/").content.decode())["areas"]
    boundaries = json.loads(b"".join(client.get(area["boundaries"]).streaming_content))
    codes = {f["properties"]["code"] for f in boundaries["features"]}
    assert {"99.01.02", "99.01.02.2001"} <= codes
    assert all(f["properties"]["level"] in (3, 4) for f in boundaries["features"])
    assets = client.get(area["assets"])
    assert assets.status_code == 200


@pytest.mark.django_db
def test_an_unscoped_editor_gets_the_whole_region(client, django_user_model, region):
    user = user_with(django_user_model, "admin-sig", Role.ADMIN)
    client.force_login(user)
    [area] = config_of(client.get("/lapangan/").content.decode())["areas"]
    assert area["code"] == "" and area["bbox"] == pytest.approx([110.0, -0.1, 110.3, 0.0])


@pytest.mark.django_db
def test_the_session_check_tells_an_ended_session_from_a_refusal(client, django_user_model,
                                                                 region):
    """The sync asks here before sending and after a 403: a JSON answer either way (never a
    login redirect), and a CSRF cookie for the next request."""
    response = client.get("/lapangan/sesi/")
    assert response.status_code == 200
    assert response.json() == {"authenticated": False, "user": None, "canRecord": False}
    assert "csrftoken" in response.cookies
    user = user_with(django_user_model, "petugas", Role.FIELD_OFFICER, region.desa_b1)
    client.force_login(user)
    assert client.get("/lapangan/sesi/").json() == {"authenticated": True, "user": user.pk,
                                                     "canRecord": True}


@pytest.mark.django_db
def test_manifest_makes_the_page_installable(client):
    response = client.get("/lapangan/manifest.webmanifest")  # no login: fetched without cookies
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == manifest["scope"] == "/lapangan/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "id"
    assert manifest["name"] and manifest["short_name"]
    sizes = {}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as img:
            assert img.format == "PNG"
            sizes[icon["sizes"]] = img.size
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}


@pytest.mark.django_db
def test_service_worker_is_served_for_the_field_scope(client):
    response = client.get("/lapangan/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/lapangan/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    head, rest = body.split("\n", 1)
    settings_js = json.loads(head.removeprefix("const SIG_FIELD_SW = ").removesuffix(";"))
    assert settings_js["scope"] == settings_js["page"] == "/lapangan/"
    assert re.fullmatch(r"[0-9a-f]{16}", settings_js["version"])
    assert "/static/vendor/leaflet-1.9.4/dist/leaflet.js" in settings_js["shell"]
    for url in settings_js["shell"]:  # every file the shell keeps exists
        assert finders.find(url.removeprefix("/static/")), url
    assert 'addEventListener("fetch"' in rest
    assert client.post("/lapangan/sw.js").status_code == 405


@pytest.mark.django_db
def test_the_shell_version_follows_the_files(client, tmp_path, settings):
    """A changed shell file gives the service worker a new version (so phones update)."""
    first = client.get("/lapangan/sw.js").content.split(b"\n", 1)[0]
    static_dir = tmp_path / "static"
    (static_dir / "css").mkdir(parents=True)
    (static_dir / "css" / "field.css").write_text("body { color: red; }")
    settings.STATICFILES_DIRS = [static_dir, *settings.STATICFILES_DIRS]
    finders.get_finder.cache_clear()
    try:
        second = client.get("/lapangan/sw.js").content.split(b"\n", 1)[0]
    finally:
        finders.get_finder.cache_clear()
    assert first != second


def test_the_shell_holds_every_module_the_page_imports():
    """A module added to the field scripts but not to the shell would break the page offline:
    follow the imports from app.js and check each is kept."""
    import posixpath

    from layers.views.field import SHELL_STATIC

    seen, todo = set(), ["js/field/app.js"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        with open(finders.find(path), encoding="utf-8") as fh:
            source = fh.read()
        for target in re.findall(r'^import .*? from "(\.{1,2}/[^"]+)";', source, re.M | re.S):
            todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), target)))
    assert seen <= set(SHELL_STATIC), seen - set(SHELL_STATIC)
    assert len(seen) >= 9
