"""Import jobs for staff: the list, one job's page (a progress bar while it runs, the report
once it is done), its status as JSON for the progress bar, its problems as CSV, and undoing
it as a whole."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from importers.models import ImportJob, JobStatus
from importers.wizard import ADMIN_CHANGELISTS, problems_csv, target_label
from layers.services.edit_errors import EditError
from layers.services.import_revert import import_revert, revertable_target
from layers.views.access import importer_required

PROBLEMS_SHOWN = 200
_FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


@importer_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = ImportJob.objects.select_related("created_by").defer(
        "problems", "preview", "notices")
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(request, "importers/job_list.html", {"page": page})


@importer_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.status not in _FINISHED:
        return render(request, "importers/progress.html", {"job": job})
    problems = job.problems or []
    return render(request, "importers/report.html", {
        "job": job, "problems": problems[:PROBLEMS_SHOWN], "problem_count": len(problems),
        "skipped_count": sum(1 for p in problems if p.get("skipped", True)),
        "admin_url": _admin_url(job.target), "target_label": target_label(job.target),
        "revertable": job.status == JobStatus.SUCCEEDED and not job.dry_run
        and revertable_target(job.target)})


@importer_required
@require_POST
def job_revert(request: HttpRequest, job_id: int) -> HttpResponse:
    """Undo the import (layers.services.import_revert decides whether it may, and whether the
    rows are still as it left them); the outcome is said on the job's page."""
    job = get_object_or_404(ImportJob.objects.only("pk"), pk=job_id)
    try:
        result = import_revert(job_id=job.pk, by=request.user)
    except EditError as exc:
        messages.error(request, exc.description)
    else:
        messages.success(request, _(
            "Import undone. Added features removed: %(deleted)d; changed features restored: "
            "%(restored)d.") % {"deleted": result.deleted, "restored": result.restored})
    return redirect("importers:job", job_id=job.pk)


def _admin_url(target: str) -> str | None:
    name = ADMIN_CHANGELISTS.get("layer" if target.startswith("layer:") else target)
    try:
        return reverse(name) if name else None
    except NoReverseMatch:
        return None


@importer_required
def job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    job = get_object_or_404(ImportJob.objects.only(
        "status", "progress", "progress_note", "error_message"), pk=job_id)
    return JsonResponse({"status": job.status, "status_label": job.get_status_display(),
                         "progress": job.progress, "note": job.progress_note,
                         "finished": job.status in _FINISHED})


@importer_required
def job_problems_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = get_object_or_404(ImportJob.objects.only("problems"), pk=job_id)
    response = StreamingHttpResponse(problems_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="impor-{job.pk}-masalah.csv"'
    return response
