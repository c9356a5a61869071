"""Deriving the wilayah (desa/kelurahan) of assets and complaints in bulk, in one statement."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models

from layers.codes import Level
from layers.models import AdministrativeArea, Asset, Complaint

# The same rule as layers.selectors.boundaries.village_at: the feature's reference point
# (itself, or ST_PointOnSurface for lines and polygons), the current desa that intersects
# it, lowest code first. A point outside every desa gets NULL.
_ASSIGN_SQL = """
UPDATE {table} AS t
SET area_id = (
    SELECT a.id FROM {areas} AS a
    WHERE a.level = %(level)s AND a.valid_until IS NULL
      AND ST_Intersects(
            a.geom,
            CASE WHEN GeometryType(t.geom) = 'POINT' THEN t.geom
                 ELSE ST_PointOnSurface(t.geom) END)
    ORDER BY a.code
    LIMIT 1
)
{where}
"""


def areas_assign(*, model: type[models.Model], ids: Iterable[int] | None = None) -> int:
    """Set `area` of every row (or of `ids`) of Asset or Complaint by a spatial join in SQL.

    Returns the number of rows updated. Runs as one UPDATE: no Python loop over rows, so it
    serves imports of hundreds of thousands of features.
    """
    if model not in (Asset, Complaint):
        raise ValueError(f"{model.__name__} has no derived wilayah")
    where, params = "", {"level": int(Level.VILLAGE)}
    if ids is not None:
        where, params["ids"] = "WHERE t.id = ANY(%(ids)s::bigint[])", list(ids)
    sql = _ASSIGN_SQL.format(
        table=connection.ops.quote_name(model._meta.db_table),
        areas=connection.ops.quote_name(AdministrativeArea._meta.db_table),
        where=where,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
