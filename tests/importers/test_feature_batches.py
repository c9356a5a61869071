"""A first import into a thematic layer is kept as a batch table (layers/models/batches.py):
its rows are features like any other for reads, edits, history and reverts, and the import is
recorded once."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from importers.errors import ImportFailed
from importers.jobs import ImportRequest, run_import
from importers.models import ImportJob
from layers.models import Feature, FeatureBatch, Layer
from tests.api.editing_support import client_for, patch

pytestmark = pytest.mark.django_db

POINTS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [110.01 + i / 100, -0.05]},
     "properties": {"kode": f"T{i}", "nama": f"Titik {i}", "dalam": i / 2}} for i in range(5)]}


def batch_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_class c WHERE c.relname ~ '^layers_feature_b'")
        return {row[0] for row in cursor.fetchall()}


def children() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits "
                       "WHERE inhparent = 'layers_feature'::regclass")
        return {row[0] for row in cursor.fetchall()}


def do_import(tmp_path, user, data=POINTS, slug="titik", name="titik.geojson"):
    job = ImportJob.objects.create(source_name=name, target=f"layer:{slug}", created_by=user)
    path = tmp_path / name
    path.write_text(json.dumps(data))
    outcome = run_import(ImportRequest(path=path, target=f"layer:{slug}", key="kode",
                                       user=user, reason=f"import #{job.pk}: {name}"))
    return job, outcome


def history(client, fid: int) -> list[dict]:
    response = client.get(f"/api/v1/layers/titik/features/{fid}/history/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_first_import_is_one_batch_table_inside_the_feature_table(tmp_path, editors):
    before = Layer.objects.filter(slug="titik").first()
    job, outcome = do_import(tmp_path, editors.planner)
    assert outcome.report.created == 5
    batch = FeatureBatch.objects.get()
    assert (batch.rows, batch.user, batch.reason) == (5, editors.planner,
                                                      f"import #{job.pk}: titik.geojson")
    assert children() == {batch.table}
    layer = Layer.objects.get(slug="titik")
    assert before is None and layer.data_version > 0  # tiles and ETags move on
    features = Feature.objects.filter(layer=layer).order_by("source_ref")
    assert [f.properties["nama"] for f in features] == [f"Titik {i}" for i in range(5)]
    assert {f.recorded_by_id for f in features} == {editors.planner.pk}
    assert all(f.version == 1 and f.is_verified and f.is_public for f in features)
    # Recorded once, as the batch: no history row per feature until one changes.
    assert not Feature.history.exists()
    # Every data path reads the layer through layers_feature.
    response = client_for(None).get("/ogc/collections/titik/items?f=json")
    items = json.loads(b"".join(response.streaming_content))
    assert items["numberMatched"] == 5
    assert sorted(f["properties"]["properties"]["nama"] for f in items["features"]) == [
        f"Titik {i}" for i in range(5)]


def test_history_shows_the_import_then_each_change_and_reverts_to_the_imported_version(
        tmp_path, editors):
    do_import(tmp_path, editors.planner)
    fid = Feature.objects.get(source_ref="T0").pk
    client = client_for(editors.planner)
    [imported] = history(client, fid)
    assert (imported["type"], imported["user"], imported["version"]) == (
        "created", "perencana-a", 1)
    assert imported["reason"].endswith("titik.geojson") and imported["history_id"] is None
    assert imported["geometry"]["coordinates"] == [110.01, -0.05]

    response = patch(client, "titik", fid, {"version": 1, "properties": {"nama": "Baru"}})
    assert response.status_code == 200, response.content
    changed, created = history(client, fid)
    assert (changed["type"], changed["version"], created["type"], created["version"]) == (
        "changed", 2, "created", 1)
    assert created["reason"] == imported["reason"] and created["user"] == "perencana-a"
    assert {c["field"]: c["new"] for c in changed["changes"]}["properties"]["nama"] == "Baru"

    reverted = client.post(f"/api/v1/layers/titik/features/{fid}/revert/", json.dumps(
        {"history_id": created["history_id"], "version": 2}), content_type="application/json")
    assert reverted.status_code == 200, reverted.content
    assert reverted.json()["properties"]["nama"] == "Titik 0"


def test_the_import_is_reverted_by_dropping_its_table(tmp_path, editors):
    job, _outcome = do_import(tmp_path, editors.planner)
    batch = FeatureBatch.objects.get()
    admin = client_for(editors.admin)
    response = admin.post(f"/api/v1/imports/{job.pk}/revert/")
    assert response.status_code == 200, response.content
    assert not Feature.objects.exists() and batch.table not in batch_tables()
    batch.refresh_from_db()
    assert batch.reverted_at is not None and batch.reverted_by == editors.admin
    assert admin.post(f"/api/v1/imports/{job.pk}/revert/").status_code == 409


def test_an_import_edited_since_is_not_reverted(tmp_path, editors):
    job, _outcome = do_import(tmp_path, editors.planner)
    fid = Feature.objects.get(source_ref="T3").pk
    assert patch(client_for(editors.planner), "titik", fid,
                 {"version": 1, "properties": {"nama": "Diubah"}}).status_code == 200
    refused = client_for(editors.admin).post(f"/api/v1/imports/{job.pk}/revert/")
    assert refused.status_code == 409 and f"#{fid}" in refused.json()["description"]
    assert Feature.objects.count() == 5 and FeatureBatch.objects.get().reverted_at is None


def test_batch_rows_keep_the_rules_of_the_feature_table(tmp_path, editors):
    do_import(tmp_path, editors.planner)
    feature = Feature.objects.get(source_ref="T1")
    bowtie = "SRID=4326;POLYGON((110 -0.1,110.1 0,110.1 -0.1,110 0,110 -0.1))"
    with pytest.raises(IntegrityError), transaction.atomic():
        Feature.objects.filter(pk=feature.pk).update(geom=bowtie)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feature.objects.filter(pk=feature.pk).update(layer_id=feature.layer_id + 1000)
    # A write that does not manage the version gets the next one (the parent's trigger), and
    # the imported version goes to the history first, as the import, by its user.
    Feature.objects.filter(pk=feature.pk).update(properties={"nama": "SQL"})
    feature.refresh_from_db()
    assert feature.version == 2
    [kept] = Feature.history.filter(id=feature.pk)
    assert (kept.history_type, kept.version, kept.properties["nama"], kept.history_user) == (
        "+", 1, "Titik 1", editors.planner)
    Feature.objects.filter(pk=feature.pk).delete()
    assert Feature.history.filter(id=feature.pk).count() == 2  # not copied twice


def test_a_reimport_updates_the_batch_rows_by_key(tmp_path, editors):
    first, _outcome = do_import(tmp_path, editors.planner)
    changed = json.loads(json.dumps(POINTS))
    changed["features"][0]["properties"]["nama"] = "Titik Nol"
    changed["features"].append({"type": "Feature", "geometry": {
        "type": "Point", "coordinates": [110.09, -0.05]}, "properties": {"kode": "T9"}})
    second, outcome = do_import(tmp_path, editors.operator, changed, name="titik-2.geojson")
    report = outcome.report
    assert (report.created, report.updated, report.unchanged) == (1, 1, 4)
    assert Feature.objects.count() == 6 and FeatureBatch.objects.count() == 1
    t0 = Feature.objects.get(source_ref="T0")
    assert (t0.properties["nama"], t0.version) == ("Titik Nol", 2)
    rows = Feature.history.filter(id=t0.pk).order_by("history_date", "history_id")
    assert [(h.history_type, h.version, h.history_change_reason) for h in rows] == [
        ("+", 1, f"import #{first.pk}: titik.geojson"),
        ("~", 2, f"import #{second.pk}: titik-2.geojson")]


def test_deleting_the_layer_drops_its_batch_table(tmp_path, editors):
    do_import(tmp_path, editors.planner)
    table = FeatureBatch.objects.get().table
    Layer.objects.get(slug="titik").delete()
    assert table not in batch_tables() and not Feature.objects.exists()


def test_a_failed_batch_import_leaves_no_table_and_no_layer(tmp_path, editors, monkeypatch):
    from layers.services import feature_batches

    def boom(*args, **kwargs):
        raise DatabaseError("injected failure after the COPY")

    monkeypatch.setattr(feature_batches, "attach_batch_table", boom)
    with pytest.raises(ImportFailed):
        do_import(tmp_path, editors.planner)
    assert not Layer.objects.filter(slug="titik").exists()
    assert not FeatureBatch.objects.exists() and not batch_tables()


@pytest.mark.parametrize("first", [True, False], ids=["batch", "staged"])
def test_a_row_the_server_refuses_during_the_copy_is_a_clear_failure(tmp_path, editors,
                                                                      monkeypatch, first):
    """The COPY goes through psycopg itself (Django does not wrap it): what the server says
    there still ends as the import's translated refusal, with nothing written."""
    import psycopg

    from importers import writers

    if not first:
        do_import(tmp_path, editors.planner, name="awal.geojson")
    before = Feature.objects.count()

    def refused(*args, **kwargs):
        raise psycopg.errors.InvalidTextRepresentation("invalid input syntax for type json")

    monkeypatch.setattr(writers, "copy_into", refused)
    with pytest.raises(ImportFailed) as caught:
        do_import(tmp_path, editors.planner, {**POINTS, "features": POINTS["features"][::-1]},
                  name="kedua.geojson")
    assert caught.value.code == "write_failed"
    assert "invalid input syntax for type json" in caught.value.message
    assert Feature.objects.count() == before and len(children()) == (0 if first else 1)


SQUARE = [[110.0, -0.1], [110.05, -0.1], [110.05, -0.05], [110.0, -0.05], [110.0, -0.1]]
BOWTIE = [[110.0, -0.1], [110.1, 0.0], [110.1, -0.1], [110.0, 0.0], [110.0, -0.1]]
FLAT = [[110.0, -0.05], [110.05, -0.05], [110.02, -0.05], [110.0, -0.05]]


@pytest.mark.parametrize("first", [True, False], ids=["batch", "staged"])
def test_invalid_geometries_are_repaired_or_refused_before_anyone_sees_them(tmp_path, editors,
                                                                            first):
    def polygons(*rings):
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
             "properties": {"kode": f"P{i}"}} for i, ring in enumerate(rings)]}

    if not first:  # the layer has rows already: the staged path, checked before the write
        do_import(tmp_path, editors.planner, polygons(SQUARE), name="awal.geojson")
    _job, outcome = do_import(tmp_path, editors.planner, polygons(SQUARE, BOWTIE, FLAT),
                              slug="titik")
    report = outcome.report
    assert (report.created + report.unchanged, report.skipped) == (2, 1)
    assert [(p.feature, p.code, p.skipped) for p in report.problems] == [
        (2, "geometry_repaired", False), (3, "geometry_repaired", False),
        (3, "geometry_type", True)]
    stored = {f.source_ref: f.geom for f in Feature.objects.all()}
    assert sorted(stored) == ["P0", "P1"] and all(g.valid for g in stored.values())
    assert stored["P1"].geom_type == "MultiPolygon"
    assert stored["P1"].area == pytest.approx(0.005)  # both triangles kept
    if first:
        assert FeatureBatch.objects.get().rows == 2


def test_a_file_with_nothing_left_after_repair_imports_nothing(tmp_path, editors):
    flat = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "kode": "X"}, "geometry": {"type": "Polygon", "coordinates": [FLAT]}}]}
    with pytest.raises(ImportFailed):
        do_import(tmp_path, editors.planner, flat)
    assert not Layer.objects.filter(slug="titik").exists() and not batch_tables()


FAR = [[150.0, 10.0], [150.05, 10.0], [150.05, 10.05], [150.0, 10.05], [150.0, 10.0]]


@pytest.mark.parametrize("first", [True, False], ids=["batch", "staged"])
def test_geometries_stored_as_the_file_has_them_are_still_checked_one_by_one(tmp_path, editors,
                                                                             first):
    """A file already in EPSG:4326 with 2D geometries goes into the layer as its own WKB; what
    the heads of that WKB cannot tell (empty, invalid, where it lies) is checked by the
    deferred check, in the caller's language, with the same outcome as before."""
    from django.utils import translation

    features = [
        ({"type": "Polygon", "coordinates": [SQUARE]}, "P0"),
        ({"type": "Polygon", "coordinates": []}, "P1"),  # empty
        (None, "P2"),  # no geometry at all
        ({"type": "Point", "coordinates": [110.0, -0.1]}, "P3"),  # not a polygon
        ({"type": "Polygon", "coordinates": [BOWTIE]}, "P4"),  # repaired
        ({"type": "Polygon", "coordinates": [FAR]}, "P5"),  # far out at sea
    ]
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"kode": k}} for g, k in features]}
    if not first:
        do_import(tmp_path, editors.planner, {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
             "properties": {"kode": "P9"}}]}, name="awal.geojson")
    with translation.override("id"):
        _job, outcome = do_import(tmp_path, editors.planner, data, name="campur.geojson")
    report = outcome.report
    assert (report.created, report.skipped) == (3, 3)
    assert [(p.feature, p.code) for p in report.problems] == [
        (2, "geometry_empty"), (3, "geometry_empty"), (4, "geometry_type"),
        (5, "geometry_repaired")]
    assert report.problems[0].message == "Fitur tidak memiliki geometri."  # made in a thread
    assert any("di luar Indonesia" in n for n in report.notices)
    assert outcome.source.bounds == pytest.approx((110.0, -0.1, 150.05, 10.05))
    stored = {f.source_ref: f.geom for f in Feature.objects.all()}
    assert set(stored) == {"P0", "P4", "P5"} | ({"P9"} if not first else set())
    assert all(g.valid for g in stored.values()) and stored["P4"].geom_type == "MultiPolygon"
    if first:
        assert FeatureBatch.objects.get().rows == 3


def test_a_content_key_is_the_same_from_the_files_wkb_as_from_its_geometries(tmp_path):
    """A feature without a key field is matched on re-import by a hash of its content: the
    file's own WKB (sent as it is) and the WKB of its parsed geometry must hash alike, or a
    re-import of the same file would add every feature again."""
    from importers.geometry import check_geometries
    from importers.jobs import _source_refs
    from importers.sources import open_source, read_source
    from importers.targets import Context, target_for

    path = tmp_path / "tanpa-kunci.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"nama": "Sama"}} for ring in (SQUARE, BOWTIE, SQUARE)]}))
    rows = read_source(open_source(path, workdir=tmp_path))
    target = target_for("layer:tanpa-kunci", constants={})

    checked = check_geometries(rows, kinds=None, defer_repair=True)
    assert checked.wkb is not None  # sent as the file has it

    def refs(checked):
        ctx = Context(constants={}, key_field=None, user=None, public=True,
                      keep=checked.keep.copy(), problems=[])
        return list(_source_refs(target, rows.attrs, checked, None, ctx)[0])

    as_sent = refs(checked)
    as_parsed = refs(dataclasses.replace(checked, wkb=None, geoms=rows.geoms))
    assert as_sent == as_parsed and len(set(as_sent)) == 3  # the twins told apart


def test_key_duplicates_and_order_come_from_one_sort():
    """`_source_refs` finds duplicate keys from its sort (equal neighbours): the same rows
    pandas' `duplicated(keep="first")` finds, after trimming, never an empty or missing key
    (those are refused as missing), and the order it returns sorts the keys."""
    from importers.jobs import _source_refs
    from importers.targets import Context, target_for

    rng = np.random.default_rng(7)
    pool = np.array(["A", " A", "B ", "b", "", " ", "Ç", "ç", "10", "9", None], dtype=object)
    keys = pd.Series(pool[rng.integers(0, len(pool), 500)], dtype=object)
    attrs = pd.DataFrame({"kode": keys})
    ctx = Context(constants={}, key_field="kode", user=None, public=True,
                  keep=np.ones(len(keys), dtype=bool), problems=[])
    target = target_for("layer:kunci", constants={})
    refs, order = _source_refs(target, attrs, None, "kode", ctx)
    trimmed = keys.astype("string").str.strip()
    missing = (trimmed.isna() | (trimmed == "")).to_numpy()
    expected = trimmed.duplicated(keep="first").to_numpy() & ~missing
    codes = {p.feature - 1: p.code for p in ctx.problems}
    assert {i for i, c in codes.items() if c == "key_duplicate"} == set(np.flatnonzero(expected))
    assert {i for i, c in codes.items() if c == "key_missing"} == set(np.flatnonzero(missing))
    assert ctx.keep.sum() == len(set(trimmed.dropna()) - {""}) == 7
    kept = [refs[i] for i in order if ctx.keep[i]]
    assert kept == sorted(kept, key=lambda s: s.encode())


def test_each_batch_rows_imported_version_is_recorded_once_however_it_changes(tmp_path,
                                                                             editors):
    """The trigger writes a batch row's imported version to the history on its first change
    or deletion (migration 0013: looked up only while the row is at version 1): bulk updates
    through the feature table, a touch that leaves the version at 1, later changes and a
    delete each leave exactly one imported version per row."""
    do_import(tmp_path, editors.planner)
    ids = sorted(Feature.objects.filter(layer__slug="titik").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE layers_historicalfeature")  # statistics of a near-empty table
        cursor.execute("UPDATE layers_feature SET updated_at = now() WHERE id = %s", [ids[0]])
        cursor.execute("UPDATE layers_feature SET updated_at = now() WHERE id = %s", [ids[0]])
        for n in (1, 2):
            cursor.execute("UPDATE layers_feature SET properties = properties || "
                           "jsonb_build_object('n', %s) WHERE id = ANY(%s)", [n, ids])
        cursor.execute("DELETE FROM layers_feature WHERE id = %s", [ids[1]])
        cursor.execute("SELECT id, count(*), min(version), max(version) "
                       "FROM layers_historicalfeature WHERE history_type = '+' "
                       "AND id = ANY(%s) GROUP BY id ORDER BY id", [ids])
        assert cursor.fetchall() == [(i, 1, 1, 1) for i in ids]
        cursor.execute("SELECT version FROM layers_feature WHERE id = ANY(%s)", [ids])
        assert sorted(v for (v,) in cursor.fetchall()) == [3, 3, 3, 3]
