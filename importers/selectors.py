"""Reads of the import history other parts show: where a layer's data came from, and when."""

from __future__ import annotations

from importers.models import ImportJob, JobStatus
from layers.models import Layer, LayerKind

# The import target that writes each core kind of layer (importers.targets.target_for).
_TARGET = {LayerKind.ADMIN_AREAS: "admin_areas", LayerKind.ASSETS: "assets",
           LayerKind.LAND_USE: "land_use", LayerKind.COMPLAINTS: "complaints"}


def import_target(layer: Layer) -> str:
    """The import target name that writes `layer`'s features."""
    return _TARGET.get(layer.kind, f"layer:{layer.slug}")


def last_import(layer: Layer) -> ImportJob | None:
    """The newest successful, real (not a preview) import into `layer`; None if its rows came
    from elsewhere (a command-line import, editing)."""
    return (ImportJob.objects.filter(target=import_target(layer), status=JobStatus.SUCCEEDED,
                                     dry_run=False)
            .order_by("-finished_at").only("finished_at", "source_name").first())
