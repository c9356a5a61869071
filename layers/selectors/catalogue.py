"""Reads of the layer catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q

from layers import permissions
from layers.models import (
    AdministrativeArea,
    Asset,
    Complaint,
    Feature,
    LandUseZone,
    Layer,
    LayerKind,
)


@dataclass(frozen=True)
class LayerSummary:
    layer: Layer
    count: int | None  # None for a raster layer: it has cells, not features


def layers_visible_to(*, user: AbstractBaseUser | AnonymousUser):
    """Layers a user may see (the rule lives in layers.permissions.can_view_layer)."""
    qs = Layer.objects.all()
    return qs if permissions.is_staff(user) else qs.filter(is_public=True)


def catalogue_summary(*, user: AbstractBaseUser | AnonymousUser) -> list[LayerSummary]:
    """Every layer the user may see with the number of features they may see in it."""
    staff = permissions.is_staff(user)
    core_counts = {
        LayerKind.ADMIN_AREAS: AdministrativeArea.objects.count(),
        LayerKind.ASSETS: (Asset.objects.all() if staff else Asset.objects.published()).count(),
        LayerKind.LAND_USE: (
            LandUseZone.objects.all() if staff else LandUseZone.objects.published()
        ).count(),
        LayerKind.COMPLAINTS: (
            Complaint.objects.all() if staff else Complaint.objects.published()
        ).count(),
    }
    visible = Q() if staff else Q(is_public=True, is_verified=True)
    generic_counts = dict(
        Feature.objects.filter(visible).values_list("layer_id").annotate(n=Count("id"))
    )
    return [
        LayerSummary(
            layer=layer,
            count=None if layer.kind == LayerKind.RASTER
            else core_counts.get(layer.kind, generic_counts.get(layer.id, 0)),
        )
        for layer in layers_visible_to(user=user)
    ]
