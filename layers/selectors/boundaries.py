"""Reads of administrative areas."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry

from layers.codes import Level
from layers.models import AdministrativeArea


def reference_point(geom: GEOSGeometry) -> GEOSGeometry:
    """The point that places a feature in a wilayah: itself for a point, a point on its
    surface for a line or polygon (the same rule as the SQL in services.wilayah)."""
    return geom if geom.geom_type == "Point" else geom.point_on_surface


def village_at(geom: GEOSGeometry) -> AdministrativeArea | None:
    """The current desa/kelurahan that contains the feature's reference point, or None.

    A point exactly on a shared border belongs to both desa; the lowest code wins, in the
    bulk SQL as here, so the two never disagree.
    """
    return (
        AdministrativeArea.objects.villages()
        .filter(geom__intersects=reference_point(geom))
        .order_by("code")
        .first()
    )


def area_by_code(code: str) -> AdministrativeArea | None:
    return AdministrativeArea.objects.filter(code=code).first()


def area_children(area: AdministrativeArea | None):
    """Current children of `area`, or the top level (provinces) when None; falls back to
    the highest level present when a deployment holds no provinces (e.g. one kabupaten)."""
    qs = AdministrativeArea.objects.all()
    if area is not None:
        return qs.filter(parent=area)
    roots = qs.filter(parent__isnull=True)
    top = roots.order_by("level").values_list("level", flat=True).first()
    return roots.filter(level=top) if top else roots.none()


__all__ = ["Level", "area_by_code", "area_children", "reference_point", "village_at"]
