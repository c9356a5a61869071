"""Raster layers and zonal statistics runs in the admin: read-only views (imports go through
`manage.py import_raster`, runs through the zonal statistics page or `manage.py zonal_stats`)."""

from __future__ import annotations

from django.contrib import admin

from analysis.models import Raster, ZonalRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Raster)
class RasterAdmin(ReadOnlyAdmin):
    list_display = ["layer", "crs_name", "epsg", "dtype", "units", "categorical", "nodata",
                    "imported_at"]
    list_filter = ["categorical"]
    search_fields = ["layer__slug", "layer__name", "source_name"]


@admin.register(ZonalRun)
class ZonalRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "raster", "zones", "status", "zone_count", "computed_at"]
    list_filter = ["status"]
