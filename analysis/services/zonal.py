"""Zonal statistics of a raster layer per zone, with exactextract (fractional cell coverage).

Zones are a level of the wilayah hierarchy (`level:desa|kelurahan|kecamatan|kabupaten|provinsi`,
current units only) or a polygon layer of the catalogue (`layer:<slug>`); only zones whose
bounding box meets the raster's extent are computed.

How the figures are made:
- The zone polygons are transformed from EPSG:4326 into the raster's own CRS (pyproj, vertex
  by vertex, as `GeoDataFrame.to_crs` does), so cells are never resampled.
- Continuous rasters: `sum` = Σ value × covered fraction of the cell, `mean` = sum / count,
  `min`/`max` over cells the zone touches, `count` = Σ covered fraction (cells, fractional).
  No-data cells are left out of all of them; negative cells count like any other value
  (see analysis.services.rasters). A zone over no-data only gets count 0, sum 0, the others
  empty (NaN).
- Categorical rasters: `area_ha_<class>` = Σ covered fraction × the cell's geodesic area, in
  hectares. The cell areas are on the WGS 84 ellipsoid: each cell's corners are projected to
  a cylindrical equal-area projection of the ellipsoid (+proj=cea +ellps=WGS84), where the
  shoelace area equals the ellipsoidal area; for a geographic grid this is exact (its cell
  edges are parallels and meridians, straight in that projection); for a projected grid the
  edges' curvature over one cell is far below 0.1 %.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import rasterio
import shapely
from django.db import connection
from django.utils.translation import gettext as _
from exactextract import exact_extract
from exactextract.feature import Feature, FeatureSource
from exactextract.raster import NumPyRasterSource
from exactextract.writer import Writer
from pyproj import CRS, Transformer

from analysis.errors import AnalysisErrorCode, AnalysisFailed
from analysis.models import Raster
from layers.codes import Level
from layers.models import GeometryType, Layer, LayerKind

Progress = Callable[[float, str], None]

LEVELS = {"provinsi": Level.PROVINCE, "kabupaten": Level.REGENCY, "kota": Level.REGENCY,
          "kecamatan": Level.DISTRICT, "desa": Level.VILLAGE, "kelurahan": Level.VILLAGE}
CONTINUOUS_STATS = ("sum", "mean", "min", "max", "count")
CATEGORICAL_STATS = ("area",)
_NAME_KEY = re.compile(r"name|nama|namobj|wadm", re.IGNORECASE)


@dataclass
class Zones:
    """Zones ready for exactextract: keys (wilayah codes or feature ids, as text), names and
    geometries in EPSG:4326."""

    spec: str
    keys: np.ndarray
    names: np.ndarray
    geoms: np.ndarray
    level: int | None = None
    layer: Layer | None = None


def get_raster(slug: str) -> Raster:
    raster = Raster.objects.select_related("layer").filter(layer__slug=slug).first()
    if raster is None:
        raise AnalysisFailed(AnalysisErrorCode.RASTER_NOT_FOUND,
                             _("There is no raster layer %(slug)s.") % {"slug": slug})
    return raster


def parse_zones(zones: str) -> tuple[str, str]:
    """`level:kecamatan` → ("level", "kecamatan"); `layer:<slug>` → ("layer", slug)."""
    kind, _sep, value = (zones or "").partition(":")
    if kind == "level" and value in LEVELS:
        return kind, value
    if kind == "layer" and value:
        return kind, value
    raise AnalysisFailed(AnalysisErrorCode.ZONES_INVALID, _(
        "Zones are level:<%(levels)s> or layer:<slug>, not %(zones)s.")
        % {"levels": "|".join(LEVELS), "zones": zones})


def check_stats(raster: Raster, stats: list[str] | None) -> list[str]:
    """The statistics to compute (defaults: all continuous ones, or area per class)."""
    allowed = CATEGORICAL_STATS if raster.categorical else CONTINUOUS_STATS
    chosen = [s.strip().lower() for s in (stats or []) if s.strip()] or list(allowed)
    unknown = [s for s in chosen if s not in allowed]
    if unknown:
        raise AnalysisFailed(AnalysisErrorCode.STATS_INVALID, _(
            "%(stats)s cannot be computed on this raster; choose from %(allowed)s.") % {
            "stats": ", ".join(unknown), "allowed": ", ".join(allowed)})
    return list(dict.fromkeys(chosen))


def _layer_name_sql(layer: Layer) -> str:
    """The feature property that names a zone: among the schema's name-like fields
    (name, nama, NAMOBJ, WADMKD, KEL_NAME…), the one with the most distinct values (the
    most specific, e.g. the kelurahan rather than its kabupaten); else the feature id."""
    keys = [f["name"] for f in layer.schema if _NAME_KEY.search(str(f.get("name", "")))]
    if not keys:
        return "t.id::text"
    counts = ", ".join("count(DISTINCT t.properties ->> %s)" for _k in keys)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {counts} FROM layers_feature t WHERE t.layer_id = %s",
                    [*keys, layer.pk])
        found = cur.fetchone()
    best = keys[int(np.argmax(found))]
    return "coalesce(t.properties ->> '" + best.replace("'", "''") + "', t.id::text)"


def load_zones(zones: str, raster: Raster) -> Zones:
    """The zones meeting the raster's extent, ordered by key, geometries in EPSG:4326."""
    kind, value = parse_zones(zones)
    layer = None
    if kind == "level":
        sql = ("SELECT t.code, t.name, ST_AsBinary(t.geom) FROM layers_administrativearea t "
               "WHERE t.valid_until IS NULL AND t.level = %s AND t.geom && %s::geometry "
               "ORDER BY t.code")
        params = [int(LEVELS[value]), raster.footprint.ewkt]
    else:
        layer = Layer.objects.filter(slug=value).first()
        if layer is None or layer.kind != LayerKind.GENERIC or \
                layer.geometry_type != GeometryType.POLYGON:
            raise AnalysisFailed(AnalysisErrorCode.ZONES_INVALID, _(
                "%(slug)s is not a polygon layer; zones are a thematic polygon layer or a "
                "level of the wilayah (level:kecamatan).") % {"slug": value})
        sql = (f"SELECT t.id::text, {_layer_name_sql(layer)}, ST_AsBinary(t.geom) "
               "FROM layers_feature t WHERE t.layer_id = %s AND t.geom && %s::geometry "
               "AND ST_Dimension(t.geom) = 2 ORDER BY t.id")
        params = [layer.pk, raster.footprint.ewkt]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if not rows:
        raise AnalysisFailed(AnalysisErrorCode.NO_ZONES, _(
            "No zone of %(zones)s meets the raster %(raster)s.")
            % {"zones": zones, "raster": raster.layer.slug})
    keys, names, wkb = zip(*rows, strict=True)
    return Zones(spec=zones, keys=np.array(keys, dtype=object),
                 names=np.array(names, dtype=object),
                 geoms=shapely.from_wkb([bytes(w) for w in wkb]),
                 level=int(LEVELS[value]) if kind == "level" else None, layer=layer)


def to_raster_crs(geoms: np.ndarray, crs_wkt: str) -> np.ndarray:
    """EPSG:4326 geometries in the raster's CRS (vectorised; axis order lon, lat)."""
    target = CRS.from_wkt(crs_wkt)
    if target.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return geoms
    transformer = Transformer.from_crs(CRS.from_epsg(4326), target, always_xy=True)
    return shapely.transform(
        geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def cell_areas_m2(dataset: rasterio.DatasetReader) -> np.ndarray:
    """Geodesic area (m², WGS 84 ellipsoid) of every cell of `dataset` (see the module note)."""
    height, width = dataset.shape
    transform = dataset.transform
    geographic = dataset.crs.is_geographic
    # A geographic grid's cell area depends on its row only: two columns of corners suffice.
    cols = np.arange(2 if geographic else width + 1)
    rows = np.arange(height + 1)
    xs = transform.c + cols * transform.a
    ys = transform.f + rows * transform.e
    gx, gy = np.meshgrid(xs, ys)
    centre = (dataset.bounds.left + dataset.bounds.right) / 2
    lon_0 = centre if geographic else 0.0
    cea = CRS.from_proj4(f"+proj=cea +lon_0={lon_0} +ellps=WGS84 +units=m +no_defs")
    ex, ey = Transformer.from_crs(dataset.crs.to_wkt(), cea, always_xy=True).transform(gx, gy)
    # Shoelace over each cell's four corners (top-left, top-right, bottom-right, bottom-left).
    x0, y0, x1, y1 = ex[:-1, :-1], ey[:-1, :-1], ex[:-1, 1:], ey[:-1, 1:]
    x2, y2, x3, y3 = ex[1:, 1:], ey[1:, 1:], ex[1:, :-1], ey[1:, :-1]
    area = 0.5 * np.abs((x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1)
                        + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3))
    return np.broadcast_to(area, (height, width)) if geographic else area


class _Zone(Feature):
    """One zone for exactextract, its geometry as WKB (parsed by GEOS, not through JSON)."""

    def __init__(self, index: int | None = None, wkb: bytes | None = None):
        Feature.__init__(self)
        self.props = {} if index is None else {"i": index}
        self.wkb = wkb

    def set(self, name, value):
        self.props[name] = value

    def get(self, name):
        return self.props[name]

    def geometry(self):
        return self.wkb

    def set_geometry(self, wkb):
        self.wkb = wkb

    def set_geometry_format(self):
        return "wkb"

    def fields(self):
        return list(self.props)


class _ZoneSource(FeatureSource):
    def __init__(self, wkbs: list[bytes], srs_wkt: str):
        super().__init__()
        self.wkbs, self.wkt = wkbs, srs_wkt

    def count(self):
        return len(self.wkbs)

    def __iter__(self):
        for i, wkb in enumerate(self.wkbs):
            yield _Zone(i, wkb)

    def srs_wkt(self):
        return self.wkt


class _Rows(Writer):
    """Collects exactextract's results as plain dicts (no per-zone GeoJSON round trip)."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []

    def add_operation(self, op):
        pass

    def add_column(self, col_name):
        pass

    def add_geometry(self):
        pass

    def write(self, feature):
        row = _Zone()
        feature.copy_to(row)
        self.rows.append(row.props)

    def features(self):
        return self.rows


def _extract(dataset, geoms: np.ndarray, ops: list[str], weights=None,
             progress: Progress | None = None) -> pd.DataFrame:
    source = _ZoneSource(list(shapely.to_wkb(geoms)), dataset.crs.to_wkt())
    writer = _Rows()
    note = _("Computing")
    exact_extract(dataset, source, ops, weights=weights, include_cols=["i"], output=writer,
                  progress=(lambda f, _m: progress(0.1 + 0.8 * f, note)) if progress else False)
    return pd.DataFrame(writer.rows).set_index("i").sort_index()


def zonal_frame(raster: Raster, zones: Zones, stats: list[str],
                progress: Progress | None = None) -> pd.DataFrame:
    """The statistics of `zones` over `raster` (see the module note for their meaning)."""
    geoms = to_raster_crs(zones.geoms, raster.crs_wkt)
    with rasterio.open(raster.file) as dataset:
        if raster.categorical:
            out = _class_areas(raster, dataset, geoms, progress)
        else:
            out = _extract(dataset, geoms, stats, progress=progress)[stats]
    out.index = pd.Index(zones.keys, name="zone")
    out.insert(0, "name", zones.names)
    return out


def _class_areas(raster: Raster, dataset, geoms: np.ndarray,
                 progress: Progress | None) -> pd.DataFrame:
    left, bottom, right, top = dataset.bounds
    weights = NumPyRasterSource(cell_areas_m2(dataset), left, bottom, right, top,
                                srs_wkt=dataset.crs.to_wkt())
    cells = _extract(dataset, geoms, ["values", "coverage", "weights"], weights=weights,
                     progress=progress)
    lengths = cells["values"].map(len).to_numpy()
    zone = np.repeat(np.arange(len(cells)), lengths)
    values = np.concatenate([*cells["values"], np.empty(0)]).astype("int64")
    area = np.concatenate([*(c * w for c, w in zip(cells["coverage"], cells["weights"],
                                                    strict=True)), np.empty(0)])
    classes = [int(c["value"]) for c in raster.classes]
    table = pd.DataFrame({"zone": zone, "value": values, "ha": area / 10_000.0})
    table = table[table["value"].isin(classes)]
    wide = table.pivot_table(index="zone", columns="value", values="ha", aggfunc="sum")
    wide = wide.reindex(index=range(len(cells)), columns=classes).fillna(0.0)
    # A zone's edge lying on a cell edge leaves coverage fractions of ~1e-13 (floating-point
    # noise, not land): below 1 cm² a class area is 0.
    wide = wide.mask(wide < 1e-8, 0.0)
    wide.columns = [f"area_ha_{c}" for c in classes]
    return wide


def compute_zonal(raster_slug: str, zones: str, stats: list[str],
                  progress: Progress | None = None) -> pd.DataFrame:
    """Zonal statistics of the raster layer `raster_slug` per zone.

    `zones` is "level:<desa|kelurahan|kecamatan|kabupaten|provinsi>" or "layer:<slug>" (a
    polygon layer). Returns a DataFrame indexed by zone key (wilayah code, or feature id as
    text) with a `name` column and one column per statistic: `sum`, `mean`, `min`, `max`,
    `count` (cells, fractional) in the raster's units for a continuous raster;
    `area_ha_<class>` (geodesic hectares) for a categorical one. Raises AnalysisFailed."""
    raster = get_raster(raster_slug)
    stats = check_stats(raster, stats)
    step = progress or (lambda fraction, note: None)
    step(0.02, _("Reading zones"))
    loaded = load_zones(zones, raster)
    frame = zonal_frame(raster, loaded, stats, progress=step)
    step(0.95, _("Done"))
    return frame
