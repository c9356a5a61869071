"""Writes of assets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from layers.geometry import clean_geometry
from layers.models import Agency, Asset, AssetCategory, Condition
from layers.selectors.boundaries import village_at


@transaction.atomic
def asset_create(
    *,
    category: AssetCategory,
    geom: GEOSGeometry,
    name: str = "",
    condition: str = Condition.GOOD,
    year_built: int | None = None,
    value_idr: Decimal | None = None,
    agency: Agency | None = None,
    attributes: dict[str, Any] | None = None,
    is_verified: bool = False,
    is_public: bool = False,
    by: AbstractBaseUser | None = None,
) -> Asset:
    """Record an asset. Its geometry must be valid and of the category's kind; its desa is
    derived from where it lies (None outside every desa)."""
    geom = clean_geometry(geom, kind=category.geometry_type)
    asset = Asset(
        category=category, geom=geom, name=name.strip(), condition=condition,
        year_built=year_built, value_idr=value_idr, agency=agency or category.agency,
        attributes=attributes or {}, is_verified=is_verified, is_public=is_public,
        recorded_by=by, area=village_at(geom),
    )
    asset.full_clean(validate_constraints=False)
    asset._history_user = by
    asset.save()
    return asset
