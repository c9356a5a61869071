"""The form of a layer's features for editors (GET …/edit-schema/): the geometry kind it
wants, its own fields and, for assets, each category with its attribute fields."""

from __future__ import annotations

from layers.models import Layer, LayerKind
from layers.services.edit_kinds import KINDS


def edit_schema(layer: Layer) -> dict:
    """{"layer", "kind", "geometry_type" (empty: per category), "fields", "categories"}; fields
    are {"name", "label", "type", "required", "choices": [[value, label], …]}."""
    kind = KINDS[layer.kind]
    if layer.kind == LayerKind.ASSETS:
        geometry_type = ""
    elif layer.kind == LayerKind.LAND_USE:
        geometry_type = "polygon"
    else:
        geometry_type = layer.geometry_type or ""
    return {"layer": layer.slug, "kind": layer.kind, "geometry_type": geometry_type,
            "fields": kind.fields(layer), "categories": kind.categories()}
