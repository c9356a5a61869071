"""Resumable uploads: limits, resuming at the server's offset, a private folder, cleaning."""

import io
import os
import stat
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from importers.models import ImportJob, JobStatus, UploadSession
from importers.uploads import (
    UploadErrorCode,
    UploadRefused,
    upload_append,
    upload_create,
    uploads_clean,
)

pytestmark = pytest.mark.django_db
START = reverse("importers:upload_start")


def start(client, **body):
    data = {"filename": "desa.zip", "size": 10, "target": "admin_areas", **body}
    return client.post(START, data, content_type="application/json")


def put(client, upload_url, offset, data):
    return client.generic("PUT", f"{upload_url}?offset={offset}", data,
                          content_type="application/octet-stream")


def test_a_loose_shapefile_is_refused_with_advice_to_zip_it(client, staff_user, import_dir):
    client.force_login(staff_user)
    res = start(client, filename="desa.shp")
    assert res.status_code == 400
    assert res.json()["code"] == "format_unknown"
    assert ".zip" in res.json()["error"]
    assert start(client, filename="peta.exe").status_code == 400


def test_a_file_over_the_limit_is_refused_before_any_byte_in_indonesian(
        client, staff_user, import_dir, settings):
    settings.SIG_IMPORT_MAX_BYTES = 1000
    client.force_login(staff_user)
    res = start(client, size=5000)
    assert res.status_code == 413
    assert "batas" in res.json()["error"]  # "The file is 4.9 KB; the limit is 1000 bytes."
    assert not UploadSession.objects.exists()


def test_targets_are_checked_and_a_core_layer_is_not_a_thematic_one(
        client, staff_user, import_dir):
    client.force_login(staff_user)
    assert start(client, target="nonsense").status_code == 400
    assert start(client, target="layer:wilayah").status_code == 400  # the core boundary layer
    assert start(client, target="layer:rawan-banjir").status_code == 201


def test_chunks_resume_at_the_servers_offset_and_land_in_a_private_file(
        client, staff_user, import_dir):
    client.force_login(staff_user)
    data = bytes(range(256)) * 40  # 10,240 bytes
    state = start(client, size=len(data)).json()
    assert put(client, state["url"], 0, data[:4096]).json()["offset"] == 4096
    # The answer to the next piece is lost; the client sends it again, then goes on.
    assert put(client, state["url"], 4096, data[4096:8192]).json()["offset"] == 8192
    retry = put(client, state["url"], 4096, data[4096:8192])
    assert retry.status_code == 409 and retry.json()["offset"] == 8192
    assert client.get(state["url"]).json()["offset"] == 8192
    early = client.post(state["finish_url"])
    assert early.status_code == 409 and early.json()["offset"] == 8192
    assert put(client, state["url"], 8192, data[8192:]).json()["offset"] == len(data)
    done = client.post(state["finish_url"]).json()
    upload = UploadSession.objects.get()
    assert done["next"] == reverse("importers:preview", args=[upload.pk])
    assert upload.completed and upload.path.read_bytes() == data
    assert upload.path.name == f"{upload.pk}.zip"  # never the user's file name
    assert stat.S_IMODE(os.stat(import_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(upload.path).st_mode) == 0o600
    assert put(client, state["url"], len(data), b"x").json()["code"] == "closed"


def test_a_piece_cut_short_is_not_counted(staff_user, import_dir):
    upload = upload_create(filename="a.geojson", size=100, target="admin_areas",
                           user=staff_user)
    with pytest.raises(UploadRefused) as err:
        upload_append(upload_id=upload.pk, offset=0, length=60, stream=io.BytesIO(b"x" * 40))
    assert err.value.code == UploadErrorCode.CHUNK_INCOMPLETE and err.value.received == 0
    upload.refresh_from_db()
    assert upload.received == 0 and upload.path.stat().st_size == 0
    assert upload_append(upload_id=upload.pk, offset=0, length=60,
                         stream=io.BytesIO(b"y" * 60)) == 60


def test_only_the_uploader_sees_an_upload_and_only_staff_upload(
        client, staff_user, import_dir, django_user_model):
    client.force_login(staff_user)
    url = start(client).json()["url"]
    other = django_user_model.objects.create_user("lain", is_staff=True)
    client.force_login(other)
    assert client.get(url).status_code == 404
    citizen = django_user_model.objects.create_user("warga")
    client.force_login(citizen)
    assert start(client).status_code == 403  # signed in, but no right to import


def test_pieces_need_the_csrf_token(staff_user, import_dir):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert start(client).status_code == 403


def test_cleaning_removes_idle_uploads_and_strays_but_not_a_running_jobs_file(
        staff_user, import_dir):
    idle = upload_create(filename="lama.zip", size=5, target="admin_areas", user=staff_user)
    busy = upload_create(filename="jalan.zip", size=5, target="admin_areas", user=staff_user)
    fresh = upload_create(filename="baru.zip", size=5, target="admin_areas", user=staff_user)
    busy.job = ImportJob.objects.create(source_name="jalan.zip", target="admin_areas",
                                        status=JobStatus.RUNNING)
    busy.save()
    stray = import_dir / "0a1b2c3d.zip"
    stray.write_bytes(b"left over")
    long_ago = timezone.now() - timedelta(days=2)
    UploadSession.objects.filter(pk__in=[idle.pk, busy.pk]).update(updated_at=long_ago)
    for path in (idle.path, busy.path, stray):
        os.utime(path, (long_ago.timestamp(), long_ago.timestamp()))
    assert uploads_clean() == 2
    assert not idle.path.exists() and not stray.exists()
    assert busy.path.exists() and fresh.path.exists()
    assert set(UploadSession.objects.values_list("pk", flat=True)) == {busy.pk, fresh.pk}
