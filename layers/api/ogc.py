"""OGC API – Features, Part 1 Core (OGC 17-069r4), under /ogc/: what QGIS and GDAL read.

A collection is a layer, its id the layer's slug; its items are the same SQL-built GeoJSON as
the map's (layers.selectors.features), so the viewer's visibility applies here too. JSON by
default, HTML with `f=html` or a browser's Accept header."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import APIException, AuthenticationFailed, NotAuthenticated
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from layers.api import openapi
from layers.api.feature_pages import (
    CRS84,
    GEOJSON,
    count_matched,
    feature_text,
    now_stamp,
    page_features,
    page_url,
    paging_links,
    parse_feature_id,
    parse_page,
    stream_page,
    with_members,
)
from layers.api.geodata import BadRequest
from layers.models import LayerKind
from layers.selectors.catalogue import layers_visible_to
from layers.selectors.extents import source_extent
from layers.selectors.features import FeatureSource, feature_source

JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
]
TAGS = ["OGC API – Features"]


def wants_html(request: HttpRequest) -> bool:
    """`f=html|json` decides; otherwise the Accept header (by q), JSON when undecided, so GDAL
    and QGIS (which ask for JSON) get JSON and a browser gets HTML."""
    fmt = (request.GET.get("f") or "").strip().lower()
    if fmt:
        if fmt in ("json", "geojson", JSON, GEOJSON):
            return False
        if fmt in ("html", HTML):
            return True
        raise BadRequest(_("Unknown format f=%(f)s: use json or html.") % {"f": fmt})
    best = {"html": 0.0, "json": 0.0}
    for part in request.headers.get("Accept", "").split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media in (HTML, "application/xhtml+xml", "text/*"):
            best["html"] = max(best["html"], q)
        elif media.endswith("json") or media in ("*/*", "application/*"):
            best["json"] = max(best["json"], q)
    return best["html"] > best["json"]


def display_feature(feature: dict) -> dict:
    """A feature for an HTML table: nested values as JSON text (escaped by the template)."""
    props = feature.get("properties") or {}
    return {"id": feature.get("id"), "geometry_type": (feature.get("geometry") or {}).get("type"),
            "properties": [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list)
                            else v) for k, v in props.items()]}


class FirstRenderer(BaseContentNegotiation):
    """These views negotiate themselves (f and Accept, above): never refuse with 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def error_response(request: HttpRequest, status: int, code: str, description: str
                   ) -> HttpResponse:
    """An OGC API exception: {"code", "description"}, as HTML when HTML was asked for."""
    body = {"code": code, "description": description}
    try:
        html = wants_html(request)
    except BadRequest:
        html = False
    if html:
        return render(request, "ogc/error.html", {"error": body}, status=status)
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=JSON)


class ErrorsAsOgcExceptions:
    """Errors of an API view as {"code", "description"} with their status: 400 for a bad
    parameter, 404 for an unknown (or hidden) layer or feature — the shape of the map's
    GeoJSON endpoint and of OGC API exceptions."""

    def not_found_message(self) -> str:
        return _("No such collection or feature.")

    def handle_exception(self, exc: Exception) -> HttpResponse:
        request = self.request._request
        if isinstance(exc, BadRequest):
            return error_response(request, 400, "bad_request", str(exc))
        if isinstance(exc, Http404):
            return error_response(request, 404, "not_found", self.not_found_message())
        if isinstance(exc, APIException):
            header = None
            if isinstance(exc, NotAuthenticated | AuthenticationFailed):
                # As DRF does: 401 with a challenge when an authenticator offers one, else 403.
                header = self.get_authenticate_header(self.request)
                exc.status_code = 401 if header else 403
            response = error_response(request, exc.status_code, exc.default_code,
                                      str(exc.detail))
            if header:
                response["WWW-Authenticate"] = header
            return response
        return super().handle_exception(exc)


class OgcView(ErrorsAsOgcExceptions, APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRenderer
    http_method_names = ["get", "head", "options"]


def url(request: HttpRequest, name: str, *args: object, f: str | None = None) -> str:
    href = request.build_absolute_uri(reverse(name, args=args))
    return f"{href}?f={f}" if f else href


def respond(request, data: dict, template: str, html: bool, context: dict | None = None,
            media_type: str = JSON) -> HttpResponse:
    if html:
        response = render(request._request, template, {"data": data, **(context or {})})
    else:
        response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type=media_type)
    response["Vary"] = "Accept, Cookie"
    return response


def self_links(request, name: str, *args: object, html: bool,
               media_type: str = JSON) -> list[dict]:
    """self in the format served, alternate in the other."""
    as_json = {"href": url(request, name, *args, f="json"), "type": media_type,
               "title": _("This document as JSON")}
    as_html = {"href": url(request, name, *args, f="html"), "type": HTML,
               "title": _("This document as HTML")}
    first, second = (as_html, as_json) if html else (as_json, as_html)
    return [{**first, "rel": "self"}, {**second, "rel": "alternate"}]


def collection_entry(request, source: FeatureSource) -> dict:
    """A collection as the OGC API describes it: id (the slug), extent, and links to its items
    and to the same layer on every other path (tiles, TileJSON, GeoJSON, REST)."""
    layer, slug = source.layer, source.slug
    tilejson = url(request, "layers:tilejson", slug)
    tiles = url(request, "layers:tile", slug, 0, 0, 0).removesuffix("/0/0/0.pbf")
    entry = {
        "id": slug, "title": layer.name, "description": layer.description,
        "itemType": "feature", "crs": [CRS84],
        "links": [
            {"href": url(request, "ogc:collection", slug, f="json"), "rel": "self",
             "type": JSON, "title": layer.name},
            {"href": url(request, "ogc:collection", slug, f="html"), "rel": "alternate",
             "type": HTML, "title": layer.name},
            # No query string: GDAL appends "/<id>" to this href to fetch one feature.
            {"href": url(request, "ogc:items", slug), "rel": "items",
             "type": GEOJSON, "title": _("Features as GeoJSON")},
            {"href": url(request, "ogc:items", slug, f="html"), "rel": "items",
             "type": HTML, "title": _("Features as HTML")},
            {"href": tilejson, "rel": "related", "type": JSON, "title": "TileJSON"},
            {"href": tiles + "/{z}/{x}/{y}.pbf", "rel": "related", "templated": True,
             "type": "application/vnd.mapbox-vector-tile", "title": _("Vector tiles")},
            {"href": url(request, "layers:geojson", slug), "rel": "related",
             "type": GEOJSON, "title": _("GeoJSON for a map (bbox)")},
            {"href": url(request, "api:layer-detail", slug), "rel": "related",
             "type": JSON, "title": "REST API"},
        ],
    }
    extent = source_extent(source)
    if extent:
        entry["extent"] = {"spatial": {"bbox": [extent], "crs": CRS84}}
    return entry


class LandingPage(OgcView):
    """The landing page: links to the API definition, the conformance declaration and the
    collections."""

    @extend_schema(tags=TAGS, summary="Landing page", operation_id="getLandingPage",
                   parameters=[openapi.F_PARAM],
                   responses=openapi.responses(openapi.ref("LandingPage"), not_found=False,
                                               bad_request=True))
    def get(self, request):
        html = wants_html(request)
        data = {
            "title": _("SIG: regional geographic information"),
            "description": _("The region's map layers as OGC API – Features: boundaries, "
                             "assets, land use, complaints and thematic layers."),
            "links": [
                *self_links(request, "ogc:landing", html=html),
                {"href": url(request, "ogc:openapi"), "rel": "service-desc", "type": OPENAPI,
                 "title": _("The API definition (OpenAPI 3.0)")},
                {"href": url(request, "api:docs"), "rel": "service-doc", "type": HTML,
                 "title": _("The API documentation")},
                {"href": url(request, "ogc:conformance", f="json"), "rel": "conformance",
                 "type": JSON, "title": _("Conformance classes")},
                {"href": url(request, "ogc:collections", f="json"), "rel": "data",
                 "type": JSON, "title": _("Collections")},
            ],
        }
        return respond(request, data, "ogc/landing.html", html)


class Conformance(OgcView):
    """The conformance classes this API implements: Core, OpenAPI 3.0, GeoJSON and HTML."""

    @extend_schema(tags=TAGS, summary="Conformance classes",
                   operation_id="getConformanceDeclaration", parameters=[openapi.F_PARAM],
                   responses=openapi.responses(openapi.ref("ConfClasses"), not_found=False,
                                               bad_request=True))
    def get(self, request):
        html = wants_html(request)
        data = {"conformsTo": CONFORMANCE,
                "links": self_links(request, "ogc:conformance", html=html)}
        return respond(request, data, "ogc/conformance.html", html)


class Collections(OgcView):
    """The collections: one per layer the caller may see, its id the layer's slug."""

    @extend_schema(tags=TAGS, summary="Collections: the layers the caller may see",
                   operation_id="getCollections",
                   parameters=[openapi.F_PARAM],
                   responses=openapi.responses(openapi.ref("Collections"), not_found=False,
                                               bad_request=True))
    def get(self, request):
        html = wants_html(request)
        # Raster layers have no features, so they are no feature collection.
        entries = [collection_entry(request, feature_source(slug=layer.slug, user=request.user))
                   for layer in layers_visible_to(user=request.user)
                   .exclude(kind=LayerKind.RASTER)]
        data = {"links": self_links(request, "ogc:collections", html=html),
                "collections": entries}
        return respond(request, data, "ogc/collections.html", html)


class Collection(OgcView):
    """One collection: its extent (of what the caller may see) and its links: items, TileJSON,
    vector tiles, the map's GeoJSON and the REST API, all named by the same slug."""

    @extend_schema(tags=TAGS, summary="One collection (layer)",
                   operation_id="describeCollection", parameters=[openapi.F_PARAM],
                   responses=openapi.responses(openapi.ref("Collection"), bad_request=True))
    def get(self, request, collectionId: str):
        html = wants_html(request)
        source = feature_source(slug=collectionId, user=request.user)
        data = collection_entry(request, source)
        return respond(request, data, "ogc/collection.html", html)


class Items(OgcView):
    """The collection's features the caller may see, a page at a time: `next` and `prev`
    links by offset, numberMatched and numberReturned."""

    @extend_schema(tags=TAGS, summary="Features of a collection, a page at a time",
                   operation_id="getFeatures",
                   parameters=[openapi.F_PARAM, *openapi.PAGE_PARAMS],
                   responses=openapi.responses(openapi.ref("FeatureCollection"), GEOJSON,
                                               bad_request=True))
    def get(self, request, collectionId: str):
        html = wants_html(request)
        source = feature_source(slug=collectionId, user=request.user)
        page = parse_page(request, source, strict=True, extra=("f",))
        matched = count_matched(source, page)
        fmt, other = ("html", "json") if html else ("json", "html")
        links = paging_links(request, page, matched, media_type=HTML if html else GEOJSON,
                             extra={"f": fmt})
        links += [
            {"href": page_url(request, f=other), "rel": "alternate",
             "type": GEOJSON if html else HTML, "title": _("This page as %(f)s")
             % {"f": other.upper()}},
            {"href": url(request, "ogc:collection", source.slug, f="json"),
             "rel": "collection", "type": JSON, "title": source.layer.name},
        ]
        if html:
            features = [display_feature(f) for f in page_features(source, page)]
            return respond(request, {"links": links}, "ogc/items.html", True, {
                "layer": source.layer, "features": features, "matched": matched,
                "page": page, "first": page.offset + 1 if features else 0,
                "last": page.offset + len(features),
                "next": next((x["href"] for x in links if x["rel"] == "next"), None),
                "prev": next((x["href"] for x in links if x["rel"] == "prev"), None),
            })
        members = {"numberMatched": matched, "timeStamp": now_stamp(),
                   "links": links}
        response = StreamingHttpResponse(stream_page(source, page, members),
                                         content_type=GEOJSON)
        response["Vary"] = "Accept, Cookie"
        return response


class Item(OgcView):
    """One feature by its id; 404 when it does not exist or the caller may not see it."""

    @extend_schema(tags=TAGS, summary="One feature", operation_id="getFeature",
                   parameters=[openapi.F_PARAM],
                   responses=openapi.responses(openapi.ref("Feature"), GEOJSON,
                                               bad_request=True))
    def get(self, request, collectionId: str, featureId: str):
        html = wants_html(request)
        source = feature_source(slug=collectionId, user=request.user)
        feature_id = parse_feature_id(featureId)
        text = feature_text(source, feature_id) if feature_id is not None else None
        if text is None:
            raise Http404(featureId)
        links = [
            *self_links(request, "ogc:item", source.slug, feature_id, html=html,
                        media_type=GEOJSON),
            {"href": url(request, "ogc:collection", source.slug, f="json"),
             "rel": "collection", "type": JSON, "title": source.layer.name},
        ]
        if html:
            return respond(request, {"links": links}, "ogc/item.html", True,
                           {"layer": source.layer, "feature": display_feature(json.loads(text))})
        response = HttpResponse(with_members(text, {"links": links}), content_type=GEOJSON)
        response["Vary"] = "Accept, Cookie"
        return response


class OpenApiRenderer(JSONRenderer):
    """The media type OGC API Features' oas30 class names (GDAL checks it)."""

    media_type = OPENAPI
    format = "openapi"


class OpenApiDocument(SpectacularAPIView):
    """The API definition (service-desc): drf-spectacular's document of the whole API — the
    OGC API and the REST API — as JSON."""

    renderer_classes = [OpenApiRenderer]
    content_negotiation_class = FirstRenderer
    schema = None  # the document does not describe itself
