"""Complaint services beyond the workflow: photos, “saya juga”, reopening, moving, routing,
duplicates, rate limits and notifications."""

import datetime as dt
import io

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from layers.models import (
    Agency,
    Complaint,
    ComplaintCategory,
    ComplaintPhoto,
    Status,
    SubmissionAttempt,
)
from layers.selectors.complaints import nearby_open
from layers.services.abuse import submission_allowed, submission_record
from layers.services.complaints import (
    complaint_assign,
    complaint_create,
    complaint_move,
    complaint_reopen,
    complaint_set_status,
    complaint_support,
)


def jpeg_with_gps() -> SimpleUploadedFile:
    """A JPEG whose EXIF holds a GPS position and a camera model, as phones write them."""
    img = Image.new("RGB", (1200, 900), (120, 160, 90))
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (6.0, 12.0, 30.0)
    gps[3], gps[4] = "E", (106.0, 49.0, 5.0)
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def category(db):
    office = Agency.objects.create(name="Dinas PUPR", email="pupr@example.go.id")
    return ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak",
                                            agency=office)


@pytest.fixture
def complaint(region, category):
    return complaint_create(category=category, description="Jalan berlubang",
                            point=Point(110.05, -0.05, srid=4326),
                            reporter_email="budi@example.com")


def test_published_photos_carry_no_exif_and_are_resized(region, category, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    raw = jpeg_with_gps()
    with Image.open(io.BytesIO(raw.read())) as original:
        assert original.getexif().get_ifd(0x8825)  # the test photo really has GPS
    raw.seek(0)
    c = complaint_create(category=category, description="Foto", photos=[raw],
                         point=Point(110.05, -0.05, srid=4326))
    photo = ComplaintPhoto.objects.get(complaint=c)
    with Image.open(photo.image.path) as published:
        assert not published.getexif() and "exif" not in published.info
        assert max(published.size) <= 2048
    with Image.open(photo.thumbnail.path) as thumb:
        assert max(thumb.size) <= 320
    with open(photo.image.path, "rb") as stored:
        assert b"PhoneModel" not in stored.read()


def test_a_non_image_or_too_many_photos_are_refused_and_nothing_is_saved(region, category):
    fake = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as err:
        complaint_create(category=category, description="x", photos=[fake],
                         point=Point(110.05, -0.05, srid=4326))
    assert err.value.code == "photo_unreadable"
    with pytest.raises(ValidationError):
        complaint_create(category=category, description="x",
                         photos=[jpeg_with_gps() for _ in range(4)],
                         point=Point(110.05, -0.05, srid=4326))
    assert not Complaint.objects.exists() and not ComplaintPhoto.objects.exists()


def test_saya_juga_counts_and_follows(complaint):
    complaint_support(complaint=complaint, email="ani@example.com")
    complaint_support(complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.supporters == 2
    assert list(complaint.followers.values_list("email", flat=True)) == ["ani@example.com"]


def test_status_changes_mail_the_reporter_followers_and_office(
        complaint, staff_user, django_capture_on_commit_callbacks):
    complaint_support(complaint=complaint, email="ani@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        complaint_set_status(complaint=complaint, status=Status.VERIFIED, by=staff_user,
                             note="Tim akan meninjau lokasi.")
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients == ["ani@example.com", "budi@example.com", "pupr@example.go.id"]
    assert complaint.ticket in mail.outbox[0].subject
    assert "Tim akan meninjau lokasi." in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complaint_set_status(complaint=complaint, status=Status.IN_PROGRESS, by=staff_user,
                             note="catatan internal rahasia", internal=True)
    assert all("rahasia" not in m.body for m in mail.outbox)


def test_reopen_within_thirty_days_only(complaint, staff_user):
    for status in (Status.VERIFIED, Status.IN_PROGRESS, Status.RESOLVED):
        complaint = complaint_set_status(complaint=complaint, status=status, by=staff_user)
    reopened = complaint_reopen(complaint=complaint, note="Masih berlubang")
    assert reopened.status == Status.IN_PROGRESS
    assert "Masih berlubang" in reopened.events.last().note
    resolved = complaint_set_status(complaint=reopened, status=Status.RESOLVED, by=staff_user)
    Complaint.objects.filter(pk=resolved.pk).update(
        resolved_at=timezone.now() - dt.timedelta(days=31))
    with pytest.raises(ValidationError) as err:
        complaint_reopen(complaint=resolved, note="Lagi")
    assert err.value.code == "reopen_expired"


def test_moving_the_pin_changes_the_wilayah_and_the_history_says_so(complaint, staff_user,
                                                                   region):
    moved = complaint_move(complaint=complaint, point=Point(110.25, -0.05, srid=4326),
                           by=staff_user)
    assert moved.area == region.desa_b1
    assert "Desa Satu → Desa Tiga" in moved.events.last().note
    with pytest.raises(ValidationError):
        complaint_move(complaint=moved, point=Point(100, 5, srid=4326), by=staff_user)
    other = Agency.objects.create(name="Dinas Perhubungan")
    assigned = complaint_assign(complaint=moved, agency=other, by=staff_user)
    assert assigned.agency == other and "Dinas Perhubungan" in assigned.events.last().note


def test_nearby_open_complaints_of_the_same_category(complaint, category, region):
    # ~22 m east: a likely duplicate; ~5.5 km away: not.
    near = Point(110.0502, -0.05, srid=4326)
    assert [c.pk for c in nearby_open(point=near, category_id=category.id)] == [complaint.pk]
    far = Point(110.1, -0.05, srid=4326)
    assert not nearby_open(point=far, category_id=category.id).exists()
    other = ComplaintCategory.objects.create(slug="pju", name="PJU")
    assert not nearby_open(point=near, category_id=other.id).exists()


def test_rate_limit_refuses_the_burst(db, settings):
    settings.SIG_SUBMISSION_LIMIT = 3
    for _ in range(3):
        submission_allowed(ip="10.1.2.3", action="complaint")
        submission_record(ip="10.1.2.3", action="complaint")
    with pytest.raises(ValidationError) as err:
        submission_allowed(ip="10.1.2.3", action="complaint")
    assert err.value.code == "rate_limited"
    submission_allowed(ip="10.9.9.9", action="complaint")  # another address is fine
    assert "10.1.2.3" not in "".join(SubmissionAttempt.objects.values_list("key", flat=True))
