"""The extent of what a viewer may see of a layer, or of the part of it some filters keep:
for the map (it asks for a layer's vector tiles inside that extent only), TileJSON and the OGC
collections.

ST_Extent reads every row it covers (~0.2 s for a 200,000-polygon layer), so extents are kept
in the `extents` cache (settings.CACHES, shared by the web processes), keyed by the layer's
data version and definition and by the exact rows asked for (the viewer's visibility rules and
the filters are part of the SQL): any write to the layer's data moves the key on."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from layers.selectors.features import FeatureSource, filter_clauses


def extents_cache():
    """Where extents are kept (settings.CACHES["extents"]), or None when SIG_EXTENTS_CACHE is
    off (the tests: their rolled-back data repeats data versions)."""
    return caches["extents"] if settings.SIG_EXTENTS_CACHE else None


def source_extent(source: FeatureSource,
                  filters: dict[str, str] | None = None) -> list[float] | None:
    """The bbox [west, south, east, north] (degrees, EPSG:4326) of the features of `source`
    (as its viewer may see them) that `filters` keep; None when there is none."""
    clauses, params = filter_clauses(source, filters or {})
    params.update(source.params)
    sql = (f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
           f"(SELECT ST_Extent(t.geom) AS e FROM {source.from_sql} "
           f"WHERE {source.where_sql(clauses)}) x")
    layer = source.layer
    raw = repr((layer.pk, layer.data_version, layer.updated_at.timestamp(), sql,
                sorted(params.items())))
    key = "extent:" + hashlib.sha1(raw.encode()).hexdigest()
    kept = extents_cache()
    if kept is not None and (found := kept.get(key)) is not None:
        return found or None  # [] stands for "no feature"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    extent = None if row is None or row[0] is None else [round(v, 6) for v in row]
    if kept is not None:
        kept.set(key, extent or [])
    return extent
