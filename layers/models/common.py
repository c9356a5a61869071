"""Pieces shared by every geographic model: geodesic measures and feature bookkeeping."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Func
from django.utils.translation import gettext_lazy as _

SRID = 4326


class GeodesicAreaHa(Func):
    """Area on the WGS 84 spheroid in hectares (ST_Area over geography), never in degrees².

    IMMUTABLE in PostGIS, so it can back a generated column: the area is then right however a
    row was written (admin, service, COPY import).
    """

    template = "(ST_Area(%(expressions)s::geography, true) / 10000.0)"
    output_field = models.FloatField()


class GeodesicLengthM(Func):
    """Length on the WGS 84 spheroid in metres (0 for points and polygons)."""

    template = "ST_Length(%(expressions)s::geography, true)"
    output_field = models.FloatField()


def area_ha_field() -> models.GeneratedField:
    return models.GeneratedField(
        expression=GeodesicAreaHa("geom"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name=_("area (ha)"),
    )


def length_m_field() -> models.GeneratedField:
    return models.GeneratedField(
        expression=GeodesicLengthM("geom"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name=_("length (m)"),
    )


class FeatureBase(models.Model):
    """Bookkeeping every editable map feature carries.

    `uid` is stable across systems (OGC API ids, offline clients that create records before
    they reach the server); `version` grows by one on every save so a stale edit is detected.
    """

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # The natural key an import matched this row by ("<namespace>:<value>"): re-importing the
    # same file updates these rows instead of adding duplicates. Empty for hand-made rows.
    source_ref = models.CharField(_("source reference"), max_length=250, blank=True,
                                  editable=False)
    is_verified = models.BooleanField(_("verified"), default=False)
    is_public = models.BooleanField(_("public"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The last review (layers.services.review): a note when a planner sent the feature back.
    review_note = models.TextField(_("review note"), blank=True, default="", db_default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


def history_columns(model: type[models.Model]) -> list[str]:
    """The columns a model's django-simple-history rows copy from it (all but the history's
    own `history_*` bookkeeping): what set-based SQL writes into the history table."""
    return [f.column for f in model.history.model._meta.concrete_fields
            if not f.column.startswith("history_")]


class GeometryType(models.TextChoices):
    POINT = "point", _("Point")
    LINE = "line", _("Line")
    POLYGON = "polygon", _("Polygon")

    @classmethod
    def of(cls, geos_type: str) -> GeometryType | None:
        """Map a GEOS/OGC geometry type name to our three kinds."""
        return {
            "Point": cls.POINT, "MultiPoint": cls.POINT,
            "LineString": cls.LINE, "MultiLineString": cls.LINE,
            "Polygon": cls.POLYGON, "MultiPolygon": cls.POLYGON,
        }.get(geos_type)
