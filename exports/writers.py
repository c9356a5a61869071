"""Writing an export: GeoJSON and CSV straight from PostgreSQL into the response, chunk by
chunk; GeoPackage, Shapefile and KML through GDAL (pyogrio.write_arrow) from a stream of Arrow
record batches into a temporary file, so memory stays bounded whatever the layer's size.

Both a layer (rows from SQL, exports.query) and an analysis result (a pandas frame) become the
same thing here: a list of `Part`s, each one output layer of one geometry kind."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyogrio
from django.db import connection

from exports.formats import ExportFormat
from exports.provenance import Provenance
from exports.query import ExportQuery, geometry_sql, kind_counts, kind_filter

CHUNK_ROWS = 5000
Progress = Callable[[int], None]  # called with the number of rows written so far

_ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
                "date": pa.date32(), "datetime": pa.timestamp("us", tz="UTC"),
                "text": pa.string()}
_WKB = pa.field("geometry", pa.binary(), metadata={"ARROW:extension:name": "geoarrow.wkb"})
_SUFFIX = {"point": "point", "line": "line", "polygon": "polygon"}


@dataclass
class Part:
    """One output layer: its name, OGR geometry type and a way to read its batches."""

    name: str
    geometry_type: str
    count: int
    batches: Callable[[dict[str, str], bool], pa.RecordBatchReader]  # (renames, dates_as_text)
    field_names: list[str]


# ---------------------------------------------------------------- layers (rows from SQL)

def layer_parts(query: ExportQuery, *, split_kinds: bool, progress: Progress | None = None,
                ) -> list[Part]:
    """The layer's output layers. Formats whose layers hold one geometry type (Shapefile,
    GeoPackage) get one per kind present, suffixed `_point`, `_line`, `_polygon` when there
    are several; KML gets one layer with every geometry as stored."""
    counts = kind_counts(query)
    base = query.source.slug.replace("-", "_")
    names = ["id", *(c.name for c in query.columns)]
    done = [0]

    def counted(n: int) -> None:
        done[0] += n
        if progress:
            progress(done[0])

    total = sum(c.count for c in counts)
    if not split_kinds:
        return [Part(base, "Unknown", total, _sql_reader(query, None, False, counted), names)]
    if len(counts) <= 1:
        # An empty export still needs a type: the layer's own, else points.
        kind = counts[0].kind if counts else (query.source.geometry_kind or "point")
        multi = bool(counts and counts[0].multi)
        return [Part(base, geometry_sql(kind, multi=multi)[1], total,
                     _sql_reader(query, kind, multi, counted), names)]
    return [Part(f"{base}_{_SUFFIX[c.kind]}", geometry_sql(c.kind, multi=c.multi)[1], c.count,
                 _sql_reader(query, c.kind, c.multi, counted), names) for c in counts]


def _sql_reader(query: ExportQuery, kind: str | None, multi: bool, counted: Progress):
    def reader(renames: dict[str, str], dates_as_text: bool) -> pa.RecordBatchReader:
        kinds = ["int", *(("text" if dates_as_text and c.kind == "datetime" else c.kind)
                          for c in query.columns)]
        fields = [pa.field(renames.get(n, n), _ARROW_TYPES[k])
                  for n, k in zip(["id", *(c.name for c in query.columns)], kinds, strict=True)]
        schema = pa.schema([*fields, _WKB])
        geom, _type = geometry_sql(kind, multi=multi)
        sql = query.select(["q.__id", *query.column_sql(dates_as_text=dates_as_text),
                            f"ST_AsBinary({geom})"], where=kind_filter(kind))
        types = [f.type for f in schema]

        def batches() -> Iterator[pa.RecordBatch]:
            with connection.chunked_cursor() as cursor:
                cursor.execute(sql, query.params)
                while rows := cursor.fetchmany(CHUNK_ROWS):
                    columns = list(zip(*rows, strict=True))
                    yield pa.record_batch(
                        [pa.array(col, type=t) for col, t in zip(columns, types, strict=True)],
                        schema=schema)
                    counted(len(rows))

        return pa.RecordBatchReader.from_batches(schema, batches())

    return reader


def stream_csv(query: ExportQuery) -> Iterator[bytes]:
    """The layer as CSV, written by PostgreSQL's COPY and passed on in ~64 KB pieces. Columns:
    id, the properties, `longitude`/`latitude` for point layers (empty for a multipoint), and
    `WKT` (the geometry in EPSG:4326, which GDAL and QGIS read as the geometry column).
    A UTF-8 byte-order mark first, so that Excel reads the Indonesian text right."""
    outputs = ["q.__id AS id", *query.column_sql(dates_as_text=True, bools_as_text=True)]
    if query.source.geometry_kind == "point":
        outputs += ["CASE WHEN GeometryType(q.__g) = 'POINT' THEN ST_X(q.__g) END AS longitude",
                    "CASE WHEN GeometryType(q.__g) = 'POINT' THEN ST_Y(q.__g) END AS latitude"]
    outputs.append('ST_AsText(q.__g) AS "WKT"')
    select = connection.ops.compose_sql(query.select(outputs), query.params)
    yield "\ufeff".encode()
    copy_sql = f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        buffer = bytearray()
        for data in copy:
            buffer += data
            if len(buffer) >= 65536:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)


def stream_geojson(query: ExportQuery, provenance: Provenance) -> Iterator[str]:
    """The layer as one GeoJSON FeatureCollection (RFC 7946, EPSG:4326), each feature built by
    PostgreSQL; the title, sources and export time are foreign members before `features`."""
    columns = query.column_sql()
    props = (f"(SELECT row_to_json(_p) FROM (SELECT {', '.join(columns)}) _p)" if columns
             else "'{}'::json")
    feature = ("json_build_object('type', 'Feature', 'id', q.__id, "
               f"'geometry', ST_AsGeoJSON(q.__g, 9)::json, 'properties', {props})::text")
    head = json.dumps({"type": "FeatureCollection", "name": query.source.slug,
                       **provenance.as_members()}, ensure_ascii=False, separators=(",", ":"))
    yield head[:-1] + ',"features":['
    count = 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(query.select([feature]), query.params)
        while rows := cursor.fetchmany(2000):
            yield ("," if count else "") + ",".join(r[0] for r in rows)
            count += len(rows)
    yield "]}"


# ---------------------------------------------------------------- files through GDAL

def shapefile_names(names: list[str]) -> dict[str, str]:
    """Field names a DBF can hold (ASCII, at most 10 characters), unique regardless of case:
    name → short name. Accents are dropped (Ké → Ke), other signs become `_`, and a clash
    gets a number (`keterangan`, `keterang_1`)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        base = re.sub(r"[^A-Za-z0-9_]", "_", ascii_name)[:10] or "field"
        candidate, n = base, 1
        while candidate.lower() in used:
            suffix = f"_{n}"
            candidate = base[: 10 - len(suffix)] + suffix
            n += 1
        used.add(candidate.lower())
        out[name] = candidate
    return out


def write_file(parts: list[Part], fmt: ExportFormat, folder: Path, *, stem: str,
               provenance: Provenance) -> Path:
    """Write the parts through GDAL into `folder`; returns the one file to hand over (the
    Shapefile's parts zipped with `fields.csv` and `sources.txt`)."""
    if fmt.key == "shp":
        return _write_shapefile_zip(parts, folder, stem=stem, provenance=provenance)
    path = folder / f"{stem}.{fmt.extension}"
    for i, part in enumerate(parts):
        options: dict[str, str] = {}
        metadata = None
        if fmt.key == "gpkg":
            options = {"IDENTIFIER": f"{provenance.title} ({part.name})" if len(parts) > 1
                       else provenance.title, "DESCRIPTION": provenance.as_text()}
            metadata = provenance.as_metadata()
        spatial = part.geometry_type != "None"  # an analysis table without geometry
        pyogrio.write_arrow(part.batches({}, fmt.key == "kml"), path, driver=fmt.driver,
                            layer=part.name, geometry_name="geometry" if spatial else None,
                            geometry_type=part.geometry_type if spatial else None,
                            crs="EPSG:4326" if spatial else None,
                            append=i > 0, layer_options=options or None,
                            layer_metadata=metadata)
    return path


def _write_shapefile_zip(parts: list[Part], folder: Path, *, stem: str,
                         provenance: Provenance) -> Path:
    names = parts[0].field_names if parts else ["id"]
    short = shapefile_names(names)
    archive = folder / f"{stem}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in parts:
            shp = folder / f"{part.name}.shp"
            pyogrio.write_arrow(part.batches(short, True), shp, driver="ESRI Shapefile",
                                geometry_name="geometry", geometry_type=part.geometry_type,
                                crs="EPSG:4326", layer_options={"ENCODING": "UTF-8"})
            for sibling in sorted(folder.glob(f"{part.name}.*")):
                if sibling.suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                    zf.write(sibling, sibling.name)
                    sibling.unlink()
        zf.writestr("fields.csv", fields_csv(short))
        zf.writestr("sources.txt", provenance.as_text() + "\n")
    return archive


def fields_csv(short: dict[str, str]) -> str:
    """The Shapefile's field names beside the full names they stand for."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["field", "name"])
    writer.writerows((s, n) for n, s in short.items())
    return buffer.getvalue()
