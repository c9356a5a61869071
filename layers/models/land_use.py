"""Existing land use and planned zones (RTRW/RDTR pola ruang) with configurable classes."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models.common import SRID, FeatureBase, area_ha_field
from layers.querysets import FeatureQuerySet


class LandUseClassification(models.Model):
    """A classification scheme: e.g. RTRW pola ruang (Permen ATR/BPN 14/2021) or BIG land cover."""

    class Kind(models.TextChoices):
        EXISTING = "existing", _("Existing land use")
        PLANNED = "planned", _("Spatial plan (pola ruang)")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("land-use classification")
        verbose_name_plural = _("land-use classifications")

    def __str__(self) -> str:
        return self.name


class LandUseClass(models.Model):
    classification = models.ForeignKey(
        LandUseClassification, on_delete=models.CASCADE, related_name="classes",
        verbose_name=_("classification"),
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    color = models.CharField(_("colour"), max_length=7, default="#88aa55")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
        verbose_name=_("parent class"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("land-use class")
        verbose_name_plural = _("land-use classes")
        ordering = ["classification", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "code"], name="landuseclass_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LandUseZone(FeatureBase):
    land_use_class = models.ForeignKey(
        LandUseClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="zones"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    plan_name = models.CharField(
        _("plan"), max_length=200, blank=True, help_text=_("e.g. RTRW Kabupaten … 2024-2044")
    )
    regulation = models.CharField(
        _("regulation"), max_length=200, blank=True, help_text=_("e.g. Perda No. 3 Tahun 2024")
    )
    geom = models.MultiPolygonField(_("geometry"), srid=SRID, spatial_index=False)
    area_ha = area_ha_field()
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    objects = FeatureQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["area_ha"])

    class Meta:
        verbose_name = _("land-use zone")
        verbose_name_plural = _("land-use zones")
        ordering = ["id"]
        indexes = [GistIndex(fields=["geom"], name="landusezone_geom_gist")]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="landusezone_geom_valid"),
            models.UniqueConstraint(fields=["source_ref"], condition=~Q(source_ref=""),
                                    name="landusezone_source_ref_unique")
        ]

    def __str__(self) -> str:
        return self.name or str(self.land_use_class)
