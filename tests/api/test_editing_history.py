"""History (who, when, why, what changed, geometry per version) and revert, one feature at a
time and one import as a whole."""

from __future__ import annotations

import json

import pytest

from importers.jobs import ImportRequest, run_import
from importers.models import ImportJob
from layers.models import Asset
from tests.api.editing_support import (
    IN_B1,
    client_for,
    delete,
    patch,
    point,
    post,
    school,
    snapshot,
)


def history(client, fid: int) -> list[dict]:
    response = client.get(f"/api/v1/layers/aset/features/{fid}/history/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def revert(client, fid: int, history_id: int, version: int):
    return client.post(f"/api/v1/layers/aset/features/{fid}/revert/",
                       json.dumps({"history_id": history_id, "version": version}),
                       content_type="application/json")


def test_history_lists_changes_and_revert_restores_geometry_and_attributes(editors,
                                                                           asset_categories):
    client = client_for(editors.planner)
    created = post(client, "aset", school(name="SD Awal")).json()
    fid = created["id"]
    patch(client, "aset", fid, {"version": 1, "geometry": point((110.08, -0.02)),
                                "properties": {"name": "SD Baru",
                                               "attributes": {"murid": 300}}})
    entries = history(client, fid)
    assert [e["type"] for e in entries] == ["changed", "created"]
    assert [e["version"] for e in entries] == [2, 1]
    assert entries[0]["user"] == "perencana-a"
    changes = {c["field"]: c for c in entries[0]["changes"]}
    assert changes["name"]["old"] == "SD Awal" and changes["name"]["new"] == "SD Baru"
    assert changes["attributes"]["new"] == {"murid": 300}
    assert "geometry" in changes
    assert entries[0]["geometry"]["coordinates"] == [110.08, -0.02]
    assert entries[1]["geometry"]["coordinates"] == [110.05, -0.05]

    stale = revert(client, fid, entries[1]["history_id"], 1)
    assert stale.status_code == 409
    reverted = revert(client, fid, entries[1]["history_id"], 2)
    assert reverted.status_code == 200, reverted.content
    props = reverted.json()["properties"]
    assert props["version"] == 3 and props["name"] == "SD Awal"
    assert props["attributes"] == {"murid": 120}
    assert reverted.json()["geometry"]["coordinates"] == [110.05, -0.05]
    latest = history(client, fid)[0]
    assert latest["reason"] == "revert to version 1" and latest["version"] == 3
    # A deleted feature's history stays readable.
    assert delete(client, "aset", fid, 3).status_code == 204
    assert history(client, fid)[0]["type"] == "deleted"


def test_revert_is_scoped_like_an_edit(editors, asset_categories):
    planner = client_for(editors.admin)
    fid = post(planner, "aset", school()).json()["id"]
    patch(planner, "aset", fid, {"version": 1, "geometry": point(IN_B1)})
    first = history(planner, fid)[-1]["history_id"]
    # The operator of Desa Satu may not bring back into their desa a feature now elsewhere.
    before = snapshot(Asset)
    assert revert(client_for(editors.operator), fid, first, 2).status_code == 403
    assert revert(planner, fid, 10**9, 2).status_code == 400
    assert snapshot(Asset) == before
    assert client_for(None).get(f"/api/v1/layers/aset/features/{fid}/history/"
                                ).status_code == 403


def test_review_queue_verify_and_send_back(editors, asset_categories, region):
    operator = client_for(editors.operator)
    mine = post(operator, "aset", school(name="Usulan operator")).json()
    planner_b = client_for(editors.planner)
    queue = planner_b.get("/api/v1/review/").json()["results"]
    assert [(e["layer"], e["id"]) for e in queue] == [("aset", mine["id"])]
    assert queue[0]["recorded_by"] == "operator" and queue[0]["area_name"] == "Desa Satu"
    assert operator.get("/api/v1/review/").status_code == 403  # operators do not publish

    url = f"/api/v1/layers/aset/features/{mine['id']}/"
    back = planner_b.post(url + "send-back/", json.dumps({"version": 1, "note": "  "}),
                          content_type="application/json")
    assert back.status_code == 400 and "note" in back.json()["errors"]
    back = planner_b.post(url + "send-back/",
                          json.dumps({"version": 1, "note": "Foto papan nama kurang jelas"}),
                          content_type="application/json")
    assert back.status_code == 200
    props = back.json()["properties"]
    assert props["review_note"] == "Foto papan nama kurang jelas"
    assert props["is_verified"] is False and props["version"] == 2
    assert planner_b.get("/api/v1/review/").json()["results"][0]["review_note"] == \
        "Foto papan nama kurang jelas"
    # The operator fixes it; then the planner verifies the current version.
    patch(operator, "aset", mine["id"], {"version": 2, "properties": {"name": "SD Jelas"}})
    assert operator.post(url + "verify/", json.dumps({"version": 3}),
                         content_type="application/json").status_code == 403
    stale = planner_b.post(url + "verify/", json.dumps({"version": 2}),
                           content_type="application/json")
    assert stale.status_code == 409
    ok = planner_b.post(url + "verify/", json.dumps({"version": 3}),
                        content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["properties"]["is_verified"] is True
    assert ok.json()["properties"]["is_public"] is True
    asset = Asset.objects.get(pk=mine["id"])
    assert asset.reviewed_by == editors.planner and asset.review_note == ""
    assert planner_b.get("/api/v1/review/").json()["results"] == []


def test_planner_of_another_kecamatan_cannot_verify(editors, asset_categories, region,
                                                    django_user_model):
    from layers.models import Role, RoleAssignment

    other = django_user_model.objects.create_user("perencana-b")
    RoleAssignment.objects.create(user=other, role=Role.PLANNER, area=region.district_b)
    mine = post(client_for(editors.operator), "aset", school()).json()
    client = client_for(other)
    assert client.get("/api/v1/review/").json()["results"] == []
    refused = client.post(f"/api/v1/layers/aset/features/{mine['id']}/verify/",
                          json.dumps({"version": 1}), content_type="application/json")
    assert refused.status_code == 403
    assert not Asset.objects.get(pk=mine["id"]).is_verified


GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [110.01 + i / 100, -0.05]},
     "properties": {"kode": f"S{i}", "nama": f"Sekolah {i}"}} for i in range(5)]}


def _import(tmp_path, job: ImportJob, features: dict, name: str) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(features))
    run_import(ImportRequest(path=path, target="assets", key="kode",
                             constants={"category": "sekolah"},
                             mapping={"name": "nama", "register_code": "kode"},
                             reason=f"import #{job.pk}: {name}"))


@pytest.fixture
def two_imports(tmp_path, editors, asset_categories):
    """Import #1 creates five schools; import #2 renames two and adds one."""
    first = ImportJob.objects.create(source_name="a.geojson", target="assets")
    _import(tmp_path, first, GEOJSON, "a.geojson")
    changed = json.loads(json.dumps(GEOJSON))
    changed["features"][0]["properties"]["nama"] = "Sekolah Nol Baru"
    changed["features"][1]["geometry"]["coordinates"] = [110.3 + 0.02, -0.05]
    changed["features"].append({"type": "Feature", "geometry": {
        "type": "Point", "coordinates": [110.07, -0.07]}, "properties": {"kode": "S9",
                                                                         "nama": "Baru"}})
    second = ImportJob.objects.create(source_name="b.geojson", target="assets")
    _import(tmp_path, second, changed, "b.geojson")
    return first, second


def test_an_import_is_reverted_as_a_whole(two_imports, editors):
    first, second = two_imports
    assert Asset.objects.count() == 6
    s0 = Asset.objects.get(register_code="S0")
    assert s0.name == "Sekolah Nol Baru" and s0.version == 2
    admin = client_for(editors.admin)
    response = admin.post(f"/api/v1/imports/{second.pk}/revert/")
    assert response.status_code == 200, response.content
    assert response.json() == {"job_id": second.pk, "deleted": 1, "restored": 2}
    assert Asset.objects.count() == 5
    s0.refresh_from_db()
    assert s0.name == "Sekolah 0" and s0.version == 3
    s1 = Asset.objects.get(register_code="S1")
    assert s1.geom.coords == pytest.approx((110.02, -0.05))
    assert s1.area.code == "99.01.01.2001"
    assert s0.history.first().history_change_reason == f"revert of import #{second.pk}"
    again = admin.post(f"/api/v1/imports/{second.pk}/revert/")
    assert again.status_code == 409
    # Import #1's rows were edited since (by the revert of #2): refused, nothing changed.
    before = snapshot(Asset)
    refused = admin.post(f"/api/v1/imports/{first.pk}/revert/")
    assert refused.status_code == 409 and "#" in refused.json()["description"]
    assert snapshot(Asset) == before


def test_import_revert_needs_a_publisher_of_every_touched_wilayah(two_imports, editors):
    _first, second = two_imports
    before = snapshot(Asset)
    # The second import moved S1 out of Kecamatan A (110.32°E lies outside every desa).
    for user in (editors.planner, editors.operator):
        assert client_for(user).post(f"/api/v1/imports/{second.pk}/revert/"
                                     ).status_code == 403
    assert client_for(editors.admin).post("/api/v1/imports/999999/revert/").status_code == 404
    assert snapshot(Asset) == before


def test_the_import_report_page_undoes_an_import_and_says_what_it_did(two_imports, editors):
    from importers.models import JobStatus

    _first, second = two_imports
    ImportJob.objects.filter(pk=second.pk).update(status=JobStatus.SUCCEEDED)
    admin = client_for(editors.admin)
    page = admin.get(f"/impor/tugas/{second.pk}/").content.decode()
    assert 'id="import-revert"' in page
    response = admin.post(f"/impor/tugas/{second.pk}/batalkan/", follow=True)
    assert ("Import undone. Added features removed: 1; changed features restored: 2."
            in response.content.decode())
    assert Asset.objects.count() == 5
    # Twice: the reason is shown, nothing changes.
    before = snapshot(Asset)
    again = admin.post(f"/impor/tugas/{second.pk}/batalkan/", follow=True)
    assert "This import was already reverted." in again.content.decode()
    assert snapshot(Asset) == before
    # A field officer may not use the import pages at all.
    assert client_for(editors.field).post(f"/impor/tugas/{second.pk}/batalkan/"
                                          ).status_code == 403
