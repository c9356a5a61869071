"""Pieces of the OpenAPI document (drf-spectacular) that views built on SQL-made JSON declare
by hand: GeoJSON and OGC API schemas, the shared query parameters, and a post-processing hook
that adds them as components."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from layers.api.edit_support import EDIT_SCHEMAS
from layers.api.feature_pages import DEFAULT_LIMIT, MAX_LIMIT


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


LINK = {
    "type": "object", "required": ["href"],
    "properties": {
        "href": {"type": "string", "format": "uri"}, "rel": {"type": "string"},
        "type": {"type": "string"}, "title": {"type": "string"},
        "templated": {"type": "boolean"},
    },
}
GEOMETRY = {
    "type": "object", "nullable": True, "required": ["type"],
    "description": "GeoJSON geometry, longitude/latitude (CRS84), 6 decimals.",
    "properties": {
        "type": {"type": "string", "enum": ["Point", "MultiPoint", "LineString",
                                             "MultiLineString", "Polygon", "MultiPolygon",
                                             "GeometryCollection"]},
        "coordinates": {"type": "array", "items": {}},
    },
}
FEATURE = {
    "type": "object", "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "integer"},
        "geometry": ref("Geometry"),
        "properties": {"type": "object", "additionalProperties": True,
                       "description": "What the viewer may see of the feature: the public "
                                      "never gets non-public fields or personal data."},
        "links": {"type": "array", "items": ref("Link")},
    },
}
FEATURE_COLLECTION = {
    "type": "object", "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": ref("Feature")},
        "links": {"type": "array", "items": ref("Link")},
        "numberMatched": {"type": "integer", "minimum": 0},
        "numberReturned": {"type": "integer", "minimum": 0},
        "timeStamp": {"type": "string", "format": "date-time"},
    },
}
EXCEPTION = {
    "type": "object", "required": ["code"],
    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
}
LANDING_PAGE = {
    "type": "object", "required": ["links"],
    "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                   "links": {"type": "array", "items": ref("Link")}},
}
CONFORMANCE = {
    "type": "object", "required": ["conformsTo"],
    "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
}
COLLECTION = {
    "type": "object", "required": ["id", "links"],
    "properties": {
        "id": {"type": "string", "description": "The layer's slug: its one name on every path."},
        "title": {"type": "string"}, "description": {"type": "string"},
        "itemType": {"type": "string"},
        "crs": {"type": "array", "items": {"type": "string"}},
        "extent": {"type": "object", "properties": {"spatial": {"type": "object", "properties": {
            "bbox": {"type": "array", "items": {"type": "array", "items": {"type": "number"},
                                                 "minItems": 4, "maxItems": 6}},
            "crs": {"type": "string"}}}}},
        "links": {"type": "array", "items": ref("Link")},
    },
}
COLLECTIONS = {
    "type": "object", "required": ["links", "collections"],
    "properties": {"links": {"type": "array", "items": ref("Link")},
                   "collections": {"type": "array", "items": ref("Collection")}},
}
SCHEMAS = {
    "Link": LINK, "Geometry": GEOMETRY, "Feature": FEATURE,
    "FeatureCollection": FEATURE_COLLECTION, "Exception": EXCEPTION,
    "LandingPage": LANDING_PAGE, "ConfClasses": CONFORMANCE, "Collection": COLLECTION,
    "Collections": COLLECTIONS,
}

# OGC API Features' `limit` (as its own OpenAPI fragment names it): QGIS reads the page size
# it may ask for from components/parameters/limit.
LIMIT_COMPONENT = {
    "name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
    "description": f"How many features a page holds: default {DEFAULT_LIMIT}; a larger value "
                   f"than {MAX_LIMIT} is served as {MAX_LIMIT}.",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
}


def responses(ok: dict, media_type: str = "application/json", *, not_found: bool = True,
              bad_request: bool = False) -> dict:
    """An extend_schema `responses` mapping: the document, and the errors as
    {"code", "description"}."""
    out = {(200, media_type): OpenApiResponse(ok, description="OK")}
    if bad_request:
        out[(400, "application/json")] = OpenApiResponse(ref("Exception"),
                                                         description="Bad request")
    if not_found:
        out[(404, "application/json")] = OpenApiResponse(ref("Exception"),
                                                         description="Not found")
    return out


F_PARAM = OpenApiParameter(
    "f", OpenApiTypes.STR, enum=["json", "html"], required=False,
    description="The format; without it the Accept header decides (JSON by default).")
BBOX_PARAM = OpenApiParameter(
    "bbox", OpenApiTypes.STR, required=False, style="form", explode=False,
    description="west,south,east,north in degrees (CRS84); features whose bounding box "
                "intersects it.")
LIMIT_PARAM = OpenApiParameter(
    "limit", OpenApiTypes.INT, required=False, style="form", explode=False,
    description=LIMIT_COMPONENT["description"])
OFFSET_PARAM = OpenApiParameter(
    "offset", OpenApiTypes.INT, required=False, style="form", explode=False,
    description="How many features to skip (the `next` link carries it).")
FILTER_PARAMS = [
    OpenApiParameter(name, OpenApiTypes.STR, required=False, style="form", explode=False,
                     description=text)
    for name, text in (
        ("category", "Assets, complaints: category slugs, comma-separated."),
        ("condition", "Assets: baik, rusak_ringan, rusak_sedang, rusak_berat (comma-separated)."),
        ("area", "Assets, complaints: a wilayah code; features in it and below it."),
        ("status", "Complaints: baru, diverifikasi, diproses, selesai (comma-separated)."),
        ("level", "Wilayah: 1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan."),
        ("parent", "Wilayah: units below this code."),
        ("class", "Land use: class codes, comma-separated."),
        ("classification", "Land use: classification slugs, comma-separated."),
    )
]
PAGE_PARAMS = [BBOX_PARAM, LIMIT_PARAM, OFFSET_PARAM, *FILTER_PARAMS]


def add_components(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: the hand-written schemas above as components, and
    `limit` as a shared parameter the OGC items operation refers to."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update(SCHEMAS)
    components["schemas"].update(EDIT_SCHEMAS)
    components.setdefault("parameters", {})["limit"] = LIMIT_COMPONENT
    for path, item in result.get("paths", {}).items():
        if path.startswith("/ogc/") and path.endswith("/items"):
            get = item.get("get", {})
            get["parameters"] = [{"$ref": "#/components/parameters/limit"}
                                 if p.get("name") == "limit" and p.get("in") == "query" else p
                                 for p in get.get("parameters", [])]
    return result
