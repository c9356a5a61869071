"""Features as they leave PostGIS: one description per layer of what may be shown to whom,
and the SQL built from it for GeoJSON, vector tiles and OGC API items. Every output path goes
through here, so a field the public must not see is left out in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from layers import permissions
from layers.models import AssetCategory, Layer, LayerKind

# Personal data never leaves through these paths, whoever asks (UU PDP): complaint officers
# see reporters in their queue, not on maps or in APIs.


@dataclass
class FeatureSource:
    """How to read one layer's features for one viewer."""

    layer: Layer
    from_sql: str  # the table as `t`, with joins
    where: list[str]
    props: dict[str, str]  # output name → SQL expression
    params: dict[str, Any] = field(default_factory=dict)
    geometry_kind: str = ""  # point | line | polygon | "" (mixed)
    id_sql: str = "t.id"
    # slug → id of the categories (assets): the category filter with the ids written out
    # (filter_clauses, by_id).
    category_ids: dict[str, int] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.layer.slug

    def where_sql(self, extra: list[str] | None = None) -> str:
        clauses = [*self.where, *(extra or [])]
        return " AND ".join(f"({c})" for c in clauses) if clauses else "true"

    def props_sql(self) -> str:
        """The visible properties as one compact JSON object (row_to_json writes no spaces)."""
        if not self.props:
            return "'{}'::json"
        columns = ", ".join(f'{expr} AS "{name}"' for name, expr in self.props.items())
        return f"(SELECT row_to_json(_p) FROM (SELECT {columns}) _p)"


def _schema_keys(schema: list[dict], staff: bool) -> list[str]:
    return [f["name"] for f in schema if staff or f.get("public", True)]


def _filtered_json(column: str, keys: list[str]) -> str:
    """Only the listed keys of a JSON column, built directly (a per-row jsonb_each subquery
    measured twice as slow on tiles). Keys come from schemas, so they are quoted as SQL
    literals; absent keys are dropped."""
    if not keys:
        return "'{}'::jsonb"
    pairs = ", ".join(f"{_literal(k)}, {column} -> {_literal(k)}" for k in keys)
    return f"jsonb_strip_nulls(jsonb_build_object({pairs}))"


def _literal(text: str) -> str:
    # A schema key as an SQL string literal; % is doubled for the driver's parameter style.
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _admin_areas(layer: Layer, staff: bool) -> FeatureSource:
    return FeatureSource(
        layer=layer, geometry_kind="polygon",
        from_sql="layers_administrativearea t "
                 "LEFT JOIN layers_administrativearea p ON p.id = t.parent_id",
        where=["t.valid_until IS NULL"],
        props={"code": "t.code", "name": "t.name", "level": "t.level",
               "kind": "CASE WHEN t.level = 4 AND split_part(t.code, '.', 4) LIKE '1%%' "
                       "THEN 'kelurahan' WHEN t.level = 4 THEN 'desa' "
                       "WHEN t.level = 3 THEN 'kecamatan' WHEN t.level = 2 AND "
                       "split_part(t.code, '.', 2)::int >= 71 THEN 'kota' "
                       "WHEN t.level = 2 THEN 'kabupaten' ELSE 'provinsi' END",
               "parent_code": "p.code", "area_ha": "round(t.area_ha::numeric, 2)"},
    )


def _assets(layer: Layer, staff: bool) -> FeatureSource:
    categories = list(AssetCategory.objects.only("slug", "attribute_schema"))
    keys = sorted({k for c in categories for k in _schema_keys(c.attribute_schema, staff)})
    props = {
        "name": "t.name", "category": "c.slug", "category_name": "c.name",
        "color": "c.color", "icon": "c.icon", "condition": "t.condition",
        "year_built": "t.year_built", "agency": "coalesce(g.short_name, g.name)",
        "desa_code": "a.code", "desa": "a.name",
        "length_m": "round(t.length_m::numeric, 1)", "area_ha": "round(t.area_ha::numeric, 3)",
        "attributes": "t.attributes" if staff else _filtered_json("t.attributes", keys),
    }
    if staff:
        props.update({"register_code": "t.register_code", "value_idr": "t.value_idr",
                      "is_verified": "t.is_verified", "is_public": "t.is_public",
                      "version": "t.version"})
    return FeatureSource(
        layer=layer,
        from_sql="layers_asset t JOIN layers_assetcategory c ON c.id = t.category_id "
                 "LEFT JOIN layers_agency g ON g.id = t.agency_id "
                 "LEFT JOIN layers_administrativearea a ON a.id = t.area_id",
        where=[] if staff else permissions.published_sql(), props=props,
        category_ids={c.slug: c.id for c in categories},
    )


def _land_use(layer: Layer, staff: bool) -> FeatureSource:
    props = {"class_code": "k.code", "class_name": "k.name", "color": "k.color",
             "classification": "s.slug", "name": "t.name", "plan_name": "t.plan_name",
             "regulation": "t.regulation", "area_ha": "round(t.area_ha::numeric, 2)"}
    if staff:
        props.update({"attributes": "t.attributes", "is_verified": "t.is_verified",
                      "is_public": "t.is_public", "version": "t.version"})
    return FeatureSource(
        layer=layer, geometry_kind="polygon",
        from_sql="layers_landusezone t JOIN layers_landuseclass k ON k.id = t.land_use_class_id "
                 "JOIN layers_landuseclassification s ON s.id = k.classification_id",
        where=[] if staff else permissions.published_sql(), props=props,
    )


def _complaints(layer: Layer, staff: bool) -> FeatureSource:
    # No reporter_* column appears here, for anyone.
    props = {"ticket": "t.ticket", "category": "c.slug", "category_name": "c.name",
             "description": "t.description", "status": "t.status",
             "created_at": "t.created_at", "resolved_at": "t.resolved_at",
             "due_date": "t.due_date", "supporters": "t.supporters",
             "desa_code": "a.code", "desa": "a.name"}
    if staff:
        props.update({"agency": "coalesce(g.short_name, g.name)", "version": "t.version"})
    return FeatureSource(
        layer=layer, geometry_kind="point",
        from_sql="layers_complaint t JOIN layers_complaintcategory c ON c.id = t.category_id "
                 "LEFT JOIN layers_agency g ON g.id = t.agency_id "
                 "LEFT JOIN layers_administrativearea a ON a.id = t.area_id",
        where=[] if staff else ["t.status <> 'ditolak'"], props=props,
    )


def _generic(layer: Layer, staff: bool) -> FeatureSource:
    return FeatureSource(
        layer=layer, geometry_kind=layer.geometry_type,
        from_sql="layers_feature t",
        where=["t.layer_id = %(layer_id)s", *([] if staff else permissions.published_sql())],
        props={"properties": "t.properties" if staff
               else _filtered_json("t.properties", _schema_keys(layer.schema, staff))},
        params={"layer_id": layer.id},
    )


_BUILDERS = {
    LayerKind.ADMIN_AREAS: _admin_areas, LayerKind.ASSETS: _assets,
    LayerKind.LAND_USE: _land_use, LayerKind.COMPLAINTS: _complaints,
    LayerKind.GENERIC: _generic,
}


def feature_source(*, slug: str, user) -> FeatureSource:
    """The layer's features as `user` may see them; 404 when the layer is not theirs to see
    (a hidden layer is indistinguishable from a missing one)."""
    layer = Layer.objects.filter(slug=slug).first()
    if layer is None:
        raise Http404(slug)
    return feature_source_for(layer, user)


def feature_source_for(layer: Layer, user) -> FeatureSource:
    """feature_source for a layer already read."""
    if not permissions.can_view_layer(user, layer):
        raise Http404(layer.slug)
    if layer.kind not in _BUILDERS:
        # A raster layer has pixels, not features: its paths are analysis' image tiles.
        raise Http404(layer.slug)
    staff = permissions.sees_unpublished(user, layer)
    return _BUILDERS[layer.kind](layer, staff)


# Filters a caller may apply, per layer kind: name → SQL over `t` (and its joins).
FILTERS: dict[str, dict[str, str]] = {
    LayerKind.ADMIN_AREAS: {"level": "t.level = ANY(%(f_level)s::int[])",
                            "parent": "t.code LIKE %(f_parent_prefix)s"},
    # Categories by id (a subquery), not by the joined slug: the planner can then start from
    # the chosen categories' rows, and a tile asking for the line categories does not join
    # and discard every point asset under it (measured: a dense z11 tile 200-400 ms → 15 ms).
    LayerKind.ASSETS: {"category": "t.category_id IN (SELECT id FROM layers_assetcategory "
                                   "WHERE slug = ANY(%(f_category)s))",
                       "condition": "t.condition = ANY(%(f_condition)s)",
                       "area": "(a.code = %(f_area)s OR a.code LIKE %(f_area_prefix)s)"},
    LayerKind.LAND_USE: {"class": "k.code = ANY(%(f_class)s)",
                         "classification": "s.slug = ANY(%(f_classification)s)"},
    LayerKind.COMPLAINTS: {"category": "c.slug = ANY(%(f_category)s)",
                           "status": "t.status = ANY(%(f_status)s)",
                           "area": "(a.code = %(f_area)s OR a.code LIKE %(f_area_prefix)s)"},
    LayerKind.GENERIC: {},
    LayerKind.RASTER: {},
}


# The assets' category filter with the chosen categories' ids written out, for a query over a
# small area (a tile): the planner then reads in category_id's statistics that the line
# categories are rare among the 100,000 points under a town and starts from their rows, where
# with the subquery it could not know and scanned every point of the tile, in parallel
# (measured on the z11 tiles of the bench's town: ~2.6 → 0.55 ms of CPU a tile, 20-40 ms →
# under 1 ms for the densest). Over the whole layer the subquery stays: there the estimates of
# the point filters (GeometryType, ST_IsEmpty) are off, and with the ids written out the
# planner chose a plan ~50 ms slower for the map's 100,000 points.
CATEGORY_BY_ID = "t.category_id = ANY(%(f_category_ids)s::bigint[])"


def filter_clauses(source: FeatureSource, filters: dict[str, str], *,
                   by_id: bool = False) -> tuple[list[str], dict]:
    """SQL clauses and parameters for the filters this layer knows; others are ignored.
    `by_id`: the category filter of a source that knows its categories' ids
    (`category_ids`) is written with them (CATEGORY_BY_ID); an unknown slug keeps nothing,
    as in the subquery."""
    known = FILTERS[source.layer.kind]
    clauses, params = [], {}
    for name, value in filters.items():
        if name not in known or value in (None, ""):
            continue
        values = [v.strip() for v in str(value).split(",") if v.strip()]
        if name == "category" and by_id and source.category_ids:
            clauses.append(CATEGORY_BY_ID)
            params["f_category_ids"] = sorted({source.category_ids[v] for v in values
                                               if v in source.category_ids})
            continue
        clauses.append(known[name])
        if name in ("area", "parent"):
            params[f"f_{name}"] = values[0]
            params[f"f_{name}_prefix"] = values[0] + ".%"
        elif name == "level":
            params["f_level"] = [int(v) for v in values if v.isdigit()]
        else:
            params[f"f_{name}"] = values
    return clauses, params


def pixel_degrees(zoom: int) -> float:
    """Size of one 256-px tile pixel at `zoom`, in degrees of longitude."""
    return 360.0 / (256 * 2 ** zoom)


def features_query(source: FeatureSource, *, bbox: tuple[float, float, float, float] | None,
                   zoom: int | None = None, limit: int | None = None, offset: int = 0,
                   filters: dict[str, str] | None = None, feature_id: int | None = None,
                   ) -> tuple[str, dict]:
    """One row per feature: its GeoJSON Feature as text, built in SQL. Geometries are
    simplified to half a pixel at `zoom` (lines and polygons) and written with 6 decimals
    (≈ 10 cm)."""
    clauses, params = filter_clauses(source, filters or {})
    params.update(source.params)
    if bbox is not None:
        clauses.append("t.geom && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)")
        params.update(dict(zip("wsen", bbox, strict=True)))
    if feature_id is not None:
        clauses.append(f"{source.id_sql} = %(fid)s")
        params["fid"] = feature_id
    geom = "t.geom"
    if zoom is not None and zoom < 16 and source.geometry_kind != "point":
        geom = "ST_SimplifyPreserveTopology(t.geom, %(tolerance)s)"
        params["tolerance"] = pixel_degrees(zoom) / 2
    page = ""
    if limit is not None:
        page = " LIMIT %(limit)s OFFSET %(offset)s"
        params.update(limit=limit, offset=offset)
    sql = (
        "SELECT row_to_json(f)::text FROM ("
        f"SELECT 'Feature' AS type, {source.id_sql} AS id, "
        f"ST_AsGeoJSON({geom}, 6)::json AS geometry, {source.props_sql()} AS properties "
        f"FROM {source.from_sql} WHERE {source.where_sql(clauses)} "
        f"ORDER BY {source.id_sql}{page}) f"
    )
    return sql, params


def count_query(source: FeatureSource, *, bbox=None, filters=None) -> tuple[str, dict]:
    clauses, params = filter_clauses(source, filters or {})
    params.update(source.params)
    if bbox is not None:
        clauses.append("t.geom && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)")
        params.update(dict(zip("wsen", bbox, strict=True)))
    return f"SELECT count(*) FROM {source.from_sql} WHERE {source.where_sql(clauses)}", params


def tile_query(source: FeatureSource, *, z: int, x: int, y: int, max_features: int,
               filters: dict[str, str] | None = None) -> tuple[str, dict]:
    """One Mapbox vector tile of the layer (ST_AsMVT), bounded: below zoom 12 features smaller
    than a pixel are left out (generalisation), and never more than `max_features`."""
    clauses, params = filter_clauses(source, filters or {}, by_id=True)
    params.update(source.params)
    params.update(z=z, x=x, y=y, max=max_features, name=source.slug)
    if z < 12 and source.geometry_kind in ("polygon", "line"):
        size = pixel_degrees(z)
        if source.geometry_kind == "polygon":
            clauses.append("ST_Area(t.geom) >= %(min_size)s")
            params["min_size"] = size * size
        else:
            clauses.append("ST_Length(t.geom) >= %(min_size)s")
            params["min_size"] = size
    columns = ", ".join(
        f"({expr})::jsonb AS \"{name}\"" if name in ("attributes", "properties")
        else f"{expr} AS \"{name}\"" for name, expr in source.props.items())
    sql = (
        "WITH b AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env), "
        "mvt AS (SELECT ST_AsMVTGeom(ST_Transform(t.geom, 3857), b.env, 4096, 64, true) "
        f"AS geom, {source.id_sql} AS id, {columns} "
        f"FROM {source.from_sql}, b "
        f"WHERE t.geom && ST_Transform(b.env, 4326) AND {source.where_sql(clauses)} "
        "LIMIT %(max)s) "
        "SELECT ST_AsMVT(mvt.*, %(name)s, 4096, 'geom', 'id') FROM mvt"
    )
    return sql, params


def _point_rows(source: FeatureSource, *, bbox: tuple[float, float, float, float] | None,
                limit: int, properties: list[str], filters: dict[str, str] | None,
                extra: tuple[str, ...] = ()) -> tuple[list[str], dict, list[str], str]:
    """What both points answers share: the WHERE clauses (filters, point geometries, bbox,
    `extra`), their parameters, the chosen properties and their SELECT columns."""
    clauses, params = filter_clauses(source, filters or {})
    params.update(source.params)
    clauses.append("GeometryType(t.geom) IN ('POINT', 'MULTIPOINT')")
    clauses.extend(extra)
    if bbox is not None:
        clauses.append("t.geom && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)")
        params.update(dict(zip("wsen", bbox, strict=True)))
    params["limit"] = limit
    chosen = [p for p in properties if p in source.props
              and p not in ("attributes", "properties")]
    columns = "".join(f', {source.props[p]} AS "{p}"' for p in chosen)
    return clauses, params, chosen, columns


def points_query(source: FeatureSource, *, bbox: tuple[float, float, float, float] | None,
                 limit: int, properties: list[str], filters: dict[str, str] | None = None,
                 ) -> tuple[str, dict]:
    """The layer's point features as columns (ids, longitudes, latitudes and a few visible
    properties), for maps that draw many points without needing feature objects: a fraction of
    GeoJSON's size and parsing time. Lines and polygons are left out (they come as tiles)."""
    clauses, params, chosen, columns = _point_rows(
        source, bbox=bbox, limit=limit, properties=properties, filters=filters)
    aggregates = "".join(f', array_to_json(array_agg(q."{p}" ORDER BY q.id))' for p in chosen)
    sql = (
        "SELECT count(*), array_to_json(array_agg(q.id ORDER BY q.id)), "
        "array_to_json(array_agg(q.x ORDER BY q.id)), "
        f"array_to_json(array_agg(q.y ORDER BY q.id)){aggregates} FROM ("
        f"SELECT {source.id_sql} AS id, "
        "round(ST_X(ST_PointOnSurface(t.geom))::numeric, 6) AS x, "
        f"round(ST_Y(ST_PointOnSurface(t.geom))::numeric, 6) AS y{columns} "
        f"FROM {source.from_sql} WHERE {source.where_sql(clauses)} "
        f"ORDER BY {source.id_sql} LIMIT %(limit)s) q"
    )
    return sql, params


def points_binary_query(source: FeatureSource, *,
                        bbox: tuple[float, float, float, float] | None, limit: int,
                        properties: list[str], filters: dict[str, str] | None = None,
                        ordered: bool = False) -> tuple[str, dict]:
    """The rows of `points_query` as one row of packed columns, for the binary answer
    (layers/api/points_binary.py): count; ids (int8) and x, y (int4, micro-degrees of
    EPSG:4326) as big-endian bytes; each property as a JSON array. The aggregates keep no
    order of their own, but all of them read the same rows in one pass, so the columns stay
    aligned. The rows come in no particular order unless `ordered`: the encoder sorts them by
    id (sorting 100,000 rows here cost ~30 ms of the server's CPU, against a few ms in numpy),
    so `ordered` (ORDER BY id) is only needed when there are more rows than `limit`, to make
    the LIMIT keep the lowest ids. The position is computed once per row, straight from a
    POINT (ST_PointOnSurface only for a MULTIPOINT). Empty geometries have no position and
    are left out."""
    clauses, params, chosen, columns = _point_rows(
        source, bbox=bbox, limit=limit, properties=properties, filters=filters,
        extra=("NOT ST_IsEmpty(t.geom)",))
    aggregates = "".join(f', json_agg(q."{p}")::text' for p in chosen)
    point = ("CASE WHEN GeometryType(t.geom) = 'POINT' THEN t.geom "
             "ELSE ST_PointOnSurface(t.geom) END")
    order = f" ORDER BY {source.id_sql}" if ordered else ""
    # The LIMIT keeps the subquery from being merged into the outer query, so `p` is a
    # column computed once, not the CASE repeated in each of x and y.
    sql = (
        "SELECT count(*), string_agg(int8send(q.id), ''), "
        "string_agg(int4send(round(ST_X(q.p) * 1e6)::int4), ''), "
        f"string_agg(int4send(round(ST_Y(q.p) * 1e6)::int4), ''){aggregates} FROM ("
        f"SELECT {source.id_sql} AS id, {point} AS p{columns} "
        f"FROM {source.from_sql} WHERE {source.where_sql(clauses)}{order} "
        "LIMIT %(limit)s) q"
    )
    return sql, params
