"""Land-use / zone area per wilayah: the intersection of every desa with every zone, in
hectares on the WGS 84 spheroid (ST_Area over geography), summed per class and rolled up by
code prefix. One statement, whatever the number of desa and zones.

Zones of one classification are taken not to overlap (a plan gives each place one class);
two classifications (two agencies' maps of one landscape) are reported side by side, never
added together."""

from __future__ import annotations

from typing import Any

from django.db import connection

from analysis.selectors.provenance import sources_of
from analysis.selectors.scope import Figure, Scope, core_source, layer_source
from layers import permissions
from layers.models import LayerKind
from layers.selectors.features import FeatureSource

# A zone inside the desa counts whole and a desa inside a zone counts whole: both areas are
# already stored (generated geodesic columns), which spares most intersections on fine
# plans. Otherwise the polygonal part of the intersection is measured.
PIECE_HA = """CASE WHEN ST_CoveredBy(t.geom, d.geom) THEN {zone_ha}
         WHEN ST_CoveredBy(d.geom, t.geom) THEN d.area_ha
         ELSE ST_Area(ST_CollectionExtract(ST_Intersection(d.geom, t.geom), 3)::geography,
                      true) / 10000.0 END"""


def intersection_sql(scope: Scope, source: FeatureSource, classes: dict[str, str],
                     extra_where: list[str] | None = None, zone_ha: str = "t.area_ha") -> str:
    """The statement: one row per (group, class) with the summed area in ha.

    `classes` names the SQL expressions (over the source's aliases) that identify a class;
    the source's own visibility clauses (who may see which zones) are kept as they are."""
    class_cols = ", ".join(f"{expr} AS {name}" for name, expr in classes.items())
    names = ", ".join(f"p.{name}" for name in classes)
    where = source.where_sql([scope.where_sql("d.code"), *(extra_where or [])])
    return f"""
WITH pieces AS (
  SELECT {scope.group_sql("d.code")} AS grp, {class_cols}, {PIECE_HA.format(zone_ha=zone_ha)} AS ha
  FROM layers_administrativearea d
  JOIN {source.from_sql} ON ST_Intersects(d.geom, t.geom)
  WHERE d.valid_until IS NULL AND d.level = 4 AND {where}
)
SELECT p.grp, ga.name, ga.area_ha, {names}, sum(p.ha) AS area_ha
FROM pieces p
LEFT JOIN layers_administrativearea ga ON ga.code = p.grp AND ga.valid_until IS NULL
GROUP BY p.grp, ga.name, ga.area_ha, {names}
HAVING sum(p.ha) > 0
ORDER BY p.grp, {names}"""


def _rows(sql: str, params: dict[str, Any], class_keys: list[str]) -> list[dict[str, Any]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        out = []
        for grp, name, group_ha, *rest in cur.fetchall():
            area_ha = float(rest[-1])
            row = {"code": grp, "name": name, "area_ha": area_ha,
                   "share_pct": 100.0 * area_ha / group_ha if group_ha else None}
            row.update(zip(class_keys, rest[:-1], strict=True))
            out.append(row)
    return out


LAND_USE_CLASSES = {"classification": "s.slug", "classification_name": "s.name",
                    "class_code": "k.code", "class_name": "k.name", "color": "k.color"}


def land_use_statement(scope: Scope, source: FeatureSource,
                       classification: str | None = None) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters land_use_areas runs (bench/analysis times it bare)."""
    extra = ["s.slug = %(classification)s"] if classification else []
    params = {**source.params, **scope.params(),
              **({"classification": classification} if classification else {})}
    return intersection_sql(scope, source, LAND_USE_CLASSES, extra), params


def land_use_areas(*, scope: Scope, user, classification: str | None = None) -> Figure:
    """Hectares of each land-use class (per classification) in each group of `scope`, over
    the zones `user` may see. Rows: code, name, classification(_name), class_code,
    class_name, color, area_ha (geodesic) and share_pct (of the group's own area)."""
    wilayah = core_source(LayerKind.ADMIN_AREAS, user)
    source = core_source(LayerKind.LAND_USE, user)
    if wilayah is None or source is None:
        return Figure(rows=[], available=False)
    sql, params = land_use_statement(scope, source, classification)
    return Figure(rows=_rows(sql, params, list(LAND_USE_CLASSES)),
                  sources=sources_of(source, wilayah))


def zone_areas(*, scope: Scope, user, slug: str, by: str | None = None) -> Figure:
    """Hectares of a thematic polygon layer (e.g. flood-prone areas) in each group, split by
    the property `by` when given (one of the layer's visible properties)."""
    wilayah = core_source(LayerKind.ADMIN_AREAS, user)
    source = layer_source(slug, user)
    if wilayah is None or source is None or source.layer.kind != LayerKind.GENERIC:
        return Figure(rows=[], available=False)
    staff = permissions.sees_unpublished(user, source.layer)
    visible = {f["name"] for f in source.layer.schema if staff or f.get("public", True)}
    classes = {"zone_class": "(t.properties ->> %(zone_by)s)" if by in visible else "''"}
    params = {**source.params, **scope.params(), "zone_by": by or ""}
    # Thematic features keep no stored area: the zone's own is measured when it is whole.
    sql = intersection_sql(scope, source, classes,
                           ["GeometryType(t.geom) IN ('POLYGON', 'MULTIPOLYGON')"],
                           zone_ha="ST_Area(t.geom::geography, true) / 10000.0")
    return Figure(rows=_rows(sql, params, ["zone_class"]), sources=sources_of(source, wilayah))
