"""Background tasks of the import pipeline, run by `manage.py procrastinate worker`.

Short wrappers: the work is `importers.jobs.run_job`; these only find the job, keep its
status honest when something unexpected breaks, and remove the uploaded file afterwards.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app

from importers.jobs import run_job
from importers.models import ImportJob, JobStatus
from importers.uploads import import_dir, uploads_clean

logger = logging.getLogger(__name__)


@app.task(name="importers.run_import_job", queue="imports")
def run_import_job(job_id: int, language: str | None = None) -> None:
    """Run the stored ImportJob `job_id`, in the language of whoever started it (the report's
    sentences are stored translated), then delete its uploaded file whatever happened."""
    job = ImportJob.objects.get(pk=job_id)
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            try:
                run_job(job)
            except Exception:
                # run_job turns ImportFailed into a failed job itself; anything else is a bug
                # or an outage. Say so on the job (the page polls it) and let procrastinate
                # record the traceback.
                logger.exception("import job %s broke", job_id)
                ImportJob.objects.filter(pk=job_id).update(
                    status=JobStatus.FAILED, finished_at=timezone.now(),
                    error_code="internal_error", error_message=_(
                        "The import stopped on an unexpected error; nothing was imported. "
                        "The administrator finds the details in the worker's log."))
                raise
    finally:
        _remove_upload(job.source_path)


def _remove_upload(source_path: str) -> None:
    """Delete the job's file if it is one of ours: a job started from the command line may
    point at the user's own copy, which is not ours to delete."""
    if not source_path:
        return
    path = Path(source_path).resolve()
    if path.parent == import_dir().resolve():
        path.unlink(missing_ok=True)


@app.periodic(cron="17 * * * *")
@app.task(name="importers.clean_uploads", queue="maintenance", queueing_lock="clean_uploads")
def clean_uploads(timestamp: int) -> None:
    """Hourly: forget uploads left unfinished or unused (`SIG_IMPORT_KEEP_HOURS`)."""
    removed = uploads_clean()
    if removed:
        logger.info("removed %d stale upload(s)", removed)
