"""Complaint filing and the status workflow (services)."""

import re

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from layers.errors import ErrorCode
from layers.models import Complaint, ComplaintCategory, Status
from layers.services.complaints import complaint_create, complaint_set_status


@pytest.fixture
def category(db):
    return ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak",
                                            service_days=10)


def test_a_complaint_gets_a_ticket_its_desa_and_a_due_date(region, category):
    c = complaint_create(category=category, description=" Jalan berlubang ",
                         point=Point(110.25, -0.05, srid=4326), reporter_name="Budi")
    assert re.fullmatch(r"ADU-\d{4}-\d{6}", c.ticket)
    assert c.area == region.desa_b1
    assert c.status == Status.NEW and c.description == "Jalan berlubang"
    assert (c.due_date - c.created_at.date()).days in (10, 11)  # local vs UTC date
    assert list(c.events.values_list("status_to", flat=True)) == ["baru"]
    other = complaint_create(category=category, description="Lagi",
                             point=Point(110.05, -0.05, srid=4326))
    assert other.ticket != c.ticket


def test_a_point_outside_the_region_is_refused_and_nothing_is_saved(region, category):
    with pytest.raises(ValidationError) as err:
        complaint_create(category=category, description="Di laut",
                         point=Point(108.0, -2.0, srid=4326))
    assert err.value.code == ErrorCode.OUTSIDE_REGION
    assert Complaint.objects.count() == 0


def test_the_workflow_allows_only_its_transitions_and_records_each_step(region, category,
                                                                        staff_user):
    c = complaint_create(category=category, description="Lampu mati",
                         point=Point(110.05, -0.05, srid=4326))
    with pytest.raises(ValidationError) as err:
        complaint_set_status(complaint=c, status=Status.RESOLVED, by=staff_user)
    assert err.value.code == ErrorCode.STATUS_TRANSITION
    for status in (Status.VERIFIED, Status.IN_PROGRESS, Status.RESOLVED):
        c = complaint_set_status(complaint=c, status=status, by=staff_user, note=f"ke {status}")
    assert c.resolved_at is not None and c.version == 4
    steps = list(c.events.values_list("status_from", "status_to"))
    assert steps == [("", "baru"), ("baru", "diverifikasi"), ("diverifikasi", "diproses"),
                     ("diproses", "selesai")]
    # Reopening a resolved complaint is allowed; a rejected one stays closed.
    c = complaint_set_status(complaint=c, status=Status.IN_PROGRESS, by=staff_user)
    assert c.resolved_at is None
    with pytest.raises(ValidationError):  # a rejection needs its reason
        complaint_set_status(complaint=c, status=Status.REJECTED, by=staff_user)
    c = complaint_set_status(complaint=c, status=Status.REJECTED, by=staff_user,
                             note="Bukan wewenang daerah")
    with pytest.raises(ValidationError):
        complaint_set_status(complaint=c, status=Status.IN_PROGRESS, by=staff_user)


def test_the_database_refuses_an_unknown_status(region, category):
    c = complaint_create(category=category, description="x",
                         point=Point(110.05, -0.05, srid=4326))
    with pytest.raises(IntegrityError, match="complaint_status_allowed"), transaction.atomic():
        Complaint.objects.filter(pk=c.pk).update(status="hilang")
