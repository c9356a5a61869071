"""The map export: /ekspor/peta.html?layers=a,b&bbox=…&basemap=0 → one HTML file that opens
with no internet (exports.maps)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from exports.errors import ExportFailed
from exports.maps import export_map
from exports.views.downloads import error_response, parse_request


@require_GET
def map_download(request: HttpRequest) -> HttpResponse:
    try:
        bbox, filters, _background = parse_request(request)
        for reserved in ("layers", "title", "basemap", "inline"):
            filters.pop(reserved, None)
        html = export_map(slugs=(request.GET.get("layers") or "").split(","),
                          user=request.user, bbox=bbox, filters=filters,
                          title=(request.GET.get("title") or "").strip()[:200] or None,
                          basemap=request.GET.get("basemap", "1") not in ("0", "false", "no"))
    except ExportFailed as exc:
        return error_response(request, exc)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    disposition = "inline" if request.GET.get("inline") == "1" else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="peta-{timezone.localtime():%Y%m%d}.html"')
    response["Cache-Control"] = "private, no-store"
    return response
