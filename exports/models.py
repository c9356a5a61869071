"""Exports too large to write during a request: a background job with progress and a file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One layer export run by the worker. Its id is random: the job's pages and file are
    found by it, and a job with a user is shown to that user only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    layer_slug = models.SlugField(_("layer"), max_length=80)
    format = models.CharField(_("format"), max_length=10)
    options = models.JSONField(_("options"), default=dict, blank=True,
                               help_text=_("bbox and the layer's filters."))
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices,
                              default=ExportStatus.PENDING)
    progress = models.FloatField(_("progress"), default=0.0)
    progress_note = models.CharField(max_length=200, blank=True)
    feature_count = models.PositiveIntegerField(_("features"), default=0)
    file_path = models.CharField(max_length=500, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    file_size = models.BigIntegerField(_("size (bytes)"), default=0)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="export_jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=1),
                                   name="exportjob_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.layer_slug}.{self.format} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.SUCCEEDED, ExportStatus.FAILED)
