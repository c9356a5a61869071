"""The wizard's pages: preview (a dry run), mapping and presets, run (a deferred task), the
report and its CSV. The task runs here as a function; test_worker.py runs a real worker."""

import csv
import io

import pytest
from django.urls import reverse
from procrastinate import testing
from procrastinate.contrib.django import app

from importers.models import ImportJob, JobStatus, MappingPreset, UploadSession
from importers.tasks import run_import_job
from layers.models import AdministrativeArea
from tests.importers.wizard_support import (
    shapefile_zip_without_crs,
    two_desa_geojson,
    upload_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    """procrastinate's in-memory connector: what was deferred, without a worker."""
    connector = testing.InMemoryConnector()
    with app.replace_connector(connector):
        yield connector


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_preview_shows_the_file_and_the_suggested_mapping_and_writes_nothing(
        staff, import_dir, tmp_path):
    url = upload_file(staff, two_desa_geojson(tmp_path), target="admin_areas")
    html = staff.get(url).content.decode()
    assert 'id="feature-count">2<' in html
    assert "EPSG:4326" in html
    assert "110.00000, -0.10000, 110.20000, 0.00000" in html  # the extent, not localised
    assert '<option value="kode" selected>kode</option>' in html  # code ← kode, suggested
    assert "Sukamaju" in html  # a sample value
    assert 'id="would-create">2<' in html
    assert "Impor sekarang" in html  # "Import now", in Indonesian
    assert not AdministrativeArea.objects.exists()


def test_a_file_without_crs_asks_for_an_srid_and_previews_with_it(staff, import_dir, tmp_path):
    url = upload_file(staff, shapefile_zip_without_crs(tmp_path), target="admin_areas")
    res = staff.get(url)
    html = res.content.decode()
    assert res.status_code == 200 and 'data-code="no_crs"' in html
    assert "Traceback" not in html and 'name="srid"' in html
    assert 'id="run-import"' not in html
    assert '<option value="kode" selected>kode</option>' in html  # fields read all the same
    html = staff.post(url, {"action": "preview", "srid": "4326", "map_code": "",
                            "map_name": "", "public": "on"}).content.decode()
    assert '<option value="kode" selected>kode</option>' in html  # suggested again
    assert 'data-code="no_crs"' not in html and 'id="feature-count">1<' in html
    assert "EPSG:4326" in html


def test_an_unmapped_required_field_is_explained_not_crashed(staff, import_dir, tmp_path):
    url = upload_file(staff, two_desa_geojson(tmp_path), target="admin_areas")
    html = staff.post(url, {"action": "preview", "map_code": "kode", "map_name": ""}
                      ).content.decode()
    assert 'data-code="mapping_invalid"' in html and "name" in html
    assert '<option value="nama">nama</option>' in html  # the file's fields, to choose from


def test_a_mapping_is_saved_as_a_preset_and_applied_again(staff, import_dir, tmp_path):
    url = upload_file(staff, two_desa_geojson(tmp_path), target="admin_areas")
    staff.post(url, {"action": "save_preset", "map_code": "kode", "map_name": "nama",
                     "preset_name": "Kemendagri desa"})
    preset = MappingPreset.objects.get(name="Kemendagri desa")
    assert preset.mapping == {"code": "kode", "name": "nama"}
    html = staff.post(url, {"action": "preset", "preset": preset.pk, "map_code": "",
                            "map_name": ""}).content.decode()
    assert '<option value="nama" selected>nama</option>' in html
    assert 'id="would-create">2<' in html


def test_run_defers_the_task_then_the_report_and_csv_tell_what_happened(
        staff, import_dir, tmp_path, queue, django_capture_on_commit_callbacks):
    url = upload_file(staff, two_desa_geojson(tmp_path), target="admin_areas")
    upload = UploadSession.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        res = staff.post(url, {"action": "run", "map_code": "kode", "map_name": "nama",
                               "public": "on"})
    job = ImportJob.objects.get()
    assert res.url == reverse("importers:job", args=[job.pk])
    assert job.options["mapping"] == {"code": "kode", "name": "nama"}
    assert job.status == JobStatus.PENDING and job.source_path == str(upload.path)
    [deferred] = queue.jobs.values()
    assert deferred["task_name"] == "importers.run_import_job"
    assert deferred["args"] == {"job_id": job.pk, "language": "id"}
    progress = staff.get(res.url).content.decode()
    assert 'id="import-progress"' in progress
    assert staff.get(url).url == res.url  # the upload now belongs to the job

    run_import_job(**deferred["args"])  # what the worker does

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.counts["created"] == 2
    assert not upload.path.exists()
    assert AdministrativeArea.objects.filter(code__startswith="99.01.01.").count() == 2
    status = staff.get(reverse("importers:job_status", args=[job.pk])).json()
    assert status["finished"] and status["progress"] == 1.0
    report = staff.get(res.url).content.decode()
    assert 'data-count="created">2<' in report
    assert reverse("admin:layers_administrativearea_changelist") in report
    assert "desa.geojson" in staff.get(reverse("importers:jobs")).content.decode()


def test_the_problem_list_downloads_as_excel_friendly_csv(staff, db):
    job = ImportJob.objects.create(
        source_name="desa.zip", target="admin_areas", status=JobStatus.SUCCEEDED,
        counts={"total": 3, "created": 1, "updated": 0, "unchanged": 0, "skipped": 2},
        problems=[{"feature": 2, "code": "code_invalid", "skipped": True,
                   "message": "Bukan kode wilayah Kemendagri (mis. 61.12.01.2001)."},
                  {"feature": 3, "code": "name_missing", "skipped": True,
                   "message": "Wilayah tidak bernama, “kosong”."}])
    res = staff.get(reverse("importers:job_problems", args=[job.pk]))
    body = b"".join(res.streaming_content)
    assert res["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["feature", "code", "message", "skipped"]
    assert rows[2] == ["3", "name_missing", "Wilayah tidak bernama, “kosong”.", "yes"]
    html = staff.get(reverse("importers:job", args=[job.pk])).content.decode()
    assert "code_invalid" in html and reverse("importers:job_problems", args=[job.pk]) in html


def test_a_job_that_breaks_unexpectedly_is_marked_failed_and_its_file_removed(
        staff_user, import_dir, monkeypatch):
    from importers import tasks
    from importers.uploads import upload_create

    upload = upload_create(filename="x.geojson", size=1, target="admin_areas", user=staff_user)
    job = ImportJob.objects.create(source_name="x.geojson", source_path=str(upload.path),
                                   target="admin_areas")

    def broken(job):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tasks, "run_job", broken)
    with pytest.raises(RuntimeError):
        run_import_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "tidak terduga" in job.error_message
    assert not upload.path.exists()


def test_the_task_never_deletes_a_file_outside_the_upload_folder(import_dir, tmp_path):
    own = two_desa_geojson(tmp_path)  # e.g. a planner's file given on the command line
    job = ImportJob.objects.create(source_name=own.name, source_path=str(own),
                                   target="admin_areas", options={
                                       "mapping": {"code": "kode", "name": "nama"}})
    run_import_job(job_id=job.pk)
    assert own.exists()


def test_pages_are_for_staff_only(client, django_user_model, db):
    for name in ("importers:jobs", "importers:upload"):
        assert client.get(reverse(name))["Location"].startswith("/masuk/?next=")
    client.force_login(django_user_model.objects.create_user("warga"))
    for name in ("importers:jobs", "importers:upload"):
        assert client.get(reverse(name)).status_code == 403
