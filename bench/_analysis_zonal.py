#!/usr/bin/env python3
"""Zonal statistics per kelurahan: ours (`analysis.services.zonal.compute_zonal`) against
exactextract called directly and rasterstats, on the same raster and polygons.

Data: the 261 Jakarta kelurahan (../shared/data, imported with the project's importer as a
thematic layer) and the UTM 48N population grid (imported as a raster layer, so stored as our
COG). Every contender reads that same COG:
- ours: zones read from PostGIS, transformed to the raster's CRS, exactextract, a DataFrame;
- exactextract: `exact_extract(cog, GeoDataFrame already in the raster's CRS, ops)` — the
  polygons are prepared before the clock starts, so the anchor pays for nothing but the
  statistics (our time includes the database read and the reprojection);
- rasterstats: `zonal_stats(GeoDataFrame, cog, stats)` (centre-of-cell, no partial coverage:
  for context only).
Statistics sum, mean, min, max, count; runs interleaved, median of RUNS. The flood-depth grid
(geographic) is measured too, for context. Sets up in a private raster folder and removes its
layers afterwards. Runnable alone; `bench/analysis` calls run().
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

# As the other bench scripts: bench/ on the path, `_common` imported by its bare name.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, clean_layer, django_setup, log, median, sql, table, timed

SHARED = ROOT.parent / "shared" / "data" / "indonesia" / "inasafe-jakarta"
KELURAHAN = SHARED / "boundaries" / "kelurahan_jakarta.shp"
RASTERS = {"population (UTM 48N)": SHARED / "raster" / "Population_Jakarta_UTM48N.tif",
           "flood depth (geographic)":
               SHARED / "raster" / "Flood_Current_Depth_Jakarta_geographic.asc"}
ZONES_SLUG = "bench-zonal-kelurahan"
STATS = ["sum", "mean", "min", "max", "count"]
RUNS = 5


def _setup(folder: Path) -> dict[str, str]:
    from django.conf import settings

    from analysis.services.rasters import raster_import
    from importers.jobs import ImportRequest, run_import

    settings.SIG_RASTER_DIR = folder
    _cleanup()
    run_import(ImportRequest(path=KELURAHAN, target=f"layer:{ZONES_SLUG}", key="ID",
                             public=False))
    slugs = {}
    for i, (label, path) in enumerate(RASTERS.items()):
        slug = f"bench-zonal-raster-{i}"
        raster_import(path=path, slug=slug, public=False)
        slugs[label] = slug
    return slugs


def _cleanup() -> None:
    from analysis.models import Raster
    from layers.models import Layer

    for raster in Raster.objects.filter(layer__slug__startswith="bench-zonal-raster-"):
        raster.file.unlink(missing_ok=True)
    Layer.objects.filter(slug__startswith="bench-zonal-raster-").delete()
    sql("DELETE FROM layers_historicallayer WHERE slug LIKE 'bench-zonal-raster-%%'")
    clean_layer(ZONES_SLUG, vacuum=False)


def _measure(slug: str) -> dict[str, float]:
    import pyogrio
    import rasterio
    from exactextract import exact_extract
    from rasterstats import zonal_stats

    from analysis.models import Raster
    from analysis.services.zonal import compute_zonal

    cog = Raster.objects.get(layer__slug=slug).file
    with rasterio.open(cog) as ds:
        crs = ds.crs.to_wkt()
    polygons = pyogrio.read_dataframe(KELURAHAN).to_crs(crs)
    contenders = {
        "ours (compute_zonal)": lambda: compute_zonal(slug, f"layer:{ZONES_SLUG}", STATS),
        "exactextract direct": lambda: exact_extract(str(cog), polygons, STATS,
                                                     output="pandas"),
        "rasterstats": lambda: zonal_stats(polygons, str(cog), stats=STATS),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():  # warm: imports, file cache, connection
        fn()
    for _ in range(RUNS):
        for name, fn in contenders.items():
            seconds, _result = timed(fn)
            times[name].append(seconds)
    return {name: median(values) for name, values in times.items()}


def run() -> dict[str, float]:
    """Set up, measure, print the table, clean up; {"zonal_vs_exactextract": ratio}."""
    django_setup()
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    rows, ratio = [], float("nan")
    with tempfile.TemporaryDirectory(prefix="sig-bench-rasters-") as folder:
        try:
            log("zonal: importing the kelurahan and the rasters …")
            slugs = _setup(Path(folder))
            for label, slug in slugs.items():
                log(f"zonal: {label}, {RUNS} runs …")
                medians = _measure(slug)
                anchor = medians["exactextract direct"]
                for name, seconds in medians.items():
                    rows.append([f"{label}: {name}", f"{seconds * 1000:.1f}",
                                 f"{seconds / anchor:.2f}"])
                if label.startswith("population"):
                    ratio = medians["ours (compute_zonal)"] / anchor
        finally:
            _cleanup()
    print(f"Zonal statistics, 261 Jakarta kelurahan, {', '.join(STATS)}; median of {RUNS} "
          "runs (ms), ratio to exactextract called directly on the same COG")
    print(table(rows, ["contender", "ms", "× exactextract"]))
    return {"zonal_vs_exactextract": round(ratio, 3)}


if __name__ == "__main__":
    for name, value in run().items():
        print(f"RATIO {name} {value}")
