"""Zonal statistics runs: create one (validated), execute it (by the procrastinate task or the
command line) with progress, store one result row per zone and the sources it read."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis.errors import AnalysisFailed
from analysis.models import Raster, RunStatus, ZonalResult, ZonalRun
from analysis.services.zonal import (
    LEVELS,
    check_stats,
    get_raster,
    load_zones,
    parse_zones,
    zonal_frame,
)
from importers.selectors import last_import
from layers.models import AdministrativeArea, Feature, Layer, LayerKind

Progress = Callable[[float, str], None]


def zonal_run_create(*, raster_slug: str, zones: str, stats: list[str] | None,
                     user: AbstractBaseUser | None = None) -> ZonalRun:
    """A pending run, checked now so a bad request is refused before it is queued."""
    raster = get_raster(raster_slug)
    chosen = check_stats(raster, stats)
    kind, value = parse_zones(zones)
    zones_layer = Layer.objects.filter(slug=value).first() if kind == "layer" else None
    if kind == "layer":
        load_zones(zones, raster)  # refuses a non-polygon layer or one that misses the raster
    return ZonalRun.objects.create(raster=raster, zones=zones, zones_layer=zones_layer,
                                   stats=chosen, created_by=user)


def run_sources(raster: Raster, zones: str) -> list[dict]:
    """The layers a run reads and when each was last imported (the last successful import
    job, else the last write to its rows)."""
    sources = [{"layer": raster.layer.slug, "name": raster.layer.name, "role": "raster",
                "file": raster.source_name, "imported_at": raster.imported_at.isoformat()}]
    kind, value = parse_zones(zones)
    if kind == "level":
        layer = Layer.objects.filter(kind=LayerKind.ADMIN_AREAS).first()
        job = last_import(layer) if layer else None
        when = job.finished_at if job else AdministrativeArea.objects.filter(
            level=LEVELS[value]).aggregate(t=Max("updated_at"))["t"]
    else:
        layer = Layer.objects.get(slug=value)
        job = last_import(layer)
        when = job.finished_at if job else Feature.objects.filter(layer=layer).aggregate(
            t=Max("updated_at"))["t"] or layer.updated_at
    sources.append({"layer": layer.slug if layer else "wilayah",
                    "name": layer.name if layer else _("Administrative areas"),
                    "role": "zones", "file": job.source_name if job else "",
                    "imported_at": when.isoformat() if when else None})
    return sources


def _columns(raster: Raster, stats: list[str]) -> list[dict]:
    if raster.categorical:
        return [{"key": f"area_ha_{c['value']}", "label": str(c["label"]), "unit": "ha",
                 "color": c["color"]} for c in raster.classes]
    unit = {"count": _("cells")}
    return [{"key": s, "label": s, "unit": unit.get(s, raster.units)} for s in stats]


def zonal_run_execute(run: ZonalRun, *, progress: Progress | None = None) -> ZonalRun:
    """Compute the run and store its rows; a refusal (AnalysisFailed) marks it failed. Progress
    is written through a second connection, so a page sees it while this transaction runs."""
    side = connections.create_connection("default")

    def report(fraction: float, note: str) -> None:
        with side.cursor() as cur:
            cur.execute("UPDATE analysis_zonalrun SET progress = %s, progress_note = %s "
                        "WHERE id = %s", [round(min(max(fraction, 0.0), 1.0), 3),
                                          str(note)[:200], run.pk])
        if progress:
            progress(fraction, note)

    run.status, run.started_at = RunStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        raster = run.raster
        zones = load_zones(run.zones, raster)
        report(0.05, _("Reading zones"))
        frame = zonal_frame(raster, zones, run.stats, progress=report)
        report(0.92, _("Saving"))
        with transaction.atomic():
            run.results.all().delete()
            ZonalResult.objects.bulk_create(_result_rows(run, frame), batch_size=2000)
            run.sources = run_sources(raster, run.zones)
            run.columns = _columns(raster, run.stats)
            run.zone_count = len(frame)
            run.status, run.progress, run.progress_note = RunStatus.SUCCEEDED, 1.0, ""
            run.computed_at = timezone.now()
            run.error_code = run.error_message = ""
            run.save()
    except AnalysisFailed as exc:
        run.status, run.error_code, run.error_message = RunStatus.FAILED, exc.code, exc.message
        run.save(update_fields=["status", "error_code", "error_message"])
    finally:
        side.close()
    return run


def _result_rows(run: ZonalRun, frame: pd.DataFrame) -> list[ZonalResult]:
    values = frame.drop(columns=["name"])
    # JSON has no NaN: a statistic with no value (a zone over no-data only) is stored as null.
    records = values.astype(object).where(values.notna(), None).to_dict("records")
    return [ZonalResult(run=run, zone_key=str(key), name=str(name or "")[:300], values=rec)
            for key, name, rec in zip(frame.index, frame["name"], records, strict=True)]


def results_frame(run: ZonalRun) -> pd.DataFrame:
    """A stored run's results as the CSV has them: zone key, name, one column per statistic."""
    keys = [c["key"] for c in run.columns]
    rows = list(run.results.order_by("zone_key").values_list("zone_key", "name", "values"))
    frame = pd.DataFrame(
        {"zone": [r[0] for r in rows], "name": [r[1] for r in rows],
         **{k: np.array([r[2].get(k) for r in rows], dtype="float64") for k in keys}})
    return frame.set_index("zone")
