"""Wizard pages: choose target and file (the upload itself is JavaScript, see uploads.py),
then preview and map, then run."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from importers.forms import NEW_LAYER, PreviewForm, UploadTargetForm
from importers.models import UploadSession
from importers.uploads import MAX_CHUNK, upload_discard
from importers.wizard import (
    Preview,
    WizardOptions,
    job_start,
    preset_save,
    target_label,
    upload_preview,
)
from layers.views.access import importer_required

CHUNK_SIZE = 1024**2  # what the page sends per request by default (data-chunk-size)


@importer_required
def upload_page(request: HttpRequest) -> HttpResponse:
    return render(request, "importers/upload.html", {
        "form": UploadTargetForm(), "new_layer": NEW_LAYER, "chunk_size": CHUNK_SIZE,
        "max_chunk": MAX_CHUNK, "max_bytes": settings.SIG_IMPORT_MAX_BYTES})


def _upload_for(request: HttpRequest, upload_id: str) -> UploadSession:
    upload = get_object_or_404(UploadSession.objects.select_related("job"), pk=upload_id)
    if upload.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return upload


@importer_required
def preview(request: HttpRequest, upload_id: str) -> HttpResponse:
    """GET: a dry run with the suggested mapping. POST `action`: preview again with the
    form's choices, apply a saved mapping, save the mapping, or run the import."""
    upload = _upload_for(request, upload_id)
    if upload.job_id:
        return redirect("importers:job", upload.job_id)
    if not upload.completed or not upload.path.exists():
        messages.error(request, _("This upload is incomplete or has expired; upload the file "
                                  "again."))
        return redirect("importers:upload")
    action = request.POST.get("action", "preview") if request.method == "POST" else None
    if action is None:
        result = upload_preview(upload=upload, options=WizardOptions(), user=request.user)
        form = PreviewForm(initial={f"map_{k}": v for k, v in result.mapping.items()},
                           target=upload.target)
        return _render(request, upload, form, result)
    data = request.POST.copy()
    if action == "preset" and request.POST.get("preset"):
        form = PreviewForm(request.POST, target=upload.target)
        if form.is_valid() and form.cleaned_data["preset"]:
            chosen = form.cleaned_data["preset"].mapping
            for field_name in (f.name for f in form.mapped):
                data[f"map_{field_name}"] = chosen.get(field_name, "")
    form = PreviewForm(data, target=upload.target)
    if not form.is_valid():
        return _render(request, upload, form, Preview())
    options = form.options()
    if action == "run":
        job = job_start(upload=upload, options=options, user=request.user,
                        language=get_language())
        return redirect("importers:job", job.pk)
    if action == "save_preset":
        name = form.cleaned_data["preset_name"].strip()
        if name:
            preset_save(name=name, target=upload.target, mapping=options.mapping or {},
                        user=request.user)
            messages.success(request, _("Mapping saved as “%(name)s”.") % {"name": name})
        else:
            messages.error(request, _("Give the saved mapping a name."))
    result = upload_preview(upload=upload, options=options, user=request.user)
    if options.mapping is None and result.mapping:
        # Nothing was mapped (the file could not be read before): show what was suggested.
        for name, value in result.mapping.items():
            data[f"map_{name}"] = value
        form = PreviewForm(data, target=upload.target)
        form.is_valid()
    return _render(request, upload, form, result)


def _render(request: HttpRequest, upload: UploadSession, form: PreviewForm,
            result: Preview) -> HttpResponse:
    form.set_source_fields(result.source_fields)
    outcome = result.outcome
    return render(request, "importers/preview.html", {
        "upload": upload, "form": form, "result": result, "outcome": outcome,
        "source": outcome.source if outcome else None,
        "report": outcome.report if outcome else None,
        "problems": outcome.report.problems[:100] if outcome else [],
        "target_label": target_label(upload.target),
        "required_fields": {f"map_{f.name}" for f in form.mapped if f.required},
        "failure_code": result.failure.code if result.failure else ""})


@importer_required
@require_POST
def discard(request: HttpRequest, upload_id: str) -> HttpResponse:
    upload_discard(upload=_upload_for(request, upload_id))
    messages.info(request, _("The upload was removed."))
    return redirect("importers:upload")
