"""Pages of features for the OGC API and the REST API: one FeatureCollection shape, built on
the same SQL as the map's GeoJSON and the vector tiles (layers.selectors.features), so the
per-viewer rules (which rows, which properties) apply here without being restated."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext as _

from layers.api.geodata import BadRequest, parse_bbox, parse_int, request_filters
from layers.selectors.features import FILTERS, FeatureSource, count_query, features_query

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
# The largest id PostgreSQL's bigint holds: a larger "id" in a URL is simply not a feature.
MAX_ID = 2**63 - 1
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"


@dataclass
class PageRequest:
    """What one page of features asks for: a bbox (EPSG:4326 / CRS84 degrees, west, south,
    east, north), a page (limit, offset) and the layer's own filters."""

    bbox: tuple[float, float, float, float] | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    filters: dict[str, str] = field(default_factory=dict)


def parse_page(request: HttpRequest, source: FeatureSource, *, strict: bool = False,
               extra: tuple[str, ...] = ()) -> PageRequest:
    """Read bbox, limit, offset and the layer's filters from the query string.

    A limit above MAX_LIMIT is served as MAX_LIMIT (OGC API Features: a too large limit is
    not an error). `strict` refuses query parameters this collection does not know (OGC API
    Features /req/core/query-param-unknown); `extra` names more allowed ones (e.g. `f`)."""
    params = request.GET
    if strict:
        allowed = {"bbox", "limit", "offset", *FILTERS[source.layer.kind], *extra}
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise BadRequest(_("Unknown query parameter: %(names)s. Allowed: %(allowed)s.")
                             % {"names": ", ".join(unknown),
                                "allowed": ", ".join(sorted(allowed))})
    bbox_text = params.get("bbox")
    if bbox_text and bbox_text.count(",") == 5:
        # A 3D bbox (minx,miny,minz,maxx,maxy,maxz): our geometries are 2D.
        parts = bbox_text.split(",")
        bbox_text = ",".join([parts[0], parts[1], parts[3], parts[4]])
    limit = parse_int(params.get("limit"), "limit", 1, 2**31 - 1)
    return PageRequest(
        bbox=parse_bbox(bbox_text),
        limit=min(limit or DEFAULT_LIMIT, MAX_LIMIT),
        offset=parse_int(params.get("offset"), "offset", 0, 2**31 - 1) or 0,
        filters=request_filters(request, source),
    )


def parse_feature_id(value: str) -> int | None:
    """A feature id from a URL; None when it cannot be one of ours (then: 404)."""
    if not value.isdigit() or int(value) > MAX_ID:
        return None
    return int(value)


def count_matched(source: FeatureSource, page: PageRequest) -> int:
    sql, params = count_query(source, bbox=page.bbox, filters=page.filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def feature_text(source: FeatureSource, feature_id: int) -> str | None:
    """One feature as GeoJSON text, or None when the viewer may not see it or it is absent."""
    sql, params = features_query(source, bbox=None, feature_id=feature_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def with_members(obj_text: str, members: dict) -> str:
    """Add members to a JSON object given as text (PostgreSQL's row_to_json output), keeping
    the SQL-built rest byte for byte."""
    extra = json.dumps(members, separators=(",", ":"), ensure_ascii=False)[1:-1]
    return obj_text[:-1] + "," + extra + "}" if extra else obj_text


def now_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def page_url(request: HttpRequest, **changes: object) -> str:
    """This request's absolute URL with some query parameters changed (None removes one)."""
    query = {k: v for k, v in request.GET.items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    path = request.build_absolute_uri(request.path)
    return f"{path}?{urlencode(query)}" if query else path


def paging_links(request: HttpRequest, page: PageRequest, matched: int, *,
                 media_type: str = GEOJSON, extra: dict | None = None) -> list[dict]:
    """self, and next / prev by offset when there are more or earlier features."""
    extra = extra or {}
    # The limit served (a too large one is served as MAX_LIMIT), in every link.
    served = {"limit": page.limit} if "limit" in request.GET else {}
    links = [{"href": page_url(request, **served, **extra), "rel": "self", "type": media_type,
              "title": _("This page")}]
    if page.offset + page.limit < matched:
        links.append({"href": page_url(request, offset=page.offset + page.limit,
                                       limit=page.limit, **extra),
                      "rel": "next", "type": media_type, "title": _("Next page")})
    if page.offset > 0:
        links.append({"href": page_url(request, offset=max(0, page.offset - page.limit) or None,
                                       limit=page.limit, **extra),
                      "rel": "prev", "type": media_type, "title": _("Previous page")})
    return links


def stream_page(source: FeatureSource, page: PageRequest, members: dict) -> Iterator[str]:
    """A FeatureCollection streamed as PostgreSQL writes its features (server-side cursor);
    `members` (links, numberMatched, timeStamp…) come first, numberReturned last, counted."""
    sql, params = features_query(source, bbox=page.bbox, limit=page.limit,
                                 offset=page.offset, filters=page.filters)
    head = json.dumps({"type": "FeatureCollection", **members}, separators=(",", ":"),
                      ensure_ascii=False)
    yield head[:-1] + ',"features":['
    count = 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            yield ("," if count else "") + ",".join(r[0] for r in rows)
            count += len(rows)
    yield f'],"numberReturned":{count}}}'


def page_features(source: FeatureSource, page: PageRequest) -> list[dict]:
    """The page's features as dicts, for HTML pages (bounded by the page's limit)."""
    sql, params = features_query(source, bbox=page.bbox, limit=page.limit,
                                 offset=page.offset, filters=page.filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [json.loads(r[0]) for r in cursor.fetchall()]
