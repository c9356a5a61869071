"""A big first import is loaded in parts (importers/writers.py `_load_parts`): tables that
connections of their own create, fill, index and commit, then the import's transaction puts
them under its batch table. They are features like any other; and whatever stops the import
after they were committed, they are gone with it.

These tests commit (the parts are another connection's work), so they run outside the
test transaction and remove what they made."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from importers import writers
from importers.errors import ImportFailed
from layers.models import Feature, FeatureBatch, Layer
from tests.api.editing_support import client_for, patch
from tests.importers.test_feature_batches import BOWTIE, FLAT, POINTS, SQUARE, do_import

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def in_parts(monkeypatch):
    monkeypatch.setattr(writers, "PARTS", 2)
    monkeypatch.setattr(writers, "PARTS_MIN_ROWS", 2)  # the five points of POINTS suffice
    yield
    for layer in Layer.objects.filter(slug="titik"):
        layer.delete()  # drops its batch tables and their parts
    assert not relations()


def relations() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' "
                       "AND relname ~ '^layers_feature_b[0-9]'")
        return {row[0] for row in cursor.fetchall()}


def children(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits "
                       "WHERE inhparent = %s::regclass", [table])
        return {row[0] for row in cursor.fetchall()}


def test_the_parts_are_rows_of_the_batch_and_of_the_feature_table(tmp_path, editors):
    job, outcome = do_import(tmp_path, editors.planner)
    assert outcome.report.created == 5
    batch = FeatureBatch.objects.get()
    parts = children(batch.table)
    assert children("layers_feature") == {batch.table}
    assert parts == {f"{batch.table}_0", f"{batch.table}_1"}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ONLY {batch.table}")
        assert cursor.fetchone()[0] == 0  # the rows are in the parts
        cursor.execute(f"SELECT tableoid::regclass::text, count(*) FROM {batch.table} "
                       "GROUP BY 1")
        assert dict(cursor.fetchall()) == {f"{batch.table}_0": 2, f"{batch.table}_1": 3}
    features = Feature.objects.filter(layer__slug="titik").order_by("source_ref")
    assert [f.properties["nama"] for f in features] == [f"Titik {i}" for i in range(5)]
    assert len({f.pk for f in features}) == 5 and all(f.version == 1 for f in features)
    # An edit in a part is versioned and keeps the imported version in the history.
    fid = features[3].pk
    assert patch(client_for(editors.planner), "titik", fid,
                 {"version": 1, "properties": {"nama": "Diubah"}}).status_code == 200
    history = client_for(editors.planner).get(
        f"/api/v1/layers/titik/features/{fid}/history/").json()["results"]
    assert len(history) == 2 and Feature.objects.get(pk=fid).version == 2
    # ... and the import can then no longer be reverted as a whole.
    admin = client_for(editors.admin)
    assert admin.post(f"/api/v1/imports/{job.pk}/revert/").status_code == 409


def test_reverting_the_import_drops_the_parts_too(tmp_path, editors):
    job, _outcome = do_import(tmp_path, editors.planner)
    response = client_for(editors.admin).post(f"/api/v1/imports/{job.pk}/revert/")
    assert response.status_code == 200, response.content
    assert not Feature.objects.exists() and not relations()


def test_a_failure_after_the_parts_were_committed_leaves_nothing(tmp_path, editors,
                                                                 monkeypatch):
    from layers.services import feature_batches

    def boom(*args, **kwargs):
        raise DatabaseError("injected failure after the parts were loaded")

    monkeypatch.setattr(feature_batches, "attach_batch_table", boom)
    with pytest.raises(ImportFailed):
        do_import(tmp_path, editors.planner)
    assert not relations() and not Layer.objects.filter(slug="titik").exists()
    assert not FeatureBatch.objects.exists()


def test_a_cleanup_that_fails_does_not_hide_why_the_import_failed(tmp_path, editors,
                                                                  monkeypatch, caplog):
    """The import fails after its parts were committed and dropping them fails too (the
    database gone, say): the user is told the import's own failure; the parts are logged,
    left invisible under no batch table, and the next batch import drops them."""
    from layers.services import feature_batches

    def unreachable(alias):
        raise DatabaseError("the database went away")

    def boom(*args, **kwargs):
        monkeypatch.setattr(feature_batches.connections, "create_connection", unreachable)
        raise DatabaseError("injected failure after the parts were loaded")

    monkeypatch.setattr(feature_batches, "attach_batch_table", boom)
    with pytest.raises(ImportFailed) as err:
        do_import(tmp_path, editors.planner)
    assert "injected failure" in err.value.message
    left = relations()
    assert len(left) == 2 and not Feature.objects.exists()  # the two parts, nothing else
    assert any("could not drop the parts" in r.message for r in caplog.records)
    monkeypatch.undo()
    _job, outcome = do_import(tmp_path, editors.planner)
    assert outcome.report.created == 5 and not left & relations()


def test_a_file_the_deferred_check_refuses_whole_leaves_nothing(tmp_path, editors):
    """The writer returns, then the import stops (nothing left to import): its transaction
    rolls back, and the parts its side connections committed are dropped."""
    flat = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kode": f"X{i}"},
         "geometry": {"type": "Polygon", "coordinates": [FLAT]}} for i in range(3)]}
    with pytest.raises(ImportFailed):
        do_import(tmp_path, editors.planner, flat)
    assert not relations() and not Layer.objects.filter(slug="titik").exists()


def test_repairs_reach_the_rows_in_the_parts(tmp_path, editors):
    bowtie = [[110.0, -0.1], [110.1, 0.0], [110.1, -0.1], [110.0, 0.0], [110.0, -0.1]]
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kode": f"P{i}"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for i, ring in enumerate([SQUARE, bowtie, FLAT, SQUARE])]}
    _job, outcome = do_import(tmp_path, editors.planner, data)
    assert (outcome.report.created, outcome.report.skipped) == (3, 1)
    stored = {f.source_ref: f.geom for f in Feature.objects.all()}
    assert sorted(stored) == ["P0", "P1", "P3"] and all(g.valid for g in stored.values())
    assert FeatureBatch.objects.get().rows == 3


def test_a_dry_run_commits_nothing_of_its_own(tmp_path, editors):
    import json

    from importers.jobs import ImportRequest, run_import

    path = tmp_path / "titik.geojson"
    path.write_text(json.dumps(POINTS))
    outcome = run_import(ImportRequest(path=path, target="layer:titik", key="kode",
                                       dry_run=True, user=editors.planner))
    assert outcome.report.created == 5
    assert not relations() and not Layer.objects.filter(slug="titik").exists()


def test_parts_an_import_left_behind_are_dropped_by_the_next_one(tmp_path, editors):
    """A worker killed between loading its parts and its transaction's end leaves them, under
    no batch table: the next batch import drops them, but not the parts of an import that
    still runs (it holds its batch's advisory lock)."""
    from django.db import connections

    from layers.services.feature_batches import LOADING

    with connection.cursor() as cursor:
        for table in ("layers_feature_b999998_0", "layers_feature_b999999_0"):
            cursor.execute(f"CREATE TABLE {table} (LIKE layers_feature)")
    running = connections.create_connection("default")  # another import, still loading
    try:
        running.set_autocommit(False)
        with running.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::int, 999999)", [LOADING])
        do_import(tmp_path, editors.planner)
        left = relations()
        assert "layers_feature_b999998_0" not in left  # its import is gone: dropped
        assert "layers_feature_b999999_0" in left  # its import runs: spared
    finally:
        running.rollback()
        running.close()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS layers_feature_b999999_0, "
                           "layers_feature_b999998_0")


def test_rows_go_in_in_key_order_each_with_its_own_values(tmp_path, editors):
    """The rows go into the parts in key order (the file's is shuffled): every column of a
    row moves with it, the deferred check's repair and refusal reach the right keys, and
    the second of two equal keys and an empty key are refused with their reasons."""
    rings = {"K5": SQUARE, "K1": BOWTIE, "K4": SQUARE, "K2": FLAT, "K0": SQUARE,
             "K3": SQUARE}
    features = [{"type": "Feature", "properties": {"kode": kode, "nama": f"Nama {kode}"},
                 "geometry": {"type": "Polygon", "coordinates": [ring]}}
                for kode, ring in rings.items()]
    features.insert(3, {"type": "Feature", "properties": {"kode": "K4", "nama": "kembar"},
                        "geometry": {"type": "Polygon", "coordinates": [SQUARE]}})
    features.append({"type": "Feature", "properties": {"kode": " ", "nama": "tanpa kode"},
                     "geometry": {"type": "Polygon", "coordinates": [SQUARE]}})
    _job, outcome = do_import(tmp_path, editors.planner,
                              {"type": "FeatureCollection", "features": features})
    report = outcome.report
    assert (report.created, report.skipped) == (5, 3)
    refused = {(p.feature, p.code) for p in report.problems if p.skipped}
    assert refused == {(4, "key_duplicate"), (5, "geometry_type"), (8, "key_missing")}
    stored = {f.source_ref: f for f in Feature.objects.filter(layer__slug="titik")}
    assert sorted(stored) == ["K0", "K1", "K3", "K4", "K5"]
    assert all(f.properties == {"kode": k, "nama": f"Nama {k}"} for k, f in stored.items())
    assert all(f.geom.valid for f in stored.values())
    assert stored["K1"].geom.geom_type == "MultiPolygon"  # the bowtie, repaired in its row
    assert {k for k, f in stored.items() if f.geom.geom_type == "Polygon"} == \
        {"K0", "K3", "K4", "K5"}
    batch = FeatureBatch.objects.get()
    with connection.cursor() as cursor:
        for part in sorted(children(batch.table)):
            cursor.execute(f"SELECT source_ref FROM {part} ORDER BY ctid")
            refs = [row[0] for row in cursor.fetchall()]
            assert refs == sorted(refs) and refs
