"""System checks: fail early on a database that cannot hold SIG's data."""

from __future__ import annotations

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.core import checks


@checks.register(checks.Tags.models)
def check_geometry_srid(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every geometry column stores EPSG:4326; areas and lengths are computed geodesically."""
    errors = []
    for model in apps.get_app_config("layers").get_models():
        for field in model._meta.get_fields():
            if isinstance(field, GeometryField) and field.srid != 4326:
                errors.append(checks.Error(
                    f"{model.__name__}.{field.name} has SRID {field.srid}, expected 4326.",
                    id="layers.E001",
                ))
    return errors
