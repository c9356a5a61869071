"""One place that decides whether a geometry may be stored."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from layers.errors import ErrorCode
from layers.models.common import SRID, GeometryType


def clean_geometry(
    geom: GEOSGeometry, *, kind: str | None = None, multi_polygon: bool = False
) -> GEOSGeometry:
    """Return `geom` in EPSG:4326, checked: not empty, valid, of the expected kind.

    `kind` is a GeometryType value; `multi_polygon` promotes a Polygon to a MultiPolygon for
    columns that store areas. Invalid geometries are refused with GEOS's reason; repairing is
    the importer's decision (it reports every repair), not a silent side effect of saving.
    """
    if geom is None or geom.empty:
        raise ValidationError(_("The geometry is empty."), code=ErrorCode.GEOMETRY_EMPTY)
    if geom.srid is None:
        geom.srid = SRID
    elif geom.srid != SRID:
        geom = geom.transform(SRID, clone=True)
    if not geom.valid:
        raise ValidationError(
            _("The geometry is not valid: %(reason)s."),
            code=ErrorCode.GEOMETRY_INVALID, params={"reason": geom.valid_reason},
        )
    found = GeometryType.of(geom.geom_type)
    if kind and found != kind:
        raise ValidationError(
            _("Expected a %(expected)s geometry, got %(found)s."),
            code=ErrorCode.GEOMETRY_TYPE,
            params={"expected": GeometryType(kind).label,
                    "found": found.label if found else geom.geom_type},
        )
    if multi_polygon and isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=geom.srid)
    return geom
