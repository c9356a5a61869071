"""Writes of complaints: filing and moving through the status workflow."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.errors import ErrorCode
from layers.geometry import clean_geometry
from layers.models import Asset, Complaint, ComplaintCategory, ComplaintEvent, Status
from layers.models.complaints import TRANSITIONS
from layers.selectors.boundaries import village_at


def _next_ticket(now: dt.datetime) -> str:
    # A database sequence: unique under concurrent filing without locking the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('layers_complaint_ticket_seq')")
        (number,) = cursor.fetchone()
    return f"ADU-{now:%Y}-{number:06d}"


@transaction.atomic
def complaint_create(
    *,
    category: ComplaintCategory,
    description: str,
    point: Point,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    asset: Asset | None = None,
    by: AbstractBaseUser | None = None,
    require_area: bool = True,
) -> Complaint:
    """File a complaint at `point` (EPSG:4326). Its desa is derived from the point; a point
    outside every desa of the region is refused (unless `require_area` is False)."""
    point = clean_geometry(point, kind="point")
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
    ComplaintEvent.objects.create(complaint=complaint, status_to=Status.NEW, by=by)
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
    """Move a complaint along the workflow (TRANSITIONS) and record the step in its history."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if status not in TRANSITIONS.get(complaint.status, ()):
        raise ValidationError(
            _("A complaint that is “%(current)s” cannot become “%(new)s”."),
            code=ErrorCode.STATUS_TRANSITION,
            params={"current": Status(complaint.status).label, "new": Status(status).label},
        )
    previous = complaint.status
    complaint.status = status
    complaint.resolved_at = timezone.now() if status == Status.RESOLVED else None
    complaint.version += 1
    complaint._history_user = by
    complaint.save(update_fields=["status", "resolved_at", "version", "updated_at"])
    ComplaintEvent.objects.create(
        complaint=complaint, status_from=previous, status_to=status, note=note,
        is_internal=internal, by=by,
    )
    return complaint
