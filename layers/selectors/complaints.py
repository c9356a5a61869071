"""Reads of complaints."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db.models import Q
from django.db.models.expressions import RawSQL

from layers import permissions
from layers.models import Complaint, Role
from layers.models.complaints import OPEN_STATUSES


def nearby_open(*, point: Point, category_id: int, radius_m: float | None = None,
                exclude_id: int | None = None):
    """Open complaints of the same category within `radius_m` metres (geodesic), nearest
    first: offered to the resident (“saya juga”) and to the officer as likely duplicates."""
    radius = radius_m if radius_m is not None else settings.SIG_DUPLICATE_RADIUS_M
    wkt = f"SRID=4326;POINT({point.x} {point.y})"
    qs = (Complaint.objects.filter(status__in=OPEN_STATUSES, category_id=category_id)
          .annotate(distance_m=RawSQL(
              "ST_Distance(layers_complaint.geom::geography, %s::geography)", (wkt,)))
          .extra(where=["ST_DWithin(layers_complaint.geom::geography, %s::geography, %s)"],
                 params=[wkt, radius])
          .order_by("distance_m"))
    return qs.exclude(pk=exclude_id) if exclude_id else qs


def complaints_for_officer(user):
    """The queue: complaints in the officer's wilayah and categories (all for an unscoped
    administrator), as the permission rules define them."""
    qs = Complaint.objects.select_related("category", "area", "agency")
    if user.is_superuser:
        return qs
    match = Q(pk__in=[])
    for a in permissions.assignments(user):
        if a.role not in permissions.COMPLAINT_HANDLERS:
            continue
        scope = Q()
        if a.area_id is not None:
            scope &= Q(area__code=a.area.code) | Q(area__code__startswith=a.area.code + ".")
        categories = [c.id for c in a.complaint_categories.all()]
        if categories and a.role == Role.COMPLAINT_OFFICER:
            scope &= Q(category_id__in=categories)
        match |= scope
    return qs.filter(match)
