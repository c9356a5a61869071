"""REST API v1 (Django REST framework): the layer catalogue and each layer's features.

The reads here; feature writes (docs/editing-api.md) in layers.api.edit, which extends
LayerFeatureViewSet. Features are the SQL-built GeoJSON of layers.selectors.features (the same
as the map's and the OGC API's), so visibility is decided in one place."""

from __future__ import annotations

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from layers.api import openapi
from layers.api.feature_pages import (
    GEOJSON,
    count_matched,
    feature_text,
    now_stamp,
    paging_links,
    parse_feature_id,
    parse_page,
    stream_page,
    with_members,
)
from layers.api.ogc import ErrorsAsOgcExceptions
from layers.api.serializers import LayerSerializer
from layers.selectors.catalogue import layers_visible_to
from layers.selectors.features import feature_source

TAGS = ["REST API"]
SLUG_PARAM = OpenApiParameter("slug", str, OpenApiParameter.PATH,
                              description="The layer's slug (its one name on every path).")


class ErrorCodes(ErrorsAsOgcExceptions):
    """Errors as {"code", "description"}, as in the map's GeoJSON endpoint and the OGC API."""

    def not_found_message(self) -> str:
        return _("Not found.")


@extend_schema_view(
    list=extend_schema(tags=TAGS, summary="The layers the caller may see"),
    retrieve=extend_schema(tags=TAGS, summary="One layer: its schema and its URLs"),
)
class LayerViewSet(ErrorCodes, viewsets.ReadOnlyModelViewSet):
    """The layer catalogue: the public sees public layers; staff see all."""

    serializer_class = LayerSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return layers_visible_to(user=self.request.user)


class LayerFeatureViewSet(ErrorCodes, viewsets.ViewSet):
    """A layer's features as GeoJSON, a page at a time (limit/offset), in a bbox and with the
    layer's filters."""

    @extend_schema(tags=TAGS, summary="Features of a layer (GeoJSON FeatureCollection)",
                   operation_id="layer_features_list",
                   parameters=[SLUG_PARAM, *openapi.PAGE_PARAMS],
                   responses=openapi.responses(openapi.ref("FeatureCollection"), GEOJSON,
                                               bad_request=True))
    def list(self, request, slug: str):
        source = feature_source(slug=slug, user=request.user)
        page = parse_page(request, source)
        matched = count_matched(source, page)
        members = {"numberMatched": matched, "timeStamp": now_stamp(),
                   "links": paging_links(request, page, matched)}
        response = StreamingHttpResponse(stream_page(source, page, members),
                                         content_type=GEOJSON)
        response["Vary"] = "Cookie"
        return response

    @extend_schema(tags=TAGS, summary="One feature (GeoJSON Feature)",
                   operation_id="layer_features_retrieve",
                   parameters=[SLUG_PARAM,
                               OpenApiParameter("id", int, OpenApiParameter.PATH,
                                                description="The feature's id.")],
                   responses=openapi.responses(openapi.ref("Feature"), GEOJSON))
    def retrieve(self, request, slug: str, id: str):
        source = feature_source(slug=slug, user=request.user)
        feature_id = parse_feature_id(id)
        text = feature_text(source, feature_id) if feature_id is not None else None
        if text is None:
            raise Http404(id)
        self_url = request.build_absolute_uri(request.path)
        response = HttpResponse(
            with_members(text, {"links": [{"href": self_url, "rel": "self", "type": GEOJSON}]}),
            content_type=GEOJSON)
        response["Vary"] = "Cookie"
        return response
