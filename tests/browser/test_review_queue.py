"""The planners' review queue (/peta/staf/tinjau/) in Debian's chromium: what field officers
recorded in the planner's wilayah is listed with a map; one is verified and published, one is
sent back with a note (refused without one), and the database follows."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.gis.geos import Point
from django.test import Client

from layers.models import Asset, AssetCategory, Role, RoleAssignment
from layers.services.assets import asset_create
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_planner_verifies_one_feature_and_sends_another_back(browser, live_server,
                                                               django_user_model, region,
                                                               settings):
    settings.SIG_BASEMAP_URL = ""
    officer = django_user_model.objects.create_user("petugas", password="x", is_staff=True)
    RoleAssignment.objects.create(user=officer, role=Role.FIELD_OFFICER, area=region.desa_a1)
    planner = django_user_model.objects.create_user("perencana", password="x", is_staff=True)
    RoleAssignment.objects.create(user=planner, role=Role.PLANNER, area=region.district_a)
    well = AssetCategory.objects.create(slug="sumur", name="Sumur", geometry_type="point")
    good = asset_create(category=well, geom=Point(110.03, -0.04, srid=4326),
                        name="Sumur Baik", by=officer)
    bad = asset_create(category=well, geom=Point(110.07, -0.06, srid=4326),
                       name="Sumur Salah", by=officer)
    # Outside the planner's kecamatan: not theirs to review.
    elsewhere = asset_create(category=well, geom=Point(110.25, -0.05, srid=4326),
                             name="Sumur Lain", by=officer)

    client = Client()
    client.force_login(planner)
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.goto(f"{live_server.url}/peta/staf/tinjau/")
    items = page.locator("#review-list > li")
    items.nth(1).wait_for()
    names = items.locator("h2").all_inner_texts()
    assert sorted(names) == ["Sumur Baik", "Sumur Salah"]
    assert page.locator("#review-map .leaflet-overlay-pane canvas").count() == 1
    screenshot(page, "review-queue")

    first = page.locator(f"#review-list > li[data-id='{good.pk}']")
    first.locator("[data-action='verify']").click()
    first.locator(".review-done").wait_for()
    good.refresh_from_db()
    assert good.is_verified and good.is_public

    second = page.locator(f"#review-list > li[data-id='{bad.pk}']")
    second.locator("[data-action='send-back']").click()  # no note yet: refused here
    assert second.locator("textarea").get_attribute("aria-invalid") == "true"
    second.locator("textarea").fill("Titiknya salah desa, mohon periksa lagi.")
    second.locator("[data-action='send-back']").click()
    second.locator(".review-done").wait_for()
    bad.refresh_from_db()
    assert not bad.is_verified and not bad.is_public
    assert bad.review_note == "Titiknya salah desa, mohon periksa lagi."
    assert not Asset.objects.get(pk=elsewhere.pk).is_verified
    context.close()
