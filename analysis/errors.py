"""Why a raster import or a zonal statistics run stops, as codes and translated sentences."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnalysisErrorCode(models.TextChoices):
    FILE_NOT_FOUND = "file_not_found", _("File not found")
    RASTER_UNREADABLE = "raster_unreadable", _("Unreadable raster")
    NO_CRS = "no_crs", _("No coordinate system")
    ROTATED = "rotated", _("Rotated grid")
    EMPTY = "empty", _("No data")
    SLUG_TAKEN = "slug_taken", _("Slug in use")
    CLASSES_INVALID = "classes_invalid", _("Invalid classes")
    OPTION_INVALID = "option_invalid", _("Invalid option")
    RASTER_NOT_FOUND = "raster_not_found", _("No such raster")
    ZONES_INVALID = "zones_invalid", _("Invalid zones")
    STATS_INVALID = "stats_invalid", _("Invalid statistics")
    NO_ZONES = "no_zones", _("No zones")


class AnalysisFailed(Exception):
    """A raster import or zonal run that cannot go on. `message` is a translated sentence."""

    def __init__(self, code: AnalysisErrorCode, message: str) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)

    def __str__(self) -> str:
        return self.message
