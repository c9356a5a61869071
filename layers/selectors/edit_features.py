"""Features as the editor sees them (the editing API's Feature): every editable field, the
bookkeeping (uid, version, review) and the derived wilayah, area and length. Staff only:
the public's features come from layers.selectors.features."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.db.models import Func, OuterRef, Q, QuerySet, Subquery

from layers.models import AdministrativeArea, Layer
from layers.models.common import GeodesicAreaHa, GeodesicLengthM
from layers.selectors.boundaries import village_at
from layers.services.edit_kinds import KINDS, EditKind


def with_measures(rows: QuerySet) -> QuerySet:
    """Geodesic area (ha) and length (m) on every kind (generic features have no generated
    columns for them)."""
    return rows.annotate(edit_area_ha=GeodesicAreaHa("geom"),
                         edit_length_m=GeodesicLengthM("geom"))


def stored_area(kind: EditKind, obj: Any) -> AdministrativeArea | None:
    """The desa a stored feature lies in: the derived column where there is one (assets),
    else computed by the same rule (layers.selectors.boundaries.village_at)."""
    if hasattr(obj, "area_id"):
        return obj.area
    return village_at(obj.geom)


def feature_out(layer: Layer, obj: Any, *, area: AdministrativeArea | None = None,
                fetched_area: bool = False) -> dict:
    """One feature as a GeoJSON Feature (EPSG:4326) with the editing properties."""
    kind = KINDS[layer.kind]
    if not fetched_area:
        area = stored_area(kind, obj)
    area_ha = getattr(obj, "edit_area_ha", None)
    length_m = getattr(obj, "edit_length_m", None)
    props = {
        "uid": str(obj.uid), "version": obj.version, "is_verified": obj.is_verified,
        "is_public": obj.is_public, "review_note": obj.review_note,
        "area_code": area.code if area else None, "area_name": area.name if area else None,
        "area_ha": round(area_ha, 4) if area_ha is not None else None,
        "length_m": round(length_m, 2) if length_m is not None else None,
        "recorded_by": obj.recorded_by.get_username() if obj.recorded_by_id else None,
        "created_at": obj.created_at.isoformat() if obj.created_at else None,
        "updated_at": obj.updated_at.isoformat() if obj.updated_at else None,
    }
    own = kind.own_properties(obj)
    # A generic layer's own field never hides the bookkeeping the editor relies on.
    props = {**{k: v for k, v in own.items() if k not in props}, **props}
    return {"type": "Feature", "id": obj.pk,
            "geometry": json.loads(obj.geom.geojson) if obj.geom is not None else None,
            "properties": props}


def edit_feature(layer: Layer, feature_id: int) -> Any | None:
    """A stored feature of `layer` with its measures, or None."""
    kind = KINDS[layer.kind]
    return with_measures(kind.rows(layer)).select_related("recorded_by").filter(
        pk=feature_id).first()


def with_desa(rows: QuerySet) -> QuerySet:
    """Each feature's desa id as `desa_id`, by the rule of village_at, in SQL (for lists of
    features without a stored wilayah)."""
    # GeoDjango's PointOnSurface cannot wrap an OuterRef (it asks the ref for its SRID).
    reference = Func(OuterRef("geom"), function="ST_PointOnSurface",
                     output_field=GeometryField(srid=4326))
    desa = (AdministrativeArea.objects.villages().filter(geom__intersects=reference)
            .order_by("code").values("id")[:1])
    return rows.annotate(desa_id=Subquery(desa))


def in_scope_q(codes: list[str], column: str) -> Q:
    """Rows whose wilayah code (`column`) lies in one of `codes` (a scope from
    layers.permissions; the same prefix rule as permissions.covers), for filtering lists."""
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(**{column: code}) | Q(**{f"{column}__startswith": f"{code}."})
    return q


def in_edit_scope(rows: QuerySet, codes: list[str] | None) -> QuerySet:
    """`rows` narrowed to features lying in the scope `codes` (None: all)."""
    if codes is None:
        return rows
    if any(f.name == "area" for f in rows.model._meta.fields):
        return rows.filter(in_scope_q(codes, "area__code"))
    areas = AdministrativeArea.objects.villages().filter(in_scope_q(codes, "code"))
    return with_desa(rows).filter(desa_id__in=areas.values("id"))
