"""Assets per category and condition in each wilayah, rolled up by the code prefix of the
desa each asset lies in (`area`, derived by the point-in-polygon rule of
layers.services.wilayah). Counts, and the length of line assets (roads, drains) and the area
of polygon assets, all geodesic. The public counts published assets only; staff count every
asset and also see how many are not verified yet."""

from __future__ import annotations

from typing import Any

from django.db import connection

from analysis.selectors.provenance import sources_of
from analysis.selectors.scope import Figure, Scope, core_source
from layers import permissions
from layers.models import LayerKind


def assets_by_condition(*, scope: Scope, user, category: str | None = None) -> Figure:
    """Rows: code, name, category, category_name, color, condition, count, length_km,
    area_ha; for staff also unverified (count of assets not verified yet)."""
    source = core_source(LayerKind.ASSETS, user)
    if source is None:
        return Figure(rows=[], available=False)
    staff = permissions.sees_unpublished(user, source.layer)
    extra = [scope.where_sql("a.code")]
    params: dict[str, Any] = {**source.params, **scope.params()}
    if category:
        extra.append("c.slug = %(category)s")
        params["category"] = category
    unverified = "count(*) FILTER (WHERE NOT t.is_verified)" if staff else "NULL::bigint"
    sql = f"""
SELECT {scope.group_sql("a.code")} AS grp, ga.name, c.slug, c.name, c.color, t.condition,
       count(*), sum(t.length_m) / 1000.0, sum(t.area_ha), {unverified}
FROM {source.from_sql}
LEFT JOIN layers_administrativearea ga
  ON ga.code = {scope.group_sql("a.code")} AND ga.valid_until IS NULL
WHERE {source.where_sql(extra)}
GROUP BY 1, ga.name, c.slug, c.name, c.color, t.condition
ORDER BY 1, c.name, t.condition"""
    keys = ["code", "name", "category", "category_name", "color", "condition", "count",
            "length_km", "area_ha", "unverified"]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]
    for row in rows:
        if not staff:
            del row["unverified"]
    return Figure(rows=rows, sources=sources_of(source))
