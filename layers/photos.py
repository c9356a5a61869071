"""Photos from phones: checked, re-encoded and stripped of EXIF (which carries the phone's
GPS position and model) before anyone else can see them."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
LONG_SIDE = 2048
THUMB_SIDE = 320


@dataclass(frozen=True)
class CleanPhoto:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def clean_photo(upload: UploadedFile, *, name: str = "foto") -> CleanPhoto:
    """Check type and size, then re-encode as JPEG with no metadata at most 2048 px on the
    long side, plus a 320 px thumbnail. Raises ValidationError with a translated reason."""
    if upload.size and upload.size > MAX_BYTES:
        raise ValidationError(_("The photo is larger than %(mb)d MB.") % {
            "mb": MAX_BYTES // (1024 * 1024)}, code="photo_too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError(_("Only JPEG, PNG or WebP photos are accepted."),
                                      code="photo_type")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="photo_pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img)  # keep the orientation the EXIF asked for
            img = img.convert("RGB")
            img.thumbnail((LONG_SIDE, LONG_SIDE))
            full = _jpeg(img, 85)
            thumb_img = img.copy()
            thumb_img.thumbnail((THUMB_SIDE, THUMB_SIDE))
            thumb = _jpeg(thumb_img, 80)
            width, height = img.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The file is not a readable photo."),
                              code="photo_unreadable") from exc
    return CleanPhoto(image=ContentFile(full, name=f"{name}.jpg"),
                      thumbnail=ContentFile(thumb, name=f"{name}-thumb.jpg"),
                      width=width, height=height)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # A fresh image carries no EXIF, ICC or XMP unless passed: nothing is passed.
    img.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()
