"""The SQL of a layer export, built from the layer's one FeatureSource
(layers.selectors.features): the same rows and the same properties the viewer gets on the map
and the APIs, flattened into columns a GIS or a spreadsheet can hold.

JSON properties (a generic layer's `properties`, an asset's `attributes`) become one column per
key the viewer sees, typed from the values (integer, number, true/false or text). Everything
is computed in PostgreSQL; Python only moves chunks of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from layers.models import LayerKind
from layers.selectors.features import FeatureSource, filter_clauses

# The props that hold a JSON object of further properties.
JSON_PROPS = ("attributes", "properties")

# PostgreSQL type OIDs → the kinds a column is written as.
_KIND_BY_OID = {16: "bool", 20: "int", 21: "int", 23: "int", 700: "float", 701: "float",
                1700: "float", 1082: "date", 1114: "datetime", 1184: "datetime",
                25: "text", 1043: "text", 1042: "text"}

# Geometry kinds by PostGIS dimension, as output layer suffixes.
KIND_BY_DIMENSION = {0: "point", 1: "line", 2: "polygon"}


@dataclass(frozen=True)
class Column:
    name: str  # the output name
    sql: str  # over the inner query `q`
    kind: str  # int | float | bool | date | datetime | text


@dataclass
class ExportQuery:
    """One layer's rows for one viewer, bbox and filters: `inner` selects `__id`, `__g` (the
    geometry), the visible properties and `__j` (their JSON object, when there is one)."""

    source: FeatureSource
    inner: str
    params: dict[str, Any]
    columns: list[Column] = field(default_factory=list)

    def select(self, outputs: list[str], *, where: str = "") -> str:
        return (f"SELECT {', '.join(outputs)} FROM ({self.inner}) q"
                + (f" WHERE {where}" if where else "") + " ORDER BY q.__id")

    def column_sql(self, *, dates_as_text: bool = False,
                   bools_as_text: bool = False) -> list[str]:
        """The property columns, named; numbers arrive as float8 (not Decimal); times as
        ISO 8601 text in UTC and booleans as true/false where the format has no such type."""
        out = []
        for c in self.columns:
            expr = c.sql
            if c.kind == "bool" and bools_as_text:
                expr = f"({expr})::text"
            elif c.kind == "float":
                expr = f"({expr})::double precision"
            elif c.kind == "datetime" and dates_as_text:
                expr = (f"to_char(({expr}) AT TIME ZONE 'UTC', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
            out.append(f"{expr} AS {quote_ident(c.name)}")
        return out


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    # % is doubled for the driver's parameter style (the SQL is sent with parameters).
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def build_query(source: FeatureSource, *, bbox: tuple[float, float, float, float] | None,
                filters: dict[str, str] | None) -> ExportQuery:
    """The export's SQL for this viewer (bbox in EPSG:4326 degrees: west, south, east, north;
    filters: the layer's FILTERS, as on the GeoJSON path)."""
    clauses, params = filter_clauses(source, filters or {})
    params.update(source.params)
    if bbox is not None:
        clauses.append("t.geom && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)")
        params.update(dict(zip("wsen", bbox, strict=True)))
    plain = {n: e for n, e in source.props.items() if n not in JSON_PROPS}
    json_expr = next((e for n, e in source.props.items() if n in JSON_PROPS), None)
    aliases = {name: f"c{i}" for i, name in enumerate(plain)}
    parts = [f"{source.id_sql} AS __id", "t.geom AS __g",
             *(f"{expr} AS {aliases[name]}" for name, expr in plain.items())]
    if json_expr is not None:
        parts.append(f"({json_expr})::jsonb AS __j")
    inner = (f"SELECT {', '.join(parts)} FROM {source.from_sql} "
             f"WHERE {source.where_sql(clauses)}")
    query = ExportQuery(source=source, inner=inner, params=params)
    kinds = _plain_kinds(query, aliases)
    query.columns = [Column(name, f"q.{aliases[name]}", kinds[aliases[name]]) for name in plain]
    if json_expr is not None:
        query.columns += _json_columns(query, taken={"id", *plain})
    return query


def _plain_kinds(query: ExportQuery, aliases: dict[str, str]) -> dict[str, str]:
    """Each plain column's kind, from the types PostgreSQL gives the expressions."""
    if not aliases:
        return {}
    sql = f"SELECT {', '.join(f'q.{a}' for a in aliases.values())} FROM ({query.inner}) q LIMIT 0"
    with connection.cursor() as cursor:
        cursor.execute(sql, query.params)
        return {d.name: _KIND_BY_OID.get(d.type_code, "text") for d in cursor.description}


def _json_columns(query: ExportQuery, *, taken: set[str]) -> list[Column]:
    """One column per JSON key present in the rows exported, in the layer's declared order
    (its schema) and then alphabetically, typed by the values it holds."""
    sql = (
        "SELECT e.key, "
        "bool_and(jsonb_typeof(e.value) IN ('number', 'null')), "
        "bool_and(jsonb_typeof(e.value) IN ('boolean', 'null')), "
        "bool_and(jsonb_typeof(e.value) <> 'number' OR e.value::text ~ '^-?[0-9]{1,18}$'), "
        "bool_and(jsonb_typeof(e.value) = 'null') "
        f"FROM ({query.inner}) q CROSS JOIN LATERAL jsonb_each("
        "CASE WHEN jsonb_typeof(q.__j) = 'object' THEN q.__j ELSE '{}'::jsonb END) e "
        "GROUP BY e.key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, query.params)
        found = {key: flags for key, *flags in cursor.fetchall()}
    declared = _declared_keys(query.source)
    order = [k for k in declared if k in found] + sorted(k for k in found if k not in declared)
    prefix = "attr_" if "attributes" in query.source.props else "prop_"
    columns, names = [], set(taken)
    for key in order:
        numeric, boolean, integral, empty = found[key]
        name = key if key not in names else prefix + key
        while name in names:
            name += "_"
        names.add(name)
        text = f"(q.__j ->> {quote_literal(key)})"
        if empty:
            columns.append(Column(name, text, "text"))
        elif numeric and integral:
            columns.append(Column(name, f"{text}::bigint", "int"))
        elif numeric:
            columns.append(Column(name, f"{text}::double precision", "float"))
        elif boolean:
            columns.append(Column(name, f"{text}::boolean", "bool"))
        else:
            columns.append(Column(name, text, "text"))
    return columns


def _declared_keys(source: FeatureSource) -> list[str]:
    if source.layer.kind == LayerKind.GENERIC:
        return [f["name"] for f in source.layer.schema if "name" in f]
    if source.layer.kind == LayerKind.ASSETS:
        from layers.models import AssetCategory

        keys: list[str] = []
        for schema in AssetCategory.objects.values_list("attribute_schema", flat=True):
            keys += [f["name"] for f in schema if "name" in f and f["name"] not in keys]
        return keys
    return []


@dataclass(frozen=True)
class KindCount:
    kind: str  # point | line | polygon
    count: int
    multi: bool  # some geometries are multi-part (decides Point vs MultiPoint)


def kind_counts(query: ExportQuery) -> list[KindCount]:
    """How many rows of each geometry kind the export holds (one pass over the rows)."""
    sql = (f"SELECT ST_Dimension(q.__g), count(*), "
           f"bool_or(GeometryType(q.__g) LIKE 'MULTI%%') FROM ({query.inner}) q "
           "GROUP BY 1 ORDER BY 1")
    with connection.cursor() as cursor:
        cursor.execute(sql, query.params)
        return [KindCount(KIND_BY_DIMENSION.get(dim, "polygon"), count, bool(multi))
                for dim, count, multi in cursor.fetchall()]


def geometry_sql(kind: str | None, *, multi: bool) -> tuple[str, str]:
    """The geometry expression (over `q`) and the OGR geometry type of an output layer holding
    one kind (None: every kind, as stored). Lines and polygons are always multi, as stored;
    points are multi only when some are."""
    if kind is None:
        return "q.__g", "Unknown"
    number = {"point": 1, "line": 2, "polygon": 3}[kind]
    if kind == "point" and not multi:
        return "ST_CollectionExtract(q.__g, 1)", "Point"
    ogr = {"point": "MultiPoint", "line": "MultiLineString", "polygon": "MultiPolygon"}[kind]
    return f"ST_Multi(ST_CollectionExtract(q.__g, {number}))", ogr


def kind_filter(kind: str | None) -> str:
    if kind is None:
        return ""
    dimension = {"point": 0, "line": 1, "polygon": 2}[kind]
    return f"ST_Dimension(q.__g) = {dimension}"
