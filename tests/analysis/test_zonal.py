"""Zonal statistics: equal to exactextract called directly on the same files, rasters in
UTM 48N and DGN95 / TM-3 land where they should, no-data and negative cells as documented,
geodesic class areas, wilayah levels, the stored run, the task and the command's CSV."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from django.core.management import CommandError, call_command
from exactextract import exact_extract
from pyproj import Geod, Transformer

from analysis.errors import AnalysisErrorCode, AnalysisFailed
from analysis.models import RunStatus, ZonalRun
from analysis.services.rasters import raster_import
from analysis.services.zonal import cell_areas_m2, compute_zonal
from analysis.services.zonal_runs import results_frame, zonal_run_create, zonal_run_execute
from layers.models import Feature
from tests.analysis.conftest import jakarta_file, raster_path, write_grid

STATS = ["sum", "mean", "min", "max", "count"]
GEOD = Geod(ellps="WGS84")


def _feature_ids_by_file_id(layer) -> dict[int, str]:
    """Our zone key (feature id) of each kelurahan, by the shapefile's ID."""
    return {int(ref.rsplit(":", 1)[-1]): str(pk) for pk, ref in
            Feature.objects.filter(layer=layer).values_list("id", "source_ref")}


def _direct(key: str, ops: list[str]) -> pd.DataFrame:
    """exactextract on the shared files themselves: the kelurahan shapefile read with pyogrio,
    reprojected to the raster's CRS with geopandas, the raster file opened by rasterio."""
    frame = pyogrio.read_dataframe(jakarta_file("boundaries", "kelurahan_jakarta.shp"))
    with rasterio.open(raster_path(key)) as source:
        result = exact_extract(source, frame.to_crs(source.crs.to_wkt()), ops,
                               include_cols=["ID"], output="pandas")
    return result.set_index("ID")


@pytest.mark.shared_data
def test_kelurahan_statistics_equal_exactextract_called_directly(import_shared_raster,
                                                                 kelurahan_layer):
    # UTM 48N (population), geographic ASCII grid (flood depth), DGN95 / TM-3 (Sobek).
    ids = _feature_ids_by_file_id(kelurahan_layer)
    for key in ("population", "flood-depth", "sobek"):
        import_shared_raster(key)
        ours = compute_zonal(key, "layer:kelurahan-jakarta", STATS)
        assert list(ours.columns) == ["name", *STATS] and ours.index.name == "zone"
        direct = _direct(key, STATS)
        direct.index = direct.index.map(ids)
        direct = direct.loc[ours.index]
        assert len(ours) == 261
        for stat in STATS:
            np.testing.assert_allclose(ours[stat].to_numpy(float),
                                       direct[stat].to_numpy(float),
                                       rtol=1e-6, atol=0, err_msg=f"{key} {stat}")
        # The name is the most specific name-like field: the kelurahan, not its kabupaten.
        assert ours["name"].str.startswith("KELURAHAN").all()


@pytest.mark.shared_data
def test_the_dgn95_tm3_flood_raster_lands_on_the_right_kelurahan(import_shared_raster,
                                                                 kelurahan_layer):
    import_shared_raster("sobek")
    result = compute_zonal("sobek", "layer:kelurahan-jakarta", ["max", "count"])
    by_name = result.set_index("name")
    # The Pesanggrahan floods Cipulir, the north-east floods Kelapa Gading; Pluit stays dry
    # in this scenario. A wrong datum or zone would move the grid off these kelurahan.
    assert by_name.loc["KELURAHAN CIPULIR", "max"] > 5
    assert by_name.loc["KELURAHAN KELAPA GADING TIMUR", "max"] > 3
    assert by_name.loc["KELURAHAN PLUIT", "max"] == 0
    assert (result["count"] > 0).all()


@pytest.mark.shared_data
def test_the_utm48n_population_raster_covers_the_kelurahan_where_they_are(
        import_shared_raster, kelurahan_layer):
    raster = import_shared_raster("population")
    result = compute_zonal("population", "layer:kelurahan-jakarta", ["count", "sum"])
    assert (result["count"] > 0).all()
    covered_m2 = (result["count"] * raster.res_x * raster.res_y).sum()
    frame = pyogrio.read_dataframe(jakarta_file("boundaries", "kelurahan_jakarta.shp"))
    true_m2 = sum(abs(GEOD.geometry_area_perimeter(g)[0]) for g in frame.geometry)
    assert covered_m2 == pytest.approx(true_m2, rel=0.02)


@pytest.mark.shared_data
def test_negative_cells_count_and_nodata_cells_do_not(import_shared_raster, kelurahan_layer):
    import_shared_raster("population")
    result = compute_zonal("population", "layer:kelurahan-jakarta", ["min", "count"])
    by_name = result.set_index("name")
    # Two of the three negative cells lie in Semper Barat and Tugu Selatan: kept as values.
    assert by_name.loc["KELURAHAN SEMPER BARAT", "min"] < 0
    assert by_name.loc["KELURAHAN TUGU SELATAN", "min"] < 0
    # No-data (-9999) never appears as a value.
    assert (result["min"] > -9999).all()


def test_nodata_cells_are_left_out_and_a_zone_over_nodata_only_is_empty(region, raster_dir,
                                                                         tmp_path):
    # 0.01° cells over the test region (110.0–110.3 E, 0.1 S–0): value 2 everywhere, except
    # no-data over the west half of Desa Satu and all of Desa Tiga.
    data = np.full((10, 30), 2.0, dtype="float32")
    data[:, 0:5] = -1.0
    data[:, 20:30] = -1.0
    write_grid(tmp_path / "grid.tif", data, west=110.0, north=0.0, size=0.01, nodata=-1.0)
    raster_import(path=tmp_path / "grid.tif", slug="uji")
    result = compute_zonal("uji", "level:desa", STATS)
    assert list(result.index) == ["99.01.01.1002", "99.01.01.2001", "99.01.02.2001"]
    assert result.loc["99.01.01.1002", "count"] == pytest.approx(100)
    assert result.loc["99.01.01.2001", "count"] == pytest.approx(50)
    assert result.loc["99.01.01.2001", "sum"] == pytest.approx(100)
    assert result.loc["99.01.01.2001", "mean"] == pytest.approx(2)
    empty = result.loc["99.01.02.2001"]
    assert empty["count"] == 0 and empty["sum"] == 0 and math.isnan(empty["mean"])
    kecamatan = compute_zonal("uji", "level:kecamatan", ["sum"])
    assert kecamatan.loc["99.01.01", "sum"] == pytest.approx(300)
    assert kecamatan.loc["99.01.01", "name"] == "Kecamatan A"


def test_class_areas_are_geodesic_hectares(region, raster_dir, tmp_path):
    from layers.models import AdministrativeArea

    data = np.ones((10, 30), dtype="int16")
    data[:, 10:20] = 2
    write_grid(tmp_path / "kelas.tif", data, west=110.0, north=0.0, size=0.01, nodata=0)
    raster_import(path=tmp_path / "kelas.tif", slug="kelas", categorical=True)
    result = compute_zonal("kelas", "level:desa", ["area"])
    assert list(result.columns) == ["name", "area_ha_1", "area_ha_2"]
    areas = dict(AdministrativeArea.objects.values_list("code", "area_ha"))  # PostGIS geography
    assert result.loc["99.01.01.2001", "area_ha_1"] == pytest.approx(areas["99.01.01.2001"],
                                                                     rel=1e-4)
    assert result.loc["99.01.01.2001", "area_ha_2"] == 0
    assert result.loc["99.01.01.1002", "area_ha_2"] == pytest.approx(areas["99.01.01.1002"],
                                                                     rel=1e-4)


@pytest.mark.shared_data
def test_cell_areas_match_pyproj_geod_on_both_kinds_of_grid(import_shared_raster):
    for key, rel in (("flood-class", 1e-9), ("population", 1e-5)):
        raster = import_shared_raster(key)
        with rasterio.open(raster.file) as ds:
            areas = cell_areas_m2(ds)
            to_lonlat = Transformer.from_crs(ds.crs, "EPSG:4326", always_xy=True)
            for row, col in ((0, 0), (300, 200), (ds.height - 1, ds.width - 1)):
                corners = [ds.transform @ (col + dx, row + dy)
                           for dx, dy in ((0, 0), (1, 0), (1, 1), (0, 1))]
                lon, lat = to_lonlat.transform(*zip(*corners, strict=True))
                expected = abs(GEOD.polygon_area_perimeter(lon, lat)[0])
                assert areas[row, col] == pytest.approx(expected, rel=rel), key


@pytest.mark.shared_data
def test_flood_class_areas_per_kelurahan_match_geod_cell_by_cell(import_shared_raster,
                                                                 kelurahan_layer):
    raster = import_shared_raster("flood-class")
    result = compute_zonal("flood-class", "layer:kelurahan-jakarta", ["area"])
    frame = pyogrio.read_dataframe(jakarta_file("boundaries", "kelurahan_jakarta.shp"))
    ids = _feature_ids_by_file_id(kelurahan_layer)
    pick = frame[frame["KEL_NAME_1"].isin(["KELURAHAN KAMAL MUARA", "KELURAHAN PLUIT",
                                           "KELURAHAN BIDARA CINA"])]
    with rasterio.open(raster.file) as ds:
        cells = exact_extract(ds, pick, ["values", "coverage", "center_y"], include_cols=["ID"],
                              output="pandas")
        half = ds.res[1] / 2
    for _i, zone in cells.iterrows():
        expected = {1: 0.0, 2: 0.0, 3: 0.0}
        for value, cover, y in zip(zone["values"], zone["coverage"], zone["center_y"],
                                   strict=True):
            lon = [106.0, 106.0 + ds.res[0], 106.0 + ds.res[0], 106.0]
            lat = [y + half, y + half, y - half, y - half]
            expected[int(value)] += cover * abs(GEOD.polygon_area_perimeter(lon, lat)[0])
        row = result.loc[ids[int(zone["ID"])]]
        for value, m2 in expected.items():
            assert row[f"area_ha_{value}"] == pytest.approx(m2 / 10_000, rel=1e-6, abs=1e-9)
    assert (result[["area_ha_1", "area_ha_2", "area_ha_3"]].sum(axis=1) > 0).sum() > 100


def test_bad_requests_are_refused_with_a_reason(region, raster_dir, tmp_path):
    write_grid(tmp_path / "g.tif", np.ones((10, 30), "float32"), west=110.0, north=0.0,
               size=0.01)
    raster_import(path=tmp_path / "g.tif", slug="g")
    cases = [("nope", "level:desa", ["sum"], AnalysisErrorCode.RASTER_NOT_FOUND),
             ("g", "level:rt", ["sum"], AnalysisErrorCode.ZONES_INVALID),
             ("g", "layer:wilayah", ["sum"], AnalysisErrorCode.ZONES_INVALID),
             ("g", "level:desa", ["median"], AnalysisErrorCode.STATS_INVALID),
             ("g", "level:desa", ["area"], AnalysisErrorCode.STATS_INVALID)]
    for slug, zones, stats, code in cases:
        with pytest.raises(AnalysisFailed) as err:
            compute_zonal(slug, zones, stats)
        assert err.value.code == code, (slug, zones, stats)
        assert err.value.message
    write_grid(tmp_path / "far.tif", np.ones((4, 4), "float32"), west=95.0, north=5.0, size=0.1)
    raster_import(path=tmp_path / "far.tif", slug="jauh")
    with pytest.raises(AnalysisFailed) as err:
        compute_zonal("jauh", "level:desa", ["sum"])
    assert err.value.code == AnalysisErrorCode.NO_ZONES


@pytest.mark.shared_data
def test_a_run_stores_rows_sources_and_the_command_writes_the_csv(
        import_shared_raster, kelurahan_layer, tmp_path):
    import_shared_raster("flood-depth", units="m")
    out = tmp_path / "hasil.csv"
    call_command("zonal_stats", "--raster", "flood-depth", "--zones", "layer:kelurahan-jakarta",
                 "--stats", "sum,max", "--csv", str(out), verbosity=0)
    run = ZonalRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.zone_count == 261 and run.progress == 1
    assert [s["layer"] for s in run.sources] == ["flood-depth", "kelurahan-jakarta"]
    assert all(s["imported_at"] for s in run.sources) and run.computed_at
    csv = pd.read_csv(out, dtype={"zone": str})
    assert list(csv.columns) == ["zone", "name", "sum", "max"]
    assert len(csv) == 261 and csv["zone"].is_unique
    direct = compute_zonal("flood-depth", "layer:kelurahan-jakarta", ["sum", "max"])
    joined = csv.merge(direct, left_on="zone", right_index=True, suffixes=("", "_direct"))
    np.testing.assert_allclose(joined["sum"], joined["sum_direct"], rtol=1e-9)
    assert results_frame(run).shape == (261, 3)
    with pytest.raises(CommandError, match="not a polygon layer"):
        call_command("zonal_stats", "--raster", "flood-depth", "--zones", "layer:nope")


def test_a_categorical_run_keeps_class_columns_and_a_failed_run_says_why(region, raster_dir,
                                                                          tmp_path):
    data = np.ones((10, 30), dtype="uint8")
    write_grid(tmp_path / "k.tif", data, west=110.0, north=0.0, size=0.01, nodata=0)
    raster_import(path=tmp_path / "k.tif", slug="k", categorical=True)
    run = zonal_run_execute(zonal_run_create(raster_slug="k", zones="level:kecamatan",
                                             stats=None))
    assert run.status == RunStatus.SUCCEEDED
    assert [c["key"] for c in run.columns] == ["area_ha_1"]
    assert run.columns[0]["unit"] == "ha"
    from layers.models import AdministrativeArea
    AdministrativeArea.objects.filter(level=3).update(valid_until="2026-01-01")
    failed = zonal_run_execute(zonal_run_create(raster_slug="k", zones="level:kecamatan",
                                                stats=None))
    assert failed.status == RunStatus.FAILED and failed.error_code == "no_zones"
    assert "No zone" in failed.error_message
