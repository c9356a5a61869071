"""Each format read back with GDAL: the same features, the same values, the Indonesian text
intact; the Shapefile with its .cpg and the field-name mapping."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from tests.exports.conftest import NAMES, ogrinfo_summary, read, save

pytestmark = pytest.mark.django_db

EXPECTED = {name: {"jumlah_penduduk": 1000 + i, "luas_ha": 12.5 + i, "aktif": i % 2 == 0,
                   "keterangan_panjang": f"Panjang {name}", "keterangan_pendek": f"Pendek {i}",
                   "Ké": f"Nilai é {i}"} for i, name in enumerate(NAMES)}


def url(slug: str, fmt: str, **query) -> str:
    base = reverse("exports:layer", args=[slug, fmt])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def assert_rows(frame, *, names: dict[str, str] | None = None, bools_as_text=False) -> None:
    """The four public features with their values (`names`: full name → name in the file)."""
    names = names or {}
    col = lambda n: names.get(n, n)  # noqa: E731
    assert sorted(frame[col("nama")]) == sorted(NAMES)
    for _, row in frame.iterrows():
        want = EXPECTED[row[col("nama")]]
        assert int(row[col("jumlah_penduduk")]) == want["jumlah_penduduk"]
        assert float(row[col("luas_ha")]) == pytest.approx(want["luas_ha"])
        aktif = row[col("aktif")]
        assert (str(aktif).lower() == str(want["aktif"]).lower() if bools_as_text
                else bool(int(aktif)) == want["aktif"])
        for key in ("keterangan_panjang", "keterangan_pendek", "Ké"):
            assert row[col(key)] == want[key]


def test_geopackage_round_trip(client, thematic, tmp_path):
    response = client.get(url("titik-uji", "gpkg"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="titik-uji-')
    path = save(response, tmp_path, "out.gpkg")
    frame = read(path)
    assert len(frame) == 4 and frame.crs.to_epsg() == 4326
    assert_rows(frame)
    assert set(frame.geom_type) == {"Point"}
    summary = ogrinfo_summary(path)
    assert "Feature Count: 4" in summary and "Geometry: Point" in summary
    assert "Titik uji – ekspor" in summary  # the title, as the table's identifier
    info = __import__("pyogrio").read_info(path)
    assert "titik-uji" in info["layer_metadata"]["SOURCES"]


def test_zipped_shapefile_round_trip_with_cpg_and_field_mapping(client, thematic, tmp_path):
    response = client.get(url("titik-uji", "shp"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = save(response, tmp_path, "out.zip")
    with zipfile.ZipFile(archive) as zf:
        members = set(zf.namelist())
        assert {"titik_uji.shp", "titik_uji.shx", "titik_uji.dbf", "titik_uji.prj",
                "titik_uji.cpg", "fields.csv", "sources.txt"} <= members
        assert zf.read("titik_uji.cpg").decode().strip().upper() in ("UTF-8", "UTF8")
        mapping = {row["name"]: row["field"] for row in
                   csv.DictReader(io.StringIO(zf.read("fields.csv").decode()))}
        assert "Titik uji – ekspor" in zf.read("sources.txt").decode()
    # Short, unique, ASCII names; the mapping says what each stands for.
    assert all(len(f) <= 10 and f.isascii() for f in mapping.values())
    assert len({f.lower() for f in mapping.values()}) == len(mapping)
    assert mapping["keterangan_panjang"] == "keterangan"
    assert mapping["keterangan_pendek"] == "keterang_1"
    assert mapping["jumlah_penduduk"] == "jumlah_pen" and mapping["Ké"] == "Ke"
    frame = read(f"/vsizip/{archive}/titik_uji.shp")
    assert len(frame) == 4
    assert_rows(frame, names=mapping)
    summary = ogrinfo_summary(f"/vsizip/{archive}/titik_uji.shp")
    assert "Feature Count: 4" in summary and "keterang_1" in summary


def test_geojson_round_trip(client, thematic, tmp_path):
    response = client.get(url("titik-uji", "geojson"))
    assert response.status_code == 200 and response.streaming
    path = save(response, tmp_path, "out.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["title"] == "Titik uji – ekspor" and data["exported_at"]
    assert any("titik-uji" in s for s in data["sources"])
    frame = read(path)
    assert len(frame) == 4
    assert_rows(frame)
    assert "Feature Count: 4" in ogrinfo_summary(path)


def test_csv_round_trip_with_lon_lat_and_wkt(client, thematic, tmp_path):
    response = client.get(url("titik-uji", "csv"))
    assert response.status_code == 200 and response.streaming
    path = save(response, tmp_path, "out.csv")
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:2] == ["id", "nama"] and list(rows[0])[-3:] == [
        "longitude", "latitude", "WKT"]
    by_name = {r["nama"]: r for r in rows}
    assert set(by_name) == set(NAMES)
    assert float(by_name["Ké"]["longitude"]) == pytest.approx(110.03)
    assert by_name["Ké"]["WKT"] == "POINT(110.03 -0.05)"
    assert by_name["Ké"]["aktif"] == "true"
    # GDAL reads the WKT column as the geometry (the byte-order mark is skipped).
    frame = read(path)
    assert len(frame) == 4 and set(frame.geom_type) == {"Point"}
    assert_rows(frame, bools_as_text=True)


def test_kml_round_trip(client, thematic, tmp_path):
    response = client.get(url("titik-uji", "kml"))
    assert response.status_code == 200
    path = save(response, tmp_path, "out.kml")
    frame = read(path)
    assert len(frame) == 4
    assert_rows(frame)  # KML has no boolean: 1/0
    assert "Feature Count: 4" in ogrinfo_summary(path)


def test_a_mixed_layer_becomes_one_layer_per_geometry_kind(admin_client, mixed_layer,
                                                         tmp_path):
    archive = save(admin_client.get(url("campuran", "shp")), tmp_path, "mixed.zip")
    with zipfile.ZipFile(archive) as zf:
        shps = sorted(n for n in zf.namelist() if n.endswith(".shp"))
    assert shps == ["campuran_line.shp", "campuran_point.shp", "campuran_polygon.shp"]
    names = {n: read(f"/vsizip/{archive}/{n}")["nama"].tolist() for n in shps}
    assert names["campuran_point.shp"] == ["Titik Ké"]
    assert names["campuran_polygon.shp"] == ["Area (Lama)"]
    gpkg = save(admin_client.get(url("campuran", "gpkg")), tmp_path, "mixed.gpkg")
    layers = {name: kind for name, kind in __import__("pyogrio").list_layers(gpkg)}
    assert layers == {"campuran_point": "Point", "campuran_line": "MultiLineString",
                      "campuran_polygon": "MultiPolygon"}
    kml = read(save(admin_client.get(url("campuran", "kml")), tmp_path, "mixed.kml"))
    assert sorted(kml["nama"]) == ["Area (Lama)", "Garis – satu", "Titik Ké"]


def test_bbox_and_the_layers_filters_apply_as_on_the_geojson_path(client, data_out, tmp_path):
    # Complaints filtered by status; assets by category: the same FILTERS as the map.
    inside = read(save(client.get(url("titik-wisata", "gpkg", bbox="110.055,-0.1,110.07,0")),
                       tmp_path, "in.gpkg"))
    assert inside["nama"].tolist() == ["Pantai Uji"]
    outside = read(save(client.get(url("titik-wisata", "geojson", bbox="111,-0.1,111.1,0")),
                        tmp_path, "out.geojson"))
    assert len(outside) == 0
    none = json.loads(client.get(url("pengaduan", "geojson", status="selesai")).getvalue())
    some = json.loads(client.get(url("pengaduan", "geojson", status="baru")).getvalue())
    assert (len(none["features"]), len(some["features"])) == (0, 1)
