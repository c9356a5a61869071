"""Reads behind the officer's queue (/pengaduan/petugas/): the officer's complaints
(selectors.complaints.complaints_for_officer) filtered and sorted, with overdue flags, and
one complaint with its full history for the detail page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, F, Q, Value, When
from django.utils import timezone

from layers import permissions
from layers.models import Complaint, ComplaintEvent, Status
from layers.models.complaints import OPEN_STATUSES
from layers.selectors.complaints import complaints_for_officer, nearby_open

OPEN = "terbuka"  # the status filter meaning "any open status"


def can_use_queue(user) -> bool:
    """A superuser, or anyone holding a complaint-handling role (an officer whose queue is
    empty today still gets the page, saying so)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or permissions.scope_codes(
        user, permissions.COMPLAINT_HANDLERS) != []


def _overdue(today) -> Case:
    return Case(When(status__in=OPEN_STATUSES, due_date__lt=today, then=Value(True)),
                default=Value(False), output_field=BooleanField())


@dataclass(frozen=True)
class QueueFilters:
    status: str = OPEN
    category_id: int | None = None
    kecamatan: str = ""
    overdue: bool = False
    sort: str = "due"


SORTS = {
    "due": (F("due_date").asc(nulls_last=True), "created_at"),
    "new": ("-created_at",),
    "supporters": ("-supporters", F("due_date").asc(nulls_last=True)),
}


def officer_queue(*, user, filters: QueueFilters):
    """The officer's complaints matching `filters`, each with `is_overdue` (open and past its
    due date, in the region's local date)."""
    today = timezone.localdate()
    qs = (complaints_for_officer(user).select_related("area__parent")
          .annotate(is_overdue=_overdue(today)))
    if filters.status == OPEN:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    if filters.kecamatan:
        qs = qs.filter(area__code__startswith=filters.kecamatan + ".")
    if filters.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["due"]))


def queue_counts(user) -> dict[str, int]:
    """Open and overdue complaints in the officer's whole queue (one aggregate query)."""
    today = timezone.localdate()
    return complaints_for_officer(user).aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        new=Count("id", filter=Q(status="baru")),
    )


def queue_kecamatan(user) -> list[tuple[str, str]]:
    """(code, name) of the kecamatan the officer's complaints lie in: the filter's choices."""
    rows = (complaints_for_officer(user).filter(area__parent__isnull=False)
            .values_list("area__parent__code", "area__parent__name").distinct()
            .order_by("area__parent__code"))
    return list(rows)


def queue_categories(user) -> list[tuple[int, str]]:
    return list(complaints_for_officer(user).values_list("category_id", "category__name")
                .distinct().order_by("category__name"))


def officer_complaint(*, user, ticket: str) -> Complaint | None:
    """One complaint of the officer's queue (None if it is not theirs: the page is a 404)."""
    return (complaints_for_officer(user)
            .select_related("area__parent", "asset")
            .annotate(is_overdue=_overdue(timezone.localdate()))
            .filter(ticket=ticket.upper()).first())


def complaint_history(complaint: Complaint):
    """Every event, internal notes included (officers only), oldest first, with who acted."""
    return (ComplaintEvent.objects.filter(complaint=complaint).select_related("by")
            .order_by("created_at", "id"))


def suggested_duplicates(*, user, complaint: Complaint) -> list[dict]:
    """Open complaints of the same category nearby (SIG_DUPLICATE_RADIUS_M), not this one: the
    officer decides; nothing is merged. `mine` says whether it is in the officer's queue."""
    rows = list(nearby_open(point=complaint.geom, category_id=complaint.category_id,
                            exclude_id=complaint.pk)
                .values("ticket", "description", "status", "supporters", "created_at",
                        "distance_m")[:10])
    mine = set(complaints_for_officer(user).filter(ticket__in=[r["ticket"] for r in rows])
               .values_list("ticket", flat=True))
    for row in rows:
        row["mine"] = row["ticket"] in mine
        row["status_label"] = Status(row["status"]).label
        row["distance_m"] = round(row["distance_m"])
    return rows
