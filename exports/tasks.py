"""Background tasks of the exports, run by `manage.py procrastinate worker`: short wrappers
around exports.services."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app

from exports.models import ExportJob, ExportStatus
from exports.services import export_jobs_clean, run_export_job

logger = logging.getLogger(__name__)


@app.task(name="exports.run_export_job", queue="exports")
def run_export_job_task(job_id: str) -> None:
    """Write the stored ExportJob `job_id`, in the language of whoever asked for it."""
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            run_export_job(job)
        except Exception:
            # run_export_job turns ExportFailed into a failed job itself; anything else is a
            # bug or an outage: say so on the job (its page polls it), log the traceback.
            logger.exception("export job %s broke", job_id)
            ExportJob.objects.filter(pk=job_id).update(
                status=ExportStatus.FAILED, finished_at=timezone.now(),
                error_code="internal_error", error_message=_(
                    "The export stopped on an unexpected error. The administrator finds the "
                    "details in the worker's log."))
            raise


@app.periodic(cron="43 * * * *")
@app.task(name="exports.clean_exports", queue="maintenance", queueing_lock="clean_exports")
def clean_exports(timestamp: int) -> None:
    """Hourly: remove export files older than `SIG_EXPORT_KEEP_HOURS`."""
    removed = export_jobs_clean()
    if removed:
        logger.info("removed %d old export(s)", removed)
