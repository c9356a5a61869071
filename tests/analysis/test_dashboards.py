"""The wilayah dashboards (/wilayah/, /wilayah/<code>/): public figures for the public and
staff figures for staff (the public never counts an unverified asset), links up and down the
hierarchy, 404 for unknown codes, bad input refused with a message, the sources and time of
every figure, and fresh figures after an edit."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from importers.models import ImportJob, JobStatus
from layers.models import AssetCategory, LandUseClass, LandUseClassification
from layers.services.assets import asset_create
from layers.services.land_use import zone_create
from tests.conftest import box

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(region):
    puskesmas = AssetCategory.objects.create(slug="puskesmas", name="Puskesmas",
                                             geometry_type="point")
    pub = {"is_public": True, "is_verified": True}
    asset_create(category=puskesmas, geom=Point(110.05, -0.05, srid=4326),
                 name="Puskesmas Satu", **pub)
    # Two recorded in the field and not verified yet (one in each kecamatan).
    asset_create(category=puskesmas, geom=Point(110.25, -0.05, srid=4326), name="Baru 1")
    asset_create(category=puskesmas, geom=Point(110.15, -0.05, srid=4326), name="Baru 2",
                 condition="rusak_berat", is_public=True)
    rtrw = LandUseClassification.objects.create(slug="rtrw-uji", name="RTRW Uji",
                                                kind=LandUseClassification.Kind.PLANNED)
    hl = LandUseClass.objects.create(classification=rtrw, code="HL", name="Hutan Lindung")
    zone_create(land_use_class=hl, geom=box(110.0, -0.1, 110.1, 0.0), **pub)
    return region


def page(client, code, **params):
    response = client.get(f"/wilayah/{code}/", params)
    return response, response.content.decode()


def config(html: str) -> dict:
    found = re.search(r'<script id="dashboard-config" type="application/json">(.*?)</script>',
                      html, re.S)
    return json.loads(found.group(1))


def asset_total(html: str) -> int:
    row = re.search(r'<tr data-category="puskesmas">(.*?)</tr>', html, re.S).group(1)
    return int(re.search(r'<td class="num total">(\d+)</td>', row).group(1))


def test_public_and_staff_figures_differ_and_the_public_never_counts_unverified(
        client, data, staff_user):
    response, public = page(client, "99.01")
    assert response.status_code == 200
    assert asset_total(public) == 1
    assert 'class="num unverified"' not in public
    assert 'class="num overdue"' not in public
    assert 'id="audience">' in public and "dash-staff" not in public
    # The chart's data are the table's: one good puskesmas, nothing else.
    assert config(public)["assets"]["series"][0]["data"] == [1]
    assert sum(s["data"][0] for s in config(public)["assets"]["series"]) == 1
    client.force_login(staff_user)
    _response, staff = page(client, "99.01")
    assert asset_total(staff) == 3
    assert re.search(r'<td class="num unverified">2</td>', staff)
    assert "dash-staff" in staff
    assert sum(s["data"][0] for s in config(staff)["assets"]["series"]) == 3


def test_distance_table_lists_the_desa_beyond_for_each_audience(client, data, staff_user):
    _r, public = page(client, "99.01", layanan="puskesmas", jarak="15")
    listed = re.findall(r'<tr data-code="([0-9.]+)">', public)
    assert listed == ["99.01.02.2001"]  # 22 km from the public's only puskesmas
    client.force_login(staff_user)
    _r, staff = page(client, "99.01", layanan="puskesmas", jarak="15")
    assert re.findall(r'<tr data-code="([0-9.]+)">', staff) == []


def test_links_up_and_down_and_the_index(client, data):
    _r, kab = page(client, "99.01")
    assert 'href="/wilayah/99.01.01/"' in kab and 'href="/wilayah/99.01.02/"' in kab
    assert re.search(r'href="/wilayah/99/" rel="up"', kab)
    _r, desa = page(client, "99.01.01.2001")
    assert 'href="/wilayah/99.01.01/" rel="up"' in desa
    assert 'id="children"' not in desa
    # The undotted form agencies use finds the same wilayah.
    assert client.get("/wilayah/99010120 01/".replace(" ", "")).status_code == 200
    index = client.get("/wilayah/").content.decode()
    assert 'href="/wilayah/99/"' in index
    geo = json.loads(config(kab)["map"])
    assert {f["properties"]["code"] for f in geo["features"]} == {"99.01", "99.01.01",
                                                                   "99.01.02"}


@pytest.mark.parametrize("code", ["12.34", "99.09", "bukan-kode", "99.01.01.2999"])
def test_unknown_codes_are_404(client, data, code):
    assert client.get(f"/wilayah/{code}/").status_code == 404


def test_bad_options_get_a_message_and_the_defaults(client, data):
    response, html = page(client, "99.01", jarak="jauh", layanan="<b>tidak-ada</b>")
    assert response.status_code == 200
    errors = re.findall(r'<p class="dash-error" role="alert">(.*?)</p>', html, re.S)
    assert len(errors) == 2
    assert "<b>" not in html.split('role="alert"')[1][:200]  # the echoed value is escaped
    assert 'name="jarak" type="number" min="0.1" max="200" step="0.1" value="5"' in html
    for bad in ("-3", "0", "1000", "nan"):
        _r, html = page(client, "99.01", jarak=bad)
        assert 'class="dash-error"' in html, bad


def test_every_figure_shows_its_sources_and_when_it_was_computed(client, data):
    finished = timezone.now() - dt.timedelta(days=3)
    ImportJob.objects.create(source_name="rtrw_uji.geojson", target="land_use",
                             status=JobStatus.SUCCEEDED, finished_at=finished)
    ImportJob.objects.create(source_name="gagal.geojson", target="land_use",
                             status=JobStatus.FAILED, finished_at=timezone.now())
    _r, html = page(client, "99.01")
    sections = {s: html.split(f'id="{s}"', 1)[1].split("</section>", 1)[0]
                for s in ("assets", "land-use", "access", "complaints")}
    for name, section in sections.items():
        assert 'class="dash-sources"' in section, name
        assert 'class="dash-computed"' in section, name
    assert 'data-source="aset"' in sections["assets"]
    assert 'data-source="pola-ruang"' in sections["land-use"]
    assert 'data-source="wilayah"' in sections["land-use"]
    assert 'data-source="pengaduan"' in sections["complaints"]
    land = sections["land-use"].split('data-source="pola-ruang"')[1].split("</li>")[0]
    assert "rtrw_uji.geojson" in land and "gagal.geojson" not in html


def test_an_edit_gives_fresh_figures(client, data):
    _r, html = page(client, "99.01")
    assert asset_total(html) == 1
    asset_create(category=AssetCategory.objects.get(slug="puskesmas"),
                 geom=Point(110.26, -0.06, srid=4326), name="Puskesmas Baru",
                 is_public=True, is_verified=True)
    _r, html = page(client, "99.01")
    assert asset_total(html) == 2


def test_complaints_per_1000_people_when_a_population_raster_is_set(
        client, data, settings, raster_dir, tmp_path):
    import numpy as np

    from analysis.services.rasters import raster_import
    from layers.models import ComplaintCategory
    from layers.services.complaints import complaint_create
    from tests.analysis.conftest import write_grid

    _r, html = page(client, "99.01")
    assert "per_1000" not in json.dumps(config(html)) and "Per 1,000" not in html
    grid = write_grid(tmp_path / "jiwa.tif", np.full((10, 30), 10.0, dtype="float32"),
                      west=110.0, north=0.0, size=0.01, nodata=-9999.0)
    raster_import(path=grid, slug="populasi", units="jiwa")
    settings.SIG_POPULATION_RASTER = "populasi"
    cat = ComplaintCategory.objects.create(slug="sampah", name="Sampah")
    for lng in (110.05, 110.15, 110.25):
        complaint_create(category=cat, description="Sampah", point=Point(lng, -0.05,
                                                                          srid=4326))
    _r, html = page(client, "99.01")
    section = html.split('id="complaints"', 1)[1].split("</section>", 1)[0]
    # Kecamatan A: 2 complaints, 2,000 people → 1.00 per 1,000 (Indonesian: "1,00").
    assert re.search(r"Kecamatan A</th>.*?<td class=\"num\">2\.000</td><td class=\"num\">"
                     r"1,00</td>", section, re.S)
    assert 'data-source="populasi"' in section


def test_a_layer_hidden_from_the_public_gives_them_no_figure(client, data, staff_user):
    from layers.models import Layer, LayerKind

    Layer.objects.filter(kind=LayerKind.ASSETS).update(is_public=False)
    _r, html = page(client, "99.01")
    assets = html.split('id="assets"', 1)[1].split("</section>", 1)[0]
    assert 'id="asset-table"' not in assets and 'data-category="puskesmas"' not in assets
    assert 'id="beyond-table"' not in html  # the distance figure reads the assets too
    assert config(html)["assets"]["labels"] == []
    client.force_login(staff_user)
    _r, html = page(client, "99.01")
    assert asset_total(html) == 3
