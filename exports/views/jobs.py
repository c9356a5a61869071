"""A background export's page (progress while it runs, then the download link), its status
as JSON for the progress bar, and its file."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from exports.errors import ExportFailed
from exports.services import export_job_file, export_job_for
from exports.views.downloads import error_response


@require_GET
def job_page(request: HttpRequest, job_id) -> HttpResponse:
    try:
        job = export_job_for(job_id=job_id, user=request.user)
    except ExportFailed as exc:
        return error_response(request, exc)
    return render(request, "exports/job.html", {"job": job})


@require_GET
def job_status(request: HttpRequest, job_id) -> JsonResponse:
    try:
        job = export_job_for(job_id=job_id, user=request.user)
    except ExportFailed as exc:
        return JsonResponse({"code": exc.code, "description": exc.message}, status=exc.status)
    return JsonResponse({"status": job.status, "status_label": job.get_status_display(),
                         "progress": job.progress, "note": job.progress_note,
                         "finished": job.finished, "error": job.error_message,
                         "features": job.feature_count})


@require_GET
def job_file(request: HttpRequest, job_id) -> HttpResponse:
    try:
        return export_job_file(export_job_for(job_id=job_id, user=request.user))
    except ExportFailed as exc:
        return error_response(request, exc)
