"""Rasters, zonal statistics and the wilayah dashboards."""

from django.urls import path

app_name = "analysis"
urlpatterns: list = []

# Raster layers and zonal statistics (analysis.views.rasters, analysis.views.zonal).
from analysis.views import rasters as _rasters  # noqa: E402
from analysis.views import zonal as _zonal  # noqa: E402

urlpatterns += [
    path("raster/<slug:slug>/<int:z>/<int:x>/<int:y>.png", _rasters.tile, name="raster-tile"),
    path("raster/<slug:slug>/legend.json", _rasters.legend, name="raster-legend"),
    path("zonal/", _zonal.run_list, name="zonal-list"),
    path("zonal/start/", _zonal.run_start, name="zonal-start"),
    path("zonal/<int:pk>/", _zonal.run_detail, name="zonal-detail"),
    path("zonal/<int:pk>/status.json", _zonal.run_status, name="zonal-status"),
    path("zonal/<int:pk>/hasil.<str:fmt>", _zonal.run_export, name="zonal-export"),
    path("zonal/<int:pk>/zones.geojson", _zonal.run_geojson, name="zonal-geojson"),
]

