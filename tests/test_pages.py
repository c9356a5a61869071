"""The landing page, languages, local times and the admin map: what a visitor sees."""

import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from layers.models import Asset, AssetCategory
from layers.services.assets import asset_create

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def assets(region):
    cat = AssetCategory.objects.create(slug="sekolah", name="Sekolah", geometry_type="point")
    asset_create(category=cat, geom=Point(110.05, -0.05, srid=4326), name="SD 1",
                 is_verified=True, is_public=True)
    asset_create(category=cat, geom=Point(110.15, -0.05, srid=4326), name="SD 2 (draft)")
    return Asset.objects.all()


def layer_count(html: str, slug: str) -> int:
    row = re.search(rf'data-layer="{slug}">(.*?)</tr>', html, re.S).group(1)
    return int(re.findall(r'class="num">([\d.,]+)<', row)[-1].replace(".", "").replace(",", ""))


def test_landing_page_lists_layers_with_counts_in_indonesian(client, assets):
    html = client.get("/").content.decode()
    assert 'lang="id"' in html
    assert "Lapisan" in html  # "Layers", translated
    assert layer_count(html, "wilayah") == 7
    assert layer_count(html, "aset") == 1  # the public sees published assets only


def test_staff_see_every_asset_and_the_admin_links(client, assets, staff_user):
    client.force_login(staff_user)
    html = client.get("/").content.decode()
    assert layer_count(html, "aset") == 2
    assert reverse("admin:layers_administrativearea_changelist") in html


def test_indonesian_even_when_the_browser_asks_for_english(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in html and "Lapisan" in html


def test_english_can_be_chosen(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert 'lang="en"' in html and "Layers" in html


def test_admin_shows_a_desa_on_a_map_from_local_files(admin_client, region):
    html = admin_client.get(
        f"/admin/layers/administrativearea/{region.desa_a1.pk}/change/").content.decode()
    assert "Desa Satu" in html
    assert "/static/vendor/ol-7.2.2/dist/ol.js" in html
    assert "MapWidget" in html and "MultiPolygon" in html
    assert "cdn.jsdelivr.net" not in html


def test_no_template_or_static_file_loads_from_a_cdn():
    cdn = re.compile(r"https?://(unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|"
                     r"code\.jquery\.com|ajax\.googleapis\.com)")
    offenders = [
        str(p) for base in ("templates", "static", "layers/templates")
        for p in (ROOT / base).rglob("*")
        if p.is_file() and "vendor" not in p.parts and p.suffix in {".html", ".js", ".css"}
        and cdn.search(p.read_text(errors="ignore"))
    ]
    assert offenders == []


def test_times_follow_the_visitors_zone_wib_wita_or_wit(rf):
    import datetime as dt

    from django.utils import timezone

    from sig.middleware import TimezoneMiddleware

    seen = {}

    def view(request):
        instant = dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)
        seen["local"] = timezone.localtime(instant).strftime("%H:%M %Z")
        from django.http import HttpResponse
        return HttpResponse()

    middleware = TimezoneMiddleware(view)
    for zone, expected in [("Asia/Makassar", "08:00 WITA"), ("Asia/Jayapura", "09:00 WIT"),
                           ("Nowhere/Invalid", "07:00 WIB")]:
        request = rf.get("/")
        request.COOKIES["sig_tz"] = zone
        middleware(request)
        assert seen["local"] == expected
