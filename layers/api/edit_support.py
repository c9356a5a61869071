"""What every editing API view shares: errors as {"code", "description", "errors"} with the
status of their kind (docs/editing-api.md), and the OpenAPI pieces describing them."""

from __future__ import annotations

from typing import Any

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    NotAuthenticated,
    ParseError,
    PermissionDenied,
    UnsupportedMediaType,
)
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated

from layers.selectors.edit_features import feature_out
from layers.services.edit_errors import EditConflict, EditError

TAGS = ["Editing"]
SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH,
                        description="The layer's slug (its one name on every path).")
FEATURE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH,
                              description="The feature's id.")


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def error_responses(*statuses: int) -> dict:
    names = {400: ("EditError", "Invalid: errors per field"),
             403: ("EditError", "Forbidden (e.g. outside your wilayah); nothing changed"),
             404: ("EditError", "Not found"),
             409: ("EditConflict", "Based on an old version; nothing changed")}
    return {(s, "application/json"): OpenApiResponse(ref(names[s][0]),
                                                     description=names[s][1])
            for s in statuses}


def error_body(code: str, description: str, **extra: Any) -> dict:
    return {"code": code, "description": description, **extra}


class EditErrors:
    """Mixin for the editing API views: JSON errors, session login required (the CSRF header
    is checked by DRF's session authentication)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception):
        if isinstance(exc, EditError):
            body = error_body(exc.code, exc.description)
            if exc.errors:
                body["errors"] = exc.errors
            if isinstance(exc, EditConflict):
                if exc.current is not None:
                    body["current"] = feature_out(exc.layer, exc.current)
                body["yours"] = self.request.data if self._has_body() else None
            return JsonResponse(body, status=exc.status)
        if isinstance(exc, Http404):
            return JsonResponse(error_body("not_found", _("Not found.")), status=404)
        if isinstance(exc, NotAuthenticated | AuthenticationFailed | PermissionDenied):
            return JsonResponse(error_body("forbidden", _(
                "Log in with an account that may edit the map.")
                if isinstance(exc, NotAuthenticated) else str(exc.detail)), status=403)
        if isinstance(exc, ParseError | UnsupportedMediaType):
            return JsonResponse(error_body("invalid", _("The request body is not valid "
                                                        "JSON.")), status=400)
        if isinstance(exc, APIException):
            return JsonResponse(error_body(exc.default_code, str(exc.detail)),
                                status=exc.status_code)
        return super().handle_exception(exc)

    def _has_body(self) -> bool:
        try:
            return bool(self.request.data)
        except APIException:
            return False


EDIT_SCHEMAS = {
    "EditError": {
        "type": "object", "required": ["code", "description"],
        "properties": {
            "code": {"type": "string", "enum": ["invalid", "forbidden", "not_found",
                                                "conflict"]},
            "description": {"type": "string"},
            "errors": {"type": "object", "description": "Field (or `geometry`, or "
                       "`attributes.<name>`) → translated messages.",
                       "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    },
    "EditConflict": {
        "type": "object", "required": ["code", "description", "current"],
        "properties": {
            "code": {"type": "string", "enum": ["conflict"]},
            "description": {"type": "string"},
            "current": ref("EditFeature"), "yours": {"type": "object"},
        },
    },
    "EditFeature": {
        "type": "object", "required": ["type", "id", "geometry", "properties"],
        "description": "A feature as the editor sees it (docs/editing-api.md).",
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": ref("Geometry"),
            "properties": {"type": "object", "additionalProperties": True, "properties": {
                "uid": {"type": "string", "format": "uuid"},
                "version": {"type": "integer"},
                "is_verified": {"type": "boolean"}, "is_public": {"type": "boolean"},
                "review_note": {"type": "string"},
                "area_code": {"type": "string", "nullable": True},
                "area_name": {"type": "string", "nullable": True},
                "area_ha": {"type": "number", "nullable": True},
                "length_m": {"type": "number", "nullable": True}}},
            "notices": {"type": "array", "items": {"type": "string"},
                        "description": "What was repaired in the geometry."},
        },
    },
    "AssetPhoto": {
        "type": "object", "required": ["id", "uid", "url"],
        "properties": {"id": {"type": "integer"}, "uid": {"type": "string", "format": "uuid"},
                       "url": {"type": "string", "format": "uri"},
                       "thumbnail_url": {"type": "string", "format": "uri", "nullable": True},
                       "caption": {"type": "string"}},
    },
    "EditFeatureInput": {
        "type": "object", "required": ["type"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "geometry": ref("Geometry"),
            "properties": {"type": "object", "additionalProperties": True},
            "uid": {"type": "string", "format": "uuid",
                    "description": "POST: client-generated; the same uid twice is stored "
                                   "once."},
            "version": {"type": "integer",
                        "description": "PATCH: the version the edit is based on."},
        },
    },
}
