"""bench/serve: what is timed and how (tile sets, HTTP client, the bare SQL on a warm
psycopg connection)."""

from __future__ import annotations

import functools
import hashlib
import http.client
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from _common import psycopg_connect, sql

Tile = tuple[int, int, int]  # z, x, y


# --- tiles ------------------------------------------------------------------------------------

def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    lat_r = math.radians(max(min(lat, 85.0511), -85.0511))
    y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_over(extent: tuple[float, float, float, float], z: int) -> list[Tile]:
    """Every tile at z that the extent (w, s, e, n) touches."""
    w, s, e, n = extent
    x0, y0 = lonlat_to_tile(w, n, z)
    x1, y1 = lonlat_to_tile(e, s, z)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


@functools.cache
def tile_counts(layer_id: int, z: int) -> dict[tuple[int, int], int]:
    """Feature count per tile (x, y) at z, by a point on each feature's surface."""
    world = 40075016.68557849
    rows = sql(
        "SELECT floor((ST_X(p) + %(h)s) / %(t)s)::int, floor((%(h)s - ST_Y(p)) / %(t)s)::int, "
        "count(*) FROM (SELECT ST_Transform(ST_PointOnSurface(geom), 3857) p "
        "FROM layers_feature WHERE layer_id = %(l)s) q GROUP BY 1, 2",
        {"h": world / 2, "t": world / 2 ** z, "l": layer_id})
    return {(x, y): c for x, y, c in rows}


def dense_block(layer_id: int, z: int, size: int = 4) -> list[Tile]:
    """The size×size block of tiles at z holding the most features of the layer."""
    counts = tile_counts(layer_id, z)
    best, best_xy = -1, (0, 0)
    for (x, y) in counts:
        for x0 in range(x - size + 1, x + 1):
            for y0 in range(y - size + 1, y + 1):
                total = sum(counts.get((x0 + i, y0 + j), 0)
                            for i in range(size) for j in range(size))
                if total > best:
                    best, best_xy = total, (x0, y0)
    x0, y0 = best_xy
    return [(z, x0 + i, y0 + j) for i in range(size) for j in range(size)]


def sparse_tile(layer_id: int, z: int, at_least: int = 5) -> tuple[Tile, int]:
    """A tile at z holding few (but at least `at_least`) features: a rural one."""
    counts = tile_counts(layer_id, z)
    (x, y), n = min(((xy, c) for xy, c in counts.items() if c >= at_least),
                    key=lambda item: (item[1], item[0]))
    return (z, x, y), n


def tile_centre(t: Tile) -> tuple[float, float]:
    z, x, y = t
    n = 2 ** z
    lon = (x + 0.5) / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 0.5) / n))))
    return lon, lat


def bbox_holding(layer_id: int, target: int, centre: tuple[float, float],
                 ) -> tuple[tuple[float, float, float, float], int]:
    """A square bbox around centre holding just over `target` features of the layer."""

    def count(box) -> int:
        return sql("SELECT count(*) FROM layers_feature WHERE layer_id = %s AND "
                   "geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)", [layer_id, *box])[0][0]

    lo, hi = 0.0005, 2.0
    best = None
    for _ in range(25):
        half = (lo + hi) / 2
        box = (round(centre[0] - half, 5), round(centre[1] - half, 5),
               round(centre[0] + half, 5), round(centre[1] + half, 5))
        n = count(box)
        if n >= target:
            hi, best = half, (box, n)
            if n <= target * 1.01:
                break
        else:
            lo = half
    if best is None:
        raise RuntimeError(f"no bbox holds {target} features")
    return best


def map_zoom(bbox: tuple[float, float, float, float], width_px: int = 1280) -> int:
    """The zoom a width_px-wide map shows bbox at (what the map page sends as `zoom`)."""
    span = max(bbox[2] - bbox[0], 1e-9)
    return max(0, min(22, math.floor(math.log2(360.0 * width_px / 256.0 / span))))


# --- HTTP ------------------------------------------------------------------------------------

class Http:
    """One client as a map would be: keeps the connection alive when the server does (uvicorn),
    reconnects when it closes it (gunicorn's sync workers close after each response). Never
    sends If-None-Match or any cache header."""

    def __init__(self, port: int, timeout: float = 180.0):
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def get(self, path: str, ok=(200, 204)) -> tuple[float, int, bytes]:
        start = time.perf_counter()
        try:
            self.conn.request("GET", path, headers={"Accept-Encoding": "identity"})
            resp = self.conn.getresponse()
            body = resp.read()
        except (http.client.HTTPException, ConnectionError):
            # a kept-alive connection the server dropped meanwhile: retry once, fresh
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            start = time.perf_counter()
            self.conn.request("GET", path, headers={"Accept-Encoding": "identity"})
            resp = self.conn.getresponse()
            body = resp.read()
        seconds = time.perf_counter() - start
        if resp.status not in ok:
            raise RuntimeError(f"GET :{self.port}{path} → {resp.status}: {body[:300]!r}")
        return seconds, resp.status, body

    def close(self) -> None:
        self.conn.close()


# --- bare SQL on a warm connection ------------------------------------------------------------

class Sql:
    """The statement our endpoint runs, bound client-side exactly as Django's psycopg backend
    binds it (ClientCursor), on one warm connection."""

    def __init__(self, **connect_kw):
        import psycopg

        self.conn = psycopg_connect(autocommit=True, **connect_kw)
        self.cur = psycopg.ClientCursor(self.conn)

    def scalar(self, statement: str, params: dict) -> object:
        self.cur.execute(statement, params)
        return self.cur.fetchone()[0]

    def timed(self, statement: str, params: dict) -> tuple[float, object]:
        start = time.perf_counter()
        value = self.scalar(statement, params)
        return time.perf_counter() - start, value

    def close(self) -> None:
        self.conn.close()


def geojson_document_sql(features_sql: str) -> str:
    """The features_query statement wrapped so PostgreSQL returns the whole FeatureCollection
    (the same JSON array our endpoint streams)."""
    return ("SELECT '{\"type\":\"FeatureCollection\",\"features\":[' || "
            "coalesce(string_agg(x, ','), '') || ']}' FROM (" + features_sql + ") q(x)")


# --- results --------------------------------------------------------------------------------

@dataclass
class TileRun:
    seconds: dict[int, float] = field(default_factory=dict)
    max_bytes: dict[int, int] = field(default_factory=dict)
    total_bytes: dict[int, int] = field(default_factory=dict)
    count: dict[int, int] = field(default_factory=dict)
    slowest: dict[int, tuple[float, Tile]] = field(default_factory=dict)
    digest: dict[Tile, str] = field(default_factory=dict)


def run_tiles(fetch: Callable[[Tile], bytes], tiles: Iterable[Tile]) -> TileRun:
    """Fetch each tile in turn; per zoom: summed seconds, largest tile, bytes, slowest tile."""
    out = TileRun()
    for t in tiles:
        z = t[0]
        start = time.perf_counter()
        data = fetch(t)
        dt = time.perf_counter() - start
        out.seconds[z] = out.seconds.get(z, 0.0) + dt
        out.max_bytes[z] = max(out.max_bytes.get(z, 0), len(data))
        out.total_bytes[z] = out.total_bytes.get(z, 0) + len(data)
        out.count[z] = out.count.get(z, 0) + 1
        if dt > out.slowest.get(z, (0.0, t))[0]:
            out.slowest[z] = (dt, t)
        out.digest[t] = hashlib.sha1(data).hexdigest()
    return out
