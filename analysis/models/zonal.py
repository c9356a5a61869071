"""Zonal statistics runs (what was asked, how far it got, what it was computed from) and their
result rows, one per zone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class ZonalRun(models.Model):
    """One zonal statistics computation: a raster over zones ("level:kecamatan" or
    "layer:<slug>"). `sources` records the layers it read and when each was last imported, so a
    figure always shows what it came from; `columns` describes the result's statistics."""

    raster = models.ForeignKey("analysis.Raster", on_delete=models.CASCADE,
                               related_name="zonal_runs", verbose_name=_("raster"))
    zones = models.CharField(_("zones"), max_length=120)
    zones_layer = models.ForeignKey("layers.Layer", null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("zone layer"))
    stats = models.JSONField(_("statistics"), default=list)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.PENDING)
    progress = models.FloatField(_("progress"), default=0.0)
    progress_note = models.CharField(max_length=200, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    zone_count = models.PositiveIntegerField(_("zones computed"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)

    class Meta:
        verbose_name = _("zonal statistics run")
        verbose_name_plural = _("zonal statistics runs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=1),
                                   name="zonalrun_progress_range"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.raster} × {self.zones}"


class ZonalResult(models.Model):
    """The statistics of one zone: `zone_key` is the wilayah code or the feature id."""

    run = models.ForeignKey(ZonalRun, on_delete=models.CASCADE, related_name="results")
    zone_key = models.CharField(_("zone"), max_length=40)
    name = models.CharField(_("name"), max_length=300, blank=True)
    values = models.JSONField(_("values"), default=dict)

    class Meta:
        verbose_name = _("zonal statistics result")
        verbose_name_plural = _("zonal statistics results")
        ordering = ["run", "zone_key"]
        constraints = [models.UniqueConstraint(fields=["run", "zone_key"],
                                               name="zonalresult_one_per_zone")]

    def __str__(self) -> str:
        return f"{self.zone_key} {self.name}"
