"""Background tasks of the analysis app, run by `manage.py procrastinate worker`: short
wrappers around analysis.services.zonal_runs."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app

from analysis.models import RunStatus, ZonalRun
from analysis.services.zonal_runs import zonal_run_execute

logger = logging.getLogger(__name__)


@app.task(name="analysis.run_zonal_statistics", queue="analysis")
def run_zonal_statistics(run_id: int, language: str | None = None) -> None:
    """Compute the stored ZonalRun `run_id` (its progress is on the run, the page polls it)."""
    run = ZonalRun.objects.select_related("raster__layer").get(pk=run_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            zonal_run_execute(run)
        except Exception:
            # Refusals are handled by the service; anything else is a bug or an outage.
            logger.exception("zonal statistics run %s broke", run_id)
            ZonalRun.objects.filter(pk=run_id).update(
                status=RunStatus.FAILED, computed_at=None, error_code="internal_error",
                error_message=_("The computation stopped on an unexpected error. The "
                                "administrator finds the details in the worker's log."))
            raise
