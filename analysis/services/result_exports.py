"""Analysis results as downloads, through the one export pipeline
(exports.services.export_frame): a finished zonal statistics run and each dashboard figure's
table per child wilayah. What leaves is what the caller may see: a run is reached through
analysis.access.visible_run and a figure through the dashboard selectors, never re-decided
here."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import geopandas as gpd
import pandas as pd
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis.forms import LEVEL_LABELS
from analysis.models import ZonalRun
from analysis.selectors.dashboard import Dashboard
from analysis.selectors.scope import Figure, Source
from analysis.selectors.zonal import zones_geojson
from analysis.services.zonal_runs import results_frame
from exports.errors import ExportErrorCode, ExportFailed
from exports.services import export_frame

# The dashboard figures that can be downloaded: URL key → (the section's title, the board
# attribute holding the per-child table).
FIGURES: dict[str, tuple[Any, str]] = {
    "assets": (gettext_lazy("Assets per category and condition"), "assets"),
    "land-use": (gettext_lazy("Land use and zones"), "land_use"),
    "access": (gettext_lazy("Desa/kelurahan beyond the distance, per wilayah"),
               "access_summary"),
    "complaints": (gettext_lazy("Complaints per wilayah"), "complaints"),
}
# Presentation only (the chart's colour), not a figure.
_DROPPED = ("color",)


def zones_label(run: ZonalRun) -> str:
    if run.zones_layer is not None:
        return run.zones_layer.name
    return str(LEVEL_LABELS.get(run.zones.partition(":")[2], run.zones))


def run_title(run: ZonalRun) -> str:
    """What a run's download is called (and its file named after)."""
    return _("Zonal statistics of %(raster)s per %(zones)s") % {
        "raster": run.raster.layer.name, "zones": zones_label(run)}


def run_source_lines(run: ZonalRun) -> list[str]:
    lines = []
    for s in run.sources:
        line = _("%(name)s (layer %(slug)s)") % {"name": s.get("name"), "slug": s.get("layer")}
        if s.get("imported_at"):
            line += "; " + _("imported %(date)s") % {"date": s["imported_at"]}
        if s.get("file"):
            line += "; " + _("file %(file)s") % {"file": s["file"]}
        lines.append(line)
    return lines


def run_frame(run: ZonalRun) -> gpd.GeoDataFrame:
    """The run's zones (EPSG:4326, as stored) with zone key, name and one column per
    statistic, from the same statement as the choropleth."""
    features = json.loads(zones_geojson(run, simplify=0, precision=9))["features"]
    keys = [c["key"] for c in run.columns]
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    if frame.empty:
        frame = gpd.GeoDataFrame({"zone": [], "name": []}, geometry=[], crs="EPSG:4326")
    for key in keys:  # a statistic with no value anywhere is still a (float) column
        frame[key] = pd.to_numeric(frame[key], errors="coerce") if key in frame \
            else float("nan")
    return frame[["zone", "name", *keys, "geometry"]]


def zonal_run_export(run: ZonalRun, *, fmt: str) -> HttpResponse:
    """A finished run in `fmt`. The CSV keeps the table's columns (zone, name, one per
    statistic) and no geometry; the other formats carry the zones."""
    title, sources = run_title(run), run_source_lines(run)
    if fmt.lower() == "csv":
        return export_frame(results_frame(run).reset_index(), fmt=fmt, title=title,
                            sources=sources)
    return export_frame(run_frame(run), fmt=fmt, title=title, sources=sources)


def figure_source_lines(figure: Figure) -> list[str]:
    lines = [_("Computed %(date)s") % {"date": _date(figure.computed_at)}]
    for s in figure.sources:
        lines.append(_source_line(s))
    return lines


def _date(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else "—"


def _source_line(s: Source) -> str:
    line = _("%(name)s (layer %(slug)s)") % {"name": s.name, "slug": s.slug}
    if s.last_import:
        line += "; " + _("last imported %(date)s (%(file)s)") % {
            "date": _date(s.last_import), "file": s.import_file}
    if s.last_edit:
        line += "; " + _("last changed %(date)s") % {"date": _date(s.last_edit)}
    return line


def figure_frame(board: Dashboard, figure: str) -> pd.DataFrame:
    """The figure's rows per child wilayah exactly as the page has them (the selectors decided
    what this viewer may see), with the child's geometry from the dashboard's own small map
    (simplified); rows outside any desa have none. Raises KeyError for an unknown figure."""
    rows = getattr(board, FIGURES[figure][1]).rows
    table = pd.DataFrame(rows).drop(columns=list(_DROPPED), errors="ignore")
    for column in table.columns:
        values = table[column].dropna()
        # SQL numerics arrive as Decimal: written as numbers, not as their text.
        if len(values) and values.map(lambda v: isinstance(v, Decimal)).any():
            table[column] = pd.to_numeric(table[column], errors="coerce")
    shapes = gpd.GeoDataFrame.from_features(
        json.loads(board.options["map"])["features"], crs="EPSG:4326")
    if table.empty or "code" not in table or shapes.empty:
        return table
    joined = table.merge(shapes[["code", "geometry"]], on="code", how="left")
    return gpd.GeoDataFrame(joined, geometry="geometry", crs="EPSG:4326")


def figure_title(figure: str, area_title: str) -> str:
    return f"{FIGURES[figure][0]} – {area_title}"


def figure_export(board: Dashboard, *, figure: str, fmt: str, area_title: str,
                  ) -> HttpResponse:
    """One dashboard figure's per-child table in `fmt` (KeyError for an unknown figure; a
    figure this viewer may not see is refused as missing)."""
    fig = getattr(board, FIGURES[figure][1])
    if not fig.available:  # its layer is missing or hidden from this viewer
        raise ExportFailed(ExportErrorCode.LAYER_NOT_FOUND,
                           _("This figure is not available to you."))
    frame = figure_frame(board, figure)
    return export_frame(frame, fmt=fmt, title=figure_title(figure, area_title),
                        sources=figure_source_lines(fig))
