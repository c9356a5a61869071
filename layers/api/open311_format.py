"""Open311 GeoReport v2 documents: what each resource says, in the specification's field names
and order, and its JSON and XML forms (the XML built with ElementTree; the JSON its Spark
convention mapping: a list of items where the XML has a plural element of singular ones).

Each representation is built from public fields only: the reporter's name and contact are
not read here, let alone written."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
import zoneinfo
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from layers.models import AdministrativeArea, Complaint, ComplaintCategory
from layers.models.complaints import OPEN_STATUSES
from layers.selectors.open311 import open311_status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"  # what the specification names, and clients expect
FORMATS = ["text/xml", "application/json"]
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

# The XML element of one member of each list (the Spark convention's plural → singular).
ITEMS = {
    "services": "service", "service_requests": "request", "errors": "error",
    "attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
}
# Characters XML 1.0 cannot carry at all (a citizen's text may hold them): left out of XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Doc = dict[str, Any]


def region_zone() -> zoneinfo.ZoneInfo:
    """The region's zone (settings.TIME_ZONE), whatever zone the visitor picked for pages."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def w3c(value: dt.datetime | None) -> str | None:
    """ISO 8601 (the W3C profile) with the region's UTC offset, to the second."""
    if value is None:
        return None
    return value.astimezone(region_zone()).isoformat(timespec="seconds")


# --- the resources --------------------------------------------------------------------------

def service(category: ComplaintCategory) -> Doc:
    """One entry of GET services: a complaint category, its slug the service_code. No category
    asks for extra attributes, so `metadata` is false; filing answers at once (`realtime`)."""
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": False,
        "type": "realtime",
        "keywords": None,
        "group": category.agency.name if category.agency else None,
    }


def service_definition(category: ComplaintCategory) -> Doc:
    """GET services/{code}: categories define no attributes."""
    return {"service_code": category.slug, "attributes": []}


def service_request(complaint: Complaint, *, request: HttpRequest) -> Doc:
    """One entry of GET requests (from layers.selectors.open311, which annotates
    `status_notes` and `status_since`)."""
    status = open311_status(complaint.status)
    closed_at = complaint.status_since if status == "closed" else None
    photos = list(complaint.photos.all())
    return {
        "service_request_id": complaint.ticket,
        "status": status,
        "status_notes": complaint.status_notes or None,
        "service_name": complaint.category.name,
        "service_code": complaint.category.slug,
        "description": complaint.description,
        "agency_responsible": complaint.agency.name if complaint.agency else None,
        "service_notice": service_notice(complaint, request=request),
        "requested_datetime": w3c(complaint.created_at),
        # For a closed request, when it was closed (the specification's rule).
        "updated_datetime": w3c(closed_at or complaint.updated_at),
        "expected_datetime": expected(complaint.due_date),
        "address": address(complaint.area),
        "address_id": None,
        "zipcode": None,
        "lat": complaint.geom.y,
        "long": complaint.geom.x,
        "media_url": request.build_absolute_uri(photos[0].image.url) if photos else None,
    }


def created(complaint: Complaint, *, request: HttpRequest) -> Doc:
    """The answer to POST requests: the ticket at once (no token); we keep no accounts."""
    return {
        "service_request_id": complaint.ticket,
        "service_notice": service_notice(complaint, request=request),
        "account_id": None,
    }


def discovery(*, request: HttpRequest, changeset: dt.datetime | None) -> Doc:
    """The Service Discovery document (/open311/discovery.{json,xml})."""
    stamp = (changeset or dt.datetime.now(dt.UTC)).astimezone(region_zone())
    stamp_text = stamp.strftime("%Y-%m-%d %H:%M")
    if settings.SIG_OPEN311_REQUIRE_KEY:
        key_service = _("Filing needs an API key: ask the regional government's complaint "
                        "office to register your app.")
    else:
        key_service = _("No API key is needed to file; registered apps may send theirs as "
                        "api_key.")
    return {
        "changeset": stamp_text,
        "contact": settings.SIG_OPEN311_CONTACT or _(
            "The regional government's complaint office."),
        "key_service": key_service,
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
            "changeset": stamp_text,
            "type": "test" if settings.DEBUG else "production",
            "formats": FORMATS,
        }],
    }


def service_notice(complaint: Complaint, *, request: HttpRequest) -> str:
    """What happens next, and where the resident follows it (the public tracking page)."""
    url = request.build_absolute_uri(reverse("layers:complaint-track", args=[complaint.ticket]))
    if complaint.status in OPEN_STATUSES and complaint.due_date:
        return _("To be handled by %(date)s. Follow it at %(url)s") % {
            "date": date_format(complaint.due_date, "j F Y"), "url": url}
    return _("Follow it at %(url)s") % {"url": url}


def expected(due: dt.date | None) -> str | None:
    """The due date as a datetime: its last second, in the region's zone."""
    if due is None:
        return None
    return w3c(dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=region_zone()))


def address(area: AdministrativeArea | None) -> str | None:
    """The wilayah, most specific first: desa, kecamatan, kabupaten, provinsi."""
    names = []
    while area is not None:
        names.append(area.name)
        area = area.parent
    return ", ".join(names) or None


def errors(descriptions: list[str], *, status: int) -> list[Doc]:
    """The specification's error list; each code is the HTTP status."""
    return [{"code": status, "description": d} for d in descriptions]


# --- JSON and XML ---------------------------------------------------------------------------

def respond(doc: Doc | list[Doc], *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """`doc` as JSON, or as XML under `root` (a list becomes `root` of ITEMS[root])."""
    if fmt == "json":
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return HttpResponse(body, status=status, content_type=JSON_TYPE)
    element = ET.Element(root)
    if isinstance(doc, list):
        for item in doc:
            _fill(ET.SubElement(element, ITEMS[root]), item)
    else:
        _fill(element, doc)
    body = XML_DECLARATION + ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, status=status, content_type=XML_TYPE)


def _fill(element: ET.Element, doc: Doc) -> None:
    for key, value in doc.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for item in value:
                member = ET.SubElement(child, ITEMS[key])
                if isinstance(item, dict):
                    _fill(member, item)
                else:
                    member.text = _xml_text(item)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _xml_text(value)


def _xml_text(value: Any) -> str | None:
    if value is None:
        return None  # an empty element, as the specification's examples show for null
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))
