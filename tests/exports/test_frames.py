"""Analysis results (pandas frames) go through the same writers as layers."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import MultiPolygon, Point, box

from exports.services import export_frame
from tests.exports.conftest import NAMES, body_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def result() -> gpd.GeoDataFrame:
    """Figures per desa, in UTM 49S as an analysis might hold them."""
    frame = gpd.GeoDataFrame(
        {"kode": ["61.12.01.2001", "61.12.01.2002", "61.12.01.1003", "61.12.01.2004"],
         "nama": NAMES, "luas_sawah_ha": [10.25, 0.0, 3.5, 7.0], "jumlah": [1, 2, 3, 4]},
        geometry=[MultiPolygon([box(110 + i * 0.1, -0.1, 110.1 + i * 0.1, 0.0)])
                  for i in range(4)], crs="EPSG:4326").to_crs(32749)
    return frame


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "geojson", "kml", "csv"])
def test_a_geodataframe_round_trips_in_every_format(result, fmt, tmp_path, layer_sources):
    response = export_frame(result, fmt=fmt, title="Luas sawah per desa",
                            sources=[*layer_sources, {"name": "Sawah BIG 2018",
                                                      "imported": "2026-11-01"}])
    assert response.status_code == 200
    assert 'filename="luas-sawah-per-desa-' in response["Content-Disposition"]
    data = body_of(response)
    path = tmp_path / f"out.{'zip' if fmt == 'shp' else fmt}"
    path.write_bytes(data)
    if fmt == "shp":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert "Sawah BIG 2018; 2026-11-01" in zf.read("sources.txt").decode()
            assert "luas_sawah" in zf.read("fields.csv").decode()
            shp = next(n for n in zf.namelist() if n.endswith(".shp"))
        path = f"/vsizip/{path}/{shp}"
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == 4
    assert sorted(frame["nama"]) == sorted(NAMES)
    # Back in WGS 84 whatever the frame's CRS was.
    assert frame.geometry.iloc[0].bounds == pytest.approx((110.0, -0.1, 110.1, 0.0), abs=1e-6)
    if fmt == "geojson":
        members = json.loads(data)
        assert members["title"] == "Luas sawah per desa"
        assert any("titik-uji" in s for s in members["sources"])


@pytest.fixture
def layer_sources(thematic):
    return [thematic.layer]


def test_a_plain_table_goes_to_csv_and_geopackage(tmp_path):
    table = pd.DataFrame({"kecamatan": ["Sungai Raya", "Ké"], "aduan": [12, 3]})
    csv_text = body_of(export_frame(table, fmt="csv", title="Aduan", sources=["uji"])
                       ).decode("utf-8-sig")
    assert csv_text.splitlines() == ["kecamatan,aduan", "Sungai Raya,12", "Ké,3"]
    path = tmp_path / "t.gpkg"
    path.write_bytes(body_of(export_frame(table, fmt="gpkg", title="Aduan", sources=["uji"])))
    back = pyogrio.read_dataframe(path, read_geometry=False)
    assert back.to_dict("list") == {"kecamatan": ["Sungai Raya", "Ké"], "aduan": [12, 3]}


def test_points_in_csv_get_longitude_and_latitude():
    points = gpd.GeoDataFrame({"nama": ["Puskesmas Ké"]}, geometry=[Point(109.3, -0.05)],
                              crs="EPSG:4326")
    text = body_of(export_frame(points, fmt="csv", title="Titik", sources=[])).decode(
        "utf-8-sig")
    assert text.splitlines() == ["nama,longitude,latitude,WKT",
                                 "Puskesmas Ké,109.3,-0.05,POINT (109.3 -0.05)"]
