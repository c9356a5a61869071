"""Photos of assets: checked by content and size, stored with a thumbnail, EXIF gone from
what is served, idempotent by uid, only inside the editor's wilayah."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from layers.models import Asset, AssetPhoto
from tests.api.editing_support import (
    IN_A2,
    client_for,
    post,
    school,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg_with_gps(size=(1200, 900)) -> bytes:
    """A JPEG whose EXIF holds a camera model and a GPS position (as phones write them)."""
    image = Image.new("RGB", size, (30, 120, 60))
    exif = Image.Exif()
    exif[0x0110] = "Telepon Rahasia X1"  # Model
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (0.0, 3.0, 0.0), 3: "E", 4: (110.0, 3.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(client, asset_id: int, data: bytes, name="foto.jpg", **fields):
    return client.post(f"/api/v1/layers/aset/features/{asset_id}/photos/",
                       {"image": SimpleUploadedFile(name, data, "image/jpeg"), **fields})


def test_photo_is_stored_with_a_thumbnail_and_without_exif(editors, asset_categories, media):
    client = client_for(editors.field)
    asset = post(client, "aset", school()).json()
    original = jpeg_with_gps()
    assert b"Telepon Rahasia" in original
    uid = str(uuid.uuid4())
    response = upload(client, asset["id"], original, caption="Tampak depan", uid=uid,
                      taken_at="2026-11-20T08:30:00+07:00")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["uid"] == uid and body["caption"] == "Tampak depan"
    assert body["url"].startswith("http://testserver/") and body["thumbnail_url"]
    photo = AssetPhoto.objects.get(pk=body["id"])
    stored = photo.image.read()
    assert b"Telepon Rahasia" not in stored
    with Image.open(io.BytesIO(stored)) as served:
        assert not served.getexif() and served.format == "JPEG"
    with Image.open(photo.thumbnail) as thumb:
        assert max(thumb.size) == 320
    # Sent again (a lost acknowledgement): stored once.
    again = upload(client, asset["id"], original, uid=uid)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert AssetPhoto.objects.count() == 1
    # The asset keeps its own point.
    assert Asset.objects.get(pk=asset["id"]).geom.coords == (110.05, -0.05)


def test_not_a_photo_or_too_large_is_refused(editors, asset_categories, settings):
    client = client_for(editors.field)
    asset = post(client, "aset", school()).json()
    fake = upload(client, asset["id"], b"%PDF-1.4 not a photo", name="foto.jpg")
    assert fake.status_code == 400 and "image" in fake.json()["errors"]
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    typed = upload(client, asset["id"], gif.getvalue(), name="foto.jpg")
    assert typed.json()["errors"]["image"] == ["Only JPEG, PNG or WebP photos are accepted."]
    big = upload(client, asset["id"], b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 1))
    assert big.status_code == 400 and "MB" in big.json()["errors"]["image"][0]
    missing = client.post(f"/api/v1/layers/aset/features/{asset['id']}/photos/", {})
    assert missing.status_code == 400
    assert AssetPhoto.objects.count() == 0


def test_photo_only_inside_the_wilayah(editors, asset_categories):
    planner = client_for(editors.planner)
    elsewhere = post(planner, "aset", school(IN_A2)).json()
    refused = upload(client_for(editors.field), elsewhere["id"], jpeg_with_gps((64, 64)))
    assert refused.status_code == 403
    assert upload(client_for(None), elsewhere["id"], jpeg_with_gps((64, 64))).status_code == 403
    assert AssetPhoto.objects.count() == 0
