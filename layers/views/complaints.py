"""Public complaint pages: the tracking page of a ticket."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from layers.models import Complaint
from layers.services.complaints import complaint_reopen


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, ticket: str) -> HttpResponse:
    """A complaint as the public sees it: status, public history, photos; never the reporter.
    The reporter may reopen a resolved complaint here."""
    complaint = get_object_or_404(
        Complaint.objects.select_related("category", "area", "area__parent", "agency"),
        ticket=ticket.upper())
    error = ""
    if request.method == "POST":
        try:
            complaint_reopen(complaint=complaint, note=request.POST.get("note", ""))
            return redirect("layers:complaint-track", ticket=complaint.ticket)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    events = complaint.events.filter(is_internal=False).order_by("created_at", "id")
    return render(request, "layers/complaint_track.html", {
        "complaint": complaint, "events": events, "photos": complaint.photos.all(),
        "error": error, "can_reopen": complaint.status == "selesai",
    })
