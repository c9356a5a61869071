"""The wilayah dashboards: /wilayah/ (the top-level wilayah) and /wilayah/<code>/ (one
wilayah's figures per child, charts, a small map and the sources of every figure). Public
figures for the public, staff figures for staff: decided by layers/permissions.py inside the
selectors, never here."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analysis.selectors.dashboard import (
    DEFAULT_BEYOND_KM,
    DEFAULT_SERVICE,
    Dashboard,
    dashboard,
    service_options,
)
from analysis.services.result_exports import FIGURES, figure_export
from exports.errors import ExportFailed
from exports.formats import FORMATS
from exports.views.downloads import error_response
from layers.codes import normalise_code
from layers.models.assets import Condition
from layers.selectors.boundaries import area_by_code, area_children
from layers.selectors.maps import CONDITION_COLORS

MAX_BEYOND_KM = 200.0


def title(area) -> str:
    """“Kabupaten Kubu Raya”, but “Kota Pontianak” when the name already says it."""
    kind = str(area.kind_label)
    return area.name if area.name.lower().startswith(kind.lower()) else f"{kind} {area.name}"


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    areas = area_children(None).order_by("code")
    return render(request, "analysis/dashboard_index.html",
                  {"areas": [{"code": a.code, "title": title(a)} for a in areas]})


def _options(request: HttpRequest, categories: list[dict]) -> tuple[str, float, list[str]]:
    """The service category and the distance (km) asked for; bad input is named and the
    default used instead."""
    errors: list[str] = []
    slugs = {c["slug"] for c in categories}
    service = request.GET.get("layanan") or (
        DEFAULT_SERVICE if DEFAULT_SERVICE in slugs or not slugs else sorted(slugs)[0])
    if service not in slugs and slugs:
        errors.append(_("Unknown service category “%(value)s”: showing %(default)s instead.")
                      % {"value": service[:60], "default": DEFAULT_SERVICE})
        service = DEFAULT_SERVICE if DEFAULT_SERVICE in slugs else sorted(slugs)[0]
    raw = (request.GET.get("jarak") or "").strip().replace(",", ".")
    beyond_km = DEFAULT_BEYOND_KM
    if raw:
        try:
            beyond_km = float(raw)
            if not 0 < beyond_km <= MAX_BEYOND_KM:
                raise ValueError
        except ValueError:
            errors.append(_("The distance must be a number of kilometres above 0 and at most "
                            "%(max)s: showing %(default)s km instead.")
                          % {"max": int(MAX_BEYOND_KM), "default": DEFAULT_BEYOND_KM})
            beyond_km = DEFAULT_BEYOND_KM
    return service, beyond_km, errors


def chart_config(board) -> dict:
    """The charts' data and every label they show, translated here (Chart.js draws them;
    the same numbers are in the tables under each chart)."""
    conditions = [{"label": str(c.label), "color": CONDITION_COLORS[c]} for c in Condition]
    land_use = [r for r in board.land_use_totals]
    return {
        "assets": {
            "labels": [r["category_name"] for r in board.asset_totals],
            "series": [{"label": c["label"], "color": c["color"],
                        "data": [r["by_condition"][i] for r in board.asset_totals]}
                       for i, c in enumerate(conditions)],
            "axis": _("Number of assets"),
        },
        "landUse": {
            "labels": [f"{r['class_name']} ({r['classification_name']})" for r in land_use],
            "colors": [r["color"] for r in land_use],
            "data": [round(r["area_ha"], 2) for r in land_use],
            "axis": _("Area (ha)"),
        },
        "access": {
            "labels": [r["name"] or r["code"] for r in board.access_summary.rows],
            "series": [
                {"label": _("Within the distance"), "color": "#16a34a",
                 "data": [r["origins"] - r["beyond"] for r in board.access_summary.rows]},
                {"label": _("Beyond the distance"), "color": "#dc2626",
                 "data": [r["beyond"] for r in board.access_summary.rows]}],
            "axis": _("Desa/kelurahan"),
        },
        "complaints": {
            "labels": [r["name"] or _("Outside the villages") for r in board.complaints.rows],
            "series": [
                {"label": _("Received"), "color": "#2563eb",
                 "data": [r["total"] for r in board.complaints.rows]},
                {"label": _("Resolved on time"), "color": "#16a34a",
                 "data": [r["on_time"] for r in board.complaints.rows]}],
            "axis": _("Complaints"),
        },
        "map": board.options["map"],
        "strings": {"noData": _("No data for this chart."),
                    "open": _("Open the dashboard of %(name)s")},
    }


def _board(request: HttpRequest, code: str) -> tuple[Dashboard, list[dict], list[str]]:
    """The wilayah's dashboard as this viewer may see it, with the options asked for."""
    area = area_by_code(normalise_code(code))
    if area is None:
        raise Http404(code)
    categories = service_options(request.user)["categories"]
    service, beyond_km, errors = _options(request, categories)
    board = dashboard(area=area, user=request.user, service=service, beyond_km=beyond_km)
    return board, categories, errors


@require_GET
def wilayah(request: HttpRequest, code: str) -> HttpResponse:
    board, categories, errors = _board(request, code)
    beyond = [r for r in board.access.rows if r["beyond"]]
    return render(request, "analysis/dashboard.html", {
        "b": board, "title": title(board.area), "categories": categories, "errors": errors,
        "ancestors": [{"code": a.code, "title": title(a)} for a in board.ancestors],
        "beyond": beyond[:500], "beyond_count": len(beyond),
        "conditions": [{"value": c.value, "label": c.label} for c in Condition],
        "charts": chart_config(board),
        "formats": FORMATS.values(),
        "options_query": urlencode({"layanan": board.service["slug"],
                                    "jarak": f"{board.service['beyond_km']:g}"}),
    })


@require_GET
def figure_download(request: HttpRequest, code: str, figure: str, fmt: str) -> HttpResponse:
    """One figure's table per child wilayah, as the page shows it to this viewer, in `fmt`
    (the distance figure with the page's layanan/jarak)."""
    if figure not in FIGURES:
        raise Http404(figure)
    board, _categories, _errors = _board(request, code)
    try:
        return figure_export(board, figure=figure, fmt=fmt, area_title=title(board.area))
    except ExportFailed as exc:
        return error_response(request, exc)
