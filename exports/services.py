"""The one export pipeline: a layer as the caller may see it, or an analysis result (a pandas
DataFrame or GeoDataFrame), to GeoPackage, zipped Shapefile, GeoJSON, CSV or KML.

Public functions (keyword-only, typed):
- `export_layer(slug=, user=, fmt=, bbox=, filters=, background=)` → a download response, or
  the queued `ExportJob` when the layer is too large to write during the request;
- `export_frame(frame, fmt=, title=, sources=)` → a download response;
- `export_layer_to_file(...)`, `run_export_job(job)` for the worker and the command line.

Which rows and fields leave is decided by `layers.selectors.features.feature_source` (the
rules of `layers.permissions`), exactly as for the map, the tiles and the APIs."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, transaction
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from exports.errors import ExportErrorCode, ExportFailed
from exports.formats import ExportFormat, export_format
from exports.models import ExportJob, ExportStatus
from exports.provenance import Provenance, layer_source_line, source_lines
from exports.query import ExportQuery, build_query, kind_counts
from exports.writers import _WKB, Part, layer_parts, stream_csv, stream_geojson, write_file
from layers import permissions
from layers.models import Layer, LayerKind
from layers.selectors.features import FeatureSource, feature_source

User = AbstractBaseUser | AnonymousUser | None
BBox = tuple[float, float, float, float]
Progress = Callable[[float, str], None]


def export_dir() -> Path:
    folder = Path(getattr(settings, "SIG_EXPORT_DIR", settings.BASE_DIR / "var" / "exports"))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def sync_limit() -> int:
    """Above this many features GeoPackage, Shapefile and KML are written by the worker."""
    return int(getattr(settings, "SIG_EXPORT_SYNC_MAX_FEATURES", 20_000))


# ---------------------------------------------------------------- layers

def layer_source(*, slug: str, user: User) -> FeatureSource:
    """The layer's FeatureSource for `user`, or a translated refusal: a layer the user may not
    see is answered exactly as a missing one."""
    layer = Layer.objects.filter(slug=slug).first()
    if (layer is not None and layer.kind == LayerKind.RASTER
            and permissions.can_view_layer(user, layer)):
        raise ExportFailed(ExportErrorCode.LAYER_RASTER, _(
            "“%(slug)s” is a raster layer: it has no features to export.") % {"slug": slug})
    try:
        return feature_source(slug=slug, user=user)
    except Http404 as exc:
        raise ExportFailed(ExportErrorCode.LAYER_NOT_FOUND, _(
            "There is no layer “%(slug)s” that you may see.") % {"slug": slug}) from exc


def layer_provenance(source: FeatureSource) -> Provenance:
    return Provenance(title=source.layer.name, sources=[layer_source_line(source.layer)])


def file_stem(title: str, when: dt.datetime | None = None) -> str:
    when = timezone.localtime(when or timezone.now())
    return f"{slugify(title) or 'ekspor'}-{when:%Y%m%d}"


def export_layer(*, slug: str, user: User, fmt: str, bbox: BBox | None = None,
                 filters: Mapping[str, str] | None = None, background: bool | None = None,
                 language: str | None = None) -> HttpResponse | ExportJob:
    """Export a layer as `user` may see it. GeoJSON and CSV stream from PostgreSQL into the
    response whatever the size; GeoPackage, Shapefile and KML are written during the request
    up to `SIG_EXPORT_SYNC_MAX_FEATURES` features, else (or with background=True) queued as
    an ExportJob for the worker, which is returned. bbox: EPSG:4326 degrees (w, s, e, n)."""
    export = export_format(fmt)
    source = layer_source(slug=slug, user=user)
    filters = dict(filters or {})
    query = build_query(source, bbox=bbox, filters=filters)
    provenance = layer_provenance(source)
    stem = file_stem(source.slug, provenance.exported_at)
    if export.key == "geojson":
        return _download(StreamingHttpResponse(stream_geojson(query, provenance),
                                               content_type=export.media_type),
                         f"{stem}.geojson")
    if export.key == "csv":
        return _download(StreamingHttpResponse(stream_csv(query),
                                               content_type=export.media_type),
                         f"{stem}.csv")
    if background is None:
        background = sum(k.count for k in kind_counts(query)) > sync_limit()
    if background:
        return export_job_start(slug=slug, user=user, fmt=export.key, bbox=bbox,
                                filters=filters, language=language or get_language())
    with tempfile.TemporaryDirectory(prefix="sig-export-", dir=export_dir()) as folder:
        path = _write_layer(query, export, Path(folder), stem=stem, provenance=provenance)
        return _file_response(path, export)


def _write_layer(query: ExportQuery, export: ExportFormat, folder: Path, *, stem: str,
                 provenance: Provenance, progress: Callable[[int], None] | None = None) -> Path:
    # One transaction: the server-side cursors then read without materialising the result.
    with transaction.atomic():
        parts = layer_parts(query, split_kinds=export.key in ("shp", "gpkg"), progress=progress)
        try:
            return write_file(parts, export, folder, stem=stem, provenance=provenance)
        except Exception as exc:  # GDAL's own errors, e.g. a full disk
            if isinstance(exc, ExportFailed):
                raise
            raise ExportFailed(ExportErrorCode.WRITE_FAILED, _(
                "The file could not be written: %(reason)s") % {"reason": str(exc)[:300]}
            ) from exc


def export_layer_to_file(*, slug: str, user: User, fmt: str, folder: Path,
                         bbox: BBox | None = None, filters: Mapping[str, str] | None = None,
                         progress: Progress | None = None) -> tuple[Path, int]:
    """Write a layer export into `folder` (any format); returns the file and its feature
    count. What the worker and the command line use."""
    export = export_format(fmt)
    source = layer_source(slug=slug, user=user)
    query = build_query(source, bbox=bbox, filters=dict(filters or {}))
    provenance = layer_provenance(source)
    stem = file_stem(source.slug, provenance.exported_at)
    total = max(1, sum(k.count for k in kind_counts(query)))
    note = _("Writing")

    def rows_done(n: int) -> None:
        if progress:
            progress(min(0.95, 0.05 + 0.9 * n / total), note)

    if export.streamed_from_sql:
        path = folder / f"{stem}.{export.extension}"
        chunks: Iterator[Any] = (stream_geojson(query, provenance) if export.key == "geojson"
                                 else stream_csv(query))
        with path.open("wb") as out, transaction.atomic():
            for chunk in chunks:
                out.write(chunk.encode() if isinstance(chunk, str) else chunk)
    else:
        path = _write_layer(query, export, folder, stem=stem, provenance=provenance,
                            progress=rows_done)
    return path, total


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _file_response(path: Path, export: ExportFormat) -> FileResponse:
    """Stream a temporary file; it is unlinked at once (the open handle keeps it readable
    until the response is closed), so nothing is left behind."""
    handle = path.open("rb")
    path.unlink()
    response = FileResponse(handle, content_type=export.media_type, as_attachment=True,
                            filename=path.name)
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- background jobs

def export_job_start(*, slug: str, user: User, fmt: str, bbox: BBox | None,
                     filters: Mapping[str, str], language: str | None) -> ExportJob:
    """Record the export and queue it for the worker once the record is committed."""
    from exports.tasks import run_export_job_task

    owner = user if user is not None and user.is_authenticated else None
    job = ExportJob.objects.create(
        layer_slug=slug, format=fmt, created_by=owner, language=language or "",
        options={"bbox": list(bbox) if bbox else None, "filters": dict(filters)})
    transaction.on_commit(lambda: run_export_job_task.defer(job_id=str(job.pk)))
    return job


def run_export_job(job: ExportJob) -> ExportJob:
    """Run a stored ExportJob as its user may see the layer now, keeping its progress up to
    date (through a second connection, so it is visible while the export reads)."""
    side = connections.create_connection("default")

    def report(fraction: float, note: str) -> None:
        with side.cursor() as cur:
            cur.execute("UPDATE exports_exportjob SET progress = %s, progress_note = %s "
                        "WHERE id = %s", [round(fraction, 3), str(note)[:200], job.pk])

    job.status, job.started_at = ExportStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    options = job.options or {}
    bbox = tuple(options["bbox"]) if options.get("bbox") else None
    folder = export_dir() / str(job.pk)
    folder.mkdir(exist_ok=True, mode=0o700)
    try:
        report(0.02, _("Counting features"))
        path, count = export_layer_to_file(
            slug=job.layer_slug, user=job.created_by, fmt=job.format, folder=folder,
            bbox=bbox, filters=options.get("filters") or {}, progress=report)
    except ExportFailed as exc:
        job.status, job.error_code, job.error_message = ExportStatus.FAILED, exc.code, exc.message
    else:
        job.status, job.progress, job.progress_note = ExportStatus.SUCCEEDED, 1.0, _("Done")
        job.file_path, job.file_name = str(path), path.name
        job.file_size, job.feature_count = path.stat().st_size, count
    finally:
        side.close()
    job.finished_at = timezone.now()
    job.save()
    return job


def export_job_for(*, job_id: Any, user: User) -> ExportJob:
    """A job its requester may see: their own, or an anonymous one (its random id is the
    key); anything else is answered as missing."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None and job.created_by_id is not None:
        own = user is not None and user.is_authenticated and (
            user.pk == job.created_by_id or user.is_superuser)
        if not own:
            job = None
    if job is None:
        raise ExportFailed(ExportErrorCode.LAYER_NOT_FOUND, _("There is no such export."))
    return job


def export_job_file(job: ExportJob) -> FileResponse:
    if job.status != ExportStatus.SUCCEEDED or not job.file_path or \
            not Path(job.file_path).exists():
        raise ExportFailed(ExportErrorCode.JOB_NOT_READY, _(
            "This export has no file (yet): it is still running, failed, or was removed."))
    export = export_format(job.format)
    response = FileResponse(open(job.file_path, "rb"), content_type=export.media_type,  # noqa: SIM115
                            as_attachment=True, filename=job.file_name)
    response["Cache-Control"] = "private, no-store"
    return response


def export_jobs_clean(*, older_than: dt.timedelta | None = None) -> int:
    """Remove finished jobs' files (and the jobs) older than `SIG_EXPORT_KEEP_HOURS`."""
    keep = older_than or dt.timedelta(hours=int(getattr(settings, "SIG_EXPORT_KEEP_HOURS", 24)))
    old = ExportJob.objects.filter(created_at__lt=timezone.now() - keep)
    removed = 0
    for job in old:
        if job.file_path:
            path = Path(job.file_path)
            path.unlink(missing_ok=True)
            if path.parent.parent == export_dir():
                with contextlib.suppress(OSError):  # not empty: leave it
                    path.parent.rmdir()
        job.delete()
        removed += 1
    return removed


# ---------------------------------------------------------------- analysis results

def export_frame(frame: pd.DataFrame, *, fmt: str, title: str,
                 sources: Sequence[str | Layer | Mapping]) -> HttpResponse:
    """An analysis result as a download, through the same writers as layers. A GeoDataFrame
    is written in EPSG:4326 (reprojected from its CRS; none is taken as EPSG:4326); a plain
    DataFrame only as CSV or GeoPackage (an attribute table). `sources` (layers, mappings or
    text) go into the file: GeoJSON members, GeoPackage metadata, `sources.txt` in the
    Shapefile zip; a CSV has no place for them."""
    export = export_format(fmt)
    spatial = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame
    if not spatial and export.key not in ("csv", "gpkg"):
        raise ExportFailed(ExportErrorCode.GEOMETRY_REQUIRED, _(
            "This result has no geometry: export it as CSV or GeoPackage."))
    provenance = Provenance(title=title, sources=source_lines(sources))
    stem = file_stem(title, provenance.exported_at)
    if spatial and frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs(4326)
    if export.key == "csv":
        return _download(HttpResponse(frame_csv(frame, spatial), content_type=export.media_type),
                         f"{stem}.csv")
    if export.key == "geojson":
        text = frame.to_json(na="null", drop_id=True, ensure_ascii=False)
        members = json.dumps(provenance.as_members(), ensure_ascii=False)
        body = '{"type":"FeatureCollection",' + members[1:-1] + "," + \
            text[text.index('"features"'):]
        return _download(HttpResponse(body, content_type=export.media_type), f"{stem}.geojson")
    with tempfile.TemporaryDirectory(prefix="sig-export-", dir=export_dir()) as folder:
        parts = frame_parts(frame, name=slugify(title).replace("-", "_") or "result",
                            spatial=spatial, split_kinds=export.key in ("shp", "gpkg"))
        try:
            path = write_file(parts, export, Path(folder), stem=stem, provenance=provenance)
        except Exception as exc:
            raise ExportFailed(ExportErrorCode.WRITE_FAILED, _(
                "The file could not be written: %(reason)s") % {"reason": str(exc)[:300]}
            ) from exc
        return _file_response(path, export)


def frame_csv(frame: pd.DataFrame, spatial: bool) -> bytes:
    """A frame as the CSV every export writes (UTF-8 with a byte-order mark, so spreadsheet
    programs read Indonesian text right): columns as in the frame, then longitude/latitude
    when every geometry is a point, and WKT last (as for layers)."""
    table = pd.DataFrame(frame.drop(columns=[frame.geometry.name]) if spatial else frame)
    if spatial:
        geoms = frame.geometry.values
        if len(geoms) and bool(shapely.get_type_id(geoms).max() == 0):
            table["longitude"], table["latitude"] = shapely.get_x(geoms), shapely.get_y(geoms)
        table["WKT"] = shapely.to_wkt(geoms, rounding_precision=-1)
    return ("\ufeff" + table.to_csv(index=False, lineterminator="\n")).encode()


def frame_parts(frame: pd.DataFrame, *, name: str, spatial: bool, split_kinds: bool,
                ) -> list[Part]:
    """An analysis frame as output layers (by geometry kind where the format needs it)."""
    attrs = pd.DataFrame(frame.drop(columns=[frame.geometry.name]) if spatial else frame)
    for column in attrs.columns:
        if attrs[column].dtype == object:  # mixed Python objects: written as their text
            attrs[column] = attrs[column].map(lambda v: None if v is None else str(v))
    attrs.columns = [str(c) for c in attrs.columns]
    names = list(attrs.columns)
    if not spatial:
        table = pa.Table.from_pandas(attrs, preserve_index=False)
        return [Part(name, "None", len(attrs), _table_reader(table), names)]
    geoms = frame.geometry.values
    dims = shapely.get_dimensions(geoms)
    kinds = {0: "point", 1: "line", 2: "polygon"}
    present = sorted(set(int(d) for d in dims if d >= 0))
    groups = [(None, slice(None))] if not split_kinds or len(present) <= 1 else \
        [(kinds[d], dims == d) for d in present]
    parts = []
    for kind, mask in groups:
        sub, sub_geoms = attrs[mask].reset_index(drop=True), geoms[mask]
        kind = kind or (kinds[present[0]] if split_kinds and present else None)
        multi = bool(shapely.get_type_id(sub_geoms).max() >= 4) if len(sub_geoms) else False
        if kind in ("line", "polygon") or (kind == "point" and multi):
            sub_geoms = _as_multi(sub_geoms)
        gtype = "Unknown" if kind is None else {
            "point": "MultiPoint" if multi else "Point", "line": "MultiLineString",
            "polygon": "MultiPolygon"}[kind]
        table = pa.Table.from_pandas(sub, preserve_index=False).append_column(
            _WKB, pa.array(shapely.to_wkb(sub_geoms), pa.binary()))
        suffix = f"_{kind}" if len(groups) > 1 else ""
        parts.append(Part(name + suffix, gtype, len(sub), _table_reader(table), names))
    return parts


def _as_multi(geoms: np.ndarray) -> np.ndarray:
    """Single geometries wrapped as one-part multi geometries (vectorised, by type)."""
    out = np.asarray(geoms, dtype=object).copy()
    type_ids = shapely.get_type_id(out)
    for single, build in ((0, shapely.multipoints), (1, shapely.multilinestrings),
                          (3, shapely.multipolygons)):
        mask = type_ids == single
        if mask.any():
            out[mask] = build(out[mask], indices=np.arange(int(mask.sum())))
    return out


def _table_reader(table: pa.Table):
    def reader(renames: dict[str, str], dates_as_text: bool) -> pa.RecordBatchReader:
        renamed = table.rename_columns([renames.get(n, n) for n in table.column_names])
        if dates_as_text:
            for i, f in enumerate(renamed.schema):
                if pa.types.is_timestamp(f.type):
                    renamed = renamed.set_column(i, f.name, renamed.column(i).cast(pa.string()))
        return renamed.to_reader(max_chunksize=5000)
    return reader

