"""The public complaint form (/pengaduan/baru/) and its two helpers: open complaints near the
pin (/pengaduan/sekitar/) and “saya juga” (/pengaduan/lacak/<ticket>/saya-juga/).

No login. Abuse is kept down by a hidden trap field (a bot that fills it is told "thank you"
and nothing is kept) and by the per-address rate limit shared with Open311
(layers.services.abuse). Only public fields leave through the JSON helpers."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from layers.forms.complaints import ComplaintForm, NearbyQuery, SupportForm, add_service_error
from layers.models import Complaint, Status
from layers.selectors.complaint_public import location_summary, nearby_public, region_bounds
from layers.services.abuse import submission_allowed, submission_record
from layers.services.complaints import MAX_PHOTOS, complaint_create, complaint_support

RATE_ACTION = "complaint"  # shared with Open311's POST: one limit per address
SUPPORT_ACTION = "complaint_support"
SUPPORTED_SESSION_KEY = "sig_supported"


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind a proxy, the proxy must set it to the client (see README)."""
    return request.META.get("REMOTE_ADDR", "")


def pin_map_config(*, strings: dict | None = None) -> dict:
    """What the complaint pages' small maps need: basemap, wilayah tiles, region bounds."""
    tile = reverse("layers:tile", args=["wilayah", 0, 0, 0])
    return {
        "basemap": {"url": settings.SIG_BASEMAP_URL,
                    "attribution": settings.SIG_BASEMAP_ATTRIBUTION},
        "wilayahTiles": tile.removesuffix("/0/0/0.pbf") + "/{z}/{x}/{y}.pbf",
        "bounds": region_bounds(),
        "strings": strings or {},
    }


def form_strings() -> dict[str, str]:
    """Every sentence the form's JavaScript shows, in the active language."""
    return {
        "locating": _("Finding your location…"),
        "accuracy": _("Location found, accurate to about %(m)s m. Drag the pin if it is off."),
        "accuracyPoor": _("Location found, but only accurate to about %(m)s m: drag the pin to "
                          "the exact spot."),
        "locateDenied": _("Your location is not available (permission refused or no signal). "
                          "Tap the map to place the pin instead."),
        "locateUnsupported": _("This browser cannot share its location. Tap the map to place "
                               "the pin."),
        "pinHint": _("Tap the map to place the pin; drag it to adjust."),
        "inRegion": _("Location: %(desa)s, %(kecamatan)s"),
        "outside": _("This point is outside the region's villages: move the pin inside the "
                     "map area."),
        "nearbyTitle": _("Already reported nearby"),
        "nearbyIntro": _("Is it the same problem? Press “Me too” instead of sending a new "
                         "report: it counts, and you can be told of changes."),
        "nearbyNone": _("No open report of this kind nearby. Go ahead and fill in the form."),
        "metres": _("%(m)s m away"),
        "supporters": _("%(n)s residents"),
        "meToo": _("Me too"),
        "supportEmail": _("E-mail to hear of changes (optional)"),
        "supportSend": _("Confirm: I have this problem too"),
        "supportThanks": _("Thank you: your support is counted. No need to send a new "
                           "report."),
        "follow": _("Follow this report"),
        "error": _("Something went wrong. Please try again."),
        "photoCount": _("At most %(n)s photos.") % {"n": MAX_PHOTOS},
        "photoRemove": _("Remove photo"),
        "sending": _("Sending…"),
    }


def _render_form(request: HttpRequest, form: ComplaintForm, *, status: int = 200,
                 error: str = "") -> HttpResponse:
    config = pin_map_config(strings=form_strings())
    config["urls"] = {
        "nearby": reverse("layers:complaint-nearby"),
        "support": reverse("layers:complaint-support", args=["TICKET"]),
        "track": reverse("layers:complaint-track", args=["TICKET"]),
    }
    config["maxPhotos"] = MAX_PHOTOS
    config["statuses"] = {s.value: str(s.label) for s in Status}
    return render(request, "layers/complaints/form.html", {
        "form": form, "config": config, "error": error, "max_photos": MAX_PHOTOS,
        "sent": request.GET.get("terkirim") == "1",
    }, status=status)


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    """File a complaint; on success, the tracking page of its ticket."""
    if request.method == "GET":
        return _render_form(request, ComplaintForm())
    form = ComplaintForm(request.POST, request.FILES)
    if form.is_trapped():
        # Looks like success to the bot; nothing is kept, not even a rate-limit row.
        return redirect(reverse("layers:complaint-new") + "?terkirim=1")
    ip = client_ip(request)
    try:
        submission_allowed(ip=ip, action=RATE_ACTION)
    except ValidationError as exc:
        return _render_form(request, ComplaintForm(request.POST), status=429,
                            error=" ".join(exc.messages))
    if not form.is_valid():
        return _render_form(request, form)
    try:
        with transaction.atomic():
            # Again under the address's lock: parallel posts cannot slip past the limit.
            submission_allowed(ip=ip, action=RATE_ACTION)
            complaint = complaint_create(**form.service_kwargs())
            submission_record(ip=ip, action=RATE_ACTION)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "rate_limited":
            return _render_form(request, ComplaintForm(request.POST), status=429,
                                error=" ".join(exc.messages))
        add_service_error(form, exc)
        return _render_form(request, form)
    messages.success(request, complaint.ticket, extra_tags="complaint-filed")
    # The reporter is not offered “saya juga” on their own complaint.
    request.session[SUPPORTED_SESSION_KEY] = [
        *request.session.get(SUPPORTED_SESSION_KEY, []), complaint.ticket][-50:]
    return redirect("layers:complaint-track", ticket=complaint.ticket)


@require_GET
def complaint_nearby(request: HttpRequest) -> JsonResponse:
    """Where the pin is (desa, kecamatan) and the open complaints of the category near it.
    Public fields only."""
    query = NearbyQuery(request.GET)
    if not query.is_valid():
        return JsonResponse({"error": _("Give lat, lng and a category.")}, status=400)
    point = query.point()
    category = query.cleaned_data["category"]
    response = JsonResponse({
        "location": location_summary(point),
        "complaints": nearby_public(point=point, category_id=category.id) if category else [],
    })
    response["Cache-Control"] = "no-store"
    return response


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
def complaint_support_view(request: HttpRequest, ticket: str) -> HttpResponse:
    """“Saya juga”: count one more resident (once per browser session), optionally following
    it by e-mail. JSON for the form's script; a redirect to the tracking page otherwise."""
    complaint = get_object_or_404(Complaint.objects.published(), ticket=ticket.upper())
    form = SupportForm(request.POST)
    supported = request.session.get(SUPPORTED_SESSION_KEY, [])
    error, status = "", 200
    if not form.is_valid():
        error, status = " ".join(form.errors.get("email", [])), 400
    elif complaint.ticket in supported:
        error, status = _("You already support this complaint."), 409
    else:
        ip = client_ip(request)
        try:
            submission_allowed(ip=ip, action=SUPPORT_ACTION)
            with transaction.atomic():
                complaint = complaint_support(complaint=complaint,
                                              email=form.cleaned_data["email"])
                submission_record(ip=ip, action=SUPPORT_ACTION)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 429 if getattr(exc, "code", "") == "rate_limited" else 409
        else:
            request.session[SUPPORTED_SESSION_KEY] = [*supported, complaint.ticket][-50:]
    if _wants_json(request):
        body = {"ticket": complaint.ticket, "supporters": complaint.supporters}
        if error:
            body["error"] = error
        return JsonResponse(body, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thank you: your support is counted."))
    return redirect("layers:complaint-track", ticket=complaint.ticket)
