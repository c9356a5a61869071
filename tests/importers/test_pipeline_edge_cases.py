"""Every shapefile of ../shared/data/shapefile-edge-cases either imports with the feature count
`ogrinfo` reports (imported + skipped-with-a-reason), or fails with a clear message and no row
written."""

import re
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from importers import sources
from importers.errors import ImportErrorCode, ImportFailed
from importers.jobs import ImportRequest, run_import
from layers.models import Feature, Layer
from tests.conftest import SHARED_DATA, shared_file

EDGE = SHARED_DATA / "shapefile-edge-cases"
SHAPEFILES = sorted(p for p in EDGE.rglob("*") if p.suffix.lower() in (".shp", ".zip")) \
    if EDGE.exists() else []


def ogrinfo_count(path: Path, workdir: Path | None = None) -> int | None:
    """Features as GDAL's ogrinfo reports them (None when it cannot open the file). A zip is
    unpacked first: GDAL 3.6 cannot open one whose shapefile sits in a sub-folder."""
    if path.suffix == ".zip":
        assert workdir is not None
        with zipfile.ZipFile(path) as archive:
            archive.extractall(workdir)
        shps = [p for p in workdir.rglob("*") if p.suffix.lower() == ".shp"]
        counts = [ogrinfo_count(p) for p in shps]
        return None if not counts or None in counts else sum(counts)
    res = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True,
                         text=True, timeout=60)
    counts = [int(n) for n in re.findall(r"Feature Count: (-?\d+)", res.stdout)]
    return sum(counts) if res.returncode == 0 and counts else None


OUTCOMES: dict[str, str] = {}


def slug(path: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(path.relative_to(EDGE)).lower()).strip("-")[:70]


@pytest.mark.django_db
@pytest.mark.parametrize("path", SHAPEFILES or [None], ids=lambda p: (p and p.name) or "absent")
def test_edge_case_imports_completely_or_fails_cleanly(path, tmp_path):
    if path is None:
        pytest.skip("../shared/data/shapefile-edge-cases is absent")
    expected = ogrinfo_count(path, tmp_path)
    layer = f"layer:edge-{slug(path)}"
    try:
        try:
            report = run_import(ImportRequest(path=path, target=layer)).report
        except ImportFailed as exc:
            if exc.code != ImportErrorCode.NO_CRS:
                raise
            # No .prj: refused with a pointer to --srid; given one, it must import or fail
            # cleanly too.
            assert "--srid" in exc.message
            report = run_import(ImportRequest(path=path, target=layer, srid=4326)).report
    except ImportFailed as exc:
        OUTCOMES[path.name] = f"refused: {exc.code}"
        assert exc.message and "Traceback" not in exc.message
        assert exc.code in set(ImportErrorCode)
        assert not Layer.objects.filter(slug=layer[6:]).exists()
        assert not Feature.objects.exists()
        return
    OUTCOMES[path.name] = f"imported {report.created}, skipped {report.skipped}"
    assert expected is not None, "GDAL's ogrinfo could not open what we imported"
    stored = Feature.objects.filter(layer__slug=layer[6:]).count()
    assert stored == report.created
    assert report.created + report.skipped == expected
    assert all(p.message for p in report.problems)


@pytest.mark.parametrize("path", SHAPEFILES or [None], ids=lambda p: (p and p.name) or "absent")
def test_a_split_read_gives_what_one_read_gives(path, tmp_path, monkeypatch):
    """A big shapefile's .dbf and .shp are read by two threads at once (sources._read_arrow):
    on every edge case that gives the same rows, the same geometries and the same refusal
    as one read of both."""
    if path is None:
        pytest.skip("../shared/data/shapefile-edge-cases is absent")

    def read(split: bool):
        monkeypatch.setattr(sources, "SPLIT_READ_MIN", 0 if split else 10**12)
        workdir = tmp_path / ("split" if split else "one")
        workdir.mkdir()
        try:
            rows = sources.read_source(sources.open_source(path, workdir=workdir, srid=4326))
        except ImportFailed as exc:
            return exc.code
        wkb = rows.wkb.to_pylist() if rows.wkb is not None else None
        return rows.attrs, wkb, rows.types.tolist() if rows.types is not None else None

    one, split = read(False), read(True)
    if isinstance(one, ImportErrorCode):
        assert split == one
        return
    assert not isinstance(split, ImportErrorCode), split
    pd.testing.assert_frame_equal(split[0], one[0])
    assert split[1:] == one[1:]


@pytest.mark.django_db
def test_a_shapefile_without_prj_is_refused_naming_the_srid_option_then_imports_with_it():
    path = shared_file("shapefile-edge-cases", "shapelib", "polygon.shp")
    with pytest.raises(ImportFailed) as err:
        run_import(ImportRequest(path=path, target="layer:poligon"))
    assert err.value.code == ImportErrorCode.NO_CRS and "--srid" in err.value.message
    assert not Feature.objects.exists()
    report = run_import(ImportRequest(path=path, target="layer:poligon", srid=32749)).report
    assert report.created + report.skipped == ogrinfo_count(path) == 474


@pytest.mark.django_db
def test_a_dbf_that_disagrees_with_its_shp_is_refused():
    path = shared_file("shapefile-edge-cases", "postgis", "Polygon.shp")
    with pytest.raises(ImportFailed) as err:
        run_import(ImportRequest(path=path, target="layer:tidak-cocok", srid=4326))
    assert err.value.code == ImportErrorCode.INCONSISTENT_FILES
    assert ".dbf" in err.value.message


@pytest.mark.django_db
def test_zip_with_a_subfolder_and_upper_case_prj():
    rel = run_import(ImportRequest(
        path=shared_file("shapefile-edge-cases", "pyshp", "REL.zip"), target="layer:rel"))
    assert rel.report.created > 0
    poly = run_import(ImportRequest(
        path=shared_file("shapefile-edge-cases", "gdal", "ogr", "data", "shp", "poly.zip"),
        target="layer:poly"))
    assert poly.source.crs.startswith("EPSG:27700")
    assert any("outside Indonesia" in n for n in poly.report.notices)


@pytest.mark.django_db
def test_utf8_names_arrive_intact_and_z_is_dropped_with_a_notice():
    gre = run_import(ImportRequest(
        path=shared_file("shapefile-edge-cases", "fiona", "gre.shp"), target="layer:gre"))
    props = Feature.objects.get(layer__slug="gre").properties
    assert any(re.search("[А-Яа-я]", str(v)) for v in props.values())  # Cyrillic intact
    assert gre.source.encoding == "utf-8"
    z = run_import(ImportRequest(
        path=shared_file("shapefile-edge-cases", "shapelib", "3dpoints.shp"),
        target="layer:titik-3d", srid=4326))
    assert any("Z" in n for n in z.report.notices)
    assert not Feature.objects.filter(layer__slug="titik-3d").first().geom.hasz


def test_zz_print_the_outcome_table():
    # Printed with -s for the notes; asserts that both outcomes really occur.
    for name, outcome in sorted(OUTCOMES.items()):
        print(f"{name:40s} {outcome}")
    if OUTCOMES:
        assert any(o.startswith("imported") for o in OUTCOMES.values())
