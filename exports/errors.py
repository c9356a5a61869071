"""Why an export stops, as codes and translated sentences (never a traceback)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportErrorCode(models.TextChoices):
    FORMAT_UNKNOWN = "format_unknown", _("Unknown export format")
    LAYER_NOT_FOUND = "layer_not_found", _("No such layer")
    LAYER_RASTER = "layer_raster", _("Raster layer")
    BAD_REQUEST = "bad_request", _("Invalid request")
    GEOMETRY_REQUIRED = "geometry_required", _("Geometry required")
    TOO_MANY_FEATURES = "too_many_features", _("Too many features")
    NO_LAYERS = "no_layers", _("No layers chosen")
    JOB_NOT_READY = "job_not_ready", _("Export not ready")
    WRITE_FAILED = "write_failed", _("The file could not be written")


# The HTTP status each error is answered with.
HTTP_STATUS = {
    ExportErrorCode.LAYER_NOT_FOUND: 404,
    ExportErrorCode.JOB_NOT_READY: 409,
    ExportErrorCode.WRITE_FAILED: 500,
}


class ExportFailed(Exception):
    """An export that cannot go on. `message` is a translated sentence for the user."""

    def __init__(self, code: ExportErrorCode, message: str) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def __str__(self) -> str:
        return self.message
