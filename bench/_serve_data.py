"""bench/serve's data: ≥200k small building polygons in a generic layer and 100k point assets,
written with COPY (never the ORM row by row), plus the plain view the anchor servers read.

The data sit in one kabupaten-sized area (≈1° × 0.7° around Surakarta, Central Java), the scale
one SIG installation serves: towns of dense buildings and a rural scatter between them. A
deterministic generator (numpy, fixed seed) makes the same rows every run.

Everything this module writes is found again by name and removed by `clean()`:
  layer `bench-serve` (layers_layer + its features + history rows),
  asset category `bench-serve` (+ its assets + history rows),
  schema `bench_serve` (the view `bench_serve.bangunan` that tipg and pygeoapi serve).
"""

from __future__ import annotations

import io
import json
import os
import time
import uuid
from dataclasses import dataclass

import numpy as np
from _common import log, psycopg_connect, sql

SLUG = "bench-serve"
CATEGORY = "bench-serve"
SCHEMA = "bench_serve"
VIEW = "bangunan"
SEED = 20240917
# Every row written here carries source_ref "bench-serve:<n>", and only such rows are removed:
# the database is shared, and another engineer's script may add rows to our layer or category.
REF = "bench-serve:"

# The extent: uniform rural scatter fills it; towns cluster inside it.
WEST, EAST, SOUTH, NORTH = 110.55, 111.55, -7.95, -7.25
TOWNS = [  # lon, lat, weight, spread (degrees, 1 sigma)
    (110.824, -7.566, 10, 0.030),  # Surakarta
    (110.604, -7.706, 5, 0.025),   # Klaten
    (110.839, -7.683, 4, 0.020),   # Sukoharjo
    (110.950, -7.600, 4, 0.022),   # Karanganyar
    (110.600, -7.530, 3, 0.020),   # Boyolali
    (111.030, -7.430, 3, 0.020),   # Sragen
    (110.920, -7.810, 3, 0.018),   # Wonogiri
    (110.745, -7.555, 3, 0.012),   # Kartasura
    (110.700, -7.625, 2, 0.012),   # Delanggu
    (111.130, -7.660, 1, 0.010),   # Tawangmangu
    (111.300, -7.400, 1, 0.015),
    (111.450, -7.880, 1, 0.015),
]
RURAL_SHARE = 0.12
KELAS = ["Permukiman", "Perdagangan dan Jasa", "Perkantoran", "Pendidikan", "Peribadatan",
         "Kesehatan", "Industri", "Fasilitas Umum"]
KELAS_W = np.array([60, 15, 5, 5, 5, 3, 4, 3], dtype=float)
DESA = ["Sukamaju", "Sumbersari", "Karanganyar", "Mekarsari", "Sidomulyo", "Banyuanyar",
        "Jebres", "Laweyan", "Pajang", "Gentan"]
# Layer schema: `kode` is not public, so the public view filters it out (as in production).
SCHEMA_FIELDS = [
    {"name": "kode", "type": "text", "label": "Kode", "public": False},
    {"name": "nama", "type": "text", "label": "Nama", "public": True},
    {"name": "kelas", "type": "text", "label": "Kelas", "public": True},
    {"name": "lantai", "type": "integer", "label": "Lantai", "public": True},
]


@dataclass
class BenchData:
    layer_id: int
    category_id: int
    n_polygons: int
    n_assets: int
    extent: tuple[float, float, float, float]  # of the polygons, w s e n
    asset_extent: tuple[float, float, float, float]
    seconds: float


def _centres(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    rural = rng.random(n) < RURAL_SHARE
    w = np.array([t[2] for t in TOWNS], dtype=float)
    town = rng.choice(len(TOWNS), size=n, p=w / w.sum())
    spread = np.array([t[3] for t in TOWNS])[town] * rng.uniform(0.5, 1.5, n)
    cx = np.array([t[0] for t in TOWNS])[town] + rng.normal(0, 1, n) * spread
    cy = np.array([t[1] for t in TOWNS])[town] + rng.normal(0, 1, n) * spread
    cx = np.where(rural, rng.uniform(WEST, EAST, n), cx)
    cy = np.where(rural, rng.uniform(SOUTH, NORTH, n), cy)
    margin = 0.001
    return np.clip(cx, WEST + margin, EAST - margin), np.clip(cy, SOUTH + margin, NORTH - margin)


def _polygons_hex(rng: np.random.Generator, n: int) -> list[str]:
    """n small star-shaped (always simple) building footprints, 5–12 vertices, ≈4–60 m
    across, as hex EWKB (SRID 4326)."""
    import shapely

    cx, cy = _centres(rng, n)
    verts = rng.integers(5, 13, size=n)
    radius_m = np.clip(rng.lognormal(np.log(9.0), 0.45, n), 3.5, 60.0)
    rot = rng.uniform(0, 2 * np.pi, n)
    owner = np.repeat(np.arange(n), verts)
    k = np.arange(owner.size) - np.repeat(np.cumsum(verts) - verts, verts)
    angle = rot[owner] + (2 * np.pi / verts[owner]) * (k + rng.uniform(-0.3, 0.3, owner.size))
    r = radius_m[owner] * rng.uniform(0.75, 1.0, owner.size)
    dy = r * np.sin(angle) / 111_320.0
    dx = r * np.cos(angle) / (111_320.0 * np.cos(np.radians(cy[owner])))
    coords = np.round(np.column_stack([cx[owner] + dx, cy[owner] + dy]), 7)
    polys = shapely.polygons(shapely.linearrings(coords, indices=owner))
    bad = ~shapely.is_valid(polys)
    if bad.any():  # (never seen: star-shaped rings are simple) keep a valid stand-in
        polys[bad] = shapely.buffer(shapely.points(cx[bad], cy[bad]), 0.00005, quad_segs=2)
    polys = shapely.set_srid(polys, 4326)
    return list(shapely.to_wkb(polys, hex=True, include_srid=True))


def _uuids(rng: np.random.Generator, n: int) -> list[str]:
    raw = bytearray(rng.bytes(16 * n))
    out = []
    for i in range(n):
        b = raw[16 * i:16 * i + 16]
        out.append(str(uuid.UUID(bytes=bytes(b), version=4)))
    return out


def _copy(table: str, columns: list[str], lines: list[str]) -> None:
    # Text columns a later migration added as NOT NULL without a database default (e.g. a
    # review note) get "" here, as the ORM would write, so the bench keeps up with the schema.
    blank = [r[0] for r in sql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND data_type = 'text' "
        "AND NOT (column_name = ANY(%s))", [table, columns])]
    tail = "\t" * len(blank)
    with psycopg_connect(autocommit=False) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(columns + blank)}) FROM STDIN") as cp:
            buf = io.StringIO()
            for i, line in enumerate(lines, 1):
                buf.write(line[:-1] + tail + "\n" if blank else line)
                if i % 20000 == 0:
                    cp.write(buf.getvalue())
                    buf = io.StringIO()
            cp.write(buf.getvalue())
        conn.commit()


def _feature_lines(rng, layer_id: int, n: int) -> list[str]:
    geoms = _polygons_hex(rng, n)
    uids = _uuids(rng, n)
    kelas = rng.choice(len(KELAS), size=n, p=KELAS_W / KELAS_W.sum())
    desa = rng.integers(0, len(DESA), n)
    lantai = rng.integers(1, 4, n)
    now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
    lines = []
    for i in range(n):
        props = json.dumps({"kode": f"33.72.{desa[i] + 1:02d}.{i + 1:07d}",
                            "nama": f"{KELAS[kelas[i]]} {DESA[desa[i]]} {i + 1}",
                            "kelas": KELAS[kelas[i]], "lantai": int(lantai[i])},
                           ensure_ascii=False, separators=(",", ":"))
        # uid version is_verified is_public created_at updated_at geom properties layer_id
        # source_ref
        lines.append(f"{uids[i]}\t1\tt\tt\t{now}\t{now}\t{geoms[i]}\t{props}\t{layer_id}\t"
                     f"{REF}{i + 1}\n")
    return lines


def _asset_lines(rng, category_id: int, n: int) -> list[str]:
    cx, cy = _centres(rng, n)
    uids = _uuids(rng, n)
    cond = rng.choice(["baik", "rusak_ringan", "rusak_sedang", "rusak_berat"], size=n,
                      p=[0.6, 0.2, 0.12, 0.08])
    year = rng.integers(1970, 2024, n)
    cap = rng.integers(10, 500, n)
    desa = rng.integers(0, len(DESA), n)
    now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
    lines = []
    for i in range(n):
        attrs = json.dumps({"kapasitas": int(cap[i]), "catatan_internal": "x"},
                           separators=(",", ":"))
        geom = f"SRID=4326;POINT({cx[i]:.7f} {cy[i]:.7f})"
        # uid version is_verified is_public created_at updated_at name register_code geom
        # condition year_built attributes category_id source_ref
        lines.append(f"{uids[i]}\t1\tt\tt\t{now}\t{now}\tPJU {DESA[desa[i]]} {i + 1}\t"
                     f"REG-{i + 1:06d}\t{geom}\t{cond[i]}\t{year[i]}\t{attrs}\t{category_id}\t"
                     f"{REF}{i + 1}\n")
    return lines


def setup(n_polygons: int, n_assets: int) -> BenchData:
    from layers.models import AssetCategory, Layer

    start = time.perf_counter()
    for note in clean(vacuum=False):
        raise RuntimeError(f"cannot set up: {note} (left from an earlier run?)")
    rng = np.random.default_rng(SEED)
    layer = Layer.objects.create(slug=SLUG, name="Bench: bangunan (bench/serve)", kind="generic",
                                 geometry_type="polygon", schema=SCHEMA_FIELDS, is_public=True)
    category = AssetCategory.objects.create(
        slug=CATEGORY, name="Bench: PJU (bench/serve)", geometry_type="point", icon="lightbulb",
        color="#cc6600",
        attribute_schema=[{"name": "kapasitas", "label": "Kapasitas", "type": "integer"},
                          {"name": "catatan_internal", "label": "Catatan", "type": "text",
                           "public": False}])
    log(f"  generating + COPY {n_polygons} polygons…")
    _copy("layers_feature", ["uid", "version", "is_verified", "is_public", "created_at",
                             "updated_at", "geom", "properties", "layer_id", "source_ref"],
          _feature_lines(rng, layer.id, n_polygons))
    log(f"  generating + COPY {n_assets} point assets…")
    _copy("layers_asset", ["uid", "version", "is_verified", "is_public", "created_at",
                           "updated_at", "name", "register_code", "geom", "condition",
                           "year_built", "attributes", "category_id", "source_ref"],
          _asset_lines(rng, category.id, n_assets))
    sql("ANALYZE layers_feature")
    sql("ANALYZE layers_asset")
    # The anchors' table: the same public rows and the same public properties as our public
    # view of the layer (a plain view: tipg and pygeoapi read views like tables).
    sql(f"CREATE SCHEMA {SCHEMA}")
    sql(f"CREATE VIEW {SCHEMA}.{VIEW} AS SELECT f.id, f.geom, "
        "f.properties->>'nama' AS nama, f.properties->>'kelas' AS kelas, "
        "(f.properties->>'lantai')::int AS lantai FROM public.layers_feature f "
        f"WHERE f.layer_id = {int(layer.id)} AND f.is_public AND f.is_verified")
    ext = sql("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
              "(SELECT ST_Extent(geom) e FROM layers_feature WHERE layer_id = %s "
              "AND source_ref LIKE %s) q", [layer.id, REF + "%"])[0]
    aext = sql("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
               "(SELECT ST_Extent(geom) e FROM layers_asset WHERE category_id = %s "
               "AND source_ref LIKE %s) q", [category.id, REF + "%"])[0]
    return BenchData(layer.id, category.id, n_polygons, n_assets, tuple(ext), tuple(aext),
                     time.perf_counter() - start)


def clean(vacuum: bool = True) -> list[str]:
    """Remove what an earlier or the current run left (by name and source_ref); returns notes
    about anything left in place because rows that are not ours still use it."""
    notes = []
    like = REF + "%"
    sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    for lid in [r[0] for r in sql("SELECT id FROM layers_layer WHERE slug = %s", [SLUG])]:
        sql("DELETE FROM layers_historicalfeature WHERE layer_id = %s AND source_ref LIKE %s",
            [lid, like])
        sql("DELETE FROM layers_feature WHERE layer_id = %s AND source_ref LIKE %s", [lid, like])
        others = sql("SELECT count(*) FROM layers_feature WHERE layer_id = %s", [lid])[0][0]
        if others:
            notes.append(f"layer {SLUG} kept: {others} features not written by bench/serve")
            continue
        sql("DELETE FROM layers_historicalfeature WHERE layer_id = %s", [lid])
        sql("DELETE FROM layers_layer WHERE id = %s", [lid])
        sql("DELETE FROM layers_historicallayer WHERE id = %s", [lid])
    for cid in [r[0] for r in sql("SELECT id FROM layers_assetcategory WHERE slug = %s",
                                  [CATEGORY])]:
        sql("DELETE FROM layers_historicalasset WHERE category_id = %s AND source_ref LIKE %s",
            [cid, like])
        sql("DELETE FROM layers_asset WHERE category_id = %s AND source_ref LIKE %s", [cid, like])
        others = sql("SELECT count(*) FROM layers_asset WHERE category_id = %s", [cid])[0][0]
        if others:
            notes.append(f"asset category {CATEGORY} kept: {others} assets not written by "
                         "bench/serve use it")
            continue
        sql("DELETE FROM layers_assetcategory WHERE id = %s", [cid])
        sql("DELETE FROM layers_historicalassetcategory WHERE id = %s", [cid])
    if vacuum:  # plain VACUUM (no FULL): the rows' space is reusable at once, as after import
        sql("VACUUM ANALYZE layers_feature, layers_asset")
    return notes


if __name__ == "__main__":  # manual: python bench/_serve_data.py clean
    import sys

    from _common import django_setup

    django_setup()
    if sys.argv[1:] == ["clean"]:
        print("\n".join(clean()) or "clean")
    else:
        print(setup(int(os.environ.get("N_POLY", "200000")), int(os.environ.get("N_ASSET",
                                                                              "100000"))))
