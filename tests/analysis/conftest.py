"""Fixtures of the raster and zonal statistics tests: a private raster folder per test, the
shared Jakarta rasters and kelurahan, and small grids the tests write themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from tests.conftest import shared_file

JAKARTA = ("indonesia", "inasafe-jakarta")
RASTERS = {
    "population": ("raster", "Population_Jakarta_UTM48N.tif"),
    "flood-depth": ("raster", "Flood_Current_Depth_Jakarta_geographic.asc"),
    "flood-class": ("raster", "jakarta_flood_category_123.asc"),
    "sobek": ("raster",
              "201208140700_Jakarta_200m_Sobek_Hypothetical_Scenario_ACCESSA_6_hours.tif"),
}


def jakarta_file(*parts: str) -> Path:
    return shared_file(*JAKARTA, *parts)


def raster_path(key: str) -> Path:
    return jakarta_file(*RASTERS[key])


@pytest.fixture
def raster_dir(settings, tmp_path) -> Path:
    settings.SIG_RASTER_DIR = tmp_path / "rasters"
    return settings.SIG_RASTER_DIR


@pytest.fixture
def import_shared_raster(db, raster_dir):
    """Import one of the shared Jakarta rasters under its key as slug."""
    from analysis.services.rasters import raster_import

    def _import(key: str, **options):
        options.setdefault("categorical", key == "flood-class")
        return raster_import(path=raster_path(key), slug=key, **options).raster

    return _import


@pytest.fixture
def kelurahan_layer(db):
    """The 261 Jakarta kelurahan (InaSAFE boundaries, names only) through the project's own
    importer, as the thematic polygon layer `kelurahan-jakarta` keyed by the file's ID."""
    from importers.jobs import ImportRequest, run_import
    from layers.models import Layer

    run_import(ImportRequest(path=jakarta_file("boundaries", "kelurahan_jakarta.shp"),
                             target="layer:kelurahan-jakarta", key="ID"))
    return Layer.objects.get(slug="kelurahan-jakarta")


def write_grid(path: Path, data: np.ndarray, *, west: float, north: float, size: float,
               crs: str | None = "EPSG:4326", nodata: float | None = None) -> Path:
    """A small GeoTIFF written by the test itself (north-up, square cells of `size`)."""
    profile = {"driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1,
               "dtype": data.dtype.name, "transform": Affine(size, 0, west, 0, -size, north),
               "nodata": nodata}
    if crs:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path
