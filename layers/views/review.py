"""The planners' review queue (/peta/staf/tinjau/): features recorded by field officers and
desa operators that wait for verification in the planner's wilayah. The page is a shell; its
script lists the queue from GET /api/v1/review/ and verifies or sends back through the
editing API, which asks layers.permissions on every action (docs/editing-api.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from layers import permissions
from layers.selectors.edit_map import editable_layers
from layers.views.edit_map import ID, SLUG


def review_strings() -> dict[str, str]:
    """Every sentence of static/js/map/edit/review.js, in the active language."""
    return {
        "loading": _("Loading…"),
        "empty": _("Nothing waits for review in your wilayah."),
        "loadError": _("The review queue could not be loaded. Try again in a moment."),
        "recordedBy": _("Recorded by"),
        "recordedAt": _("Recorded"),
        "wilayah": _("Wilayah"),
        "layer": _("Layer"),
        "previousNote": _("Earlier note"),
        "showOnMap": _("Show on map"),
        "openStaffMap": _("Open on the staff map"),
        "publish": _("Also publish it (visible on the public map)"),
        "verify": _("Verify"),
        "note": _("Note for the recorder: what to fix"),
        "sendBack": _("Send back"),
        "noteRequired": _("Write a note saying what needs fixing."),
        "verified": _("Verified."),
        "verifiedPublished": _("Verified and published."),
        "sentBack": _("Sent back with your note."),
        "conflict": _("This feature changed meanwhile; the queue was reloaded. Check it again."),
        "forbidden": _("Not allowed: %(reason)s"),
        "network": _("The server could not be reached; nothing changed. Try again."),
        "error": _("This did not work (error %(status)s); nothing changed."),
        "untitled": _("(no name)"),
        "count": _("%(n)s features wait for review."),
    }


def review_queue(request: HttpRequest) -> HttpResponse:
    """The queue for planners and administrators; everyone else (the public too) gets 403."""
    if not permissions.can_publish_somewhere(request.user):
        reason = _("The review queue is for planners and administrators. Sign in with an "
                   "account that has a planner role for a wilayah.")
        return render(request, "layers/complaints/forbidden.html", {"reason": reason},
                      status=403)
    one = [SLUG, ID]
    config = {
        "basemap": {"url": settings.SIG_BASEMAP_URL,
                    "attribution": settings.SIG_BASEMAP_ATTRIBUTION},
        "urls": {
            "queue": reverse("api:review"),
            "verify": reverse("api:feature-verify", args=one),
            "sendBack": reverse("api:feature-send-back", args=one),
            "staffMap": reverse("layers:staff-map"),
        },
        "layerNames": {row["slug"]: row["name"] for row in editable_layers(user=request.user)},
        "strings": review_strings(),
    }
    return render(request, "layers/review.html", {"config": config})
