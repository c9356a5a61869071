"""The one import pipeline, used by `manage.py import_layer` and the upload wizard alike:
open → check the mapping → read → check geometries → prepare → write (all or nothing)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from importers.errors import ImportErrorCode, ImportFailed
from importers.geometry import CheckedGeometries, check_geometries, dominant_kind
from importers.mapping import check_mapping, suggest_mapping
from importers.models import ImportJob, JobStatus
from importers.report import ImportReport
from importers.sources import Source, SourceRows, open_source, read_source
from importers.targets import AssetsTarget, Context, LayerTarget, Target, target_for
from importers.writers import write_rows
from layers.services import feature_batches

Progress = Callable[[float, str], None]


@dataclass
class ImportRequest:
    path: Path
    target: str
    layer: str | None = None
    srid: int | None = None
    encoding: str | None = None
    mapping: dict[str, str] | None = None
    constants: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    dry_run: bool = False
    public: bool = True
    user: AbstractBaseUser | None = None
    reason: str = ""


@dataclass
class SourceSummary:
    """What the preview shows of the file."""

    driver: str
    layer: str | None
    layers: list[str]
    feature_count: int
    crs: str
    bounds: tuple[float, float, float, float] | None
    encoding: str | None
    fields: list[dict[str, Any]]


@dataclass
class ImportOutcome:
    report: ImportReport
    source: SourceSummary
    mapping: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"source": asdict(self.source), "mapping": self.mapping,
                "counts": self.report.counts(), "notices": self.report.notices,
                "problems": self.report.problems_as_dicts()[:1000]}


def _fields_summary(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for name in frame.columns:
        values = frame[name].dropna()
        samples = [str(v)[:60] for v in pd.unique(values.head(200))[:3]]
        out.append({"name": str(name), "type": str(frame[name].dtype), "samples": samples})
    return out


def _source_refs(target: Target, attrs: pd.DataFrame, checked: CheckedGeometries,
                 key: str | None, ctx: Context) -> tuple[pd.Series, np.ndarray | None]:
    """The natural key each row is matched by on re-import: the `key` field's value, or a
    hash of the feature's content when the file has no key. With a key, also the rows' order
    by it (positions in the file; a first import writes its rows in that order)."""
    prefix = f"{target.namespace}:" if target.namespace else ""
    if key:
        values = attrs[key].astype("string").str.strip()
        missing = values.isna() | (values == "")
        ctx.refuse(missing, "key_missing", _("The key field %(key)s is empty.") % {"key": key})
        order, duplicate = _key_order(values)
        ctx.refuse(duplicate & ~missing.to_numpy(), "key_duplicate",
                   _("The key value appears more than once in the file."))
        return prefix + values.fillna(""), order
    content = attrs.astype("string").fillna("")
    # The file's WKB when it is stored as it is: the same bytes shapely writes of it, in the
    # same upper-case hex (a re-import must find the keys of earlier imports).
    content["__geom"] = shapely.to_wkb(checked.geoms, hex=True) if checked.wkb is None else \
        pd.Series(checked.wkb.to_numpy(zero_copy_only=False)).map(
            bytes.hex, na_action="ignore").str.upper().to_numpy()
    hashed = pd.util.hash_pandas_object(content, index=False).map("h{:016x}".format)
    # Identical features (two wells at one spot, no attributes) stay distinct by their
    # occurrence number, which a re-import of the same file reproduces.
    nth = hashed.groupby(hashed).cumcount()
    hashed = hashed.where(nth == 0, hashed + "-" + nth.astype(str))
    # Content hashes would scatter the rows: those keep the file's order.
    return prefix + hashed, None


def _key_order(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The positions of `values` in their order, and which repeat an earlier value, from one
    stable sort: a repeat is equal to its neighbour before it once sorted, and the first in
    the file sorts first, so it is the one not marked (no hashing pass besides)."""
    text = pa.array(values, type=pa.large_string())
    order = pc.sort_indices(text).to_numpy()
    ordered = text.take(pa.array(order))
    same = np.zeros(len(order), dtype=bool)
    if len(order) > 1:
        same[1:] = pc.fill_null(pc.equal(ordered.slice(1), ordered.slice(0, len(order) - 1)),
                                False).to_numpy(zero_copy_only=False)
    duplicate = np.zeros(len(order), dtype=bool)
    duplicate[order[same]] = True
    return order, duplicate


def _among_kept(order: np.ndarray | None, keep: np.ndarray) -> np.ndarray | None:
    """`order` (positions in the file) restricted to the rows kept, told as positions among
    them (what the writer has)."""
    if order is None:
        return None
    if keep.all():
        return order
    position = np.cumsum(keep) - 1
    return position[order[keep[order]]]


def _summary(source: Source, attrs: pd.DataFrame, geoms: np.ndarray | None) -> SourceSummary:
    """What the preview shows of the file; the extent waits for the deferred geometry check
    when the geometries are not parsed yet (`geoms` None)."""
    bounds = None
    if geoms is not None:
        valid = geoms[~shapely.is_missing(geoms)]
        bounds = tuple(float(v) for v in shapely.total_bounds(valid)) if len(valid) else None
    return SourceSummary(
        driver=source.driver, layer=source.layer, layers=source.layers,
        feature_count=len(attrs), crs=source.crs_note, bounds=bounds,
        encoding=source.encoding.encoding if source.encoding else None,
        fields=_fields_summary(attrs))


def run_import(request: ImportRequest, *, progress: Progress | None = None) -> ImportOutcome:
    """Run one import. Raises ImportFailed (a translated reason) and then nothing is written;
    a dry run goes all the way through the database and rolls back."""
    step = progress or (lambda fraction, note: None)
    target = target_for(request.target, constants=request.constants)
    with tempfile.TemporaryDirectory(prefix="sig-import-") as workdir:
        Path(workdir).chmod(0o700)
        source = open_source(Path(request.path), workdir=Path(workdir), layer=request.layer,
                             srid=request.srid, encoding=request.encoding)
        # A fixed value (e.g. --category) beats a field the file happens to have.
        fixed = {k for k, v in request.constants.items() if v not in (None, "")}
        mapping = dict(request.mapping) if request.mapping is not None else suggest_mapping(
            [f for f in target.fields if f.name not in fixed], source.fields)
        mapping = {k: v for k, v in mapping.items() if k not in fixed}
        check_mapping(target.fields, mapping, source.fields, request.constants)
        if request.key and request.key not in source.fields:
            raise ImportFailed(ImportErrorCode.MAPPING_INVALID, _(
                "The key field %(key)s is not in the file.") % {"key": request.key})
        step(0.05, _("Reading"))
        rows = read_source(source)
    report = ImportReport(total=len(rows), dry_run=request.dry_run, notices=source.notices)
    if len(rows) == 0:
        raise ImportFailed(ImportErrorCode.NO_FEATURES, _("The layer holds no features."))
    step(0.3, _("Checking geometries"))
    kinds = {"point", "line", "polygon"} if isinstance(target, AssetsTarget) else \
        target.geometry_kinds()
    # A thematic layer's validity check runs aside from here on (a child process), while the
    # rows are prepared and written; the writer reads what it found when it needs it: a first
    # import after the batch table's indexes are built (importers/writers.py).
    checked = check_geometries(rows, kinds=kinds, multi=target.multi,
                               defer_repair=isinstance(target, LayerTarget))
    try:
        return _write(request, target, source, rows, checked, mapping, report, step)
    finally:
        checked.close()  # the deferred check, if the import stopped before it was read


def _write(request: ImportRequest, target: Target, source: Source, rows: SourceRows,
           checked: CheckedGeometries, mapping: dict[str, str], report: ImportReport,
           step: Callable[[float, str], None]) -> ImportOutcome:
    report.notices.extend(checked.notices)
    ctx = Context(constants=request.constants, key_field=request.key, user=request.user,
                  public=request.public, keep=checked.keep.copy(), problems=checked.problems)
    summary = _summary(source, rows.attrs, checked.geoms)
    attrs = rows.attrs
    # A first import may be loaded in parts by connections of their own that commit their
    # tables (importers/writers.py): only when this transaction is the import's whole (not
    # inside a caller's, not a dry run), and they are dropped if it does not commit.
    side_tables: list[str] | None = None \
        if request.dry_run or connection.in_atomic_block else []
    try:
        with transaction.atomic():
            if isinstance(target, LayerTarget):
                target.bind(attrs, dominant_kind(checked.kinds[checked.keep]), request.public)
            stage = target.prepare(attrs, mapping, ctx)
            if isinstance(target, AssetsTarget) and "category_id" in stage:
                _refuse_wrong_category_kind(target, stage, checked.kinds, ctx)
            unmapped = [c for c in attrs.columns if c not in set(mapping.values())]
            json_column = "properties" if isinstance(target, LayerTarget) else \
                "attributes" if hasattr(target.model, "attributes") else None
            refs, key_order = _source_refs(target, attrs, checked, request.key, ctx)
            keep = ctx.keep
            report.problems = sorted(ctx.problems, key=lambda p: (p.feature, p.code))
            report.notices.extend(ctx.notices)
            report.skipped = int((~keep).sum())
            if not keep.any():
                raise _nothing_left(report)
            step(0.5, _("Writing"))
            result = write_rows(
                target=target, stage=stage[keep],
                geoms=checked.geoms[keep] if checked.geoms is not None else None,
                wkb=checked.wkb.filter(pa.array(keep)) if checked.wkb is not None else None,
                order=_among_kept(key_order, keep), side_tables=side_tables,
                source_ref=refs[keep], user=request.user, public=request.public,
                json=(json_column, attrs.loc[keep, unmapped]) if json_column else None,
                repair=(lambda: checked.repair(keep)) if checked.repair else None,
                reason=request.reason or _("Import of %(file)s") % {
                    "file": Path(request.path).name},
                progress=lambda f: step(0.5 + 0.4 * f, _("Writing")))
            if result.repairs is not None:
                kept = np.flatnonzero(keep)
                keep[kept[result.repairs.refused]] = False
                report.skipped = int((~keep).sum())
                report.problems = sorted([*report.problems, *result.repairs.problems],
                                         key=lambda p: (p.feature, p.code))
                report.notices.extend(result.repairs.notices)
                summary.bounds = result.repairs.bounds or summary.bounds
            if not result.created_count and not result.updated and not result.matched:
                raise _nothing_left(report)  # the deferred geometry check refused the rest
            report.created = result.created_count
            report.updated = len(result.updated)
            report.unchanged = result.matched - report.updated
            step(0.95, _("Finishing"))
            if request.dry_run:
                transaction.set_rollback(True)
    except BaseException as exc:
        feature_batches.drop_tables(side_tables or [])  # this transaction has rolled back
        if not isinstance(exc, DatabaseError | psycopg.Error):  # the COPY is psycopg's own
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ImportFailed(ImportErrorCode.WRITE_FAILED, _(
            "The database refused the data, nothing was imported: %(reason)s")
            % {"reason": first[:300]}) from exc
    step(1.0, _("Done"))
    return ImportOutcome(report=report, source=summary, mapping=mapping)


def _nothing_left(report: ImportReport) -> ImportFailed:
    return ImportFailed(ImportErrorCode.NO_FEATURES, _(
        "None of the %(n)d features can be imported: %(reasons)s.") % {
        "n": report.total, "reasons": ", ".join(
            f"{n} {code}" for code, n in report.skip_reasons().items())})


def _refuse_wrong_category_kind(target: AssetsTarget, stage: pd.DataFrame, kinds: np.ndarray,
                                ctx: Context) -> None:
    wanted = stage["category_id"].map(target.kind_by_category).to_numpy(dtype=object)
    ctx.refuse(pd.notna(wanted) & (kinds != wanted) & (kinds != ""), "geometry_type",
               _("The geometry kind does not match the asset category."))


def run_job(job: ImportJob, *, user: AbstractBaseUser | None = None,
            progress: Progress | None = None) -> ImportOutcome | None:
    """Run a stored ImportJob, keeping its status, progress and outcome up to date. Progress
    goes through a second connection, so it is visible while the import's transaction runs."""
    side = connections.create_connection("default")

    def report_progress(fraction: float, note: str) -> None:
        with side.cursor() as cur:
            cur.execute("UPDATE importers_importjob SET progress = %s, progress_note = %s "
                        "WHERE id = %s", [round(fraction, 3), str(note)[:200], job.pk])
        if progress:
            progress(fraction, note)

    options = job.options or {}
    request = ImportRequest(
        path=Path(job.source_path), target=job.target, layer=job.layer_name or None,
        srid=options.get("srid"), encoding=options.get("encoding"),
        mapping=options.get("mapping"), constants=options.get("constants", {}),
        key=options.get("key"), dry_run=job.dry_run, public=options.get("public", True),
        user=user or job.created_by, reason=f"import #{job.pk}: {job.source_name}")
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    try:
        outcome = run_import(request, progress=report_progress)
    except ImportFailed as exc:
        job.status, job.error_code, job.error_message = JobStatus.FAILED, exc.code, exc.message
        outcome = None
    else:
        job.status = JobStatus.SUCCEEDED
        job.counts = outcome.report.counts()
        job.problems = outcome.report.problems_as_dicts()
        job.notices = outcome.report.notices
        job.preview = outcome.as_dict()
        job.progress = 1.0
    finally:
        side.close()
    job.finished_at = timezone.now()
    job.save()
    return outcome
