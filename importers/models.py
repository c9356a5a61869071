"""Import jobs, saved field mappings and the uploads that feed the wizard."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One import: what was read, into what, how, and what happened. The same record backs the
    command line and the upload wizard."""

    source_name = models.CharField(_("file"), max_length=300)
    source_path = models.CharField(_("stored file"), max_length=500, blank=True)
    target = models.CharField(_("target"), max_length=100)
    layer_name = models.CharField(_("source layer"), max_length=200, blank=True)
    options = models.JSONField(
        _("options"), default=dict, blank=True,
        help_text=_("srid, encoding, mapping, constants (e.g. the asset category)."),
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices,
                              default=JobStatus.PENDING)
    progress = models.FloatField(_("progress"), default=0.0)
    progress_note = models.CharField(max_length=200, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    notices = models.JSONField(_("notices"), default=list, blank=True)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="import_jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=1),
                                   name="importjob_progress_range"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source_name} → {self.target}"


class MappingPreset(models.Model):
    """A field mapping saved for the next import from the same agency."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    target = models.CharField(_("target"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    agency = models.ForeignKey("layers.Agency", null=True, blank=True,
                               on_delete=models.SET_NULL, verbose_name=_("agency"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mapping preset")
        verbose_name_plural = _("mapping presets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UploadSession(models.Model):
    """A file arriving in chunks (resumable over a weak connection) for the import wizard.

    The bytes live in `settings.SIG_IMPORT_DIR` under this row's id, never under the user's
    file name; `received` is how many of them the server holds, so a client that lost its
    connection asks for it and carries on from there."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    filename = models.CharField(_("file"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"))
    received = models.BigIntegerField(_("received (bytes)"), default=0)
    target = models.CharField(_("target"), max_length=100)
    completed = models.BooleanField(_("completed"), default=False)
    job = models.OneToOneField(ImportJob, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="upload", verbose_name=_("import job"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(received__gte=0)
                                   & models.Q(received__lte=models.F("size")),
                                   name="uploadsession_received_range"),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def suffix(self) -> str:
        """The file's lower-case suffix (`.zip`), checked when the upload was created."""
        return Path(self.filename).suffix.lower()

    @property
    def path(self) -> Path:
        """Where the bytes are: the private folder, this upload's id and its suffix."""
        return Path(settings.SIG_IMPORT_DIR) / f"{self.id}{self.suffix}"
