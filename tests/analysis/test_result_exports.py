"""Analysis results through the one export pipeline (exports.services.export_frame): a
finished zonal statistics run in every format, read back with GDAL (pyogrio) with the same
zones, values and Indonesian names, hidden exactly like its page; and each dashboard figure's
table per child wilayah, as the viewer may see it (the public never gets staff-only numbers)."""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np
import pandas as pd
import pyogrio
import pytest

from analysis.services.rasters import raster_import
from analysis.services.zonal_runs import results_frame, zonal_run_create, zonal_run_execute
from layers.models import Feature, Layer
from tests.analysis.conftest import write_grid
from tests.analysis.test_dashboards import data  # noqa: F401  (fixture)
from tests.conftest import box
from tests.exports.conftest import NAMES, body_of

pytestmark = pytest.mark.django_db
STATS = ["sum", "mean", "max", "count"]


@pytest.fixture
def run(raster_dir, tmp_path):
    """A finished run: a public grid of uneven values over four public zones named with
    Indonesian text (en dash, accent, apostrophe, brackets)."""
    zones = Layer.objects.create(slug="zona-uji", name="Zona uji – ekspor", kind="generic",
                                 geometry_type="polygon", is_public=True,
                                 schema=[{"name": "nama", "type": "text"}])
    for i, name in enumerate(NAMES):
        Feature.objects.create(layer=zones, is_public=True, is_verified=True,
                               properties={"nama": name},
                               geom=box(110.0 + i * 0.05, -0.1, 110.05 + i * 0.05, -0.013))
    values = (np.arange(300, dtype="float32").reshape(10, 30) * 0.37 + 1.0 / 3)
    write_grid(tmp_path / "g.tif", values, west=110.0, north=0.0, size=0.01, nodata=-1)
    raster_import(path=tmp_path / "g.tif", slug="nilai-uji", units="mm", public=True)
    done = zonal_run_execute(zonal_run_create(raster_slug="nilai-uji", zones="layer:zona-uji",
                                              stats=STATS))
    assert done.zone_count == 4, done.error_message
    return done


def _read(response, tmp_path, fmt: str) -> pd.DataFrame:
    assert response.status_code == 200, response.content[:300]
    body = body_of(response)
    path = tmp_path / f"hasil.{'zip' if fmt == 'shp' else fmt}"
    path.write_bytes(body)
    if fmt == "shp":
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            names = zf.namelist()
            assert any(n.endswith(".cpg") for n in names)
            assert "fields.csv" in names and "sources.txt" in names
            assert "nilai-uji" in zf.read("sources.txt").decode()
            shp = next(n for n in names if n.endswith(".shp"))
        return pyogrio.read_dataframe(f"/vsizip/{path}/{shp}")
    return pyogrio.read_dataframe(path)


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "geojson", "kml"])
def test_a_finished_run_reads_back_in_every_format(client, run, fmt, tmp_path):
    expected = results_frame(run)
    back = _read(client.get(f"/analisis/zonal/{run.pk}/hasil.{fmt}"), tmp_path, fmt)
    assert len(back) == len(expected) == 4
    if fmt == "kml":  # KML keeps the name as each placemark's <name>
        back = back.rename(columns={"Name": "name"})
    back["zone"] = back["zone"].astype(str)
    back = back.set_index("zone").loc[expected.index]
    assert list(back["name"]) == list(expected["name"])
    assert sorted(back["name"]) == sorted(NAMES)
    for stat in STATS:
        got = pd.to_numeric(back[stat]).to_numpy(dtype=float)
        assert got == pytest.approx(expected[stat].to_numpy(), rel=1e-9, abs=1e-9), stat
    # The zones themselves, in EPSG:4326.
    first = back.loc[back["name"] == NAMES[0]]
    assert first.geometry.iloc[0].bounds == pytest.approx(
        (110.0, -0.1, 110.05, -0.013), abs=1e-7)


def test_the_csv_keeps_the_table_columns(client, run):
    response = client.get(f"/analisis/zonal/{run.pk}/hasil.csv")
    assert response.status_code == 200
    table = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype={"zone": str})
    assert list(table.columns) == ["zone", "name", *STATS]
    expected = results_frame(run)
    assert list(table["name"]) == list(expected["name"])
    assert table["sum"].to_numpy() == pytest.approx(expected["sum"].to_numpy(), rel=1e-9)


def test_the_run_page_links_every_format(client, run):
    html = client.get(f"/analisis/zonal/{run.pk}/").content.decode()
    for fmt in ("gpkg", "shp", "geojson", "csv", "kml"):
        assert f'href="/analisis/zonal/{run.pk}/hasil.{fmt}"' in html


def test_a_run_over_a_hidden_raster_is_404_for_the_public(client, run, staff_user):
    run.raster.layer.is_public = False
    run.raster.layer.save()
    for fmt in ("gpkg", "csv", "geojson"):
        assert client.get(f"/analisis/zonal/{run.pk}/hasil.{fmt}").status_code == 404
    client.force_login(staff_user)
    assert client.get(f"/analisis/zonal/{run.pk}/hasil.gpkg").status_code == 200


def test_a_bad_format_gets_the_translated_error_and_no_file(client, run):
    response = client.get(f"/analisis/zonal/{run.pk}/hasil.docx",
                          HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["description"].startswith("Format ekspor “docx” tidak dikenal")
    page = client.get(f"/analisis/zonal/{run.pk}/hasil.docx", HTTP_ACCEPT="text/html")
    assert page.status_code == 400 and "tidak dikenal" in page.content.decode()


# ---------------------------------------------------------------- dashboards

def _csv(response) -> pd.DataFrame:
    assert response.status_code == 200, response.content[:300]
    return pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype={"code": str})


@pytest.mark.usefixtures("data")
def test_a_figure_as_csv_has_the_public_or_the_staff_numbers(client, staff_user):
    public = _csv(client.get("/wilayah/99.01/ekspor/assets.csv"))
    assert "unverified" not in public.columns
    assert public["count"].sum() == 1
    assert set(public["code"]) == {"99.01.01"}
    assert "WKT" in public.columns  # the child wilayah's outline goes along
    client.force_login(staff_user)
    staff = _csv(client.get("/wilayah/99.01/ekspor/assets.csv"))
    assert staff["count"].sum() == 3 and staff["unverified"].sum() == 2
    assert set(staff["code"]) == {"99.01.01", "99.01.02"}


@pytest.mark.usefixtures("data")
def test_a_figure_as_geopackage_carries_the_child_wilayah(client, staff_user, tmp_path):
    path = tmp_path / "aset.gpkg"
    path.write_bytes(body_of(client.get("/wilayah/99.01/ekspor/assets.gpkg")))
    public = pyogrio.read_dataframe(path)
    assert len(public) == 1 and "unverified" not in public.columns
    assert public.geometry.iloc[0].bounds == pytest.approx((110.0, -0.1, 110.2, 0.0),
                                                           abs=1e-3)
    client.force_login(staff_user)
    path.write_bytes(body_of(client.get("/wilayah/99.01/ekspor/assets.gpkg")))
    staff = pyogrio.read_dataframe(path)
    assert int(staff["count"].sum()) == 3 and int(staff["unverified"].sum()) == 2
    land = tmp_path / "lahan.geojson"
    land.write_bytes(body_of(client.get("/wilayah/99.01/ekspor/land-use.geojson")))
    zones = pyogrio.read_dataframe(land)
    assert list(zones["class_name"]) == ["Hutan Lindung"]
    assert zones["area_ha"].iloc[0] > 0 and not math.isnan(zones["area_ha"].iloc[0])


@pytest.mark.usefixtures("data")
def test_the_dashboard_links_each_figure_and_refuses_bad_requests(client):
    html = client.get("/wilayah/99.01/").content.decode()
    for figure in ("assets", "land-use", "access", "complaints"):
        assert f'href="/wilayah/99.01/ekspor/{figure}.gpkg?' in html
    access = _csv(client.get("/wilayah/99.01/ekspor/access.csv",
                             {"layanan": "puskesmas", "jarak": "15"}))
    assert set(access["code"]) == {"99.01.01", "99.01.02"}
    bad = client.get("/wilayah/99.01/ekspor/assets.docx", HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert bad.json()["description"].startswith("Format ekspor “docx” tidak dikenal")
    assert client.get("/wilayah/99.01/ekspor/rahasia.csv").status_code == 404
    assert client.get("/wilayah/77.77/ekspor/assets.csv").status_code == 404

