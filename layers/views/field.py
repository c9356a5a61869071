"""Field capture (/lapangan/): a phone-first installable web app (PWA) for field officers that
keeps working with no connection.

Three thin views: the page itself (staff with an editing role, decided by
layers.permissions), its web manifest and its service worker. The records are written through
the REST editing API (docs/editing-api.md), which asks layers.permissions again for every
record; this page only renders and configures the client (static/js/field/)."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from layers import permissions
from layers.selectors.field import assets_layer_slug, field_areas, offline_data_urls

SW_SOURCE = "js/field/sw.js"
# What the page needs to start with no connection (the service worker keeps these).
SHELL_STATIC = [
    "vendor/leaflet-1.9.4/dist/leaflet.js",
    "vendor/leaflet-1.9.4/dist/leaflet.css",
    "css/field.css",
    "js/field/app.js",
    "js/field/store.js",
    "js/field/sync.js",
    "js/field/form.js",
    "js/field/photos.js",
    "js/field/exif.js",
    "js/field/fieldmap.js",
    "js/field/queue.js",
    "js/field/data.js",
    "js/map/dom.js",
    "field/icon-192.png",
]
ICONS = (("field/icon-192.png", 192), ("field/icon-512.png", 512))


def field_strings() -> dict[str, str]:
    """Every sentence the field page's JavaScript shows, in the active language."""
    return {
        "online": _("Online"),
        "offlineShort": _("Offline"),
        "offline": _("No connection: records are kept on this phone and sent later."),
        "moreSent": _("… and %(n)s more sent earlier."),
        "syncing": _("Sending…"),
        "syncDone": _("All records are sent."),
        "syncRetry": _("Could not reach the server; trying again in %(s)s s."),
        "loginAgain": _("Your session has ended: log in again to send the waiting records."),
        "login": _("Log in"),
        "gpsLocating": _("Finding your position…"),
        "gpsAccuracy": _("GPS position, accurate to about %(m)s m."),
        "gpsPoor": _("GPS accuracy is poor (about %(m)s m, more than %(limit)s m): wait for "
                     "a better fix or drag the pin to the exact spot."),
        "gpsFailed": _("No GPS position (permission refused or no signal). Tap the map to "
                       "place the pin, or use a photo's location."),
        "gpsUnsupported": _("This device cannot share its position. Tap the map to place the "
                            "pin."),
        "pinManual": _("Pin placed by hand."),
        "pinExif": _("Position taken from the photo (%(m)s)."),
        "pinNone": _("No position yet: use the GPS or tap the map."),
        "needPosition": _("Place the pin first (GPS, photo or a tap on the map)."),
        "needCategory": _("Choose a category."),
        "required": _("This field is required."),
        "notInteger": _("Enter a whole number."),
        "notNumber": _("Enter a number."),
        "saved": _("Saved on this phone. It will be sent when there is a connection."),
        "storageFailed": _("The record could not be saved on this phone (storage full?). "
                           "Nothing was kept; free some space and save again."),
        "savedEdit": _("Changes saved; the record will be sent again."),
        "photoFailed": _("This file could not be read as a photo."),
        "photoRemove": _("Remove photo"),
        "pending": _("Waiting to be sent"),
        "sent": _("Sent"),
        "refused": _("Refused by the server"),
        "edit": _("Edit"),
        "discard": _("Discard"),
        "discardConfirm": _("Remove this record from this phone for good? Whatever the server "
                            "has not accepted of it is lost."),
        "photoOne": _("1 photo"),
        "photos": _("%(n)s photos"),
        "serverId": _("Server number %(id)s"),
        "reasonPhoto": _("Photo refused: %(reason)s"),
        "dropRefusedPhotos": _("Send without the refused photos"),
        "noCategories": _("No categories are available offline yet: connect once to load "
                          "them."),
        "mapMissing": _("The map of your wilayah is not on this phone yet: connect once to "
                        "load it."),
        "choose": _("— choose —"),
        "unknownError": _("The server refused the record (%(status)s)."),
        "editing": _("Editing a refused record: correct it and save to send it again."),
    }


def field_config(request: HttpRequest) -> dict:
    slug = assets_layer_slug() or ""
    areas = field_areas(permissions.edit_scope(request.user))
    return {
        "user": {"id": request.user.pk, "name": request.user.get_username()},
        "layer": slug,
        "urls": {
            "schema": reverse("api:layer-edit-schema", args=[slug]) if slug else "",
            "features": reverse("api:layer-features", args=[slug]) if slug else "",
            "photos": (reverse("api:feature-photos", args=[slug, 0]).replace("/0/", "/{id}/")
                       if slug else ""),
            "serviceWorker": reverse("layers:field-sw"),
            "session": reverse("layers:field-session"),
            "scope": reverse("layers:field"),
            "login": reverse(settings.LOGIN_URL) + "?next=" + reverse("layers:field"),
        },
        "areas": offline_data_urls(areas),
        "basemap": {"url": settings.SIG_BASEMAP_URL,
                    "attribution": settings.SIG_BASEMAP_ATTRIBUTION},
        "accuracyWarnM": settings.SIG_FIELD_ACCURACY_WARN_M,
        "photoMaxPx": settings.SIG_FIELD_PHOTO_MAX_PX,
        "strings": field_strings(),
    }


@login_required
@never_cache
def field_app(request: HttpRequest) -> HttpResponse:
    """The capture page. Staff with an editing role somewhere; others get a 403 page."""
    if not permissions.can_edit_somewhere(request.user):
        reason = _("This page is for field officers, desa/kelurahan operators and planners. "
                   "Your account has no such role; ask the administrator to assign you a "
                   "wilayah.")
        return render(request, "layers/complaints/forbidden.html", {"reason": reason},
                      status=403)
    return render(request, "field/app.html", {"config": field_config(request)})


@require_GET
@never_cache
@ensure_csrf_cookie
def session(request: HttpRequest) -> JsonResponse:
    """Whether the phone's session still holds, asked before each sync and after a 403: the
    API answers an ended session and a refused record both with 403, and only the second
    may mark a record refused (the first keeps it waiting until the officer logs in again).
    Also renews the CSRF cookie the sync sends back in its header."""
    user = request.user
    return JsonResponse({"authenticated": user.is_authenticated,
                         "user": user.pk if user.is_authenticated else None,
                         "canRecord": permissions.can_edit_somewhere(user)})


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest. Public: browsers fetch it without cookies, and it names nothing
    private (the page it starts is the one that asks for a login)."""
    scope = reverse("layers:field")
    body = {
        "name": _("SIG Field capture"),
        "short_name": _("SIG Field"),
        "description": _("Record assets with GPS and photos, also with no connection."),
        "lang": request.LANGUAGE_CODE,
        "start_url": scope,
        "scope": scope,
        "id": scope,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0f766e",
        "icons": [{"src": static(path), "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": "any maskable"} for path, size in ICONS],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def _read_static(path: str) -> bytes:
    found = finders.find(path)
    if found:
        with open(found, "rb") as fh:
            return fh.read()
    with staticfiles_storage.open(path) as fh:
        return fh.read()


def _shell_version(urls: list[str]) -> str:
    """Changes when any shell file changes: hashed names in production, contents in
    development (where names carry no hash)."""
    digest = hashlib.sha256("|".join(urls).encode())
    for path in (*SHELL_STATIC, SW_SOURCE):
        found = finders.find(path)
        if found:
            with open(found, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /lapangan/ so that its scope is the field page. Public
    (it carries static URLs only); never cached by HTTP so an update is seen at once."""
    scope = reverse("layers:field")
    shell = [static(path) for path in SHELL_STATIC]
    settings_js = json.dumps({"version": _shell_version(shell), "scope": scope,
                              "page": scope, "shell": shell})
    body = f"const SIG_FIELD_SW = {settings_js};\n".encode() + _read_static(SW_SOURCE)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response
