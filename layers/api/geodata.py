"""GeoJSON for a bounding box and vector tiles: thin views over selectors.features."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from layers import permissions
from layers.api.points_binary import CONTENT_TYPE as POINTS_TYPE
from layers.api.points_binary import encode_points
from layers.selectors.features import (
    FILTERS,
    FeatureSource,
    feature_source,
    features_query,
    points_binary_query,
    points_query,
    tile_query,
)

MVT_TYPE = "application/vnd.mapbox-vector-tile"


class BadRequest(ValueError):
    """A query parameter the client got wrong; answered as 400 with a translated message."""


def bad_request(message: str) -> JsonResponse:
    return JsonResponse({"code": "bad_request", "description": message}, status=400)


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """`west,south,east,north` in EPSG:4326 degrees."""
    if not value:
        return None
    try:
        w, s, e, n = (float(v) for v in value.split(","))
    except ValueError as exc:
        raise BadRequest(_("bbox must be four numbers: west,south,east,north.")) from exc
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise BadRequest(_("bbox must lie within -180,-90,180,90 with west ≤ east and "
                           "south ≤ north."))
    return w, s, e, n


def parse_int(value: str | None, name: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise BadRequest(_("%(name)s must be a whole number.") % {"name": name}) from exc
    if not low <= number <= high:
        raise BadRequest(_("%(name)s must be between %(low)d and %(high)d.")
                         % {"name": name, "low": low, "high": high})
    return number


def request_filters(request: HttpRequest, source: FeatureSource) -> dict[str, str]:
    return {k: request.GET[k] for k in FILTERS[source.layer.kind] if request.GET.get(k)}


def cache_headers(response: HttpResponse, request: HttpRequest, etag: str) -> HttpResponse:
    response["ETag"] = etag
    public = not permissions.is_staff(request.user)
    response["Cache-Control"] = (f"public, max-age={settings.SIG_TILE_MAX_AGE}" if public
                                 else "private, max-age=0, must-revalidate")
    response["Vary"] = "Cookie, Accept-Language"
    return response


def version_etag(request: HttpRequest, source: FeatureSource, *parts: object) -> str:
    """Changes whenever the layer's data (data_version) or its definition changes, and
    differs between the public and staff views of the same layer."""
    layer = source.layer
    viewer = "staff" if permissions.is_staff(request.user) else "public"
    raw = "|".join(str(p) for p in (layer.slug, layer.data_version,
                                      layer.updated_at.timestamp(), viewer, *parts))
    return '"' + hashlib.sha1(raw.encode()).hexdigest()[:20] + '"'


def _stream(sql: str, params: dict, limit: int) -> Iterator[str]:
    """Stream the FeatureCollection as PostgreSQL builds it (server-side cursor)."""
    yield '{"type":"FeatureCollection","features":['
    count = 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            take = rows[: max(0, limit - count)]
            if take:
                yield ("," if count else "") + ",".join(r[0] for r in take)
            count += len(rows)
    truncated = count > limit
    yield f'],"numberReturned":{min(count, limit)},"truncated":{"true" if truncated else "false"}}}'


@require_GET
def layer_geojson(request: HttpRequest, slug: str) -> HttpResponse:
    """Features of a layer in a bbox, as the viewer may see them. More than the limit sets
    `"truncated": true` (the map then asks the user to zoom in)."""
    source = feature_source(slug=slug, user=request.user)
    cap = settings.SIG_GEOJSON_MAX_FEATURES
    try:
        bbox = parse_bbox(request.GET.get("bbox"))
        zoom = parse_int(request.GET.get("zoom"), "zoom", 0, 24)
        limit = parse_int(request.GET.get("limit"), "limit", 1, cap) or cap
    except BadRequest as exc:
        return bad_request(str(exc))
    filters = request_filters(request, source)
    etag = version_etag(request, source, "geojson", request.GET.urlencode())
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    sql, params = features_query(source, bbox=bbox, zoom=zoom, limit=limit + 1,
                                 filters=filters)
    response = StreamingHttpResponse(_stream(sql, params, limit),
                                     content_type="application/geo+json")
    return cache_headers(response, request, etag)


@require_GET
def layer_tile(request: HttpRequest, slug: str, z: int, x: int, y: int) -> HttpResponse:
    source = feature_source(slug=slug, user=request.user)
    if z > 22 or x >= 2 ** z or y >= 2 ** z:
        return bad_request(_("No such tile: z must be at most 22 and x, y below 2^z."))
    filters = request_filters(request, source)
    etag = version_etag(request, source, "mvt", z, x, y, sorted(filters.items()))
    if request.headers.get("If-None-Match") == etag:
        return cache_headers(HttpResponseNotModified(), request, etag)
    sql, params = tile_query(source, z=z, x=x, y=y, filters=filters,
                             max_features=settings.SIG_TILE_MAX_FEATURES)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = bytes(cursor.fetchone()[0] or b"")
    return cache_headers(HttpResponse(data, content_type=MVT_TYPE), request, etag)


@require_GET
def layer_points(request: HttpRequest, slug: str) -> HttpResponse:
    """Point features as columns: `{"ids": [...], "x": [...], "y": [...], "properties":
    {name: [...]}, "truncated": bool}`, or with `f=bin` the same as typed arrays
    (layers/api/points_binary.py), which the map draws 100,000 points from. A feature's full
    properties come from its GeoJSON item when it is clicked."""
    source = feature_source(slug=slug, user=request.user)
    cap = settings.SIG_GEOJSON_MAX_FEATURES
    try:
        bbox = parse_bbox(request.GET.get("bbox"))
        limit = parse_int(request.GET.get("limit"), "limit", 1, cap) or cap
    except BadRequest as exc:
        return bad_request(str(exc))
    wanted = [p for p in (request.GET.get("properties") or "").split(",") if p]
    filters = request_filters(request, source)
    etag = version_etag(request, source, "points", request.GET.urlencode())
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    if request.GET.get("f") == "bin":
        return cache_headers(_points_binary(request, source, bbox=bbox, limit=limit,
                                            wanted=wanted, filters=filters, etag=etag),
                             request, etag)
    sql, params = points_query(source, bbox=bbox, limit=limit + 1, properties=wanted,
                               filters=filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, ids, xs, ys, *columns = cursor.fetchone()
    names = [p for p in wanted if p in source.props and p not in ("attributes", "properties")]
    truncated = count > limit
    if truncated:  # the query fetched one more than asked, to know
        ids, xs, ys = ids[:limit], xs[:limit], ys[:limit]
        columns = [c[:limit] for c in columns]
    body = {"ids": ids or [], "x": xs or [], "y": ys or [],
            "properties": {n: c or [] for n, c in zip(names, columns, strict=True)},
            "truncated": truncated}
    response = JsonResponse(body, json_dumps_params={"separators": (",", ":")})
    return cache_headers(response, request, etag)


def points_cache():
    """Where public binary answers are kept (settings.CACHES["points"]), or None when
    SIG_POINTS_CACHE_MB is 0. Public answers only: staff answers depend on the user's
    permissions, not only on the ETag."""
    return caches["points"] if settings.SIG_POINTS_CACHE_MB else None


def _points_row(source: FeatureSource, *, bbox, limit: int, wanted: list[str],
                filters: dict[str, str]) -> tuple:
    """The one row `encode_points` reads: the rows in any order, or, when there are more
    than `limit`, asked again in id order (the LIMIT must then keep the lowest ids)."""
    for ordered in (False, True):
        sql, params = points_binary_query(source, bbox=bbox, limit=limit + 1,
                                          properties=wanted, filters=filters, ordered=ordered)
        with transaction.atomic(), connection.cursor() as cursor:
            # A serial plan: PostgreSQL 15 cannot split string_agg/json_agg between
            # workers, so a parallel plan only hands every row to the leader to aggregate:
            # measured, the leader alone then used more CPU than the whole serial plan.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row[0] <= limit:
            break
    return row


def _points_binary(request: HttpRequest, source: FeatureSource, *, bbox, limit: int,
                   wanted: list[str], filters: dict[str, str], etag: str) -> HttpResponse:
    kept = points_cache() if request.user.is_anonymous else None
    data = kept.get(etag) if kept is not None else None
    if data is None:
        row = _points_row(source, bbox=bbox, limit=limit, wanted=wanted, filters=filters)
        names = [p for p in wanted
                 if p in source.props and p not in ("attributes", "properties")]
        data = encode_points(row, limit=limit, names=names)
        if kept is not None:
            kept.set(etag, data)
    return HttpResponse(data, content_type=POINTS_TYPE)
