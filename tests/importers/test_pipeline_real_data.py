"""The import pipeline on real agency files from ../shared/data (skipped when absent)."""

import io
import json

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from pyproj import Geod

from importers.errors import ImportErrorCode, ImportFailed
from importers.jobs import ImportRequest, run_import
from layers.models import (
    AdministrativeArea,
    Asset,
    AssetCategory,
    Feature,
    FeatureBatch,
    LandUseZone,
    Layer,
)
from layers.selectors.boundaries import village_at
from layers.services import feature_batches
from tests.conftest import shared_file

pytestmark = pytest.mark.django_db

WILAYAH = ("indonesia", "wilayah-kemendagri-cahyadsn")


def kubu_raya_desa():
    return shared_file(*WILAYAH, "kubu_raya", "kubu_raya_desa.shp")


def test_kubu_raya_desa_shapefile_imports_with_codes_names_and_places(django_user_model):
    user = django_user_model.objects.create_user("perencana")
    outcome = run_import(ImportRequest(path=kubu_raya_desa(), target="admin_areas", user=user))
    report = outcome.report
    assert (report.total, report.created, report.skipped) == (117, 117, 0)
    assert outcome.mapping == {"code": "kode", "name": "nama"}
    assert outcome.source.crs.startswith("EPSG:4326")
    desa = AdministrativeArea.objects.get(code="61.12.01.2001")
    assert desa.name == "Sungai Raya" and desa.level == 4
    assert AdministrativeArea.objects.get(code="61.12.09.2003").name  # another kecamatan
    assert AdministrativeArea.objects.filter(name="Olak-Olak Kubu").exists()
    # A known point: the upstream centroid of Sungai Raya (kalbar_desa_kelurahan_titik.csv).
    assert village_at(Point(109.371247, -0.071066, srid=4326)).code == "61.12.01.2001"
    assert village_at(Point(106.8, -6.2, srid=4326)) is None  # Jakarta is not in this file
    # Every write is in the history as this import, by this user.
    record = desa.history.first()
    assert record.history_type == "+" and record.history_user == user
    assert "kubu_raya_desa.shp" in record.history_change_reason


def test_reimporting_the_same_file_updates_and_creates_no_duplicates():
    first = run_import(ImportRequest(path=kubu_raya_desa(), target="admin_areas")).report
    again = run_import(ImportRequest(path=kubu_raya_desa(), target="admin_areas")).report
    assert first.created == 117
    assert (again.created, again.updated, again.unchanged) == (0, 0, 117)
    assert AdministrativeArea.objects.filter(code__startswith="61.12.").count() == 117


def test_the_kalbar_hierarchy_imports_level_by_level_with_parents_linked():
    gpkg = shared_file(*WILAYAH, "kalbar_kecamatan_desa.gpkg")
    with pytest.raises(ImportFailed) as err:
        run_import(ImportRequest(path=gpkg, target="admin_areas"))
    assert err.value.code == ImportErrorCode.LAYER_REQUIRED
    assert "desa_kelurahan" in err.value.message
    counts = {}
    for layer in ("kabupaten_kota", "kecamatan", "desa_kelurahan"):
        report = run_import(ImportRequest(path=gpkg, target="admin_areas", layer=layer)).report
        counts[layer] = report.created
        if layer == "kabupaten_kota":
            # Two real kabupaten are invalid upstream (nested shells): repaired, reported.
            assert any(p.code == "geometry_repaired" for p in report.problems)
    assert counts == {"kabupaten_kota": 14, "kecamatan": 174, "desa_kelurahan": 2130}
    assert not AdministrativeArea.objects.filter(level__gt=2, parent__isnull=True).exists()
    kel = AdministrativeArea.objects.get(code="61.71.06.1004")
    assert kel.parent.code == "61.71.06" and kel.parent.parent.code == "61.71"
    assert str(kel.kind_label) == "Kelurahan"
    # Names with apostrophes arrive intact.
    assert AdministrativeArea.objects.filter(name="Tua' Abang").exists()
    assert AdministrativeArea.objects.filter(name="Labian Ira'ang").exists()


def test_geojson_kml_and_csv_of_the_same_wilayah():
    kec = run_import(ImportRequest(
        path=shared_file(*WILAYAH, "kubu_raya", "kubu_raya_kecamatan.geojson"),
        target="admin_areas")).report
    assert kec.created == 9
    kml = run_import(ImportRequest(
        path=shared_file(*WILAYAH, "kubu_raya", "kubu_raya_kabupaten.kml"),
        target="admin_areas", mapping={"code": "description", "name": "Name"})).report
    assert kml.created == 1
    assert AdministrativeArea.objects.get(code="61.12").name == "Kabupaten Kubu Raya"
    assert AdministrativeArea.objects.get(code="61.12.01").parent.code == "61.12"
    points = run_import(ImportRequest(
        path=shared_file(*WILAYAH, "kalbar_desa_kelurahan_titik.csv"),
        target="layer:titik-desa", key="kode")).report
    assert points.created == 2130
    layer = Layer.objects.get(slug="titik-desa")
    assert layer.geometry_type == "point"
    feature = Feature.objects.get(layer=layer, source_ref="61.12.01.2001")
    assert feature.properties["nama"] == "Sungai Raya"
    assert feature.geom.x == pytest.approx(109.371247, abs=1e-6)


def test_big_schema_kelurahan_map_kdepum_to_code():
    path = shared_file("indonesia", "pontianak-drainase-big", "administrasi_pontianak.json")
    outcome = run_import(ImportRequest(path=path, target="admin_areas"))
    assert outcome.mapping["code"] == "kdepum"
    assert outcome.report.created == 29
    assert AdministrativeArea.objects.get(code="61.71.06.1004").level == 4


def test_drainage_lines_become_assets_with_their_attributes_kept():
    AssetCategory.objects.create(slug="drainase", name="Drainase", geometry_type="line")
    path = shared_file("indonesia", "pontianak-drainase-big", "Drainase_Anyar.json")
    report = run_import(ImportRequest(path=path, target="assets",
                                      constants={"category": "drainase"})).report
    assert report.created + report.skipped == 2009
    assert report.created >= 2000
    named = Asset.objects.filter(name="Parit Gg. Jeruk").first()
    assert named is not None and named.category.slug == "drainase"
    assert named.attributes["FUNGSI"] in {"Primer", "Sekunder", "Tersier"}
    assert named.length_m > 0


def test_land_use_zones_keep_html_as_text_and_create_their_classes():
    path = shared_file("indonesia", "atrbpn-kalbar-lahan",
                       "pontianak_rtrw_peruntukan_pertanian.geojson")
    report = run_import(ImportRequest(path=path, target="land_use",
                                      constants={"classification": "rtrw-pontianak"})).report
    assert report.created == 85
    classes = set(LandUseZone.objects.values_list("land_use_class__name", flat=True))
    assert classes == {"Peruntukan Perkebunan", "Pertanian Tanaman Pangan"}
    zone = LandUseZone.objects.filter(attributes__Gambar__startswith="<img").first()
    assert zone is not None  # stored as text; escaping is the map's job
    assert all(z.geom.geom_type == "MultiPolygon" for z in LandUseZone.objects.all()[:20])


def test_null_geometries_are_skipped_with_their_reason():
    path = shared_file("indonesia", "atrbpn-kalbar-lahan", "singkawang_titik_foto.geojson")
    report = run_import(ImportRequest(path=path, target="layer:foto-singkawang")).report
    assert (report.total, report.created, report.skipped) == (33, 30, 3)
    assert report.skip_reasons() == {"geometry_empty": 3}
    assert "3 skipped (3 geometry_empty)" in report.summary()


def test_utm_51s_reprojects_onto_the_published_wgs84_copy():
    utm = shared_file("indonesia", "inasafe-jakarta", "maumere", "tsunami_polygon.shp")
    wgs = shared_file("indonesia", "inasafe-jakarta", "maumere", "tsunami_polygon_WGS84.shp")
    a = run_import(ImportRequest(path=utm, target="layer:tsunami-utm", key="GRIDCODE"))
    b = run_import(ImportRequest(path=wgs, target="layer:tsunami-wgs", key="GRIDCODE"))
    assert a.source.crs.startswith("EPSG:32751")
    assert a.report.created == b.report.created > 0
    geod = Geod(ellps="WGS84")

    def total_area(slug):
        return sum(abs(geod.geometry_area_perimeter(
            __import__("shapely").from_wkb(bytes(f.geom.wkb)))[0])
            for f in Feature.objects.filter(layer__slug=slug))

    assert total_area("tsunami-utm") == pytest.approx(total_area("tsunami-wgs"), rel=1e-3)


def test_a_new_layer_is_copied_in_then_reimports_match_by_key(tmp_path, django_user_model):
    import pyogrio

    user = django_user_model.objects.create_user("perencana")
    frame = pyogrio.read_dataframe(kubu_raya_desa())
    pyogrio.write_dataframe(frame, tmp_path / "desa.gpkg")
    first = run_import(ImportRequest(path=tmp_path / "desa.gpkg", target="layer:desa",
                                     key="kode", user=user, reason="import #7: desa.gpkg"))
    assert (first.report.created, first.report.updated) == (117, 0)
    features = Feature.objects.filter(layer__slug="desa")
    assert features.first().uid.version == 7  # time-ordered uids
    # Recorded once, as a batch (layers/models/batches.py), by this user, for this import.
    batch = FeatureBatch.objects.get(layer__slug="desa")
    assert (batch.rows, batch.user, batch.reason) == (117, user, "import #7: desa.gpkg")
    assert not Feature.history.exists()

    frame.loc[0, "nama"] = "Sungai Raya Baru"
    pyogrio.write_dataframe(frame, tmp_path / "desa-2.gpkg")
    again = run_import(ImportRequest(path=tmp_path / "desa-2.gpkg", target="layer:desa",
                                     key="kode", user=user, reason="import #8: desa-2.gpkg"))
    assert (again.report.created, again.report.updated, again.report.unchanged) == (0, 1, 116)
    assert features.count() == 117
    changed = Feature.history.filter(history_change_reason="import #8: desa-2.gpkg")
    assert [(h.history_type, h.properties["nama"], h.version) for h in changed] == [
        ("~", "Sungai Raya Baru", 2)]
    # The changed row's imported version went to the history first, as import #7.
    imported = Feature.history.get(id=changed[0].id, history_type="+")
    assert (imported.history_change_reason, imported.version) == ("import #7: desa.gpkg", 1)


def test_a_failure_in_the_middle_leaves_the_database_exactly_as_it_was(monkeypatch):
    from django.db import DatabaseError

    import importers.writers

    run_import(ImportRequest(path=kubu_raya_desa(), target="admin_areas"))
    before = (AdministrativeArea.all_versions.count(),
              AdministrativeArea.history.count(), Layer.objects.count())

    def boom(*args, **kwargs):
        raise DatabaseError("injected failure after the rows were written")

    monkeypatch.setattr(importers.writers, "_record_history", boom)
    with pytest.raises(ImportFailed) as err:
        run_import(ImportRequest(path=shared_file(*WILAYAH, "kalbar_kecamatan_desa.gpkg"),
                                 target="admin_areas", layer="desa_kelurahan"))
    assert err.value.code == ImportErrorCode.WRITE_FAILED
    assert "nothing was imported" in err.value.message
    monkeypatch.setattr(feature_batches, "attach_batch_table", boom)
    with pytest.raises(ImportFailed):
        run_import(ImportRequest(path=kubu_raya_desa(), target="layer:akan-gagal"))
    assert (AdministrativeArea.all_versions.count(), AdministrativeArea.history.count(),
            Layer.objects.count()) == before
    assert not Feature.objects.exists() and not FeatureBatch.objects.exists()


def test_dry_run_reports_what_would_happen_and_writes_nothing():
    outcome = run_import(ImportRequest(path=kubu_raya_desa(), target="admin_areas",
                                       dry_run=True))
    assert outcome.report.created == 117 and outcome.report.dry_run
    assert "Dry run" in outcome.report.summary()
    assert not AdministrativeArea.all_versions.exists()
    assert outcome.source.fields[0]["name"] == "kode"
    assert outcome.source.fields[0]["samples"][0].startswith("61.12.")


def test_the_command_prints_a_summary_last_and_fails_in_one_line(tmp_path):
    out = io.StringIO()
    call_command("import_layer", str(kubu_raya_desa()), "--target", "admin_areas",
                 "--save-preset", "kemendagri-desa", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1].startswith("Imported 117 of 117 features")
    assert "none skipped" in lines[-1]
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"fields": {"code": "kode", "nama": "nama"}}))
    with pytest.raises(CommandError) as err:
        call_command("import_layer", str(kubu_raya_desa()), "--target", "admin_areas",
                     "--mapping", str(mapping), stdout=io.StringIO())
    assert "nama" in str(err.value) and "\n" not in str(err.value)
    out = io.StringIO()
    call_command("import_layer", str(kubu_raya_desa()), "--target", "admin_areas",
                 "--preset", "kemendagri-desa", stdout=out)
    assert "117 unchanged" in out.getvalue().strip().splitlines()[-1]


def test_a_core_layer_slug_is_not_a_thematic_target():
    with pytest.raises(ImportFailed) as err:
        run_import(ImportRequest(path=kubu_raya_desa(), target="layer:wilayah"))
    assert err.value.code == ImportErrorCode.TARGET_UNKNOWN
    assert "--target admin_areas" in err.value.message
    assert not Feature.objects.exists()
