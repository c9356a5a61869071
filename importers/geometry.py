"""Geometry checks and repair, vectorised over the whole layer (shapely 2), in one place."""

from __future__ import annotations

from collections.abc import Callable
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
class Repairs:
    """What the validity check changed, by position in the array it was given: repaired
    geometries to store instead, and positions refused (the repair left no part of the
    layer's kind)."""

    replaced: dict[int, shapely.Geometry]
    refused: list[int]
    problems: list[Problem]


@dataclass
class CheckedGeometries:
    geoms: np.ndarray  # shapely geometries in EPSG:4326, None where the feature is refused
    keep: np.ndarray  # bool: the feature goes on
    problems: list[Problem]
    notices: list[str]
    wanted: set[str]
    # Set when the validity check was deferred (see check_geometries).
    repair: Callable[[np.ndarray], Repairs] | None = None
    # The file's own WKB of `geoms`, when the checks changed none of them (EPSG:4326, 2D,
    # no part taken out of a collection, no repair or promotion yet): the writer sends it on
    # instead of encoding every geometry again.
    wkb: np.ndarray | None = None


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


def repair_invalid(geoms: np.ndarray, features: np.ndarray, wanted: set[str]) -> Repairs:
    """`make_valid` for the invalid ones among `geoms` (`features`: their 0-based feature
    numbers in the file, for the report), each repair reported; a repair that leaves nothing of
    the wanted kind (a polygon collapsed to a line) is refused."""
    replaced: dict[int, shapely.Geometry] = {}
    refused: list[int] = []
    problems: list[Problem] = []
    # In slices: shapely keeps the GIL through one call, and the writer runs this in a thread
    # beside the index builds, whose statements need it for a moment between each other.
    valid = [shapely.is_valid(geoms[i:i + 4096]) for i in range(0, len(geoms), 4096)]
    bad = np.flatnonzero(~np.concatenate(valid)) if valid else np.array([], dtype=int)
    if not len(bad):
        return Repairs(replaced, refused, problems)
    reasons = shapely.is_valid_reason(geoms[bad])
    repaired = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    for i, reason, result in zip(bad, reasons, repaired, strict=True):
        feature, fixed = int(features[i]) + 1, result
        problems.append(Problem(feature, "geometry_repaired", _(
            "Invalid geometry repaired (%(reason)s).") % {"reason": reason}, skipped=False))
        kind = _KIND_BY_TYPE_ID[shapely.get_type_id(fixed) + 1]
        if kind not in wanted:
            # A repaired polygon may come back as polygon + line; keep the wanted part.
            fixed = next((part for k in sorted(wanted)
                          if (part := _keep_kind(fixed, k)) is not None), None)
        if fixed is None or fixed.is_empty:
            refused.append(int(i))
            problems.append(Problem(feature, "geometry_type", _(
                "A %(found)s geometry does not fit this layer (%(wanted)s expected).") % {
                "found": result.geom_type,
                "wanted": ", ".join(sorted(wanted)) or "?"}))
        else:
            replaced[int(i)] = fixed
    return Repairs(replaced, refused, problems)


def check_geometries(frame: gpd.GeoDataFrame, *, kinds: set[str] | None,
                     multi: bool = False, defer_repair: bool = False,
                     wkb: np.ndarray | None = None) -> CheckedGeometries:
    """Reproject to EPSG:4326, drop Z/M, refuse empty ones and those of the wrong kind, repair
    invalid geometries (reporting each); promote to multi when `multi`.

    `kinds` is the set of allowed kinds ("point", "line", "polygon"); None accepts any, but a
    layer must then be of one kind: the most common one wins and the rest are refused.
    `defer_repair`: leave the validity check to the caller (`CheckedGeometries.repair`, given
    the kept rows), who runs it while the database builds a batch table's indexes.
    `wkb`: the file's WKB of the same geometries (sources.SourceRows), handed on unchanged.
    """
    problems: list[Problem] = []
    notices: list[str] = []
    series = frame.geometry
    if series.crs is not None and series.crs.to_epsg() != 4326:
        series = series.to_crs(4326)
        wkb = None
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
        wkb = None
    if has_z.any():
        notices.append(_("Heights (Z) of %(n)d features were dropped: SIG stores 2D.")
                       % {"n": int(has_z.sum())})
    if has_m.any():
        notices.append(_("Measures (M) of %(n)d features were dropped: SIG stores 2D.")
                       % {"n": int(has_m.sum())})

    kind_of = _KIND_BY_TYPE_ID[shapely.get_type_id(geoms) + 1]
    if kinds is None:
        present = kind_of[keep & (kind_of != "")]
        wanted = {max(set(present), key=list(present).count)} if len(present) else set()
    else:
        wanted = set(kinds)
    # A GeometryCollection in the file counts by the parts of the wanted kind it holds.
    for i in np.flatnonzero(keep & (kind_of == "")):
        for kind in sorted(wanted):
            part = _keep_kind(geoms[i], kind)
            if part is not None:
                geoms[i], kind_of[i] = part, kind
                wkb = None
                break
    wrong = keep & ~np.isin(kind_of, list(wanted))
    for i in np.flatnonzero(wrong):
        problems.append(Problem(int(i) + 1, "geometry_type", _(
            "A %(found)s geometry does not fit this layer (%(wanted)s expected).") % {
            "found": geoms[i].geom_type,
            "wanted": ", ".join(sorted(wanted)) or "?"}))
    keep &= ~wrong

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
    checked = CheckedGeometries(geoms=geoms, keep=keep, problems=problems, notices=notices,
                                wanted=wanted)
    if defer_repair:
        if multi:
            raise ValueError("a deferred repair cannot promote to multi parts")
        checked.repair = lambda kept: repair_invalid(geoms[kept], np.flatnonzero(kept), wanted)
        checked.wkb = wkb  # the repairs are put right after the write (importers/writers.py)
        return checked
    kept = np.flatnonzero(keep)
    repairs = repair_invalid(geoms[kept], kept, wanted)
    for i, fixed in repairs.replaced.items():
        geoms[kept[i]] = fixed
    refused = kept[repairs.refused]
    keep[refused] = False
    geoms[refused] = None
    problems.extend(repairs.problems)
    if multi and keep.any():
        geoms[keep] = _multi(geoms[keep], next(iter(wanted)))
    return checked


def kind_of_type(geometry_type: str | None) -> str | None:
    """'MultiPolygon' → 'polygon' (for describing a source layer)."""
    if not geometry_type:
        return None
    return _KIND_OF.get(geometry_type.replace(" Z", "").replace(" M", "").replace("3D ", ""))
