"""Review (publication) and import revert endpoints of the editing API
(docs/editing-api.md): thin views over layers.services.review and import_revert."""

from __future__ import annotations

from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from layers.api.edit import feature_id_or_404, feature_response
from layers.api.edit_support import FEATURE_ID, SLUG, TAGS, EditErrors, error_responses, ref
from layers.selectors.review import review_queue
from layers.services.import_revert import import_revert
from layers.services.review import feature_send_back, feature_verify


def _body(request) -> dict:
    return request.data if isinstance(request.data, dict) else {}


class ReviewListView(EditErrors, APIView):
    @extend_schema(tags=TAGS, summary="Unverified features in the caller's publish scope",
                   operation_id="review_list",
                   responses={200: OpenApiResponse(OpenApiTypes.OBJECT),
                              **error_responses(403)})
    def get(self, request):
        return JsonResponse({"results": review_queue(user=request.user)})


class VerifyView(EditErrors, APIView):
    @extend_schema(tags=TAGS, summary="Verify (and publish) a feature",
                   operation_id="layer_feature_verify", parameters=[SLUG, FEATURE_ID],
                   request={"application/json": {"type": "object", "required": ["version"],
                            "properties": {"version": {"type": "integer"},
                                           "public": {"type": "boolean", "default": True}}}},
                   responses={200: OpenApiResponse(ref("EditFeature")),
                              **error_responses(400, 403, 404, 409)})
    def post(self, request, slug: str, id: str):
        data = _body(request)
        result = feature_verify(slug=slug, feature_id=feature_id_or_404(id),
                                version=data.get("version"),
                                public=data.get("public", True) is not False, by=request.user)
        return feature_response(result)


class SendBackView(EditErrors, APIView):
    @extend_schema(tags=TAGS, summary="Send a feature back to whoever recorded it, with a note",
                   operation_id="layer_feature_send_back", parameters=[SLUG, FEATURE_ID],
                   request={"application/json": {"type": "object",
                            "required": ["version", "note"],
                            "properties": {"version": {"type": "integer"},
                                           "note": {"type": "string"}}}},
                   responses={200: OpenApiResponse(ref("EditFeature")),
                              **error_responses(400, 403, 404, 409)})
    def post(self, request, slug: str, id: str):
        data = _body(request)
        result = feature_send_back(slug=slug, feature_id=feature_id_or_404(id),
                                   version=data.get("version"), note=data.get("note"),
                                   by=request.user)
        return feature_response(result)


class ImportRevertView(EditErrors, APIView):
    @extend_schema(tags=TAGS, summary="Undo one import as a whole",
                   operation_id="import_revert",
                   parameters=[OpenApiParameter("job_id", int, OpenApiParameter.PATH,
                                                description="The import job's id.")],
                   request=None,
                   responses={200: OpenApiResponse({"type": "object", "properties": {
                       "job_id": {"type": "integer"}, "deleted": {"type": "integer"},
                       "restored": {"type": "integer"}}}),
                       **error_responses(400, 403, 404, 409)})
    def post(self, request, job_id: int):
        result = import_revert(job_id=job_id, by=request.user)
        return JsonResponse({"job_id": result.job_id, "deleted": result.deleted,
                             "restored": result.restored})
