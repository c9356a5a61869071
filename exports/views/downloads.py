"""Downloads of layers: /ekspor/<slug>.<format>?bbox=…&<the layer's filters>. Thin: read the
query, call exports.services.export_layer, answer the file, the queued job, or the error."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from exports.errors import ExportErrorCode, ExportFailed
from exports.models import ExportJob
from exports.services import export_layer
from layers.api.geodata import BadRequest, parse_bbox

# Query parameters that are not the layer's filters.
RESERVED = ("bbox", "background")


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: HttpRequest, exc: ExportFailed) -> HttpResponse:
    """The refusal as JSON for programs, as a page for people; either way translated."""
    if wants_json(request) or "text/html" not in request.headers.get("Accept", "text/html"):
        return JsonResponse({"code": exc.code, "description": exc.message}, status=exc.status)
    return render(request, "exports/error.html", {"error": exc}, status=exc.status)


def parse_request(request: HttpRequest) -> tuple[tuple | None, dict[str, str], bool | None]:
    try:
        bbox = parse_bbox(request.GET.get("bbox"))
    except BadRequest as exc:
        raise ExportFailed(ExportErrorCode.BAD_REQUEST, str(exc)) from exc
    filters = {k: v for k, v in request.GET.items() if k not in RESERVED and v}
    background = request.GET.get("background")
    return bbox, filters, (background in ("1", "true", "yes")) if background else None


def job_answer(request: HttpRequest, job: ExportJob) -> HttpResponse:
    """A queued export: 202 with its addresses for programs, its page for people."""
    page = reverse("exports:job", args=[job.pk])
    if wants_json(request):
        return JsonResponse({
            "id": str(job.pk), "status": job.status,
            "status_url": request.build_absolute_uri(reverse("exports:job_status",
                                                             args=[job.pk])),
            "download_url": request.build_absolute_uri(reverse("exports:job_file",
                                                               args=[job.pk])),
            "page_url": request.build_absolute_uri(page)}, status=202)
    return redirect(page)


@require_GET
def layer_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    try:
        bbox, filters, background = parse_request(request)
        result = export_layer(slug=slug, user=request.user, fmt=fmt, bbox=bbox,
                              filters=filters, background=background)
    except ExportFailed as exc:
        return error_response(request, exc)
    if isinstance(result, ExportJob):
        return job_answer(request, result)
    return result
