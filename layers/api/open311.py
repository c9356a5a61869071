"""Open311 GeoReport v2 under /open311/v2/, so that existing Open311 apps and aggregators can
list the complaint categories (services), file complaints (POST requests) and follow them.

Each view parses and checks its arguments, calls one selector or service and renders
(layers.api.open311_format) JSON or XML, chosen by the path's extension as the specification
says. Errors are the specification's list of {code, description} with the matching HTTP status.

Abuse: API clients cannot be given the public form's hidden honeypot field, so filing is
guarded by the api_key policy (SIG_OPEN311_REQUIRE_KEY) and by the per-address rate limit that
the public form shares (layers.services.abuse, action "complaint"). The address is
REMOTE_ADDR: behind a reverse proxy, the proxy must set it to the client's address (e.g.
uWSGI/gunicorn behind nginx with the real-IP module), or every client shares one limit."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from layers.api import open311_format as fmt_
from layers.models import ComplaintCategory
from layers.selectors.open311 import (
    STATUSES,
    open311_changeset,
    open311_client,
    open311_request,
    open311_requests,
    open311_service,
    open311_services,
)
from layers.services.abuse import submission_allowed, submission_record
from layers.services.complaints import complaint_create

# The rate-limit budget is one per address for every way of filing a complaint.
RATE_ACTION = "complaint"
MAX_DESCRIPTION = 4000  # the specification's limit
MAX_IDS = 1000
DEFAULT_DAYS = 90  # the specification's default window


class Open311Error(Exception):
    """An error the client gets in the specification's format."""

    def __init__(self, status: int, *descriptions: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)
        self.headers = headers or {}


def open311_view(*methods: str) -> Callable:
    """Allow `methods` (HEAD with GET), pass on the path's format (`fmt`: json or xml), render an
    Open311Error as the specification's error document in that format."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str = "xml", **kwargs) -> HttpResponse:
            try:
                if request.method not in allowed:
                    raise Open311Error(405, _("Method %(method)s is not allowed here.") % {
                        "method": request.method}, headers={"Allow": ", ".join(sorted(allowed))})
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                response = fmt_.respond(fmt_.errors(exc.descriptions, status=exc.status),
                                        fmt=fmt, root="errors", status=exc.status)
                for name, value in exc.headers.items():
                    response[name] = value
                return response

        # No Open311 resource acts on a signed-in user's behalf (no cookie or session is
        # read), so a cross-site form can do nothing a direct call could not: API clients
        # have no CSRF token, and filing is rate-limited per address instead.
        wrapper.csrf_exempt = True
        return wrapper

    return decorate


# --- services -------------------------------------------------------------------------------

@open311_view("GET")
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET services: the active complaint categories."""
    return fmt_.respond([fmt_.service(c) for c in open311_services()], fmt=fmt, root="services")


@open311_view("GET")
def service_definition(request: HttpRequest, service_code: str, *, fmt: str) -> HttpResponse:
    """GET services/{service_code}: its attributes (none)."""
    return fmt_.respond(fmt_.service_definition(_category(service_code)), fmt=fmt,
                        root="service_definition")


# --- requests -------------------------------------------------------------------------------

@open311_view("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET requests (filtered, newest first) or POST requests (file a complaint)."""
    if request.method == "POST":
        return _create(request, fmt)
    found = open311_requests(user=request.user, **_filters(request.GET),
                             limit=settings.SIG_OPEN311_MAX_REQUESTS)
    return fmt_.respond([fmt_.service_request(c, request=request) for c in found], fmt=fmt,
                        root="service_requests")


@open311_view("GET")
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    """GET requests/{service_request_id}: a list of the one request."""
    complaint = open311_request(ticket=service_request_id)
    if complaint is None:
        raise Open311Error(404, _("Service request %(id)s was not found.") % {
            "id": service_request_id})
    return fmt_.respond([fmt_.service_request(complaint, request=request)], fmt=fmt,
                        root="service_requests")


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    if settings.SIG_OPEN311_REQUIRE_KEY and open311_client(
            api_key=data.get("api_key", "").strip()) is None:
        raise Open311Error(403, _("Missing or invalid api_key: this server files requests "
                                  "from registered apps only."))
    ip = request.META.get("REMOTE_ADDR", "")
    try:
        submission_allowed(ip=ip, action=RATE_ACTION)
    except ValidationError as exc:
        raise Open311Error(429, *exc.messages, headers={
            "Retry-After": str(settings.SIG_SUBMISSION_WINDOW_MINUTES * 60)}) from exc
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = _category(code)
    point = _point(data)
    description = data.get("description", "")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("The description is longer than %(n)d characters.") % {
            "n": MAX_DESCRIPTION})
    name = " ".join(p for p in (data.get("first_name", "").strip(),
                                data.get("last_name", "").strip()) if p)
    # device_id, account_id, media_url (we fetch no URLs) and attribute[…] are accepted and
    # not kept; photos may come as multipart `media` files and are checked like the form's.
    try:
        with transaction.atomic():
            # Checked again under the address's lock, so parallel posts cannot slip through.
            submission_allowed(ip=ip, action=RATE_ACTION)
            complaint = complaint_create(
                category=category, description=description, point=point,
                reporter_name=name, reporter_phone=data.get("phone", ""),
                reporter_email=data.get("email", ""), photos=request.FILES.getlist("media"))
            submission_record(ip=ip, action=RATE_ACTION)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "rate_limited":
            raise Open311Error(429, *exc.messages, headers={
                "Retry-After": str(settings.SIG_SUBMISSION_WINDOW_MINUTES * 60)}) from exc
        raise Open311Error(400, *exc.messages) from exc
    return fmt_.respond([fmt_.created(complaint, request=request)], fmt=fmt,
                        root="service_requests")


# --- discovery and the rest -----------------------------------------------------------------

@open311_view("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """The Service Discovery document; its changeset is the last change of a category."""
    return fmt_.respond(fmt_.discovery(request=request, changeset=open311_changeset()), fmt=fmt,
                        root="discovery")


@open311_view("GET", "POST")
def unknown(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """Any other path under /open311/v2/: the specification's 404 error."""
    raise Open311Error(404, _("There is no such Open311 resource: see %(url)s") % {
        "url": request.build_absolute_uri(reverse("open311:discovery", args=["json"]))})


# --- arguments ------------------------------------------------------------------------------

def _category(code: str) -> ComplaintCategory:
    category = open311_service(code=code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    return category


def _point(data) -> Point:
    lat, lon = data.get("lat", "").strip(), data.get("long", "").strip()
    if not lat or not lon:
        if data.get("address_string", "").strip() or data.get("address_id", "").strip():
            raise Open311Error(400, _("lat and long are required: this server places every "
                                      "request on the map and cannot look up address_string "
                                      "or address_id."))
        raise Open311Error(400, _("lat and long were not provided."))
    try:
        y, x = float(lat), float(lon)
    except ValueError:
        y = x = math.nan
    if not (math.isfinite(x) and math.isfinite(y) and -90 <= y <= 90 and -180 <= x <= 180):
        raise Open311Error(400, _("lat and long must be WGS 84 degrees (lat -90…90, long "
                                  "-180…180)."))
    return Point(x, y, srid=4326)


def _csv(query, name: str) -> list[str]:
    """A list argument: comma-separated, and/or declared several times."""
    return [part.strip() for value in query.getlist(name) for part in value.split(",")
            if part.strip()]


def _filters(query) -> dict:
    """The GET requests arguments, checked; service_request_id overrides the others."""
    tickets = _csv(query, "service_request_id")
    if tickets:
        return {"tickets": tickets[:MAX_IDS]}
    statuses = [s.lower() for s in _csv(query, "status")]
    if any(s not in STATUSES for s in statuses):
        raise Open311Error(400, _("status must be open or closed (or both, comma-separated)."))
    start = _when(query.get("start_date", ""), name="start_date")
    end = _when(query.get("end_date", ""), name="end_date", end=True)
    if start is None:
        # The specification's default: the latest 90 days (of the range's end, when given).
        start = (end or timezone.now()) - dt.timedelta(days=DEFAULT_DAYS)
    if end is not None and end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    return {"service_codes": _csv(query, "service_code"), "statuses": statuses,
            "start": start, "end": end}


def _when(value: str, *, name: str, end: bool = False) -> dt.datetime | None:
    """A W3C date-time; a bare date means its start (or, for an end, its end); no offset means
    the region's zone. A '+' sent unencoded arrives as a space, and is read back as '+'."""
    value = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value.strip())
    if not value:
        return None
    try:
        # A bare date first: Python reads "2026-01-31" as a datetime too (its midnight).
        day = parse_date(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
        when = None if day else parse_datetime(value)
    except ValueError:
        when = day = None
    if day is not None:
        when = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    if when is None:
        raise Open311Error(400, _("%(name)s must be a W3C date-time, e.g. "
                                  "2026-01-31T00:00:00+07:00.") % {"name": name})
    if timezone.is_naive(when):
        when = timezone.make_aware(when, fmt_.region_zone())
    return when
