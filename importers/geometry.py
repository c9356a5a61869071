"""Geometry checks and repair, vectorised over the whole layer (shapely 2), in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from django.utils.translation import gettext as _

from importers.aside import Aside
from importers.report import Problem
from importers.sources import SourceRows, parse_wkb

# Rows per shapely call in the validity check: where it runs in a thread (no fork), shapely
# keeps the GIL through a call, and the writer needs it back between statements (1,024
# polygons: ~1 ms of parse or validity check).
SLICE = 1024
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
    # Set by a deferred check that also parsed the geometries (check_geometries' fast lane):
    # its notices (data outside Indonesia) and the extent of what it kept.
    notices: list[str] = field(default_factory=list)
    bounds: tuple[float, float, float, float] | None = None


@dataclass
class CheckedGeometries:
    # shapely geometries in EPSG:4326, None where the feature is refused; None as a whole
    # when the geometries are parsed by the deferred check (`repair`) only
    geoms: np.ndarray | None
    keep: np.ndarray  # bool: the feature goes on
    kinds: np.ndarray  # "point", "line", "polygon" or "" (missing) per feature
    problems: list[Problem]
    notices: list[str]
    wanted: set[str]
    # Set when the validity check was deferred (see check_geometries): given the rows kept
    # in the end (a mask over the file's features), what the check found among them.
    repair: Callable[[np.ndarray], Repairs] | None = None
    aside: Aside | None = None  # where the deferred check runs; `close()` ends it
    # The file's own WKB of `geoms`, when the checks changed none of them (EPSG:4326, 2D,
    # no part taken out of a collection, no repair or promotion yet): the writer sends it on
    # instead of encoding every geometry again.
    wkb: pa.BinaryArray | None = None

    def close(self) -> None:
        """End the deferred check if it still runs (the import stopped before it was read)."""
        if self.aside is not None:
            self.aside.close()


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
    valid = [shapely.is_valid(geoms[i:i + SLICE]) for i in range(0, len(geoms), SLICE)]
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


def check_geometries(rows: SourceRows, *, kinds: set[str] | None,
                     multi: bool = False, defer_repair: bool = False) -> CheckedGeometries:
    """Reproject to EPSG:4326, drop Z/M, refuse empty ones and those of the wrong kind, repair
    invalid geometries (reporting each); promote to multi when `multi`.

    `kinds` is the set of allowed kinds ("point", "line", "polygon"); None accepts any, but a
    layer must then be of one kind: the most common one wins and the rest are refused.
    `defer_repair`: the validity check starts now, aside (a child process), and the caller
    reads what it found (`CheckedGeometries.repair`, given the rows kept in the end) when it
    needs it; `close()` ends it if the import stops first. When the
    file's geometries need no change (EPSG:4326, 2D, no collections), the deferred check
    parses them too, and what is known before from the WKB heads (missing, kind) is checked
    here.
    """
    if defer_repair and not multi and _as_is(rows):
        return _check_heads(rows, kinds)
    problems: list[Problem] = []
    notices: list[str] = []
    wkb = rows.wkb
    series = gpd.GeoSeries(rows.geoms, crs=rows.crs)
    if series.crs is not None and series.crs.to_epsg() != 4326:
        series = series.to_crs(4326)
        wkb = None
    geoms = np.asarray(series.values, dtype=object)
    n = len(geoms)
    keep = np.ones(n, dtype=bool)

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    problems.extend(_empty(np.flatnonzero(missing)))
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
    wanted = _wanted(kinds, kind_of[keep & (kind_of != "")])
    # A GeometryCollection in the file counts by the parts of the wanted kind it holds.
    for i in np.flatnonzero(keep & (kind_of == "")):
        for kind in sorted(wanted):
            part = _keep_kind(geoms[i], kind)
            if part is not None:
                geoms[i], kind_of[i] = part, kind
                wkb = None
                break
    wrong = keep & ~np.isin(kind_of, list(wanted))
    problems.extend(_wrong_kind(np.flatnonzero(wrong), [geoms[i].geom_type for i in
                                                         np.flatnonzero(wrong)], wanted))
    keep &= ~wrong

    notices.extend(_outside_notice(shapely.total_bounds(geoms[keep])) if keep.any() else [])
    geoms[~keep] = None
    checked = CheckedGeometries(geoms=geoms, keep=keep, kinds=kind_of, problems=problems,
                                notices=notices, wanted=wanted)
    if defer_repair:
        if multi:
            raise ValueError("a deferred repair cannot promote to multi parts")
        features = np.flatnonzero(keep)
        _defer(checked, features, lambda: repair_invalid(geoms[features], features, wanted))
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


# WKB base type (type word % 1000) -> kind and name, for the types the fast lane takes.
_KIND_BY_WKB = np.array(["", "point", "line", "polygon", "point", "line", "polygon"],
                        dtype=object)
_NAME_BY_WKB = ["", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString",
                "MultiPolygon"]


def _as_is(rows: SourceRows) -> bool:
    """Whether the file's geometries can be stored as they are: EPSG:4326 and, by their WKB
    heads, 2D points, lines and polygons (single or multi; no collections, curves, Z or M)."""
    if rows.wkb is None or rows.types is None or rows.crs is None \
            or rows.crs.to_epsg() != 4326:
        return False
    present = rows.types[rows.types >= 0]
    return bool(((present >= 1) & (present <= 6)).all())


def _check_heads(rows: SourceRows, kinds: set[str] | None) -> CheckedGeometries:
    """check_geometries from the WKB heads alone; the parse, the empty and validity checks
    and the extent wait for the deferred check (`_check_parsed`)."""
    types = rows.types
    missing = types < 0
    kind_of = _KIND_BY_WKB[np.where(missing, 0, types)]
    keep = ~missing
    problems = list(_empty(np.flatnonzero(missing)))
    wanted = _wanted(kinds, kind_of[keep])
    wrong = np.flatnonzero(keep & ~np.isin(kind_of, list(wanted)))
    problems.extend(_wrong_kind(wrong, [_NAME_BY_WKB[t] for t in types[wrong]], wanted))
    keep[wrong] = False
    checked = CheckedGeometries(geoms=None, keep=keep, kinds=kind_of, problems=problems,
                                notices=[], wanted=wanted, wkb=rows.wkb)
    features = np.flatnonzero(keep)
    _defer(checked, features, lambda: _check_parsed(rows, features, wanted))
    return checked


def _defer(checked: CheckedGeometries, features: np.ndarray, work: Callable[[], Repairs]
           ) -> None:
    """Start the deferred check of `features` (positions in the file) now, aside
    (importers/aside.py: a child process, at a lower priority). It has a core of its own
    while this process prepares the rows and the server waits for them, and again while the
    server builds a batch table's indexes; beside the COPY it yields. `checked.repair(kept)`
    waits for it and tells what it found among the rows kept in the end."""
    checked.aside = Aside(work, nice=10)
    checked.repair = lambda kept: _among(checked.aside.result(), features, kept)


def _among(repairs: Repairs, features: np.ndarray, kept: np.ndarray) -> Repairs:
    """`repairs` found among `features` (positions in the file), told by position among the
    rows `kept` (a mask over the file), as the writer has them; what concerns a row left out
    since (a duplicate key…) is dropped."""
    position = np.full(len(kept), -1, dtype=np.int64)
    position[kept] = np.arange(int(kept.sum()))
    at = position[features]
    return Repairs(
        replaced={int(at[i]): g for i, g in repairs.replaced.items() if at[i] >= 0},
        refused=[int(at[i]) for i in repairs.refused if at[i] >= 0],
        problems=[p for p in repairs.problems if kept[p.feature - 1]],
        notices=repairs.notices, bounds=repairs.bounds)


def _check_parsed(rows: SourceRows, features: np.ndarray, wanted: set[str]) -> Repairs:
    """The rest of check_geometries for the fast lane, on the kept features (`features`:
    their positions in the file): parse, refuse empty ones, repair invalid ones, and the
    extent with its notice. Positions in what it returns are among `features`."""
    # Every feature, the usual case: the file's array as it is (a take would copy ~60 MB for
    # 200k polygons, ~0.08 s of the check's time, most of it faulting in new pages).
    wkb = rows.wkb if len(features) == len(rows.wkb) else rows.wkb.take(pa.array(features))
    # In slices: in the thread that stands in for a child where there is no fork, shapely
    # would keep the GIL through one call (see SLICE).
    geoms = np.concatenate([parse_wkb(wkb.slice(i, SLICE), rows.name)
                            for i in range(0, len(wkb), SLICE)]) if len(wkb) else \
        np.empty(0, dtype=object)
    empty = np.flatnonzero(shapely.is_empty(geoms))
    present = np.ones(len(geoms), dtype=bool)
    present[empty] = False
    at = np.flatnonzero(present)
    repairs = repair_invalid(geoms[at], features[at], wanted)
    refused = sorted([int(i) for i in empty] + [int(at[i]) for i in repairs.refused])
    replaced = {int(at[i]): g for i, g in repairs.replaced.items()}
    problems = [*_empty(features[empty]), *repairs.problems]
    kept = np.ones(len(geoms), dtype=bool)
    kept[refused] = False
    if replaced:
        geoms = geoms.copy()
        geoms[list(replaced)] = list(replaced.values())
    bounds = tuple(float(v) for v in shapely.total_bounds(geoms[kept])) if kept.any() \
        else None
    return Repairs(replaced=replaced, refused=refused, problems=problems,
                   notices=_outside_notice(bounds) if bounds else [], bounds=bounds)


def _wanted(kinds: set[str] | None, present: np.ndarray) -> set[str]:
    if kinds is not None:
        return set(kinds)
    dominant = dominant_kind(present)
    return {dominant} if dominant else set()


def dominant_kind(kinds: np.ndarray) -> str | None:
    """The most common of `kinds` ("point", "line", "polygon"; "" for none is not counted)."""
    # Counted by hashing (np.unique sorts the 200k strings: ~3x slower on the bench file).
    counts = pd.Series(kinds, dtype=object).value_counts(sort=False).drop("", errors="ignore")
    return str(counts.sort_index().idxmax()) if len(counts) else None  # ties: by name


def _empty(features: np.ndarray) -> list[Problem]:
    return [Problem(int(i) + 1, "geometry_empty", _("The feature has no geometry."))
            for i in features]


def _wrong_kind(features: np.ndarray, found: list[str], wanted: set[str]) -> list[Problem]:
    return [Problem(int(i) + 1, "geometry_type", _(
        "A %(found)s geometry does not fit this layer (%(wanted)s expected).") % {
        "found": name, "wanted": ", ".join(sorted(wanted)) or "?"})
        for i, name in zip(features, found, strict=True)]


def _outside_notice(bounds) -> list[str]:
    """A warning when the data reaches outside Indonesia (a wrong CRS, or swapped axes)."""
    west, south, east, north = bounds
    w0, s0, e0, n0 = INDONESIA_BOUNDS
    if not (west < w0 or east > e0 or south < s0 or north > n0):
        return []
    swapped = s0 <= west <= n0 and s0 <= east <= n0 and w0 <= south <= e0
    return [_("Warning: the data reaches %(w).3f, %(s).3f – %(e).3f, %(n).3f (lon/lat), "
              "outside Indonesia. %(hint)s") % {
        "w": west, "s": south, "e": east, "n": north,
        "hint": _("Longitude and latitude look swapped.") if swapped else
        _("Check the coordinate system (--srid).")}]
