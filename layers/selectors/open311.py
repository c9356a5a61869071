"""Reads for Open311 GeoReport v2: services (complaint categories), service requests
(complaints) as the public may see them, and registered clients.

Only public facts are read: the reporter's fields are deferred (never loaded), and the status
note is the latest *public* event note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from layers import permissions
from layers.models import (
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintPhoto,
    Layer,
    LayerKind,
    Open311Client,
    Status,
)
from layers.models.complaints import OPEN_STATUSES

# Open311 knows two statuses: our workflow maps onto them.
OPEN = "open"
CLOSED = "closed"
STATUSES: dict[str, frozenset[str]] = {
    OPEN: frozenset(OPEN_STATUSES),
    CLOSED: frozenset({Status.RESOLVED, Status.REJECTED}),
}
PERSONAL_FIELDS = ("reporter_name", "reporter_phone", "reporter_email")


def open311_status(status: str) -> str:
    """`open` for baru, diverifikasi and diproses; `closed` for selesai and ditolak."""
    return OPEN if status in STATUSES[OPEN] else CLOSED


def open311_services() -> QuerySet[ComplaintCategory]:
    """The categories a client may file under (active ones), by name."""
    return ComplaintCategory.objects.filter(is_active=True).select_related("agency")


def open311_service(*, code: str) -> ComplaintCategory | None:
    """The active category whose slug is `code` (the Open311 service_code), or None."""
    return open311_services().filter(slug=code).first()


def open311_changeset() -> dt.datetime | None:
    """When the list of services last changed (a category's latest edit), for discovery."""
    return ComplaintCategory.history.order_by("-history_date").values_list(
        "history_date", flat=True).first()


def open311_client(*, api_key: str) -> Open311Client | None:
    """The active registered client holding `api_key`, or None."""
    if not api_key:
        return None
    return Open311Client.objects.filter(api_key=api_key, is_active=True).first()


def _public_requests() -> QuerySet[Complaint]:
    public_events = ComplaintEvent.objects.filter(complaint=OuterRef("pk"), is_internal=False)
    return (
        Complaint.objects.defer(*PERSONAL_FIELDS)
        .select_related("category", "agency", "area__parent__parent__parent")
        .annotate(
            # Why it is where it is: the latest note residents may read (never an internal one).
            status_notes=Subquery(public_events.exclude(note="")
                                  .order_by("-created_at", "-id").values("note")[:1]),
            # When it reached its current status (for a closed request: when it was closed).
            status_since=Subquery(public_events.filter(status_to=OuterRef("status"))
                                  .order_by("-created_at", "-id").values("created_at")[:1]),
        )
        .prefetch_related(Prefetch("photos", queryset=ComplaintPhoto.objects.order_by("id")))
    )


def open311_request(*, ticket: str) -> Complaint | None:
    """One complaint by its ticket (any case), whatever its status: like the tracking page,
    whoever holds the ticket may follow it, a rejected one too."""
    return _public_requests().filter(ticket=ticket.strip().upper()).first()


def complaints_listed_for(user) -> bool:
    """Whether `user` may browse complaints: the complaints layer (`pengaduan`) is public, or
    theirs to see. An administrator who hides that layer hides the Open311 lists too; a ticket
    still finds its complaint, like the tracking page."""
    layer = Layer.objects.filter(kind=LayerKind.COMPLAINTS).first()  # one per core kind
    return layer is None or permissions.can_view_layer(user, layer)


def open311_requests(
    *,
    user,
    tickets: Collection[str] = (),
    service_codes: Collection[str] = (),
    statuses: Collection[str] = (),
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = 1000,
) -> list[Complaint]:
    """Complaints for GET requests, newest first, at most `limit`.

    Tickets, when given, override every other filter (as the specification says) and find
    rejected complaints too, like the tracking page. Otherwise only published complaints are
    listed (a rejected one is not: `ComplaintQuerySet.published`), filed in [start, end], of
    the given service codes and Open311 statuses (`open`/`closed`), when `user` may browse
    complaints at all (complaints_listed_for)."""
    qs = _public_requests()
    if tickets:
        qs = qs.filter(ticket__in=[t.strip().upper() for t in tickets])
    elif not complaints_listed_for(user):
        return []
    else:
        qs = qs.published()
        if service_codes:
            qs = qs.filter(category__slug__in=list(service_codes))
        if statuses:
            wanted = set().union(*(STATUSES[s] for s in statuses))
            qs = qs.filter(status__in=sorted(wanted))
        if start is not None:
            qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lte=end)
    return list(qs.order_by("-created_at", "-id")[:limit])
