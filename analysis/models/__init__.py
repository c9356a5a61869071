"""Analysis models: raster layers (metadata of a catalogue layer of kind raster) and zonal
statistics runs with their results per zone."""

from analysis.models.rasters import Raster, RasterRamp
from analysis.models.zonal import RunStatus, ZonalResult, ZonalRun

__all__ = ["Raster", "RasterRamp", "RunStatus", "ZonalResult", "ZonalRun"]
