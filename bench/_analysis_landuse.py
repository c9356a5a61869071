"""Land-use area per desa for all 2,130 desa of Kalimantan Barat against the RTRW / land-use
layers of ../shared/data: our selector against the bare SQL for the same result.

  ours   analysis.selectors.land_use.land_use_areas(scope=Kalimantan Barat per desa, user=the
         public): the layer look-ups and visibility rules (feature_source), the statement,
         rows as dicts, and the provenance of the figure (last import, last edit).
  bare   the very statement it runs (land_use_statement), through psycopg on a warm
         connection with the same session settings (JIT off), fetching every row.
Runs interleaved (the order alternates), after one warm-up of each; median of RUNS.

Data: the 2,130 desa/kelurahan of `kalbar_kecamatan_desa.gpkg` (desa_kelurahan) and six
agency layers of `atrbpn-kalbar-lahan/` (Pontianak RTRW allocation, BIG and Distan rice
fields of Pontianak and Mempawah, Singkawang LP2B: 2,143 zones, each layer its own
classification). Read once with pyogrio, repaired with shapely (make_valid, polygons kept,
multi) and cached under /var/tmp/sig-bench/analysis/ (rebuilt when a source file changes);
each run writes them with COPY and removes them at the end, also on failure:
  zones      classifications `bench-analysis-*` (their classes and zones, source_ref
             `bench-analysis:<n>`);
  desa       only the codes the database does not already hold, marked with legal_basis
             `bench/analysis` (a database that already holds Kalbar keeps its own rows).
Runnable alone (`.venv/bin/python bench/_analysis_landuse.py`); `bench/analysis` calls run().
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, django_setup, log, median, psycopg_connect, sql, table, timed

SHARED = ROOT.parent / "shared" / "data" / "indonesia"
DESA = SHARED / "wilayah-kemendagri-cahyadsn" / "kalbar_kecamatan_desa.gpkg"
LAHAN = SHARED / "atrbpn-kalbar-lahan"
# file → the attribute that holds the zone's class
ZONE_FILES = {
    "pontianak_rtrw_peruntukan_pertanian.geojson": "KET_PETA",
    "pontianak_sawah_big_2018.geojson": "Qname_2018",
    "pontianak_baku_sawah_distan_2018.geojson": "Keterangan",
    "mempawah_sawah_big_2018.geojson": "Qname_2018",
    "mempawah_baku_sawah_distan_2018.geojson": "Keterangan",
    "singkawang_lp2b.geojson": "Q_Name19",
}
CACHE = Path("/var/tmp/sig-bench/analysis")
PREFIX = "bench-analysis"
MARK = "bench/analysis"
RUNS = 5


def _cache_file() -> Path:
    sources = [DESA, *(LAHAN / f for f in ZONE_FILES)]
    key = hashlib.sha256("|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                                  for p in sources).encode()).hexdigest()[:16]
    return CACHE / f"kalbar-landuse-{key}.pkl"


def _multi_polygons(geoms):
    """Valid MultiPolygons (EWKB, SRID 4326): make_valid, polygonal parts only."""
    import numpy as np
    import shapely

    fixed = shapely.make_valid(np.asarray(geoms))
    # Collections (a repaired bow-tie: polygon + line) are opened up to their polygons.
    parts, index = shapely.get_parts(shapely.get_parts(fixed), return_index=True)
    _flat, owner = shapely.get_parts(fixed, return_index=True)
    index = owner[index]
    keep = shapely.get_type_id(parts) == 3  # Polygon
    out = np.full(len(geoms), None, dtype=object)
    return shapely.multipolygons(parts[keep], indices=index[keep], out=out)


def prepared() -> dict:
    """The desa and zones, ready to write (from the cache when it is there)."""
    import pandas as pd
    import pyogrio
    import shapely

    path = _cache_file()
    if path.exists():
        return pd.read_pickle(path)
    log("landuse: preparing the Kalbar desa and land-use layers (cached for next time) …")
    desa = pyogrio.read_dataframe(DESA, layer="desa_kelurahan")
    desa_geoms = _multi_polygons(desa.geometry.values)
    frames = []
    for name, field in ZONE_FILES.items():
        zones = pyogrio.read_dataframe(LAHAN / name)
        zones = zones[zones.geometry.notna()]
        frames.append(pd.DataFrame({
            "classification": f"{PREFIX}-{Path(name).stem.replace('_', '-')}"[:60],
            "layer": name, "class_name": zones[field].astype(str).str.strip(),
            "geom": _multi_polygons(zones.geometry.values)}))
    zones = pd.concat(frames, ignore_index=True)
    zones = zones[zones["geom"].notna()]
    data = {
        "desa": pd.DataFrame({"code": desa["kode"], "name": desa["nama"],
                              "wkb": [shapely.to_wkb(g, hex=True, include_srid=True)
                                      for g in shapely.set_srid(desa_geoms, 4326)]}),
        "zones": zones.assign(wkb=[shapely.to_wkb(g, hex=True, include_srid=True)
                                   for g in shapely.set_srid(zones["geom"].values, 4326)])
                      .drop(columns=["geom"]),
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    pd.to_pickle(data, path)
    return data


def _copy(cur, statement: str, rows) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
                            for v in row) + "\n")
    with cur.copy(statement) as cp:
        cp.write(buf.getvalue())


def setup() -> dict:
    """Write the desa the database lacks and the zones; returns counts."""
    data = prepared()
    clean()
    with psycopg_connect(options="-c jit=off") as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_desa (code text, name text, wkb text)")
        _copy(cur, "COPY bench_desa FROM STDIN", data["desa"].itertuples(index=False))
        cur.execute("""
            INSERT INTO layers_administrativearea (code, name, level, geom, legal_basis,
                                                   updated_at)
            SELECT b.code, b.name, 4, b.wkb::geometry, %s, now() FROM bench_desa b
            WHERE NOT EXISTS (SELECT 1 FROM layers_administrativearea a
                              WHERE a.code = b.code AND a.valid_until IS NULL)""", [MARK])
        added = cur.rowcount
        zones = data["zones"]
        for slug, group in zones.groupby("classification"):
            cur.execute("INSERT INTO layers_landuseclassification (slug, name, kind, reference)"
                        " VALUES (%s, %s, 'planned', %s) RETURNING id",
                        [slug, group["layer"].iloc[0], MARK])
            (cls_id,) = cur.fetchone()
            for i, name in enumerate(sorted(group["class_name"].unique())):
                cur.execute("INSERT INTO layers_landuseclass (code, name, color,"
                            " classification_id) VALUES (%s, %s, '#88aa55', %s)",
                            [f"K{i + 1}", name[:200], cls_id])
        cur.execute("CREATE TEMP TABLE bench_zone (ref text, classification text,"
                    " class_name text, wkb text)")
        _copy(cur, "COPY bench_zone FROM STDIN",
              ((f"{PREFIX}:{n}", r.classification, r.class_name, r.wkb)
               for n, r in enumerate(zones.itertuples(index=False))))
        cur.execute("""
            INSERT INTO layers_landusezone (uid, version, is_verified, is_public, created_at,
                updated_at, name, plan_name, regulation, geom, attributes, land_use_class_id,
                source_ref)
            SELECT gen_random_uuid(), 1, true, true, now(), now(), '', '', '', z.wkb::geometry,
                   '{}'::jsonb, k.id, z.ref
            FROM bench_zone z
            JOIN layers_landuseclassification s ON s.slug = z.classification
            JOIN layers_landuseclass k ON k.classification_id = s.id AND k.name = z.class_name""")
        n_zones = cur.rowcount
        conn.commit()
    sql("ANALYZE layers_administrativearea; ANALYZE layers_landusezone")
    return {"desa_added": added, "zones": n_zones, "desa_input": len(data["desa"])}


def clean() -> None:
    """Remove everything setup() wrote (found by its marks), nothing else."""
    sql("DELETE FROM layers_landusezone WHERE source_ref LIKE %s", [f"{PREFIX}:%"])
    sql("DELETE FROM layers_landuseclass WHERE classification_id IN (SELECT id FROM "
        "layers_landuseclassification WHERE slug LIKE %s AND reference = %s)",
        [f"{PREFIX}-%", MARK])
    sql("DELETE FROM layers_landuseclassification WHERE slug LIKE %s AND reference = %s",
        [f"{PREFIX}-%", MARK])
    sql("DELETE FROM layers_administrativearea WHERE legal_basis = %s AND level = 4 "
        "AND code LIKE '61.%%'", [MARK])


def measure(runs: int = RUNS) -> tuple[list[list[str]], float]:
    import psycopg
    from django.contrib.auth.models import AnonymousUser

    from analysis.selectors.land_use import land_use_areas, land_use_statement
    from analysis.selectors.scope import Scope, core_source
    from layers.codes import Level
    from layers.models import AdministrativeArea, LayerKind

    user = AnonymousUser()
    # Kalimantan Barat, whether or not its provinsi row is in this database.
    kalbar = AdministrativeArea(code="61", name="Kalimantan Barat", level=Level.PROVINCE)
    scope = Scope(area=kalbar, level=Level.VILLAGE)
    statement, params = land_use_statement(scope, core_source(LayerKind.LAND_USE, user))
    desa = sql("SELECT count(*) FROM layers_administrativearea WHERE valid_until IS NULL "
               "AND level = 4 AND code LIKE '61.%%'")[0][0]

    def ours():
        return land_use_areas(scope=scope, user=user).rows

    with psycopg_connect(options="-c jit=off") as conn:
        cur = psycopg.ClientCursor(conn)  # the statement as Django sends it (client-side)

        def bare():
            cur.execute(statement, params)
            return cur.fetchall()

        n_bare = len(bare())  # warm-up, both sides
        n_ours = len(ours())
        if n_ours != n_bare:
            raise SystemExit(f"landuse: ours gave {n_ours} rows, the bare SQL {n_bare}")
        times = {"ours": [], "bare": []}
        for run in range(runs):
            order = (("ours", ours), ("bare", bare)) if run % 2 == 0 else \
                (("bare", bare), ("ours", ours))
            for name, fn in order:
                seconds, _rows = timed(fn)
                times[name].append(seconds)
                log(f"landuse: run {run + 1}/{runs} {name} {seconds:.3f} s")
        conn.rollback()
    mo, mb = median(times["ours"]), median(times["bare"])
    ratio = mo / mb
    rows = [
        ["our selector (land_use_areas)", f"{desa}", f"{n_ours}", f"{mo:.3f}",
         " ".join(f"{t:.2f}" for t in times["ours"])],
        ["bare SQL (psycopg)", f"{desa}", f"{n_bare}", f"{mb:.3f}",
         " ".join(f"{t:.2f}" for t in times["bare"])],
        ["ratio ours ÷ bare", "", "", f"{ratio:.3f}", ""],
    ]
    return rows, ratio


def run() -> dict[str, float]:
    """Set up, measure, print the table, clean up; {"landuse_area_vs_sql": ratio}."""
    django_setup()
    try:
        counts = setup()
        log(f"landuse: {counts['zones']} zones written; {counts['desa_added']} of "
            f"{counts['desa_input']} desa added (the rest were already there)")
        rows, ratio = measure()
    finally:
        with contextlib.suppress(Exception):
            clean()
    print("\nLand-use area per desa, Kalimantan Barat (median of "
          f"{RUNS} runs, seconds)")
    print(table(rows, ["method", "desa", "rows", "median s", "runs"]))
    return {"landuse_area_vs_sql": ratio}


if __name__ == "__main__":
    for name, value in run().items():
        print(f"RATIO {name} {value:.3f}")
