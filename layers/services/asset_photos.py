"""Photos of assets from the staff map and the field page: checked by content, re-encoded
without EXIF (layers.photos), stored with a thumbnail; the asset keeps its own point."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from layers.models import AssetPhoto, LayerKind
from layers.photos import clean_photo
from layers.services.edit_errors import EditConflict, EditInvalid, EditNotFound
from layers.services.editing import editable_layer, parse_uid, refuse_outside


@dataclass
class PhotoResult:
    photo: AssetPhoto
    created: bool


def _taken_at(value: object) -> dt.datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise EditInvalid(_("The photo is not valid."), errors={
            "taken_at": [_("Enter a date and time (ISO 8601).")]})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@transaction.atomic
def asset_photo_add(*, slug: str, feature_id: int, image: UploadedFile | None,
                    caption: object = "", taken_at: object = None, uid: object = None,
                    by: AbstractBaseUser | None) -> PhotoResult:
    """Attach a photo to an asset the editor may edit. The same client `uid` twice stores one
    photo (the second call returns the first, created=False)."""
    layer, kind = editable_layer(slug=slug, user=by)
    if layer.kind != LayerKind.ASSETS:
        raise EditNotFound(_("Photos are kept for assets only."))
    asset = kind.rows(layer).filter(pk=feature_id).first()
    if asset is None:
        raise EditNotFound(_("No such feature."))
    refuse_outside(by, asset.area)
    photo_uid = parse_uid(uid)
    if photo_uid is not None:
        existing = AssetPhoto.objects.filter(uid=photo_uid).first()
        if existing is not None:
            if existing.asset_id != asset.pk:
                raise EditConflict(_("This identifier belongs to a photo of another asset."))
            return PhotoResult(existing, created=False)
    text = str(caption or "").strip()
    errors = {}
    if len(text) > 200:
        errors["caption"] = [_("At most %(n)d characters.") % {"n": 200}]
    if image is None:
        errors["image"] = [_("Choose a photo.")]
    when = _taken_at(taken_at)
    if errors:
        raise EditInvalid(_("The photo is not valid."), errors=errors)
    try:
        cleaned = clean_photo(image, name=str(photo_uid or asset.uid))
    except ValidationError as exc:
        raise EditInvalid(_("The photo is not valid."), errors={"image": exc.messages}) from None
    photo = AssetPhoto(asset=asset, image=cleaned.image, thumbnail=cleaned.thumbnail,
                       caption=text, taken_at=when, uploaded_by=by if by and by.pk else None)
    if photo_uid is not None:
        photo.uid = photo_uid
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        existing = AssetPhoto.objects.filter(uid=photo_uid).first() if photo_uid else None
        if existing is None:
            raise
        return PhotoResult(existing, created=False)
    return PhotoResult(photo, created=True)
