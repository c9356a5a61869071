"""Zonal statistics pages: the runs (and, for staff, a form to start one), a run's table,
progress, downloads (CSV and every export format) and its zones as GeoJSON for the
choropleth. Thin: the work is in analysis.services (zonal_runs, result_exports) and the
task."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from analysis.access import can_view_run, visible_run
from analysis.errors import AnalysisFailed
from analysis.forms import ZonalRunForm
from analysis.models import RunStatus, ZonalRun
from analysis.selectors.zonal import zones_geojson
from analysis.services.result_exports import zonal_run_export, zones_label
from analysis.services.zonal_runs import results_frame, zonal_run_create
from exports.errors import ExportFailed
from exports.formats import FORMATS
from exports.views.downloads import error_response
from layers import permissions
from layers.views.access import staff_required


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    runs = [r for r in ZonalRun.objects.select_related("raster__layer", "zones_layer")[:200]
            if can_view_run(request.user, r)]
    form = ZonalRunForm() if permissions.is_staff(request.user) else None
    return render(request, "analysis/zonal_list.html", {"runs": runs, "form": form})


@staff_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    from analysis.tasks import run_zonal_statistics

    form = ZonalRunForm(request.POST)
    if form.is_valid():
        try:
            run = zonal_run_create(raster_slug=form.cleaned_data["raster"],
                                   zones=form.cleaned_data["zones"],
                                   stats=form.cleaned_data["stats"], user=request.user)
        except AnalysisFailed as exc:
            messages.error(request, exc.message)
        else:
            run_zonal_statistics.defer(run_id=run.pk, language=get_language())
            return redirect("analysis:zonal-detail", run.pk)
    runs = [r for r in ZonalRun.objects.select_related("raster__layer", "zones_layer")[:200]
            if can_view_run(request.user, r)]
    return render(request, "analysis/zonal_list.html", {"runs": runs, "form": form},
                  status=400)


@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = visible_run(request.user, pk)
    table = results_frame(run) if run.status == RunStatus.SUCCEEDED else None
    rows = [] if table is None else [
        (key, row["name"], [row[c["key"]] for c in run.columns])
        for key, row in table.iterrows()]
    sources = [{**s, "imported_at": parse_datetime(s["imported_at"] or "")}
               for s in run.sources]
    return render(request, "analysis/zonal_detail.html", {
        "run": run, "rows": rows, "sources": sources, "zones_label": zones_label(run),
        "formats": FORMATS.values(),
        "finished": run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)})


@require_GET
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = visible_run(request.user, pk)
    return JsonResponse({"status": run.status, "status_label": str(run.get_status_display()),
                         "progress": run.progress, "note": run.progress_note,
                         "finished": run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED),
                         "error": run.error_message})


@require_GET
def run_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A finished run as hasil.<fmt>: CSV (the table) or the zones in any export format."""
    run = visible_run(request.user, pk)
    if run.status != RunStatus.SUCCEEDED:
        return HttpResponse(status=404)
    try:
        return zonal_run_export(run, fmt=fmt)
    except ExportFailed as exc:
        return error_response(request, exc)


@require_GET
def run_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's zones with their statistics, for the choropleth (geometries simplified by
    ~5 m, EPSG:4326)."""
    run = visible_run(request.user, pk)
    return HttpResponse(zones_geojson(run), content_type="application/geo+json")
