"""Readers: find the layer in what the user gave (zip, folder, .shp, GeoPackage, GeoJSON,
KML/KMZ, CSV) and read it vectorised with pyogrio into a GeoDataFrame."""

from __future__ import annotations

import functools
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely
from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError

from importers.archive import extract_archive
from importers.encoding import EncodingChoice, codec_from_label, dbf_encoding, pyogrio_encoding
from importers.errors import ImportErrorCode, ImportFailed

DATA_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".csv")
# Formats whose specification fixes the CRS to WGS 84 longitude/latitude.
WGS84_DRIVERS = {"GeoJSON", "KML", "LIBKML", "CSV", "GeoJSONSeq"}
CSV_OPTIONS = {
    "X_POSSIBLE_NAMES": "lon,lng,long,longitude,bujur,x,koordinat_x,x_coord,*_lon,*_lng",
    "Y_POSSIBLE_NAMES": "lat,latitude,lintang,y,koordinat_y,y_coord,*_lat",
    "GEOM_POSSIBLE_NAMES": "wkt,geom,geometry,the_geom,shape",
    "KEEP_GEOM_COLUMNS": "NO",
    "AUTODETECT_TYPE": "YES",
}


def unreadable(name: str, reason: object) -> ImportFailed:
    """The refusal of a file that GDAL or GEOS cannot read (their own words as the reason)."""
    return ImportFailed(ImportErrorCode.FILE_CORRUPT, _(
        "“%(name)s” cannot be read: %(reason)s") % {"name": name, "reason": str(reason)[:200]})


@dataclass
class Source:
    """An opened source: the file GDAL reads, the chosen layer, and what we learnt of it."""

    path: Path
    layer: str | None
    layers: list[str]
    driver: str
    feature_count: int
    geometry_type: str | None
    crs: CRS
    crs_note: str
    fields: list[str]
    encoding: EncodingChoice | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def read_kwargs(self) -> dict:
        kwargs: dict = {}
        if self.layer is not None and len(self.layers) > 1 and self.path.suffix != ".shp":
            kwargs["layer"] = self.layer
        if self.encoding is not None:
            kwargs["encoding"] = pyogrio_encoding(self.encoding)
        if self.driver == "CSV":
            kwargs.update(CSV_OPTIONS)
        return kwargs


def _candidates(folder: Path) -> list[Path]:
    found = [
        p for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
        and not any(part.startswith(("__MACOSX", ".")) for part in p.relative_to(folder).parts)
    ]
    # A .shp's .dbf/.prj are its parts, not layers; a lone .dbf is a table, not a layer.
    return found


def locate(path: Path, workdir: Path, layer: str | None = None) -> tuple[Path, str | None]:
    """The data file to open (unpacking archives into `workdir`) and the layer inside it."""
    if not path.exists():
        raise ImportFailed(ImportErrorCode.FILE_NOT_FOUND,
                           _("File not found: %(path)s.") % {"path": path.name})
    suffix = path.suffix.lower()
    if suffix in (".zip", ".kmz"):
        target = workdir / "unpacked"
        target.mkdir(mode=0o700, exist_ok=True)
        extract_archive(path, target)
        return locate(target, workdir, layer)
    if path.is_dir():
        files = _candidates(path)
        if not files:
            raise ImportFailed(ImportErrorCode.ARCHIVE_EMPTY, _(
                "No map data found (expected .shp, .gpkg, .geojson, .kml or .csv)."))
        if len(files) == 1:
            return files[0], layer
        by_name = {f.stem: f for f in files}
        if layer in by_name:
            return by_name[layer], None
        raise ImportFailed(ImportErrorCode.LAYER_REQUIRED, _(
            "Several layers found: %(names)s. Choose one with --layer."
        ) % {"names": ", ".join(sorted(by_name))})
    if suffix not in DATA_SUFFIXES:
        raise ImportFailed(ImportErrorCode.FORMAT_UNKNOWN, _(
            "“%(name)s” is not a format SIG reads: give a zipped or loose shapefile, "
            "GeoPackage, GeoJSON, KML/KMZ or CSV.") % {"name": path.name})
    return path, layer


def _resolve_crs(info: dict, driver: str, srid: int | None, notices: list[str]) -> tuple[CRS, str]:
    if srid is not None:
        try:
            crs = CRS.from_epsg(srid)
        except CRSError as exc:
            raise ImportFailed(ImportErrorCode.CRS_UNKNOWN, _(
                "EPSG:%(srid)s is not a known coordinate system.") % {"srid": srid}) from exc
        if info.get("crs"):
            notices.append(_("The file declares %(file)s; EPSG:%(srid)s was used as asked.")
                           % {"file": info["crs"], "srid": srid})
        return crs, f"EPSG:{srid} {crs.name}"
    if info.get("crs"):
        try:
            crs = CRS.from_user_input(info["crs"])
        except CRSError as exc:
            raise ImportFailed(ImportErrorCode.CRS_UNKNOWN, _(
                "The file's coordinate system is not understood. Give it with --srid "
                "(e.g. --srid 32749 for UTM zone 49S).")) from exc
        epsg = crs.to_epsg(min_confidence=70)
        return crs, f"EPSG:{epsg} {crs.name}" if epsg else crs.name
    if driver in WGS84_DRIVERS:
        notices.append(_("%(format)s data is longitude/latitude on WGS 84 (EPSG:4326) by its "
                         "specification.") % {"format": driver})
        return CRS.from_epsg(4326), "EPSG:4326 WGS 84"
    raise ImportFailed(ImportErrorCode.NO_CRS, _(
        "The file has no coordinate system (the shapefile's .prj is missing). Give it with "
        "--srid: 4326 for longitude/latitude, 32646–32654 (UTM north) or 32746–32754 (UTM "
        "south; e.g. 32749 = UTM 49S), 23830–23853 for DGN95 TM-3, 9470 for SRGI2013."))


def open_source(path: Path, *, workdir: Path, layer: str | None = None,
                srid: int | None = None, encoding: str | None = None) -> Source:
    """Find and describe the layer to import; raises ImportFailed with a clear reason.
    GDAL's warnings (e.g. measures dropped) become notices for the user."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source = _open_source(path, workdir=workdir, layer=layer, srid=srid,
                              encoding=encoding)
    for message in dict.fromkeys(str(w.message) for w in caught):
        source.notices.append(message)
    return source


def _open_source(path: Path, *, workdir: Path, layer: str | None, srid: int | None,
                 encoding: str | None) -> Source:
    data, layer = locate(Path(path), workdir, layer)
    try:
        listed = pyogrio.list_layers(data)
    except Exception as exc:  # GDAL's own errors vary by driver; the cause is the file
        raise unreadable(data.name, exc) from exc
    names = [str(row[0]) for row in listed]
    if layer is None and len(names) > 1:
        raise ImportFailed(ImportErrorCode.LAYER_REQUIRED, _(
            "The file holds several layers: %(names)s. Choose one with --layer."
        ) % {"names": ", ".join(names)})
    if layer is not None and len(names) > 1 and layer not in names:
        raise ImportFailed(ImportErrorCode.LAYER_NOT_FOUND, _(
            "No layer “%(layer)s” in the file; it has: %(names)s."
        ) % {"layer": layer, "names": ", ".join(names)})
    chosen = layer if layer in names else names[0] if names else None
    notices: list[str] = []
    choice = None
    dbf = next((p for p in data.parent.glob(data.stem + ".*") if p.suffix.lower() == ".dbf"),
               None) if data.suffix.lower() == ".shp" else None
    if dbf is not None:
        choice = dbf_encoding(dbf, given=encoding)
        notices.append(_("Text encoding: %(enc)s (%(detail)s).") % {
            "enc": choice.encoding, "detail": choice.detail})
    elif encoding and data.suffix.lower() == ".csv":
        choice = dbf_encoding_given(encoding)
    try:
        info = pyogrio.read_info(data, layer=chosen if len(names) > 1 else None,
                                 encoding=pyogrio_encoding(choice) if choice else None,
                                 **(CSV_OPTIONS if data.suffix.lower() == ".csv" else {}))
    except Exception as exc:
        raise unreadable(data.name, exc) from exc
    driver = info.get("driver") or ""
    if data.suffix.lower() == ".csv" and info.get("geometry_type") in (None, "Unknown", "None"):
        raise ImportFailed(ImportErrorCode.NO_FEATURES, _(
            "The CSV has no coordinates: it needs longitude/latitude columns (lon/lng/bujur "
            "and lat/lintang) or a WKT column."))
    crs, crs_note = _resolve_crs(info, driver, srid, notices)
    return Source(
        path=data, layer=chosen, layers=names, driver=driver,
        feature_count=int(info.get("features") or 0), geometry_type=info.get("geometry_type"),
        crs=crs, crs_note=crs_note, fields=[str(f) for f in info.get("fields", [])],
        encoding=choice, notices=notices,
    )


def dbf_encoding_given(encoding: str) -> EncodingChoice:
    """An encoding the caller named for a non-DBF text file (CSV), checked."""
    codec = codec_from_label(encoding)
    if codec is None:
        raise ImportFailed(ImportErrorCode.ENCODING_UNKNOWN, _(
            "Unknown text encoding “%(enc)s” (use e.g. utf-8, cp1252, latin-1).")
            % {"enc": encoding})
    return EncodingChoice(encoding=codec, source="given", detail=_("given by the caller"))


@dataclass
class SourceRows:
    """A layer as read: its attributes, and the file's own WKB of each geometry (parsed into
    shapely geometries only when asked: a first import into a thematic layer checks them
    while the database works, importers/geometry.py), in the file's CRS. The writer sends the
    WKB on unchanged when no check had to change a geometry."""

    attrs: pd.DataFrame
    wkb: pa.BinaryArray | None  # None for a missing geometry; None as a whole: no geometry
    # The WKB type word of each geometry (ISO: 3 Polygon, 1003 Polygon Z…; -1 missing).
    types: np.ndarray | None
    crs: CRS
    name: str  # the file's name, for messages

    def __len__(self) -> int:
        return len(self.attrs)

    @functools.cached_property
    def geoms(self) -> np.ndarray:
        """The shapely geometries (None where missing)."""
        return parse_wkb(self.wkb, self.name) if self.wkb is not None else \
            np.full(len(self.attrs), None, dtype=object)


def parse_wkb(wkb: pa.BinaryArray, name: str) -> np.ndarray:
    try:
        return shapely.from_wkb(wkb.to_numpy(zero_copy_only=False))
    except Exception as exc:  # e.g. curved geometries, which GEOS does not know
        raise unreadable(name, exc) from exc


def wkb_types(wkb: pa.BinaryArray) -> np.ndarray:
    """The type word of each WKB, read from the array's buffers at once (byte 0 says the byte
    order of the four after it); -1 where the geometry is missing or too short."""
    n = len(wkb)
    offsets = np.frombuffer(wkb.buffers()[1], dtype=np.int32)[wkb.offset:wkb.offset + n + 1]
    data = wkb.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    starts = offsets[:-1].astype(np.int64)
    ok = (np.diff(offsets) >= 5) & ~np.asarray(wkb.is_null(), dtype=bool)
    out = np.full(n, -1, dtype=np.int64)
    if ok.any():
        at = starts[ok]
        head = np.stack([data[at + k] for k in range(1, 5)]).astype(np.int64)
        little = data[at] == 1
        out[ok] = np.where(little, head[0] | head[1] << 8 | head[2] << 16 | head[3] << 24,
                           head[3] | head[2] << 8 | head[1] << 16 | head[0] << 24)
    return out


SPLIT_READ_MIN = 20_000  # features: below it a second open of the file costs more than it saves


def _read_arrow(source: Source) -> tuple[dict, pa.Table, pa.ChunkedArray | None]:
    """The layer's attributes as an Arrow table, pyogrio's metadata of them, and its WKB
    column (None when it has no geometry). A big shapefile's .dbf and .shp, separate files,
    are read at once by two threads (GDAL reads without the GIL): 0.8 → 0.5 s for 200k
    polygons; any other source in one read (a GeoPackage's 200k rows take 0.07 s, which a
    second read would only slow)."""
    kwargs = {"datetime_as_string": True, **source.read_kwargs}
    if source.driver == "ESRI Shapefile" and source.feature_count >= SPLIT_READ_MIN:
        with ThreadPoolExecutor(max_workers=1) as pool:
            shapes = pool.submit(pyogrio.read_arrow, source.path, columns=[], **kwargs)
            meta, attributes = pyogrio.read_arrow(source.path, read_geometry=False, **kwargs)
            shape_meta, table = shapes.result()
        name = shape_meta.get("geometry_name") or "wkb_geometry"
        return meta, attributes, table.column(name) if name in table.column_names else None
    meta, table = pyogrio.read_arrow(source.path, **kwargs)
    name = meta.get("geometry_name") or "wkb_geometry"
    if name not in table.column_names:
        return meta, table, None
    return meta, table.drop_columns([name]), table.column(name)


def read_source(source: Source) -> SourceRows:
    """Read the whole layer, vectorised through GDAL's Arrow stream, in its own CRS: one read
    (a big shapefile's two files at once, `_read_arrow`), the attributes converted to pandas
    as pyogrio's `read_dataframe` does, the WKB kept as Arrow binary (`read_dataframe` made a
    bytes object of each and parsed them all: ~0.35 s for 200k polygons, which the fast lane
    of the geometry check spends aside, if at all).
    Dates and JSON fields take pyogrio's own conversion (a second, attribute-only read)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # already reported by open_source
            meta, attributes, geometry = _read_arrow(source)
            if any(str(t).startswith("datetime") for t in meta["dtypes"]) \
                    or "OFSTJSON" in list(meta.get("ogr_subtypes") or []):
                frame = pyogrio.read_dataframe(source.path, use_arrow=True,
                                               read_geometry=False, **source.read_kwargs)
            else:
                frame = attributes.to_pandas()
    except Exception as exc:
        raise unreadable(source.path.name, exc) from exc
    rows = len(geometry) if geometry is not None else attributes.num_rows
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:  # no attribute columns
        frame = pd.DataFrame(index=pd.RangeIndex(rows))
    if source.driver == "ESRI Shapefile" and source.feature_count > 0 \
            and len(frame) != source.feature_count:
        raise ImportFailed(ImportErrorCode.INCONSISTENT_FILES, _(
            "The shapefile's parts disagree: the .shp holds %(shp)d shapes but %(read)d "
            "records could be read (is the .dbf from another version of the file?).")
            % {"shp": source.feature_count, "read": len(frame)})
    if rows != len(frame):
        raise unreadable(source.path.name, f"{rows} geometries, {len(frame)} records")
    wkb = types = None
    if geometry is not None:
        column = geometry.combine_chunks()
        column = column.storage if isinstance(column, pa.ExtensionArray) else column
        wkb, types = column, wkb_types(column)
    return SourceRows(attrs=frame, wkb=wkb, types=types, crs=source.crs,
                      name=source.path.name)
