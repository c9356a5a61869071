"""Raster import: the shared Jakarta rasters and the ETOPO DEM become COG-backed raster
layers with their CRS, no-data, units and value type; bad files are refused, nothing written."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import rasterio
from django.core.management import CommandError, call_command

from analysis.errors import AnalysisErrorCode, AnalysisFailed
from analysis.models import Raster
from analysis.services.rasters import parse_classes, raster_import
from layers.models import Layer, LayerKind
from tests.analysis.conftest import raster_path, write_grid
from tests.conftest import shared_file

pytestmark = pytest.mark.shared_data


@pytest.mark.parametrize(("key", "epsg", "nodata", "dtype"), [
    ("population", 32648, -9999.0, "float32"),
    ("flood-depth", 4326, -9999.0, "float32"),
    ("flood-class", 4326, -9999.0, "int32"),
    ("sobek", 23834, None, "float64"),
])
def test_each_shared_raster_is_stored_as_a_cog_with_its_metadata(
        import_shared_raster, key, epsg, nodata, dtype):
    raster = import_shared_raster(key, units="m")
    assert raster.layer.kind == LayerKind.RASTER
    assert (raster.epsg, raster.nodata, raster.dtype, raster.units) == (epsg, nodata, dtype, "m")
    with rasterio.open(raster.file) as cog, rasterio.open(raster_path(key)) as source:
        assert cog.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert cog.block_shapes[0] == (512, 512)
        assert cog.crs == source.crs and cog.nodata == source.nodata
        assert cog.transform.almost_equals(source.transform)
        assert np.array_equal(cog.read(1), source.read(1))
    # The footprint in WGS 84 is over Jakarta whatever the raster's own CRS.
    west, south, east, north = raster.footprint.extent
    assert 106.6 < west < east < 107.1 and -6.5 < south < north < -6.0


def test_negative_cells_are_kept_and_reported(import_shared_raster):
    from analysis.services.rasters import raster_import as _import

    outcome = _import(path=raster_path("population"), slug="penduduk", units="jiwa")
    raster = outcome.raster
    assert raster.stats["negative_cells"] == 3
    assert raster.stats["min"] < 0
    assert any("3 cells are negative" in n for n in outcome.notices)
    assert raster.stats["nodata_cells"] == 152488
    with rasterio.open(raster.file) as cog:
        assert (cog.read(1, masked=True) < 0).sum() == 3


def test_a_categorical_raster_gets_its_classes_with_labels_and_colours(import_shared_raster):
    raster = import_shared_raster(
        "flood-class", classes=parse_classes("1=Rendah:#fde68a,2=Sedang:#f59e0b,3=Tinggi"))
    assert raster.categorical
    assert [(c["value"], c["label"]) for c in raster.classes] == [
        (1, "Rendah"), (2, "Sedang"), (3, "Tinggi")]
    assert raster.classes[0]["color"] == "#fde68a" and raster.classes[2]["color"].startswith("#")


def test_the_etopo_dem_without_nodata_imports_and_says_so(db, raster_dir):
    path = shared_file("indonesia", "dem-etopo20", "etopo20_indonesia.tif")
    outcome = raster_import(path=path, slug="dem", units="m", ramp="terrain")
    assert outcome.raster.nodata is None and outcome.raster.epsg == 4326
    assert any("no no-data value" in n for n in outcome.notices)
    assert outcome.raster.stats["negative_cells"] > 0  # the sea


def _nothing_written(raster_dir) -> None:
    assert not Layer.objects.filter(kind=LayerKind.RASTER).exists()
    assert not Raster.objects.exists()
    assert not raster_dir.exists() or not any(raster_dir.iterdir())


def test_an_ascii_grid_without_its_prj_is_refused(db, raster_dir, tmp_path):
    lonely = tmp_path / "banjir.asc"
    shutil.copyfile(raster_path("flood-depth"), lonely)
    with pytest.raises(AnalysisFailed) as err:
        raster_import(path=lonely, slug="banjir")
    assert err.value.code == AnalysisErrorCode.NO_CRS
    assert "no coordinate system" in err.value.message and ".prj" in err.value.message
    _nothing_written(raster_dir)


def test_a_geotiff_without_georeferencing_is_refused(db, raster_dir, tmp_path):
    bare = write_grid(tmp_path / "bare.tif", np.ones((4, 4), "float32"), west=0, north=4,
                      size=1, crs=None)
    with pytest.raises(AnalysisFailed) as err:
        raster_import(path=bare, slug="tanpa-crs")
    assert err.value.code == AnalysisErrorCode.NO_CRS
    _nothing_written(raster_dir)


@pytest.mark.parametrize("cut", [4096, 300_000])
def test_a_truncated_geotiff_is_refused(db, raster_dir, tmp_path, cut):
    broken = tmp_path / "rusak.tif"
    broken.write_bytes(raster_path("population").read_bytes()[:cut])
    with pytest.raises(AnalysisFailed) as err:
        raster_import(path=broken, slug="rusak")
    assert err.value.code == AnalysisErrorCode.RASTER_UNREADABLE
    assert "rusak.tif" in err.value.message and "Nothing was imported" in err.value.message
    _nothing_written(raster_dir)


def test_a_slug_in_use_is_refused_and_replace_swaps_the_grid(import_shared_raster, raster_dir):
    first = import_shared_raster("flood-depth")
    old_file = first.file
    with pytest.raises(AnalysisFailed) as err:
        import_shared_raster("flood-depth")
    assert err.value.code == AnalysisErrorCode.SLUG_TAKEN
    with pytest.raises(AnalysisFailed):
        raster_import(path=raster_path("sobek"), slug="wilayah")  # a core layer's slug
    from django.db import transaction
    with transaction.atomic():  # on_commit removes the old file once the new row is saved
        second = raster_import(path=raster_path("sobek"), slug="flood-depth",
                               replace=True).raster
    assert second.pk == first.pk and second.epsg == 23834
    assert second.file.exists()
    assert sorted(p.name for p in raster_dir.iterdir()) in (
        [second.path], sorted([second.path, old_file.name]))


def test_the_command_imports_and_refuses_with_the_message(db, raster_dir, tmp_path, capsys):
    call_command("import_raster", str(raster_path("flood-depth")), "--slug", "genangan",
                 "--units", "m", "--ramp", "blues", "--range", "0,3", "--private")
    raster = Raster.objects.get(layer__slug="genangan")
    assert (raster.display_min, raster.display_max, raster.ramp) == (0.0, 3.0, "blues")
    assert not raster.layer.is_public
    assert "EPSG:4326" in capsys.readouterr().out
    lonely = tmp_path / "x.asc"
    shutil.copyfile(raster_path("flood-depth"), lonely)
    with pytest.raises(CommandError, match="no coordinate system"):
        call_command("import_raster", str(lonely), "--slug", "x")
    with pytest.raises(CommandError, match="Cannot read the class"):
        call_command("import_raster", str(raster_path("flood-class")), "--slug", "y",
                     "--categorical", "--classes", "satu=Rendah")
