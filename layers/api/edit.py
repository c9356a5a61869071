"""Editing API (docs/editing-api.md): thin views over layers.services.editing and friends.
Each validates the request's shape, calls one service or selector and answers JSON; the
services decide (through layers.permissions) and refuse with EditError."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.views import APIView

from layers.api.edit_support import (
    FEATURE_ID,
    SLUG,
    TAGS,
    EditErrors,
    error_responses,
    ref,
)
from layers.api.feature_pages import parse_feature_id
from layers.api.rest import LayerFeatureViewSet
from layers.selectors.edit_features import edit_feature, feature_out
from layers.selectors.edit_schema import edit_schema
from layers.selectors.feature_history import feature_history
from layers.services.asset_photos import asset_photo_add
from layers.services.edit_errors import EditError, EditNotFound
from layers.services.editing import (
    EditResult,
    editable_layer,
    feature_create,
    feature_delete,
    feature_update,
)
from layers.services.feature_history import feature_revert


def feature_id_or_404(value: str) -> int:
    feature_id = parse_feature_id(str(value))
    if feature_id is None:
        raise EditNotFound("")
    return feature_id


def feature_response(result: EditResult, status: int = 200) -> JsonResponse:
    body = feature_out(result.layer, result.feature)
    body["notices"] = result.notices
    return JsonResponse(body, status=status)


class FeatureEditViewSet(EditErrors, LayerFeatureViewSet):
    """The REST features of a layer: reads as before (public where public), writes for
    editors within their wilayah."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def handle_exception(self, exc):
        if self.request.method in ("GET", "HEAD", "OPTIONS") and not isinstance(exc, EditError):
            return LayerFeatureViewSet.handle_exception(self, exc)
        return super().handle_exception(exc)

    @extend_schema(tags=TAGS, summary="Create a feature (idempotent by `uid`)",
                   operation_id="layer_features_create", parameters=[SLUG],
                   request={"application/json": ref("EditFeatureInput")},
                   responses={201: OpenApiResponse(ref("EditFeature"), description="Created"),
                              200: OpenApiResponse(ref("EditFeature"),
                                                   description="Already stored (same uid)"),
                              **error_responses(400, 403, 404, 409)})
    def create(self, request, slug: str):
        result = feature_create(slug=slug, data=request.data, by=request.user)
        return feature_response(result, status=201 if result.created else 200)

    @extend_schema(tags=TAGS, summary="Change a feature based on a version",
                   operation_id="layer_features_partial_update", parameters=[SLUG, FEATURE_ID],
                   request={"application/json": ref("EditFeatureInput")},
                   responses={200: OpenApiResponse(ref("EditFeature"), description="Saved"),
                              **error_responses(400, 403, 404, 409)})
    def partial_update(self, request, slug: str, id: str):
        result = feature_update(slug=slug, feature_id=feature_id_or_404(id), data=request.data,
                                by=request.user)
        return feature_response(result)

    @extend_schema(tags=TAGS, summary="Delete a feature based on a version",
                   operation_id="layer_features_destroy",
                   parameters=[SLUG, FEATURE_ID,
                               OpenApiParameter("version", int, required=True,
                                                description="The version the deletion is "
                                                            "based on.")],
                   responses={204: OpenApiResponse(description="Deleted"),
                              **error_responses(400, 403, 404, 409)})
    def destroy(self, request, slug: str, id: str):
        feature_delete(slug=slug, feature_id=feature_id_or_404(id),
                       version=request.query_params.get("version"), by=request.user)
        return HttpResponse(status=204)


class FeatureForEditView(EditErrors, APIView):
    @extend_schema(tags=TAGS, summary="One feature as the editor sees it (before a PATCH)",
                   operation_id="layer_feature_for_edit", parameters=[SLUG, FEATURE_ID],
                   responses={200: OpenApiResponse(ref("EditFeature")),
                              **error_responses(403, 404)})
    def get(self, request, slug: str, id: str):
        layer, _kind = editable_layer(slug=slug, user=request.user)
        feature = edit_feature(layer, feature_id_or_404(id))
        if feature is None:
            raise EditNotFound(_("No such feature."))
        return JsonResponse(feature_out(layer, feature))


class EditSchemaView(EditErrors, APIView):
    @extend_schema(tags=TAGS, summary="The form of a layer's features: geometry kind, fields, "
                   "asset categories", operation_id="layer_edit_schema", parameters=[SLUG],
                   responses={200: OpenApiResponse(OpenApiTypes.OBJECT),
                              **error_responses(403, 404)})
    def get(self, request, slug: str):
        layer, _kind = editable_layer(slug=slug, user=request.user)
        return JsonResponse(edit_schema(layer))


class FeatureHistoryView(EditErrors, APIView):
    @extend_schema(tags=TAGS, summary="A feature's history, newest first",
                   operation_id="layer_feature_history", parameters=[SLUG, FEATURE_ID],
                   responses={200: OpenApiResponse(OpenApiTypes.OBJECT),
                              **error_responses(403, 404)})
    def get(self, request, slug: str, id: str):
        layer, kind = editable_layer(slug=slug, user=request.user)
        entries = feature_history(kind=kind, layer=layer, feature_id=feature_id_or_404(id))
        return JsonResponse({"results": entries})


class FeatureRevertView(EditErrors, APIView):
    @extend_schema(tags=TAGS, summary="Revert a feature to a version of its history",
                   operation_id="layer_feature_revert", parameters=[SLUG, FEATURE_ID],
                   request={"application/json": {"type": "object", "required": [
                       "history_id", "version"], "properties": {
                       "history_id": {"type": "integer"}, "version": {"type": "integer"}}}},
                   responses={200: OpenApiResponse(ref("EditFeature")),
                              **error_responses(400, 403, 404, 409)})
    def post(self, request, slug: str, id: str):
        data = request.data if isinstance(request.data, dict) else {}
        result = feature_revert(slug=slug, feature_id=feature_id_or_404(id),
                                history_id=data.get("history_id"),
                                version=data.get("version"), by=request.user)
        return feature_response(result)


class FeaturePhotoView(EditErrors, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=TAGS, summary="Add a photo to an asset (idempotent by `uid`)",
                   operation_id="layer_feature_photo_create", parameters=[SLUG, FEATURE_ID],
                   request={"multipart/form-data": {"type": "object", "required": ["image"],
                            "properties": {
                                "image": {"type": "string", "format": "binary",
                                          "description": "JPEG, PNG or WebP, ≤ 10 MB"},
                                "caption": {"type": "string"},
                                "taken_at": {"type": "string", "format": "date-time"},
                                "uid": {"type": "string", "format": "uuid"}}}},
                   responses={201: OpenApiResponse(ref("AssetPhoto"), description="Stored"),
                              200: OpenApiResponse(ref("AssetPhoto"),
                                                   description="Already stored (same uid)"),
                              **error_responses(400, 403, 404, 409)})
    def post(self, request, slug: str, id: str):
        result = asset_photo_add(
            slug=slug, feature_id=feature_id_or_404(id), image=request.FILES.get("image"),
            caption=request.data.get("caption", ""), taken_at=request.data.get("taken_at"),
            uid=request.data.get("uid"), by=request.user)
        photo = result.photo
        body = {"id": photo.pk, "uid": str(photo.uid),
                "url": request.build_absolute_uri(photo.image.url),
                "thumbnail_url": request.build_absolute_uri(photo.thumbnail.url)
                if photo.thumbnail else None,
                "caption": photo.caption}
        return JsonResponse(body, status=201 if result.created else 200)
