"""Chainable spatial reads. Selectors combine these; views never build raw filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db.models import Q

from layers.codes import Level

if TYPE_CHECKING:
    from layers.models import AdministrativeArea


def bbox_polygon(bbox: tuple[float, float, float, float]) -> Polygon:
    """(west, south, east, north) in EPSG:4326 degrees → a polygon."""
    poly = Polygon.from_bbox(bbox)
    poly.srid = 4326
    return poly


class SpatialQuerySet(models.QuerySet):
    def intersecting(self, geom: GEOSGeometry | tuple[float, float, float, float]):
        """Rows whose geometry meets `geom` (or a west, south, east, north bbox)."""
        if isinstance(geom, tuple):
            geom = bbox_polygon(geom)
        return self.filter(geom__intersects=geom)


class AdministrativeAreaQuerySet(SpatialQuerySet):
    def current(self):
        """Units in force today: a split or renamed unit keeps its row with `valid_until` set."""
        return self.filter(valid_until__isnull=True)

    def at_level(self, level: int):
        return self.filter(level=level)

    def villages(self):
        return self.filter(level=Level.VILLAGE)

    def within(self, area: AdministrativeArea):
        """The area's descendants (by code prefix, so it needs no recursive join)."""
        return self.filter(code__startswith=f"{area.code}.")

    def containing(self, geom: GEOSGeometry):
        return self.filter(geom__intersects=geom)


class CurrentAreaManager(models.Manager.from_queryset(AdministrativeAreaQuerySet)):
    """The default everywhere: only current wilayah."""

    def get_queryset(self):
        return super().get_queryset().current()


class FeatureQuerySet(SpatialQuerySet):
    def published(self):
        """What the public may see (the rule: layers.permissions.PUBLISHED_FILTER)."""
        from layers import permissions  # permissions imports the models, which import us

        return self.filter(**permissions.PUBLISHED_FILTER)

    def in_area(self, area: AdministrativeArea):
        """Features whose derived desa lies in `area` (any level)."""
        if area.level == Level.VILLAGE:
            return self.filter(area=area)
        return self.filter(Q(area=area) | Q(area__code__startswith=f"{area.code}."))
