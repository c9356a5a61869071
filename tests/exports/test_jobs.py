"""Large layers: the export runs in a procrastinate worker, with progress, and its file is
downloaded from the job's page by whoever asked for it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from exports.models import ExportJob, ExportStatus
from tests.exports.conftest import NAMES, read
from tests.importers.wizard_support import run_worker_until_idle


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_layer_is_written_by_the_worker_with_progress_and_a_download_link(
        client, thematic, empty_queue, settings, tmp_path):
    settings.SIG_EXPORT_DIR = tmp_path / "exports"
    settings.SIG_EXPORT_SYNC_MAX_FEATURES = 2  # the four features are "large" here
    response = client.get(reverse("exports:layer", args=["titik-uji", "gpkg"]),
                          HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    body = response.json()
    job = ExportJob.objects.get()
    assert body["id"] == str(job.pk) and job.status == ExportStatus.PENDING
    queued = ProcrastinateJob.objects.get()
    assert (queued.task_name, queued.status) == ("exports.run_export_job", "todo")
    # Not ready yet: a clear answer, no file.
    early = client.get(reverse("exports:job_file", args=[job.pk]),
                       HTTP_ACCEPT="application/json")
    assert early.status_code == 409 and early.json()["code"] == "job_not_ready"

    run_worker_until_idle(queues=["exports"])

    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED, job.error_message
    assert (job.progress, job.feature_count) == (1.0, 4)
    status = client.get(body["status_url"]).json()
    assert status["finished"] and status["progress"] == 1.0
    page = client.get(reverse("exports:job", args=[job.pk]))
    assert reverse("exports:job_file", args=[job.pk]) in page.content.decode()
    download = client.get(body["download_url"])
    assert download.status_code == 200
    path = tmp_path / "download.gpkg"
    path.write_bytes(b"".join(download.streaming_content))
    assert sorted(read(path)["nama"]) == sorted(NAMES)


@pytest.mark.django_db
def test_a_browser_is_sent_to_the_jobs_page_and_others_cannot_see_a_users_job(
        client, admin_client, thematic, django_user_model, settings, tmp_path):
    settings.SIG_EXPORT_DIR = tmp_path / "exports"
    response = admin_client.get(reverse("exports:layer", args=["titik-uji", "shp"]),
                                {"background": "1"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("exports:job",
                                                                    args=[job.pk])
    page = admin_client.get(response.url)
    assert page.status_code == 200 and b"<progress" in page.content
    # The admin's job is not the public's, nor another user's.
    assert client.get(response.url).status_code == 404
    other = django_user_model.objects.create_user("lain", is_staff=True)
    client.force_login(other)
    assert client.get(reverse("exports:job_status", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_the_command_line_exports_as_the_public_or_as_a_user(thematic, admin_user, tmp_path):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("export_layer", "titik-uji", format="gpkg", out=str(tmp_path), stdout=out,
                 verbosity=0)
    path = out.getvalue().split(" (")[0]
    assert sorted(read(path)["nama"]) == sorted(NAMES)
    staff = tmp_path / "staff"
    staff.mkdir()
    call_command("export_layer", "titik-uji", format="csv", out=str(staff), user="admin",
                 stdout=io.StringIO(), verbosity=0)
    (csv_file,) = staff.glob("*.csv")
    assert "Draf Belum Diverifikasi" in csv_file.read_text(encoding="utf-8-sig")
    with pytest.raises(CommandError, match="no layer “tidak-ada”"):
        call_command("export_layer", "tidak-ada", format="kml", out=str(tmp_path),
                     verbosity=0)
