"""Files and helpers for the upload wizard's tests: tiny data made here, real data zipped from
../shared/data, and an upload driven through the JSON API like the browser does."""

from __future__ import annotations

import contextlib
import json
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
from django.urls import reverse
from shapely.geometry import box

from tests.conftest import shared_file

KUBU_RAYA_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def two_desa_geojson(folder: Path) -> Path:
    """Two desa of the test province 99, side by side near 110°E (WGS 84 by the format)."""
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kode": code, "nama": name},
         "geometry": box(110.0 + i * 0.1, -0.1, 110.1 + i * 0.1, 0.0).__geo_interface__}
        for i, (code, name) in enumerate([("99.01.01.2001", "Sukamaju"),
                                          ("99.01.01.2002", "Tanjung Harapan")])]}
    path = folder / "desa.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def shapefile_zip_without_crs(folder: Path) -> Path:
    """A zipped shapefile whose .prj is missing: the pipeline must ask for an SRID."""
    frame = gpd.GeoDataFrame({"kode": ["99.01.01.2001"], "nama": ["Sukamaju"]},
                             geometry=[box(110.0, -0.1, 110.1, 0.0)], crs=None)
    shp = folder / "tanpa_prj.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "crs was not provided": on purpose
        frame.to_file(shp, engine="pyogrio")
    archive = folder / "tanpa_prj.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in (".shp", ".shx", ".dbf"):
            zf.write(shp.with_suffix(part), shp.with_suffix(part).name)
    return archive


def kubu_raya_zip(folder: Path) -> Path:
    """The 117 desa of Kabupaten Kubu Raya (Kemendagri codes via cahyadsn), zipped as an
    agency would send them; skips the test when ../shared is absent."""
    shp = shared_file("indonesia", "wilayah-kemendagri-cahyadsn", "kubu_raya",
                      "kubu_raya_desa.shp")
    archive = folder / "kubu_raya_desa.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in KUBU_RAYA_PARTS:
            zf.write(shp.with_suffix(part), f"kubu_raya_desa{part}")
    return archive


def upload_file(client, path: Path, *, target: str, chunk: int = 64 * 1024) -> str:
    """Send `path` through the upload API in pieces; returns the preview page's address."""
    data = path.read_bytes()
    res = client.post(reverse("importers:upload_start"), {
        "filename": path.name, "size": len(data), "target": target},
        content_type="application/json")
    assert res.status_code == 201, res.content
    state = res.json()
    offset = 0
    while offset < len(data):
        piece = data[offset:offset + chunk]
        res = client.generic("PUT", f"{state['url']}?offset={offset}", piece,
                             content_type="application/octet-stream")
        assert res.status_code == 200, res.content
        offset = res.json()["offset"]
    res = client.post(state["finish_url"])
    assert res.status_code == 200, res.content
    return res.json()["next"]


def run_worker_until_idle(**options) -> None:
    """What `manage.py procrastinate worker --one-shot` does, in this process and against the
    test database: the Django app with its worker connector (psycopg, like the command),
    processing every job waiting, then returning."""
    from procrastinate.contrib.django import app

    with worker_connections_closed(), \
            app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False,
                       **options)


@contextlib.contextmanager
def worker_connections_closed() -> Iterator[None]:
    """Tasks run in worker threads whose Django connection is kept for CONN_MAX_AGE (60 s
    with DATABASE_URL) and outlives the thread, so the test database could not be dropped
    at the end: have procrastinate's middleware close it after each task instead."""
    from django.db import connections

    shared = connections["default"].settings_dict  # the dict new threads' connections use
    before = shared.get("CONN_MAX_AGE", 0)
    shared["CONN_MAX_AGE"] = 0
    try:
        yield
    finally:
        shared["CONN_MAX_AGE"] = before
