"""Reverting a feature to an earlier version of its history: a new version with that
version's geometry and attributes (the history keeps growing; nothing is rewritten)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from layers.selectors.boundaries import village_at
from layers.selectors.edit_features import stored_area
from layers.services.edit_errors import EditInvalid
from layers.services.editing import (
    EditResult,
    apply_save_rule,
    check_version,
    editable_layer,
    fresh_feature,
    locked_feature,
    parse_version,
    refuse_outside,
    save_feature,
)

# What a revert restores: the feature's content, not its bookkeeping or review state.
NOT_RESTORED = {"id", "uid", "version", "source_ref", "is_verified", "is_public",
                "recorded_by", "created_at", "updated_at", "review_note", "reviewed_by",
                "reviewed_at", "area", "layer"}


@transaction.atomic
def feature_revert(*, slug: str, feature_id: int, history_id: object, version: object,
                   by: AbstractBaseUser | None) -> EditResult:
    """Make a new version of the feature with the content of its history row `history_id`,
    based on `version` (409 when stale). Recorded as "revert to version N"."""
    layer, kind = editable_layer(slug=slug, user=by)
    version = parse_version(version)
    try:
        history_id = int(history_id)
    except (TypeError, ValueError):
        raise EditInvalid(_("Choose a version of the history."),
                          errors={"history_id": [_("Enter a whole number.")]}) from None
    obj = locked_feature(layer, kind, feature_id)
    refuse_outside(by, stored_area(kind, obj))
    check_version(layer, obj, version)
    row = kind.model.history.model.objects.filter(id=obj.pk, history_id=history_id).first()
    if row is None or row.history_type == "-":
        raise EditInvalid(_("That version is not in this feature's history."),
                          errors={"history_id": [_("Not a version of this feature.")]})
    for f in kind.model._meta.concrete_fields:
        if f.name not in NOT_RESTORED and not getattr(f, "generated", False):
            setattr(obj, f.attname, getattr(row, f.attname))
    area = village_at(obj.geom)
    refuse_outside(by, area)
    apply_save_rule(obj, by=by, area=area)
    kind.derive(obj, area)
    obj.version = version + 1
    save_feature(obj, by=by, reason=f"revert to version {row.version}")
    return EditResult(layer=layer, feature=fresh_feature(layer, obj))
