"""Infrastructure assets (sarana-prasarana) and their configurable categories."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models.common import (
    SRID,
    FeatureBase,
    GeometryType,
    area_ha_field,
    length_m_field,
)
from layers.querysets import FeatureQuerySet


class AssetCategory(models.Model):
    """Jalan, jembatan, sekolah, puskesmas…: each with its geometry kind, icon and the extra
    attributes its assets carry (`attribute_schema`: a list of
    {"name", "label", "type": text|integer|number|boolean|date|choice, "required", "choices"})."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    geometry_type = models.CharField(
        _("geometry type"), max_length=10, choices=GeometryType.choices
    )
    icon = models.CharField(_("icon"), max_length=60, blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#3366cc")
    attribute_schema = models.JSONField(_("attribute schema"), default=list, blank=True)
    agency = models.ForeignKey(
        "layers.Agency", verbose_name=_("default agency"), null=True, blank=True,
        on_delete=models.SET_NULL,
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset category")
        verbose_name_plural = _("asset categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Condition(models.TextChoices):
    GOOD = "baik", _("Good")
    LIGHT_DAMAGE = "rusak_ringan", _("Lightly damaged")
    MODERATE_DAMAGE = "rusak_sedang", _("Moderately damaged")
    HEAVY_DAMAGE = "rusak_berat", _("Heavily damaged")


class Asset(FeatureBase):
    """One asset: a point (school), a line (road) or a polygon (market). `area` is the desa it
    lies in, derived by a point-in-polygon join (layers.services.wilayah)."""

    category = models.ForeignKey(
        AssetCategory, verbose_name=_("category"), on_delete=models.PROTECT,
        related_name="assets",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    register_code = models.CharField(_("register number"), max_length=60, blank=True)
    geom = models.GeometryField(_("geometry"), srid=SRID, spatial_index=False)
    condition = models.CharField(
        _("condition"), max_length=20, choices=Condition.choices, default=Condition.GOOD
    )
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    value_idr = models.DecimalField(
        _("value (Rp)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    agency = models.ForeignKey(
        "layers.Agency", verbose_name=_("responsible agency"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assets",
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    area = models.ForeignKey(
        "layers.AdministrativeArea", verbose_name=_("desa/kelurahan"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assets", editable=False,
    )
    length_m = length_m_field()
    area_ha = area_ha_field()

    objects = FeatureQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["length_m", "area_ha"])

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["id"]
        indexes = [GistIndex(fields=["geom"], name="asset_geom_gist")]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="asset_geom_valid"),
            models.UniqueConstraint(fields=["source_ref"], condition=~Q(source_ref=""),
                                    name="asset_source_ref_unique"),
            models.CheckConstraint(
                condition=Q(year_built__isnull=True) | Q(year_built__range=(1800, 2100)),
                name="asset_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(condition__in=[c.value for c in Condition]),
                name="asset_condition_allowed",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.category} #{self.pk}"


class AssetPhoto(models.Model):
    # Client-generated on the phone, so a photo sent twice (a lost acknowledgement) is stored
    # once.
    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="assets/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="assets/thumbs/%Y/%m/", blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("asset photo")
        verbose_name_plural = _("asset photos")
