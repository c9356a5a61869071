"""A real procrastinate worker runs the wizard's import against the test database."""

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from importers.models import JobStatus
from importers.uploads import upload_append, upload_create, upload_finish
from importers.wizard import WizardOptions, job_start
from layers.models import AdministrativeArea
from tests.importers.wizard_support import (
    run_worker_until_idle,
    two_desa_geojson,
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_takes_the_deferred_import_from_postgresql_and_runs_it(
        staff_user, import_dir, empty_queue, tmp_path):
    data = two_desa_geojson(tmp_path).read_bytes()
    upload = upload_create(filename="desa.geojson", size=len(data), target="admin_areas",
                           user=staff_user)
    with open(tmp_path / "desa.geojson", "rb") as stream:
        upload_append(upload_id=upload.pk, offset=0, length=len(data), stream=stream)
    upload_finish(upload=upload)
    job = job_start(upload=upload, options=WizardOptions(), user=staff_user, language="id")
    queued = ProcrastinateJob.objects.get()
    assert (queued.task_name, queued.status) == ("importers.run_import_job", "todo")

    run_worker_until_idle(queues=["imports"])

    queued.refresh_from_db()
    job.refresh_from_db()
    assert queued.status == "succeeded"
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.counts == {"total": 2, "created": 2, "updated": 0, "unchanged": 0,
                          "skipped": 0}
    assert job.progress == 1.0 and job.finished_at is not None
    assert AdministrativeArea.objects.get(code="99.01.01.2002").name == "Tanjung Harapan"
    assert not upload.path.exists()
