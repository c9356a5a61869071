"""Raster import: a GeoTIFF or ASCII grid becomes a catalogue layer of kind `raster` with its
grid stored as a Cloud-Optimized GeoTIFF (GDAL's COG driver through rasterio).

Everything is checked before anything is written: an unreadable or CRS-less file, a rotated
grid or a grid with no data is refused with a translated sentence and leaves no row and no
file behind.

No-data and negative cells: the file's no-data value (or `nodata=` when the file declares
none) marks cells that are not data; they are left out of statistics and drawn transparent.
Negative cells are data and are kept as they are (a negative population is an upstream error,
a negative elevation is the sea): zonal sums include them, and the import reports how many
there are so the user can decide.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import Polygon
from django.db import transaction
from django.utils.translation import gettext as _
from pyproj import CRS
from rasterio.io import MemoryFile
from rasterio.warp import transform_bounds
from rio_tiler.colormap import cmap

from analysis.errors import AnalysisErrorCode, AnalysisFailed
from analysis.models import Raster, RasterRamp
from analysis.models.rasters import raster_dir
from layers.models import Layer, LayerKind

MAX_CLASSES = 64
# Qualitative colours for classes without their own (ColorBrewer Set1, then Dark2).
CLASS_COLOURS = ["#377eb8", "#e41a1c", "#4daf4a", "#984ea3", "#ff7f00", "#ffff33", "#a65628",
                 "#f781bf", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]
_CLASS_RE = re.compile(r"^\s*(-?\d+)\s*(?:=\s*([^:]*?)\s*)?(?::\s*(#[0-9a-fA-F]{6}))?\s*$")


@dataclass
class RasterImportOutcome:
    raster: Raster
    notices: list[str] = field(default_factory=list)


def parse_classes(text: str) -> list[dict]:
    """`"1=Rendah:#fde68a,2=Sedang:#f59e0b,3=Tinggi"` → [{"value", "label", "color"}].
    A label or colour may be left out; values are integers."""
    classes = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _CLASS_RE.match(part)
        if not match:
            raise AnalysisFailed(AnalysisErrorCode.CLASSES_INVALID, _(
                "Cannot read the class %(part)s: write value=label:#rrggbb, e.g. "
                "1=Low:#fde68a.") % {"part": part})
        value, label, colour = match.groups()
        classes.append({"value": int(value), "label": label or value, "color": colour})
    return classes


def _refuse(code: AnalysisErrorCode, message: str) -> None:
    raise AnalysisFailed(code, message)


def _open_checked(path: Path, nodata: float | None) -> tuple[dict, np.ma.MaskedArray, list[str]]:
    """Open and fully read band 1 (a corrupt file often fails only when its pixels are read),
    check what zonal statistics and tiles need, and return the profile and the masked band."""
    notices: list[str] = []
    if not path.is_file():
        _refuse(AnalysisErrorCode.FILE_NOT_FOUND, _("The file %(name)s does not exist.")
                % {"name": path.name})
    try:
        with rasterio.open(path) as src:
            profile = src.profile.copy()
            crs, transform, count = src.crs, src.transform, src.count
            band = src.read(1, masked=True)
    except Exception as exc:  # rasterio raises several kinds for a bad file; all mean "unreadable"
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise AnalysisFailed(AnalysisErrorCode.RASTER_UNREADABLE, _(
            "%(name)s is not a raster that can be read (GeoTIFF or ASCII grid with its .prj): "
            "%(reason)s. Nothing was imported.") % {"name": path.name, "reason": reason}) from exc
    if crs is None or not crs.to_wkt():
        _refuse(AnalysisErrorCode.NO_CRS, _(
            "%(name)s has no coordinate system (a GeoTIFF without georeferencing, or an ASCII "
            "grid without its .prj file). Add it and import again; nothing was imported.")
            % {"name": path.name})
    if transform.b != 0 or transform.d != 0:
        _refuse(AnalysisErrorCode.ROTATED, _(
            "%(name)s is a rotated grid; warp it north-up first (gdalwarp). Nothing was "
            "imported.") % {"name": path.name})
    if count > 1:
        notices.append(_("The file has %(n)d bands; only band 1 is imported.") % {"n": count})
    if nodata is not None:
        band = np.ma.masked_equal(band.filled(nodata) if np.ma.is_masked(band) else band.data,
                                  nodata)
        profile["nodata"] = nodata
    elif profile.get("nodata") is None:
        notices.append(_("The file declares no no-data value: every cell counts as data."))
    if band.count() == 0:
        _refuse(AnalysisErrorCode.EMPTY, _("%(name)s holds no data: every cell is no-data. "
                                           "Nothing was imported.") % {"name": path.name})
    return profile, band, notices


def _band_stats(band: np.ma.MaskedArray) -> dict:
    values = band.compressed().astype("float64")
    p2, p98 = np.percentile(values, [2, 98])
    return {"min": float(values.min()), "max": float(values.max()),
            "mean": float(values.mean()), "std": float(values.std()),
            "valid_cells": int(values.size), "nodata_cells": int(band.size - values.size),
            "negative_cells": int((values < 0).sum()), "p2": float(p2), "p98": float(p98)}


def _classes_for(band: np.ma.MaskedArray, given: list[dict] | None, name: str) -> list[dict]:
    if band.dtype.kind not in "iu" and not np.all(np.mod(band.compressed(), 1) == 0):
        _refuse(AnalysisErrorCode.CLASSES_INVALID, _(
            "%(name)s has fractional values, so it cannot be categorical.") % {"name": name})
    found = np.unique(band.compressed()).astype("int64")
    if found.size > MAX_CLASSES:
        _refuse(AnalysisErrorCode.CLASSES_INVALID, _(
            "%(name)s has %(n)d distinct values; a categorical raster may have at most "
            "%(max)d.") % {"name": name, "n": found.size, "max": MAX_CLASSES})
    by_value = {c["value"]: c for c in (given or [])}
    values = sorted(set(found.tolist()) | set(by_value))
    return [{"value": v, "label": by_value.get(v, {}).get("label") or str(v),
             "color": by_value.get(v, {}).get("color") or CLASS_COLOURS[i % len(CLASS_COLOURS)]}
            for i, v in enumerate(values)]


def _write_cog(profile: dict, band: np.ma.MaskedArray, target: Path, categorical: bool) -> None:
    """Band 1 as a Cloud-Optimized GeoTIFF: 512-px tiles, deflate, overviews (nearest for
    classes, average for measurements)."""
    nodata = profile.get("nodata")
    data = band.filled(nodata) if nodata is not None else band.data
    mem_profile = {"driver": "GTiff", "width": profile["width"], "height": profile["height"],
                   "count": 1, "dtype": data.dtype.name, "crs": profile["crs"],
                   "transform": profile["transform"], "nodata": nodata}
    with MemoryFile() as memory:
        with memory.open(**mem_profile) as staged:
            staged.write(data, 1)
        with memory.open() as staged:
            rasterio.shutil.copy(
                staged, target, driver="COG", COMPRESS="DEFLATE", BLOCKSIZE=512,
                OVERVIEW_RESAMPLING="NEAREST" if categorical else "AVERAGE",
                RESAMPLING="NEAREST")


def _footprint(crs, bounds) -> Polygon:
    west, south, east, north = transform_bounds(crs, "EPSG:4326", *bounds, densify_pts=21)
    return Polygon.from_bbox((west, south, east, north))


@transaction.atomic
def raster_import(*, path: Path, slug: str, name: str | None = None, units: str = "",
                  categorical: bool = False, classes: list[dict] | None = None,
                  ramp: str | None = None, display_range: tuple[float, float] | None = None,
                  nodata: float | None = None, public: bool = True, description: str = "",
                  replace: bool = False,
                  user: AbstractBaseUser | None = None) -> RasterImportOutcome:
    """Import the raster at `path` as the layer `slug` (a new one, or with `replace` a raster
    layer of that slug whose grid is replaced). All or nothing: on refusal no row and no file
    is left. Bounds, resolution and CRS are kept as the file has them; `footprint` is EPSG:4326."""
    path = Path(path)
    existing = Layer.objects.filter(slug=slug).first()
    if existing is not None and (existing.kind != LayerKind.RASTER or not replace):
        _refuse(AnalysisErrorCode.SLUG_TAKEN, _(
            "A layer named %(slug)s exists already; choose another slug%(hint)s.") % {
            "slug": slug, "hint": _(" or add --replace") if existing.kind == LayerKind.RASTER
            else ""})
    if ramp and ramp not in RasterRamp.values:
        _refuse(AnalysisErrorCode.OPTION_INVALID, _("Unknown colour ramp %(ramp)s; choose one "
                "of %(choices)s.") % {"ramp": ramp, "choices": ", ".join(RasterRamp.values)})
    profile, band, notices = _open_checked(path, nodata)
    stats = _band_stats(band)
    if stats["negative_cells"]:
        notices.append(_(
            "%(n)d cells are negative (lowest %(min).6g); they are kept as they are and count "
            "in zonal statistics.") % {"n": stats["negative_cells"], "min": stats["min"]})
    if categorical:
        classes = _classes_for(band, classes, path.name)
    elif classes:
        _refuse(AnalysisErrorCode.OPTION_INVALID,
                _("Classes are for a categorical raster: add --categorical."))
    low, high = display_range or (stats["p2"], stats["p98"])
    if high <= low:
        low, high = stats["min"], max(stats["max"], stats["min"] + 1e-9)
    crs = profile["crs"]
    transform = profile["transform"]
    bounds = rasterio.transform.array_bounds(profile["height"], profile["width"], transform)
    left, bottom, right, top = bounds[0], bounds[1], bounds[2], bounds[3]

    folder = raster_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{slug}-{uuid.uuid4().hex[:8]}.tif"
    partial = folder / f".{stored}.partial"
    try:
        _write_cog(profile, band, partial, categorical)
        layer = existing or Layer(slug=slug, kind=LayerKind.RASTER)
        layer.name = name or layer.name or slug
        layer.description = description or layer.description
        layer.is_public = public
        layer.source = path.name
        layer.save()
        old_file = None
        raster = Raster.objects.filter(layer=layer).first() or Raster(layer=layer)
        if raster.pk:
            old_file = raster.file
        pyproj_crs = CRS.from_wkt(crs.to_wkt())
        for attr, value in {
            "path": stored, "source_name": path.name, "crs_wkt": crs.to_wkt(),
            "crs_name": pyproj_crs.name[:200], "epsg": crs.to_epsg(),
            "nodata": profile.get("nodata"), "units": units, "dtype": band.dtype.name,
            "categorical": categorical, "classes": classes or [],
            "ramp": ramp or raster.ramp or RasterRamp.VIRIDIS,
            "display_min": float(low), "display_max": float(high),
            "width": profile["width"], "height": profile["height"],
            "bounds": [left, bottom, right, top], "res_x": abs(transform.a),
            "res_y": abs(transform.e), "footprint": _footprint(crs, (left, bottom, right, top)),
            "stats": stats, "size_bytes": partial.stat().st_size, "imported_by": user,
        }.items():
            setattr(raster, attr, value)
        raster.save()
        Layer.objects.filter(pk=layer.pk).update(data_version=layer.data_version + 1)
        os.replace(partial, folder / stored)
    except BaseException:
        partial.unlink(missing_ok=True)
        (folder / stored).unlink(missing_ok=True)
        raise
    if old_file is not None:
        transaction.on_commit(lambda: old_file.unlink(missing_ok=True))
    return RasterImportOutcome(raster=raster, notices=notices)


def raster_legend(raster: Raster, steps: int = 5) -> list[dict]:
    """What each colour means: the classes of a categorical raster, or `steps` stops along the
    ramp of a continuous one (values in the raster's units)."""
    if raster.categorical:
        return [{"value": c["value"], "label": c["label"], "color": c["color"]}
                for c in raster.classes]
    colours = cmap.get(raster.ramp)
    low, high = raster.display_min, raster.display_max
    rows = []
    for i in range(steps):
        fraction = i / (steps - 1)
        r, g, b, _a = colours[round(fraction * 255)]
        value = low + fraction * (high - low)
        label = f"{value:,.4g} {raster.units}".strip()
        if i == 0:
            label = "≤ " + label
        elif i == steps - 1:
            label = "≥ " + label
        rows.append({"value": value, "label": label, "color": f"#{r:02x}{g:02x}{b:02x}"})
    return rows
