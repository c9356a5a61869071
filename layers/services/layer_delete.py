"""Deleting a thematic layer with all its features, set-based.

Django's cascade (`Layer.delete()`, the admin's delete) loads every feature, sends its signals
one by one, and django-simple-history writes one history row at a time. For a layer of 200,000
features this took 265 s, longer than any web request may run. Here everything happens in one
transaction:

- one INSERT … SELECT keeps each feature's last version in the history, as a deletion by the
  user;
- the layer's batch tables (layers/models/batches.py) are dropped whole;
- one DELETE removes the rest;
- the layer itself then goes through the ORM, with its own history and what hangs on it (a
  raster, zonal runs).

A batch row that never changed gets no separate record of its imported version: its deletion
row holds that same content.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layers import permissions
from layers.models import Feature, FeatureBatch, Layer
from layers.models.common import history_columns
from layers.services.edit_errors import EditForbidden


@transaction.atomic
def layer_delete(layer: Layer, *, user: AbstractBaseUser | None) -> int:
    """Delete `layer` and its features; returns how many features went. EditForbidden unless
    `user` may delete layers (permissions.can_delete_layer)."""
    if not permissions.can_delete_layer(user):
        raise EditForbidden(_("Only a planner or administrator for the whole region may "
                              "delete a layer."))
    history = Feature.history.model
    columns = ", ".join(history_columns(Feature))
    with connection.cursor() as cursor:
        # Locked first: no import or edit adds rows to the layer while it goes.
        cursor.execute("SELECT id FROM layers_layer WHERE id = %s FOR UPDATE", [layer.pk])
        # A batch table with deferred checks still queued (rows changed earlier in the
        # caller's transaction) cannot be dropped: run those checks now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"INSERT INTO {history._meta.db_table} ({columns}, history_date, "
            "history_change_reason, history_type, history_user_id) "
            f"SELECT {columns}, %s, %s, '-', %s FROM layers_feature WHERE layer_id = %s",
            [timezone.now(), _("Layer %(name)s deleted") % {"name": layer.name},
             getattr(user, "pk", None), layer.pk])
        deleted = cursor.rowcount
        # Each batch record's deletion drops its table and parts (layers/signals.py).
        FeatureBatch.objects.filter(layer=layer).delete()
        cursor.execute("DELETE FROM layers_feature WHERE layer_id = %s", [layer.pk])
    layer.delete()
    return deleted
