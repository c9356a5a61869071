"""The layer catalogue: every dataset the map shows, the four core kinds and generic ones."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from layers.models.common import SRID, FeatureBase, GeometryType
from layers.querysets import FeatureQuerySet


class LayerKind(models.TextChoices):
    ADMIN_AREAS = "admin_areas", _("Administrative areas")
    ASSETS = "assets", _("Assets")
    LAND_USE = "land_use", _("Land use and zoning")
    COMPLAINTS = "complaints", _("Complaints")
    GENERIC = "generic", _("Thematic layer")
    # A grid (GeoTIFF, ASCII grid) kept as a Cloud-Optimized GeoTIFF; its metadata lives in
    # analysis.Raster, its pixels are served as image tiles, never as features.
    RASTER = "raster", _("Raster")


CORE_KINDS = (LayerKind.ADMIN_AREAS, LayerKind.ASSETS, LayerKind.LAND_USE, LayerKind.COMPLAINTS)


class Layer(models.Model):
    """A catalogued dataset. `slug` is its one name on every path (OGC API collection id,
    tiles, GeoJSON, REST). Core kinds point at their own tables; generic layers keep their
    features in Feature with a declared `schema` (list of {"name", "type", "label", "public"})."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=15, choices=LayerKind.choices,
                            default=LayerKind.GENERIC)
    geometry_type = models.CharField(
        _("geometry type"), max_length=10, choices=GeometryType.choices, blank=True
    )
    schema = models.JSONField(_("schema"), default=list, blank=True)
    style = models.JSONField(_("style"), default=dict, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    agency = models.ForeignKey(
        "layers.Agency", verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL,
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    sort_order = models.SmallIntegerField(_("order"), default=100)
    # Grows on every write to the layer's features (database triggers, migration 0004), so
    # caches (tile ETags) are invalidated by edits and imports alike, whatever path wrote.
    data_version = models.BigIntegerField(_("data version"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["data_version"])

    class Meta:
        verbose_name = _("layer")
        verbose_name_plural = _("layers")
        ordering = ["sort_order", "name"]
        constraints = [
            # Exactly one catalogue row for each core kind.
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind__in=[k.value for k in CORE_KINDS]),
                name="layer_one_per_core_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Feature(FeatureBase):
    """A feature of a generic layer: geometry plus JSON properties following the layer schema."""

    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="features")
    geom = models.GeometryField(_("geometry"), srid=SRID, spatial_index=False)
    properties = models.JSONField(_("properties"), default=dict, blank=True)

    objects = FeatureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("feature")
        verbose_name_plural = _("features")
        ordering = ["id"]
        indexes = [GistIndex(fields=["geom"], name="feature_geom_gist")]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="feature_geom_valid"),
            models.UniqueConstraint(fields=["layer", "source_ref"], condition=~Q(source_ref=""),
                                    name="feature_source_ref_unique")
        ]
