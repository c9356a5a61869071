"""A feature's edit history (django-simple-history rows) as the history panel shows it: who,
when, why, what changed, and the geometry of each version."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from layers.models import Layer
from layers.services import feature_batches
from layers.services.edit_errors import EditNotFound
from layers.services.edit_kinds import EditKind

TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping that changes on every save: not a "change" the panel lists.
UNLISTED = {"id", "uid", "version", "created_at", "updated_at", "source_ref", "layer"}


def history_rows(kind: EditKind, layer: Layer, feature_id: int):
    """The historical rows of one feature of `layer`, oldest first."""
    history = kind.model.history.model
    rows = history.objects.filter(id=feature_id)
    if layer.kind == "generic":
        rows = rows.filter(layer_id=layer.id)
    return rows.select_related("history_user").order_by("history_date", "history_id")


def tracked_fields(model: type[Model]) -> list[Any]:
    """The model's fields a history entry compares (generated measures are not kept)."""
    return [f for f in model.history.model._meta.concrete_fields
            if f.name not in UNLISTED and not f.name.startswith("history_")]


def _value(field: Any, row: Any, labels: dict) -> Any:
    value = getattr(row, field.attname)
    if field.is_relation and value is not None:
        return labels.setdefault((field.name, value), _label(field, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is not None and not isinstance(value, bool | int | float | str | dict | list):
        return str(value)
    return value


def _label(field: Any, pk: Any) -> Any:
    """A readable value of a foreign key (a category's slug, a class code, a user name)."""
    related = field.related_model.objects.filter(pk=pk).first()
    if related is None:
        return pk
    for attr in ("slug", "code", "username"):
        if hasattr(related, attr):
            return getattr(related, attr)
    return str(related)


def _imported_only(kind: EditKind, layer: Layer, feature_id: int) -> list[dict]:
    """A feature of a batch import never changed since: its history is the import's record
    (layers/models/batches.py), with the row as it is, which is as imported."""
    feature = kind.model.objects.filter(pk=feature_id, layer=layer).first() \
        if layer.kind == "generic" else None
    batch = feature_batches.batch_of(feature_id) if feature is not None else None
    if batch is None:
        raise EditNotFound(_("No such feature."))
    return [{
        "history_id": None, "version": feature.version, "date": batch.created_at.isoformat(),
        "user": batch.user.get_username() if batch.user else None, "type": TYPES["+"],
        "reason": batch.reason, "changes": [],
        "geometry": json.loads(feature.geom.geojson) if feature.geom is not None else None,
    }]


def feature_history(*, kind: EditKind, layer: Layer, feature_id: int) -> list[dict]:
    """Entries newest first: {history_id, version, date, user, type, reason, changes,
    geometry}. A deleted feature's history stays readable."""
    rows = list(history_rows(kind, layer, feature_id))
    if not rows:
        return _imported_only(kind, layer, feature_id)
    fields = tracked_fields(kind.model)
    labels: dict = {}
    entries, previous = [], None
    for row in rows:
        changes = []
        if previous is not None and row.history_type != "-":
            for f in fields:
                if f.name == "geom":
                    if previous.geom != row.geom:
                        changes.append({"field": "geometry", "old": None, "new": None})
                    continue
                old, new = _value(f, previous, labels), _value(f, row, labels)
                if old != new:
                    changes.append({"field": f.name, "old": old, "new": new})
        user = row.history_user
        entries.append({
            "history_id": row.history_id, "version": row.version,
            "date": row.history_date.isoformat(),
            "user": user.get_username() if user else None,
            "type": TYPES.get(row.history_type, row.history_type),
            "reason": row.history_change_reason or "",
            "changes": changes,
            "geometry": json.loads(row.geom.geojson) if row.geom is not None else None,
        })
        previous = row
    return entries[::-1]

