"""The review queue: unverified features of the editable layers in the wilayah the caller
publishes for (layers.permissions.publish_scope / can_publish_at)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from layers import permissions
from layers.models import AdministrativeArea, Layer
from layers.selectors.edit_features import feature_out, in_scope_q, with_desa, with_measures
from layers.services.edit_errors import EditForbidden
from layers.services.edit_kinds import KINDS, EditKind

PER_LAYER = 500


def review_queue(*, user: AbstractBaseUser | None) -> list[dict]:
    """Unverified features the caller may verify, oldest first per layer (at most 500 per
    layer); 403 for a caller who publishes nowhere."""
    scope = permissions.publish_scope(user)
    if scope == []:
        raise EditForbidden(_("You may not verify features."))
    out: list[dict] = []
    for layer in Layer.objects.filter(kind__in=permissions.EDITABLE_KINDS).order_by("slug"):
        if permissions.can_view_layer(user, layer):
            out.extend(_entries(layer, KINDS[layer.kind], scope, user))
    return out


def _desa_of(obj: Any) -> int | None:
    return getattr(obj, "area_id", None) or getattr(obj, "desa_id", None)


def _entries(layer: Layer, kind: EditKind, scope: list[str] | None, user) -> list[dict]:
    rows: QuerySet = with_measures(kind.rows(layer)).select_related("recorded_by").filter(
        is_verified=False)
    if any(f.name == "area" for f in kind.model._meta.fields):
        column = "area__code"  # assets store their desa
    else:
        rows = with_desa(rows)
        rows = rows.annotate(desa_code=Subquery(
            AdministrativeArea.all_versions.filter(pk=OuterRef("desa_id")).values("code")[:1]))
        column = "desa_code"
    if scope is not None:
        rows = rows.filter(in_scope_q(scope, column))
    found = list(rows.order_by("created_at", "pk")[:PER_LAYER])
    areas = AdministrativeArea.all_versions.in_bulk({_desa_of(r) for r in found} - {None})
    entries = []
    for obj in found:
        area = areas.get(_desa_of(obj))
        # The SQL above narrows by scope; the decision stays the permission function's.
        if not permissions.can_publish_at(user, area.code if area else None):
            continue
        feature = feature_out(layer, obj, area=area, fetched_area=True)
        props = feature["properties"]
        entries.append({
            "layer": layer.slug, "id": obj.pk,
            "name": props.get("name") or props.get("nama") or "",
            "recorded_by": props["recorded_by"], "created_at": props["created_at"],
            "area_name": area.name if area else None, "review_note": obj.review_note,
            "feature": feature})
    return entries
