"""Why an import stops, as codes and translated sentences (never a traceback)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportErrorCode(models.TextChoices):
    FILE_NOT_FOUND = "file_not_found", _("File not found")
    FORMAT_UNKNOWN = "format_unknown", _("Unknown format")
    ARCHIVE_UNSAFE = "archive_unsafe", _("Unsafe archive")
    ARCHIVE_TOO_LARGE = "archive_too_large", _("Archive too large")
    ARCHIVE_EMPTY = "archive_empty", _("Nothing to import in the archive")
    FILE_TOO_LARGE = "file_too_large", _("File too large")
    FILE_CORRUPT = "file_corrupt", _("Unreadable file")
    INCONSISTENT_FILES = "inconsistent_files", _("Inconsistent shapefile parts")
    LAYER_REQUIRED = "layer_required", _("Several layers")
    LAYER_NOT_FOUND = "layer_not_found", _("No such layer")
    NO_CRS = "no_crs", _("No coordinate system")
    CRS_UNKNOWN = "crs_unknown", _("Unknown coordinate system")
    ENCODING_UNKNOWN = "encoding_unknown", _("Unknown text encoding")
    NO_FEATURES = "no_features", _("No features")
    TARGET_UNKNOWN = "target_unknown", _("Unknown target")
    MAPPING_INVALID = "mapping_invalid", _("Invalid field mapping")
    WRITE_FAILED = "write_failed", _("The database refused the data")


class ImportFailed(Exception):
    """An import that cannot go on. `message` is a translated sentence for the user."""

    def __init__(self, code: ImportErrorCode, message: str) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)

    def __str__(self) -> str:
        return self.message
