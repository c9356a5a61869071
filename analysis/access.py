"""Who may see a raster layer and a zonal statistics run: the rules of layers.permissions
applied to the layers they come from (a hidden layer's figures are hidden too)."""

from __future__ import annotations

from django.http import Http404

from analysis.models import Raster, ZonalRun
from layers import permissions
from layers.models import Layer, LayerKind


def visible_raster(user, slug: str) -> Raster:
    """The raster layer `slug` if `user` may see it; 404 otherwise (hidden = missing)."""
    raster = Raster.objects.select_related("layer").filter(layer__slug=slug).first()
    if raster is None or not permissions.can_view_layer(user, raster.layer):
        raise Http404(slug)
    return raster


def can_view_run(user, run: ZonalRun) -> bool:
    if not permissions.can_view_layer(user, run.raster.layer):
        return False
    if run.zones_layer is not None:
        return permissions.can_view_layer(user, run.zones_layer)
    wilayah = Layer.objects.filter(kind=LayerKind.ADMIN_AREAS).first()
    return wilayah is None or permissions.can_view_layer(user, wilayah)


def visible_run(user, run_id: int) -> ZonalRun:
    run = (ZonalRun.objects.select_related("raster__layer", "zones_layer")
           .filter(pk=run_id).first())
    if run is None or not can_view_run(user, run):
        raise Http404(run_id)
    return run
