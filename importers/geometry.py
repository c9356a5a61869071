"""Geometry checks and repair, vectorised over the whole layer (shapely 2), in one place."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from django.utils.translation import gettext as _

from importers.report import Problem

# Where Indonesia is, with a margin (EEZ included): data outside is very likely in the wrong CRS.
INDONESIA_BOUNDS = (94.0, -12.0, 142.0, 7.0)
KIND_TYPES = {
    "point": {"Point", "MultiPoint"},
    "line": {"LineString", "MultiLineString", "LinearRing"},
    "polygon": {"Polygon", "MultiPolygon"},
}
_KIND_OF = {t: k for k, types in KIND_TYPES.items() for t in types}
# Indexed by shapely type id + 1 (id -1 is a missing geometry).
_KIND_BY_TYPE_ID = np.array(
    ["", "point", "line", "line", "polygon", "point", "line", "polygon", ""], dtype=object)
_PARTS_TYPE = {"point": shapely.GeometryType.POINT, "line": shapely.GeometryType.LINESTRING,
               "polygon": shapely.GeometryType.POLYGON}


@dataclass
class CheckedGeometries:
    geoms: np.ndarray  # shapely geometries in EPSG:4326, None where the feature is refused
    keep: np.ndarray  # bool: the feature goes on
    problems: list[Problem]
    notices: list[str]


def _multi(geoms: np.ndarray, kind: str) -> np.ndarray:
    """Promote single parts to multi parts (vectorised): areas are stored as MultiPolygon."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    builder = {"polygon": shapely.multipolygons, "line": shapely.multilinestrings,
               "point": shapely.multipoints}[kind]
    out = np.empty(len(geoms), dtype=object)
    out[:] = builder(parts, indices=index) if len(parts) else []
    return out


def _keep_kind(geom: shapely.Geometry, kind: str) -> shapely.Geometry | None:
    """From a repair's GeometryCollection keep the parts of the wanted kind (lines that a
    collapsed polygon left behind are dropped)."""
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) == _PARTS_TYPE[kind]]
    if not parts:
        return None
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def check_geometries(frame: gpd.GeoDataFrame, *, kinds: set[str] | None,
                     multi: bool = False) -> CheckedGeometries:
    """Reproject to EPSG:4326, drop Z/M, repair invalid geometries (reporting each), refuse
    empty ones and those of the wrong kind; promote to multi when `multi`.

    `kinds` is the set of allowed kinds ("point", "line", "polygon"); None accepts any, but a
    layer must then be of one kind: the most common one wins and the rest are refused.
    """
    problems: list[Problem] = []
    notices: list[str] = []
    series = frame.geometry
    if series.crs is not None and series.crs.to_epsg() != 4326:
        series = series.to_crs(4326)
    geoms = np.asarray(series.values, dtype=object)
    n = len(geoms)
    keep = np.ones(n, dtype=bool)

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for i in np.flatnonzero(missing):
        problems.append(Problem(int(i) + 1, "geometry_empty", _("The feature has no geometry.")))
    keep &= ~missing

    has_z, has_m = shapely.has_z(geoms), shapely.has_m(geoms)
    if (has_z | has_m).any():
        geoms[has_z | has_m] = shapely.force_2d(geoms[has_z | has_m])
    if has_z.any():
        notices.append(_("Heights (Z) of %(n)d features were dropped: SIG stores 2D.")
                       % {"n": int(has_z.sum())})
    if has_m.any():
        notices.append(_("Measures (M) of %(n)d features were dropped: SIG stores 2D.")
                       % {"n": int(has_m.sum())})

    valid = shapely.is_valid(geoms) | ~keep
    if not valid.all():
        bad = np.flatnonzero(~valid)
        reasons = shapely.is_valid_reason(geoms[bad])
        repaired = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
        for i, reason, fixed in zip(bad, reasons, repaired, strict=True):
            problems.append(Problem(int(i) + 1, "geometry_repaired", _(
                "Invalid geometry repaired (%(reason)s).") % {"reason": reason}, skipped=False))
            geoms[i] = fixed

    types = shapely.get_type_id(geoms)
    kind_of = _KIND_BY_TYPE_ID[types + 1].copy()
    collection = types == shapely.GeometryType.GEOMETRYCOLLECTION
    if kinds is None:
        present = kind_of[keep & (kind_of != "")]
        wanted = {max(set(present), key=list(present).count)} if len(present) else set()
    else:
        wanted = kinds
    for i in np.flatnonzero(keep & collection):
        # A repaired polygon may come back as polygon + line; keep the wanted part.
        for kind in wanted:
            part = _keep_kind(geoms[i], kind)
            if part is not None:
                geoms[i], kind_of[i] = part, kind
                break
    wrong = keep & ~np.isin(kind_of, list(wanted))
    for i in np.flatnonzero(wrong):
        problems.append(Problem(int(i) + 1, "geometry_type", _(
            "A %(found)s geometry does not fit this layer (%(wanted)s expected).") % {
            "found": geoms[i].geom_type,
            "wanted": ", ".join(sorted(wanted)) or "?"}))
    keep &= ~wrong
    if multi and keep.any():
        kind = next(iter(wanted))
        geoms[keep] = _multi(geoms[keep], kind)

    if keep.any():
        west, south, east, north = shapely.total_bounds(geoms[keep])
        w0, s0, e0, n0 = INDONESIA_BOUNDS
        if west < w0 or east > e0 or south < s0 or north > n0:
            swapped = s0 <= west <= n0 and s0 <= east <= n0 and w0 <= south <= e0
            notices.append(_(
                "Warning: the data reaches %(w).3f, %(s).3f – %(e).3f, %(n).3f (lon/lat), "
                "outside Indonesia. %(hint)s") % {
                "w": west, "s": south, "e": east, "n": north,
                "hint": _("Longitude and latitude look swapped.") if swapped else
                _("Check the coordinate system (--srid).")})
    geoms[~keep] = None
    return CheckedGeometries(geoms=geoms, keep=keep, problems=problems, notices=notices)


def kind_of_type(geometry_type: str | None) -> str | None:
    """'MultiPolygon' → 'polygon' (for describing a source layer)."""
    if not geometry_type:
        return None
    return _KIND_OF.get(geometry_type.replace(" Z", "").replace(" M", "").replace("3D ", ""))
