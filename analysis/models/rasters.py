"""A raster layer: a layers.Layer of kind `raster` plus what the grid is (stored as a
Cloud-Optimized GeoTIFF under settings.SIG_RASTER_DIR, never in the database)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RasterRamp(models.TextChoices):
    """Colour ramps for continuous rasters (rio-tiler's colormap names)."""

    VIRIDIS = "viridis", _("Viridis (dark blue → yellow)")
    BLUES = "blues", _("Blues (light → dark blue)")
    YLORRD = "ylorrd", _("Yellow → orange → red")
    TERRAIN = "terrain", _("Terrain (sea blue → green → brown)")
    GREYS = "greys", _("Greys")


class Raster(models.Model):
    """What a raster layer's grid is: file, coordinate system, cell values, legend and the band
    statistics read at import. Bounds and resolution are in the raster's own CRS; `footprint`
    is its extent in EPSG:4326 (to find the zones it touches)."""

    layer = models.OneToOneField("layers.Layer", on_delete=models.CASCADE,
                                 related_name="raster", verbose_name=_("layer"))
    path = models.CharField(_("file"), max_length=300,
                            help_text=_("The Cloud-Optimized GeoTIFF, relative to the raster "
                                        "folder."))
    source_name = models.CharField(_("imported file"), max_length=300)
    crs_wkt = models.TextField(_("coordinate system (WKT)"))
    crs_name = models.CharField(_("coordinate system"), max_length=200)
    epsg = models.PositiveIntegerField(_("EPSG code"), null=True, blank=True)
    nodata = models.FloatField(_("no-data value"), null=True, blank=True)
    units = models.CharField(_("units"), max_length=40, blank=True)
    dtype = models.CharField(_("value type"), max_length=20)
    categorical = models.BooleanField(_("categorical"), default=False)
    # Categorical: [{"value": 1, "label": "Low", "color": "#fde68a"}, …].
    classes = models.JSONField(_("classes"), default=list, blank=True)
    ramp = models.CharField(_("colour ramp"), max_length=20, choices=RasterRamp.choices,
                            default=RasterRamp.VIRIDIS)
    display_min = models.FloatField(_("ramp start"), null=True, blank=True)
    display_max = models.FloatField(_("ramp end"), null=True, blank=True)
    width = models.PositiveIntegerField(_("columns"))
    height = models.PositiveIntegerField(_("rows"))
    bounds = models.JSONField(_("bounds (raster CRS)"),
                              help_text=_("[left, bottom, right, top]"))
    res_x = models.FloatField(_("cell width"))
    res_y = models.FloatField(_("cell height"))
    footprint = models.PolygonField(_("extent (WGS 84)"), srid=4326, spatial_index=False)
    # {"min", "max", "mean", "std", "valid_cells", "nodata_cells", "negative_cells", "p2", "p98"}
    stats = models.JSONField(_("band statistics"), default=dict, blank=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("raster")
        verbose_name_plural = _("rasters")
        ordering = ["layer__name"]
        indexes = [GistIndex(fields=["footprint"], name="raster_footprint_gist")]
        constraints = [
            models.CheckConstraint(condition=Q(footprint__isvalid=True),
                                   name="raster_footprint_valid"),
            models.CheckConstraint(condition=Q(width__gt=0) & Q(height__gt=0),
                                   name="raster_size_positive"),
        ]

    def __str__(self) -> str:
        return self.layer.name

    @property
    def file(self) -> Path:
        return raster_dir() / self.path


def raster_dir() -> Path:
    """Where the Cloud-Optimized GeoTIFFs live (private: served only as tiles, through the
    layer's permissions)."""
    return Path(settings.SIG_RASTER_DIR)
