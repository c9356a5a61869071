"""Distance to the nearest service: from each desa (its ST_PointOnSurface) or each point of a
settlement layer to the nearest asset of a category (e.g. puskesmas), geodesic, with the
origins farther than a chosen distance flagged, and the same rolled up per wilayah.

The KNN operator `<->` (GiST, planar degrees) picks a few candidates and the geodesic
distance (ST_Distance over geography, WGS 84 spheroid) ranks them: a degree of longitude is
shorter than one of latitude away from the equator, so the planar nearest may not be the
geodesic nearest; in Indonesia (|lat| < 11°) the two differ by under 2%, far less than the
gap to the ninth candidate in practice."""

from __future__ import annotations

from django.db import connection

from analysis.selectors.provenance import sources_of
from analysis.selectors.scope import Figure, Scope, core_source, layer_source
from layers.models import LayerKind
from layers.selectors.features import FeatureSource

CANDIDATES = 8


def _origins_sql(scope: Scope, points: FeatureSource | None) -> str:
    """(code, name, desa_code, pt) of every origin inside the scope."""
    if points is None:
        return f"""
  SELECT d.code AS code, d.name AS name, d.code AS desa_code, ST_PointOnSurface(d.geom) AS pt
  FROM layers_administrativearea d
  WHERE d.valid_until IS NULL AND d.level = 4 AND {scope.where_sql("d.code")}"""
    props = points.props.get("properties", "'{}'::jsonb")
    where = points.where_sql(["GeometryType(t.geom) = 'POINT'", scope.where_sql("d.code")])
    return f"""
  SELECT t.id::text AS code,
         coalesce(({props})::jsonb ->> 'nama', ({props})::jsonb ->> 'name', '') AS name,
         d.code AS desa_code, t.geom AS pt
  FROM {points.from_sql}
  JOIN LATERAL (SELECT d.code FROM layers_administrativearea d
                WHERE d.valid_until IS NULL AND d.level = 4 AND ST_Intersects(d.geom, t.geom)
                ORDER BY d.code LIMIT 1) d ON true
  WHERE {where}"""


def _nearest_sql(scope: Scope, assets: FeatureSource, points: FeatureSource | None) -> str:
    """Every origin with its nearest asset of %(category)s and the geodesic distance (m)."""
    wanted = assets.where_sql(["c.slug = %(category)s"])
    # LIMIT never above the category's size: with fewer assets than candidates the KNN scan
    # would otherwise walk every asset of every category in distance order, for each origin.
    return f"""
WITH o AS ({_origins_sql(scope, points)}
)
SELECT o.code, o.name, o.desa_code, ST_X(o.pt) AS lon, ST_Y(o.pt) AS lat,
       n.id AS asset_id, n.name AS asset_name, n.dist AS distance_m
FROM o
LEFT JOIN LATERAL (
  SELECT k.id, k.name, ST_Distance(o.pt::geography, k.geom::geography) AS dist
  FROM (SELECT t.id, t.name, t.geom FROM {assets.from_sql}
        WHERE {wanted}
        ORDER BY t.geom <-> o.pt
        LIMIT (SELECT least(count(*), {CANDIDATES}) FROM {assets.from_sql} WHERE {wanted})) k
  ORDER BY dist, k.id LIMIT 1) n ON true"""


def _sources(user, points_layer: str | None):
    assets = core_source(LayerKind.ASSETS, user)
    wilayah = core_source(LayerKind.ADMIN_AREAS, user)
    points = layer_source(points_layer, user) if points_layer else None
    usable = assets is not None and wilayah is not None and (
        points_layer is None or points is not None)
    return usable, assets, wilayah, points


def nearest_asset(*, scope: Scope, user, category: str, beyond_m: float,
                  points_layer: str | None = None) -> Figure:
    """One row per origin (desa, or point of `points_layer`) inside the scope: code, name,
    desa_code, lon, lat, asset_id, asset_name, distance_m and distance_km (None when the
    category has no asset the viewer may see) and beyond (farther than `beyond_m` metres,
    or no asset); farthest first."""
    usable, assets, wilayah, points = _sources(user, points_layer)
    if not usable:
        return Figure(rows=[], available=False)
    sql = (f"SELECT *, distance_m / 1000.0 AS distance_km, "
           f"distance_m IS NULL OR distance_m > %(beyond_m)s AS beyond "
           f"FROM ({_nearest_sql(scope, assets, points)}) r "
           f"ORDER BY distance_m DESC NULLS FIRST, code")
    params = {**assets.params, **(points.params if points else {}), **scope.params(),
              "category": category, "beyond_m": float(beyond_m)}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        cols = [c.name for c in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return Figure(rows=rows, sources=sources_of(assets, wilayah, points))


def nearest_asset_summary(*, scope: Scope, user, category: str, beyond_m: float,
                          points_layer: str | None = None) -> Figure:
    """The same rolled up to the scope's level: code, name, origins, beyond (how many are
    farther than `beyond_m` or have no asset at all), mean_m, max_m (and in km)."""
    usable, assets, wilayah, points = _sources(user, points_layer)
    if not usable:
        return Figure(rows=[], available=False)
    sql = f"""
SELECT {scope.group_sql("r.desa_code")} AS code, ga.name, count(*) AS origins,
       count(*) FILTER (WHERE r.distance_m IS NULL OR r.distance_m > %(beyond_m)s) AS beyond,
       avg(r.distance_m) AS mean_m, max(r.distance_m) AS max_m,
       avg(r.distance_m) / 1000.0 AS mean_km, max(r.distance_m) / 1000.0 AS max_km
FROM ({_nearest_sql(scope, assets, points)}) r
LEFT JOIN layers_administrativearea ga
  ON ga.code = {scope.group_sql("r.desa_code")} AND ga.valid_until IS NULL
GROUP BY 1, ga.name ORDER BY 1"""
    params = {**assets.params, **(points.params if points else {}), **scope.params(),
              "category": category, "beyond_m": float(beyond_m)}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        cols = [c.name for c in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return Figure(rows=rows, sources=sources_of(assets, wilayah, points))
