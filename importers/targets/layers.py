"""Thematic layers: a generic Layer whose schema is inferred from the file."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from importers.errors import ImportErrorCode, ImportFailed
from importers.targets.base import Target
from layers.models import Feature, Layer


class LayerTarget(Target):
    """A generic thematic layer; created with a schema inferred from the file."""

    key = "layer"
    label = gettext_lazy("Thematic layer")
    model = Feature
    kinds: ClassVar = None
    fields = ()
    columns: ClassVar = {}

    def __init__(self, *, constants, slug: str):
        super().__init__(constants=constants)
        self.slug = slug
        self.layer: Layer | None = None

    def bind(self, frame: pd.DataFrame, kind: str | None, public: bool) -> None:
        """Get or create the layer, merging the file's fields into its schema."""
        types = {"int": "integer", "float": "number", "bool": "boolean", "datetime": "date"}
        schema = [
            {"name": str(c), "label": str(c), "public": True,
             "type": next((v for k, v in types.items() if k in str(frame[c].dtype)), "text")}
            for c in frame.columns if c != "geometry"
        ]
        existing = Layer.objects.filter(slug=self.slug).exclude(kind="generic").first()
        if existing is not None:
            raise ImportFailed(ImportErrorCode.TARGET_UNKNOWN, _(
                "“%(slug)s” is a core layer: import into it with --target %(kind)s.")
                % {"slug": self.slug, "kind": existing.kind})
        layer, created = Layer.objects.get_or_create(slug=self.slug, defaults={
            "name": self.constants.get("layer_name") or self.slug.replace("-", " ").title(),
            "geometry_type": kind or "", "schema": schema, "is_public": public})
        if not created:
            names = {f["name"] for f in layer.schema}
            added = [f for f in schema if f["name"] not in names]
            if added:
                layer.schema = [*layer.schema, *added]
                layer.save(update_fields=["schema", "updated_at"])
        self.layer = layer

    def key_match(self) -> str:
        # The NOT … = '' repeats the predicate of the partial unique index on (layer_id,
        # source_ref), so each stage row is probed through it, never by a scan of the layer.
        return ("t.layer_id = %(layer_id)s AND t.source_ref = s.source_ref "
                "AND NOT t.source_ref = ''")

    def insert_extra(self):
        return {"layer_id": "%(layer_id)s"}

    def claim_empty(self, cursor) -> bool:
        # FOR UPDATE conflicts with the FOR KEY SHARE that the feature → layer foreign key
        # takes: no other transaction can add a feature to this layer until we are done.
        cursor.execute("SELECT 1 FROM layers_layer WHERE id = %s FOR UPDATE", [self.layer.id])
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM layers_feature WHERE layer_id = %s)",
                       [self.layer.id])
        return bool(cursor.fetchone()[0])

    def copy_extra(self):
        return {"layer_id": self.layer.id}

    def params(self):
        return {"layer_id": self.layer.id}
