"""A zonal statistics run's zones with their statistics, built in SQL: the choropleth's
GeoJSON and the run's exports read the same statement."""

from __future__ import annotations

from django.db import connection

from analysis.models import ZonalRun

_GEOJSON_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
  json_build_object('type', 'Feature', 'id', r.zone_key,
    'geometry', ST_AsGeoJSON({geom}, %s)::json,
    'properties', jsonb_build_object('zone', r.zone_key, 'name', r.name) || r.values)
  ORDER BY r.zone_key), '[]'::json))::text
FROM analysis_zonalresult r JOIN {zones} WHERE r.run_id = %s
"""


def zones_geojson(run: ZonalRun, *, simplify: float = 0.00005, precision: int = 6) -> str:
    """The run's zones as a FeatureCollection in EPSG:4326: properties zone (key), name and
    one per statistic. `simplify` (degrees, ~5 m by default for the map; 0 keeps the stored
    geometry) and `precision` (decimals of the coordinates)."""
    if run.zones_layer_id:
        zones = "layers_feature g ON g.id::text = r.zone_key AND g.layer_id = %s"
        params: list = [run.zones_layer_id]
    else:
        zones = "layers_administrativearea g ON g.code = r.zone_key AND g.valid_until IS NULL"
        params = []
    geom = "ST_SimplifyPreserveTopology(g.geom, %s)" if simplify else "g.geom"
    head = [simplify, precision] if simplify else [precision]
    with connection.cursor() as cur:
        cur.execute(_GEOJSON_SQL.format(geom=geom, zones=zones), [*head, *params, run.pk])
        return cur.fetchone()[0]
