"""Zonal statistics pages: the runs (and, for staff, a form to start one), a run's table,
progress, CSV and its zones as GeoJSON for the choropleth. Thin: the work is in
analysis.services.zonal_runs and the task."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from analysis.access import can_view_run, visible_run
from analysis.errors import AnalysisFailed
from analysis.forms import LEVEL_LABELS, ZonalRunForm
from analysis.models import RunStatus, ZonalRun
from analysis.services.zonal_runs import results_frame, zonal_run_create
from layers import permissions


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    runs = [r for r in ZonalRun.objects.select_related("raster__layer", "zones_layer")[:200]
            if can_view_run(request.user, r)]
    form = ZonalRunForm() if permissions.is_staff(request.user) else None
    return render(request, "analysis/zonal_list.html", {"runs": runs, "form": form})


@staff_member_required
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
        "finished": run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)})


def zones_label(run: ZonalRun) -> str:
    if run.zones_layer is not None:
        return run.zones_layer.name
    return str(LEVEL_LABELS.get(run.zones.partition(":")[2], run.zones))


@require_GET
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = visible_run(request.user, pk)
    return JsonResponse({"status": run.status, "status_label": str(run.get_status_display()),
                         "progress": run.progress, "note": run.progress_note,
                         "finished": run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED),
                         "error": run.error_message})


@require_GET
def run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = visible_run(request.user, pk)
    if run.status != RunStatus.SUCCEEDED:
        return HttpResponse(status=404)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"zonal-{run.pk}-{run.raster.layer.slug}-{run.zones.replace(':', '-')}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    results_frame(run).to_csv(response, index_label="zone", float_format="%.10g")
    return response


_GEOJSON_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
  json_build_object('type', 'Feature', 'id', r.zone_key,
    'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(g.geom, 0.00005), 6)::json,
    'properties', jsonb_build_object('zone', r.zone_key, 'name', r.name) || r.values)
  ORDER BY r.zone_key), '[]'::json))::text
FROM analysis_zonalresult r JOIN {zones} WHERE r.run_id = %s
"""


@require_GET
def run_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's zones with their statistics, for the choropleth (geometries simplified by
    ~5 m, EPSG:4326)."""
    run = visible_run(request.user, pk)
    if run.zones_layer_id:
        zones = "layers_feature g ON g.id::text = r.zone_key AND g.layer_id = %s"
        params = [run.zones_layer_id, run.pk]
    else:
        zones = "layers_administrativearea g ON g.code = r.zone_key AND g.valid_until IS NULL"
        params = [run.pk]
    with connection.cursor() as cur:
        cur.execute(_GEOJSON_SQL.format(zones=zones), params)
        body = cur.fetchone()[0]
    return HttpResponse(body, content_type="application/geo+json")
