"""Reads behind the public complaint form: where a pin falls, and the open complaints near it
that a resident may join (“saya juga”) instead of filing a duplicate. Public fields only."""

from __future__ import annotations

from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Point
from django.utils import timezone

from layers.models import AdministrativeArea
from layers.selectors.boundaries import village_at
from layers.selectors.complaints import nearby_open

NEARBY_LIMIT = 10
EXCERPT = 220


def location_summary(point: Point) -> dict | None:
    """The desa/kelurahan and kecamatan names at `point` (EPSG:4326), or None outside every
    desa (the form then says so before the resident sends anything)."""
    area = village_at(point)
    if area is None:
        return None
    parent = AdministrativeArea.all_versions.filter(pk=area.parent_id).values_list(
        "name", flat=True).first()
    return {"code": area.code, "desa": area.name, "kecamatan": parent or ""}


def nearby_public(*, point: Point, category_id: int, limit: int = NEARBY_LIMIT) -> list[dict]:
    """Open complaints of the category within SIG_DUPLICATE_RADIUS_M of `point`, nearest first,
    as the public may see them: a subset of Complaint.PUBLIC_FIELDS (never the reporter),
    and the distance in metres (geodesic)."""
    rows = (nearby_open(point=point, category_id=category_id)
            .values("ticket", "description", "status", "supporters", "created_at",
                    "distance_m")[:limit])
    out = []
    for row in rows:  # at most `limit` rows: shaping, not aggregating
        text = row["description"]
        out.append({
            "ticket": row["ticket"],
            "description": text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + "…",
            "status": row["status"],
            "supporters": row["supporters"],
            "created_at": timezone.localdate(row["created_at"]).isoformat(),
            "distance_m": round(row["distance_m"]),
        })
    return out


def region_bounds() -> list[float] | None:
    """[west, south, east, north] of the current desa/kelurahan (EPSG:4326), for the maps to
    open on the region; None when no boundaries are loaded."""
    extent = AdministrativeArea.objects.villages().aggregate(e=Extent("geom"))["e"]
    return list(extent) if extent else None
