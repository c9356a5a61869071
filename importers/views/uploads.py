"""The resumable upload API the wizard's JavaScript talks to (JSON, staff only, CSRF-checked).

    POST /impor/unggah/                      {filename, size, target} → 201 {id, offset, …}
    GET  /impor/unggah/<id>/                 → {offset, size, completed}
    PUT  /impor/unggah/<id>/?offset=N        raw bytes → {offset}; 409 {offset} if N is not
                                             what the server holds (the client resumes there)
    POST /impor/unggah/<id>/selesai/         → {next: the preview page}
"""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from importers.models import UploadSession
from importers.uploads import (
    MAX_CHUNK,
    UploadErrorCode,
    UploadRefused,
    upload_append,
    upload_create,
    upload_finish,
)
from layers.views.access import importer_required

_STATUS = {
    UploadErrorCode.WRONG_OFFSET: HTTPStatus.CONFLICT,
    UploadErrorCode.CLOSED: HTTPStatus.CONFLICT,
    UploadErrorCode.INCOMPLETE: HTTPStatus.CONFLICT,
    UploadErrorCode.GONE: HTTPStatus.GONE,
    UploadErrorCode.FILE_TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    UploadErrorCode.CHUNK_TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
}


def _refused(exc: UploadRefused) -> JsonResponse:
    body = {"error": exc.message, "code": exc.code.value}
    if exc.received is not None:
        body["offset"] = exc.received
    return JsonResponse(body, status=_STATUS.get(exc.code, HTTPStatus.BAD_REQUEST))


def _state(upload: UploadSession) -> dict:
    return {"id": str(upload.pk), "offset": upload.received, "size": upload.size,
            "completed": upload.completed, "max_chunk": MAX_CHUNK,
            "url": reverse("importers:upload_detail", args=[upload.pk]),
            "finish_url": reverse("importers:upload_finish", args=[upload.pk])}


def _own_upload(request: HttpRequest, upload_id: str) -> UploadSession:
    """Only its uploader (or a superuser) may see or extend an upload."""
    upload = get_object_or_404(UploadSession, pk=upload_id)
    if upload.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return upload


@importer_required
@require_POST
def upload_start(request: HttpRequest) -> JsonResponse:
    try:
        data = json.loads(request.body or b"{}")
        filename, size, target = str(data["filename"]), int(data["size"]), str(data["target"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("Give the file's name, size and target.")},
                            status=HTTPStatus.BAD_REQUEST)
    try:
        upload = upload_create(filename=filename, size=size, target=target, user=request.user)
    except UploadRefused as exc:
        return _refused(exc)
    return JsonResponse(_state(upload), status=HTTPStatus.CREATED)


@importer_required
@require_http_methods(["GET", "PUT"])
def upload_detail(request: HttpRequest, upload_id: str) -> JsonResponse:
    upload = _own_upload(request, upload_id)
    if request.method == "GET":
        return JsonResponse(_state(upload))
    try:
        offset = int(request.GET["offset"])
        length = int(request.META["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("A piece needs its offset and length."),
                             "offset": upload.received}, status=HTTPStatus.BAD_REQUEST)
    try:
        received = upload_append(upload_id=upload.pk, offset=offset, length=length,
                                 stream=request)
    except UploadRefused as exc:
        return _refused(exc)
    return JsonResponse({"offset": received, "size": upload.size})


@importer_required
@require_POST
def upload_done(request: HttpRequest, upload_id: str) -> JsonResponse:
    upload = _own_upload(request, upload_id)
    try:
        upload_finish(upload=upload)
    except UploadRefused as exc:
        return _refused(exc)
    return JsonResponse({"next": reverse("importers:preview", args=[upload.pk])})
