"""Error codes users and API clients see next to a translated message."""

from django.db import models


class ErrorCode(models.TextChoices):
    AREA_CODE_FORMAT = "area_code_format"
    AREA_CODE_LEVEL = "area_code_level"
    AREA_PARENT_MISMATCH = "area_parent_mismatch"
    AREA_PARENT_MISSING = "area_parent_missing"
    AREA_CODE_TAKEN = "area_code_taken"
    GEOMETRY_INVALID = "geometry_invalid"
    GEOMETRY_EMPTY = "geometry_empty"
    GEOMETRY_TYPE = "geometry_type"
    OUTSIDE_REGION = "outside_region"
    STATUS_TRANSITION = "status_transition"
    VERSION_CONFLICT = "version_conflict"
