"""Writes of complaints: filing, “saya juga”, the status workflow, moving and re-routing.
Every step leaves a dated event; public events form the history residents see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.errors import ErrorCode
from layers.geometry import clean_geometry
from layers.models import (
    Agency,
    Asset,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintFollower,
    ComplaintPhoto,
    Status,
)
from layers.models.complaints import TRANSITIONS
from layers.photos import clean_photo
from layers.selectors.boundaries import village_at
from layers.services.notifications import notify_status_change

MAX_PHOTOS = 3


def _next_ticket(now: dt.datetime) -> str:
    # A database sequence: unique under concurrent filing without locking the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('layers_complaint_ticket_seq')")
        (number,) = cursor.fetchone()
    return f"ADU-{now:%Y}-{number:06d}"


def _event(complaint: Complaint, *, by, note: str = "", internal: bool = False,
           status_from: str = "", status_to: str = "") -> ComplaintEvent:
    return ComplaintEvent.objects.create(complaint=complaint, status_from=status_from,
                                         status_to=status_to, note=note,
                                         is_internal=internal, by=by)


@transaction.atomic
def complaint_create(
    *,
    category: ComplaintCategory,
    description: str,
    point: Point,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    photos: Sequence[UploadedFile] = (),
    asset: Asset | None = None,
    by: AbstractBaseUser | None = None,
    require_area: bool = True,
) -> Complaint:
    """File a complaint at `point` (EPSG:4326). Its desa is derived from the point; a point
    outside every desa of the region is refused (unless `require_area` is False). The office
    is the linked asset's owner, else the category's. Photos are re-encoded without EXIF."""
    point = clean_geometry(point, kind="point")
    if not description.strip():
        raise ValidationError(_("Describe the problem."), code="description_missing")
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS},
                              code="photo_count")
    cleaned = [clean_photo(p) for p in photos]  # all checked before anything is written
    area = village_at(point)
    if area is None and require_area:
        raise ValidationError(
            _("This location is outside the region's villages: place the pin inside the map "
              "area."),
            code=ErrorCode.OUTSIDE_REGION,
        )
    now = timezone.now()
    complaint = Complaint(
        ticket=_next_ticket(now), category=category, description=description.strip(),
        geom=point, area=area, asset=asset,
        agency=(asset.agency if asset and asset.agency else category.agency),
        due_date=timezone.localdate(now) + dt.timedelta(days=category.service_days),
        reporter_name=reporter_name.strip(), reporter_phone=reporter_phone.strip(),
        reporter_email=reporter_email.strip(),
    )
    complaint.full_clean(exclude=["ticket"], validate_constraints=False)
    complaint._history_user = by
    complaint.save()
    for n, photo in enumerate(cleaned, start=1):
        record = ComplaintPhoto(complaint=complaint)
        record.image.save(f"{complaint.ticket}-{n}.jpg", photo.image, save=False)
        record.thumbnail.save(f"{complaint.ticket}-{n}-thumb.jpg", photo.thumbnail,
                              save=False)
        record.save()
    _event(complaint, by=by, status_to=Status.NEW)
    return complaint


@transaction.atomic
def complaint_support(*, complaint: Complaint, email: str = "") -> Complaint:
    """“Saya juga”: one more resident has this problem (and may follow it by e-mail)."""
    if complaint.status not in (Status.NEW, Status.VERIFIED, Status.IN_PROGRESS):
        raise ValidationError(_("This complaint is closed; file a new one if the problem is "
                                "back."), code=ErrorCode.STATUS_TRANSITION)
    Complaint.objects.filter(pk=complaint.pk).update(supporters=F("supporters") + 1)
    if email.strip():
        ComplaintFollower.objects.get_or_create(complaint=complaint, email=email.strip())
    complaint.refresh_from_db()
    return complaint


@transaction.atomic
def complaint_set_status(
    *,
    complaint: Complaint,
    status: str,
    by: AbstractBaseUser | None,
    note: str = "",
    internal: bool = False,
) -> Complaint:
    """Move a complaint along the workflow (TRANSITIONS) and record the step in its history.
    A public note is part of the history residents see; an internal one is not."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if status not in TRANSITIONS.get(complaint.status, ()):
        raise ValidationError(
            _("A complaint that is “%(current)s” cannot become “%(new)s”."),
            code=ErrorCode.STATUS_TRANSITION,
            params={"current": Status(complaint.status).label, "new": Status(status).label},
        )
    if status == Status.REJECTED and not note.strip():
        raise ValidationError(_("Say why the complaint is rejected."), code="note_required")
    previous = complaint.status
    complaint.status = status
    complaint.resolved_at = timezone.now() if status == Status.RESOLVED else None
    complaint.version += 1
    complaint._history_user = by
    complaint.save(update_fields=["status", "resolved_at", "version", "updated_at"])
    # The step itself is always public; an internal note is kept as its own internal event.
    _event(complaint, by=by, status_from=previous, status_to=status,
           note="" if internal else note)
    if internal and note.strip():
        _event(complaint, by=by, note=note, internal=True)
    notify_status_change(complaint, note="" if internal else note)
    return complaint


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, note: str) -> Complaint:
    """The reporter says a resolved problem is still there: back to in progress, within
    SIG_REOPEN_DAYS of its resolution."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != Status.RESOLVED or complaint.resolved_at is None:
        raise ValidationError(_("Only a resolved complaint can be reopened."),
                              code=ErrorCode.STATUS_TRANSITION)
    limit = complaint.resolved_at + dt.timedelta(days=settings.SIG_REOPEN_DAYS)
    if timezone.now() > limit:
        raise ValidationError(_("It was resolved more than %(days)d days ago: please file a "
                                "new complaint.") % {"days": settings.SIG_REOPEN_DAYS},
                              code="reopen_expired")
    if not note.strip():
        raise ValidationError(_("Say what is still wrong."), code="note_required")
    return complaint_set_status(complaint=complaint, status=Status.IN_PROGRESS, by=None,
                                note=_("Reopened by the reporter: %(note)s") % {
                                    "note": note.strip()})


@transaction.atomic
def complaint_move(*, complaint: Complaint, point: Point, by: AbstractBaseUser,
                   note: str = "") -> Complaint:
    """An officer corrects the location; the wilayah follows, and the history says so."""
    point = clean_geometry(point, kind="point")
    area = village_at(point)
    if area is None:
        raise ValidationError(_("The new location is outside the region's villages."),
                              code=ErrorCode.OUTSIDE_REGION)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    before = complaint.area
    complaint.geom, complaint.area = point, area
    complaint.version += 1
    complaint._history_user = by
    complaint.save(update_fields=["geom", "area", "version", "updated_at"])
    text = _("Location corrected (%(old)s → %(new)s).") % {
        "old": before.name if before else "—", "new": area.name}
    _event(complaint, by=by, note=f"{text} {note}".strip())
    return complaint


@transaction.atomic
def complaint_assign(*, complaint: Complaint, agency: Agency, by: AbstractBaseUser,
                     note: str = "") -> Complaint:
    """Route the complaint to another office; the history says to whom."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    complaint.agency = agency
    complaint.version += 1
    complaint._history_user = by
    complaint.save(update_fields=["agency", "version", "updated_at"])
    text = _("Assigned to %(agency)s.") % {"agency": agency.name}
    _event(complaint, by=by, note=f"{text} {note}".strip())
    return complaint
