"""Writes of land-use zones."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from layers.geometry import clean_geometry
from layers.models import LandUseClass, LandUseZone


@transaction.atomic
def zone_create(
    *,
    land_use_class: LandUseClass,
    geom: GEOSGeometry,
    name: str = "",
    plan_name: str = "",
    regulation: str = "",
    attributes: dict[str, Any] | None = None,
    is_verified: bool = False,
    is_public: bool = False,
    by: AbstractBaseUser | None = None,
) -> LandUseZone:
    zone = LandUseZone(
        land_use_class=land_use_class,
        geom=clean_geometry(geom, kind="polygon", multi_polygon=True),
        name=name.strip(), plan_name=plan_name, regulation=regulation,
        attributes=attributes or {}, is_verified=is_verified, is_public=is_public,
        recorded_by=by,
    )
    zone.full_clean(validate_constraints=False)
    zone._history_user = by
    zone.save()
    return zone
