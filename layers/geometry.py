"""One place that decides whether a geometry may be stored."""

from __future__ import annotations

from django.contrib.gis.geos import (
    GEOSGeometry,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Polygon,
)
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


def repair_geometry(
    geom: GEOSGeometry, *, kind: str | None = None, multi_polygon: bool = False
) -> tuple[GEOSGeometry, list[str]]:
    """Like clean_geometry, for an editor's save: an invalid geometry is repaired (GEOS
    MakeValid, keeping only the parts of the expected kind) and each repair is returned as a
    translated notice for the editor to see; heights (Z) are dropped. Refused, with the reason,
    when nothing of the expected kind is left."""
    notices: list[str] = []
    if geom is not None and not geom.empty and geom.hasz:
        flat = geom.ogr
        flat.set_3d(False)
        geom = flat.geos
        notices.append(str(_("Heights (Z) were dropped: the map stores 2D geometries.")))
    if geom is not None and not geom.empty and not geom.valid:
        reason = geom.valid_reason
        fixed = _parts_of_kind(geom.make_valid(), kind)
        if fixed is None:
            raise ValidationError(
                _("The geometry is not valid: %(reason)s."),
                code=ErrorCode.GEOMETRY_INVALID, params={"reason": reason},
            )
        fixed.srid = geom.srid
        geom = fixed
        notices.append(str(_("The geometry was not valid (%(reason)s) and was repaired; "
                             "check its shape.") % {"reason": reason}))
    return clean_geometry(geom, kind=kind, multi_polygon=multi_polygon), notices


def _parts_of_kind(geom: GEOSGeometry, kind: str | None) -> GEOSGeometry | None:
    """The members of a repaired geometry of the wanted kind (MakeValid may return a
    collection of a polygon and a stray line), as one geometry; None when none is left."""
    if geom.empty:
        return None
    if geom.geom_type != "GeometryCollection":
        return geom if kind is None or GeometryType.of(geom.geom_type) == kind else None
    wanted = kind or next((GeometryType.of(g.geom_type) for g in geom
                           if GeometryType.of(g.geom_type)), None)
    parts: list[GEOSGeometry] = []
    for member in geom:
        if GeometryType.of(member.geom_type) == wanted and not member.empty:
            parts.extend(member if member.geom_type.startswith("Multi") else [member])
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    multi = {GeometryType.POINT: MultiPoint, GeometryType.LINE: MultiLineString,
             GeometryType.POLYGON: MultiPolygon}[wanted]
    return multi(*[p.clone() for p in parts])
