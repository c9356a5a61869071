"""Deterministic benchmark data: small, valid building/parcel polygons over Indonesia.

Generated once and cached under /var/tmp/sig-bench/ (the name carries the generator version,
the size, the seed and the format, so a change of any of them makes a new file).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("SIG_BENCH_CACHE", "/var/tmp/sig-bench"))
VERSION = 2  # 2: GeoPackage 1.2, which Debian's GDAL 3.6 (ogr2ogr) reads without a warning
SEED = 20240601
LAYER = "bangunan"
KEY = "kode"

# Towns (lon, lat, weight, BPS province.regency code): where the buildings cluster.
TOWNS = [
    (106.845, -6.208, 10, "31.71"),   # Jakarta
    (112.752, -7.257, 6, "35.78"),    # Surabaya
    (107.609, -6.914, 5, "32.73"),    # Bandung
    (98.672, 3.595, 5, "12.71"),      # Medan
    (110.420, -6.966, 4, "33.74"),    # Semarang
    (119.432, -5.147, 3, "73.71"),    # Makassar
    (104.756, -2.976, 3, "16.71"),    # Palembang
    (115.216, -8.650, 3, "51.71"),    # Denpasar
    (110.369, -7.797, 3, "34.71"),    # Yogyakarta
    (109.333, -0.026, 2, "61.71"),    # Pontianak
    (116.831, -1.239, 2, "64.71"),    # Balikpapan
    (117.153, -0.502, 2, "64.72"),    # Samarinda
    (124.842, 1.475, 2, "71.71"),     # Manado
    (100.354, -0.950, 2, "13.71"),    # Padang
    (101.447, 0.507, 2, "14.71"),     # Pekanbaru
    (95.323, 5.549, 1, "11.71"),      # Banda Aceh
    (116.116, -8.583, 1, "52.71"),    # Mataram
    (123.607, -10.178, 1, "53.71"),   # Kupang
    (128.181, -3.695, 1, "81.71"),    # Ambon
    (140.718, -2.533, 1, "94.71"),    # Jayapura
]
PEOPLE = ["Budi Santoso", "Siti Aminah", "Sri Wahyuni", "Agus Setiawan", "Dewi Lestari",
          "Ahmad Fauzi", "Nur Hidayati", "I Made Suarsana", "Ni Ketut Ariani", "Yohanes Wenda",
          "Rahmat Hidayat", "Putu Ayu Saraswati", "Teuku Iskandar", "Andi Baso", "Maria Ratu"]
STREETS = ["Jl. Merdeka", "Jl. Gajah Mada", "Jl. Diponegoro", "Jl. Sudirman", "Gg. Mawar",
           "Jl. Pahlawan", "Jl. Ahmad Yani", "Jl. Teuku Umar", "Gg. Melati", "Jl. Veteran"]
DESA = ["Sukamaju", "Sumbersari", "Karanganyar", "Tanjung Harapan", "Mekarsari",
        "Kampung Baru", "Sidomulyo", "Air Hitam", "Batu Merah", "Lambaro"]
KINDS = [  # class, weight, name templates
    ("Permukiman", 60, ["Rumah {p}", "Rumah Kos {p}", "Rumah {p}, {s} No. {n}"]),
    ("Perdagangan dan Jasa", 15, ['Toko "{d} Jaya"', "Warung Makan {p}", "Kios Pasar {d}",
                                  "Bengkel {p}"]),
    ("Perkantoran", 5, ["Kantor Desa {d}", "Kantor Kecamatan {d}", "Kantor Pos {d}"]),
    ("Pendidikan", 5, ["SD Negeri {n} {d}", "SMP Negeri {n} {d}", "Ma'had Al-Falah {d}"]),
    ("Peribadatan", 5, ["Masjid Al-Ikhlas {d}", "Musala Nurul Huda", "Gereja Kristen {d}",
                        "Pura Desa {d}"]),
    ("Kesehatan", 3, ["Puskesmas {d}", "Posyandu Melati {n}", "Klinik Pratama {p}"]),
    ("Industri", 4, ["Gudang UD {d} Makmur", "Pabrik Tahu {p}"]),
    ("Fasilitas Umum", 3, ["Balai Warga RT {n:02d}/RW {m:02d}", "Pos Kamling {d}"]),
]


def dataset_path(n: int, fmt: str = "gpkg") -> Path:
    suffix = {"gpkg": ".gpkg", "shp": ".shp"}[fmt]
    name = f"import-polygons-v{VERSION}-{n}-s{SEED}"
    return CACHE / (name + suffix if fmt == "gpkg" else f"{name}-shp/{LAYER}{suffix}")


def _polygons(rng: np.random.Generator, n: int):
    import shapely

    weights = np.array([t[2] for t in TOWNS], dtype=float)
    town = rng.choice(len(TOWNS), size=n, p=weights / weights.sum())
    lon0 = np.array([t[0] for t in TOWNS])[town]
    lat0 = np.array([t[1] for t in TOWNS])[town]
    spread = rng.uniform(0.02, 0.12, size=n)  # a town is 2–13 km across
    cx = lon0 + rng.normal(0.0, 1.0, n) * spread
    cy = lat0 + rng.normal(0.0, 1.0, n) * spread
    verts = rng.integers(5, 13, size=n)  # 5–12 distinct vertices
    radius_m = np.clip(rng.lognormal(np.log(9.0), 0.45, n), 3.5, 60.0)
    rot = rng.uniform(0, 2 * np.pi, n)
    owner = np.repeat(np.arange(n), verts)
    k = np.arange(owner.size) - np.repeat(np.cumsum(verts) - verts, verts)
    step = 2 * np.pi / verts[owner]
    # Star-shaped around the centre with strictly increasing angles: always a simple ring.
    angle = rot[owner] + step * (k + rng.uniform(-0.3, 0.3, owner.size))
    r = radius_m[owner] * rng.uniform(0.75, 1.0, owner.size)
    dy = r * np.sin(angle) / 111_320.0
    dx = r * np.cos(angle) / (111_320.0 * np.cos(np.radians(cy[owner])))
    coords = np.round(np.column_stack([cx[owner] + dx, cy[owner] + dy]), 7)
    rings = shapely.linearrings(coords, indices=owner)
    polys = shapely.polygons(rings)
    # Area in m² on a local equirectangular scale (good to well under 1 % at this size).
    area_m2 = np.round(shapely.area(polys) * 111_320.0**2 * np.cos(np.radians(cy)), 1)
    return polys, town, area_m2


def _attributes(rng: np.random.Generator, town: np.ndarray) -> dict[str, list]:
    n = len(town)
    kind_w = np.array([k[1] for k in KINDS], dtype=float)
    kind = rng.choice(len(KINDS), size=n, p=kind_w / kind_w.sum())
    tmpl = rng.integers(0, 1000, n)
    p = rng.integers(0, len(PEOPLE), n)
    s = rng.integers(0, len(STREETS), n)
    d = rng.integers(0, len(DESA), n)
    num = rng.integers(1, 120, n)
    m = rng.integers(1, 15, n)
    kec = rng.integers(1, 30, n)
    desa = rng.integers(1, 20, n)
    names, classes, codes = [], [], []
    for i in range(n):
        cls, _w, templates = KINDS[kind[i]]
        names.append(templates[tmpl[i] % len(templates)].format(
            p=PEOPLE[p[i]], s=STREETS[s[i]], d=DESA[d[i]], n=int(num[i]), m=int(m[i])))
        classes.append(cls)
        codes.append(f"{TOWNS[town[i]][3]}.{kec[i]:02d}.{2000 + desa[i]:04d}.{i + 1:07d}")
    floors = np.where(kind == 0, rng.integers(1, 3, n), rng.integers(1, 5, n)).astype("int32")
    return {"kode": codes, "nama": names, "kelas": classes, "lantai": floors}


def generate(n: int, fmt: str = "gpkg", *, log=print) -> Path:
    """The cached file, generating it first when missing (atomically: a crash leaves none)."""
    path = dataset_path(n, fmt)
    if path.exists():
        return path
    import geopandas as gpd
    import pyogrio
    import shapely

    log(f"generating {n} polygons into {path} (once)…")
    rng = np.random.default_rng(SEED)
    polys, town, area = _polygons(rng, int(n * 1.02) + 10)
    ok = shapely.is_valid(polys)
    polys, town, area = polys[ok][:n], town[ok][:n], area[ok][:n]
    if len(polys) < n:
        raise RuntimeError("not enough valid polygons generated")
    attrs = _attributes(rng, town)
    frame = gpd.GeoDataFrame({**attrs, "luas_m2": area}, geometry=polys, crs="EPSG:4326")
    CACHE.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=".gen-", dir=CACHE))
    out = tmpdir / path.name
    kwargs = {"encoding": "UTF-8"} if fmt == "shp" else {"dataset_options": {"VERSION": "1.2"}}
    pyogrio.write_dataframe(frame, out, layer=LAYER, driver="GPKG" if fmt == "gpkg" else
                            "ESRI Shapefile", **kwargs)
    if fmt == "gpkg":
        out.rename(path)
        tmpdir.rmdir()
    else:
        tmpdir.rename(path.parent)
    return path


def changed(n: int, *, log=print) -> Path:
    """The cached GeoPackage of `generate(n)` with every row's `lantai` one higher (for timing
    a re-import that updates every row)."""
    source = generate(n, "gpkg", log=log)
    path = source.with_name(source.stem + "-changed.gpkg")
    if path.exists():
        return path
    import pyogrio

    log(f"writing {path.name} (once)…")
    frame = pyogrio.read_dataframe(source, layer=LAYER)
    frame["lantai"] = frame["lantai"] + 1
    tmpdir = Path(tempfile.mkdtemp(prefix=".gen-", dir=CACHE))
    out = tmpdir / path.name
    pyogrio.write_dataframe(frame, out, layer=LAYER, driver="GPKG",
                            dataset_options={"VERSION": "1.2"})
    out.rename(path)
    tmpdir.rmdir()
    return path
