"""Publication: a planner (or administrator) of the feature's wilayah verifies what field
officers and desa operators recorded, or sends it back with a note."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layers import permissions
from layers.selectors.edit_features import stored_area
from layers.services.edit_errors import EditForbidden, EditInvalid
from layers.services.editing import (
    EditResult,
    check_version,
    editable_layer,
    fresh_feature,
    locked_feature,
    parse_version,
    save_feature,
)


def _reviewable(slug: str, feature_id: int, version: object, by):
    layer, kind = editable_layer(slug=slug, user=by)
    version = parse_version(version)
    obj = locked_feature(layer, kind, feature_id)
    area = stored_area(kind, obj)
    if not permissions.can_publish_at(by, area.code if area else None):
        raise EditForbidden(_("You may not verify features here (%(where)s): it is outside "
                              "the wilayah you publish for.") % {
            "where": area.name if area else _("outside every desa/kelurahan")})
    check_version(layer, obj, version)
    return layer, obj, version


@transaction.atomic
def feature_verify(*, slug: str, feature_id: int, version: object, public: bool = True,
                   by: AbstractBaseUser | None) -> EditResult:
    """Mark the feature verified (and public unless `public` is False), based on `version`."""
    layer, obj, version = _reviewable(slug, feature_id, version, by)
    obj.is_verified, obj.is_public = True, bool(public)
    obj.review_note = ""
    obj.reviewed_by, obj.reviewed_at = by, timezone.now()
    obj.version = version + 1
    save_feature(obj, by=by, reason="verified")
    return EditResult(layer=layer, feature=fresh_feature(layer, obj))


@transaction.atomic
def feature_send_back(*, slug: str, feature_id: int, version: object, note: object,
                      by: AbstractBaseUser | None) -> EditResult:
    """Return the feature to whoever recorded it with a note saying what to fix; it stays
    unverified and not public."""
    text = str(note or "").strip()
    if not text:
        raise EditInvalid(_("Say what should be fixed."),
                          errors={"note": [_("This field is required.")]})
    if len(text) > 2000:
        raise EditInvalid(_("The note is too long."),
                          errors={"note": [_("At most %(n)d characters.") % {"n": 2000}]})
    layer, obj, version = _reviewable(slug, feature_id, version, by)
    obj.is_verified, obj.is_public = False, False
    obj.review_note = text
    obj.reviewed_by, obj.reviewed_at = by, timezone.now()
    obj.version = version + 1
    save_feature(obj, by=by, reason="sent back")
    return EditResult(layer=layer, feature=fresh_feature(layer, obj))
