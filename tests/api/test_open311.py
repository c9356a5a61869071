"""Open311 GeoReport v2 (/open311/v2/), checked field by field against the specification
(http://wiki.open311.org/GeoReport_v2) in JSON and in XML, the errors it defines, the
reporter's privacy in every response, the rate limit and the api_key policy."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from layers.models import (
    Agency,
    Complaint,
    ComplaintCategory,
    Layer,
    LayerKind,
    Open311Client,
    Status,
    SubmissionAttempt,
)
from layers.services.complaints import complaint_create, complaint_set_status

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type",
                  "keywords", "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url"]
CREATED_FIELDS = ["service_request_id", "service_notice", "account_id"]
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
TICKET = re.compile(r"^ADU-\d{4}-\d{6}$")
ADDRESS = "Desa Satu, Kecamatan A, Kabupaten Uji, Provinsi Uji"
REPORTER = {"first_name": "Siti", "last_name": "Rahasiawati", "email": "siti.rahasia@example.org",
            "phone": "081299887766"}
PRIVATE = ["Rahasiawati", "siti.rahasia@example.org", "081299887766", "reporter",
           "Catatan internal"]


def region_offset() -> str:
    offset = timezone.now().astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def xml_root(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def json_body(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def xml_items(root: ET.Element, item: str) -> list[dict[str, str | None]]:
    """Each <item> as {tag: text}, in document order (checked against the JSON)."""
    assert all(child.tag == item for child in root)
    return [{el.tag: el.text for el in child} for child in root]


def same_as_json(xml_item: dict, json_item: dict) -> None:
    """The XML carries the JSON's fields in the same order, with the same values."""
    assert list(xml_item) == list(json_item)
    for key, value in json_item.items():
        text = xml_item[key]
        if value is None:
            assert text is None, key
        elif isinstance(value, bool):
            assert text == ("true" if value else "false"), key
        elif isinstance(value, float):
            assert float(text) == value, key
        else:
            assert text == str(value), key


def jpeg(name: str = "foto.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 160)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def office(db):
    return Agency.objects.create(name="Dinas Pekerjaan Umum dan Penataan Ruang",
                                 short_name="Dinas PUPR")


@pytest.fixture
def roads(office):
    return ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak",
                                            description="Jalan berlubang atau amblas.",
                                            agency=office, service_days=14)


@pytest.fixture
def drains(db):
    return ComplaintCategory.objects.create(slug="drainase", name="Drainase tersumbat")


@pytest.fixture
def retired_category(db):
    return ComplaintCategory.objects.create(slug="lama", name="Kategori lama", is_active=False)


def file(category, description: str, x: float = 110.05) -> Complaint:
    return complaint_create(category=category, description=description,
                            point=Point(x, -0.05, srid=4326),
                            reporter_name="Siti Rahasiawati", reporter_phone="081299887766",
                            reporter_email="siti.rahasia@example.org")


@pytest.fixture
def complaints(region, roads, drains, staff_user):
    """One complaint in each Open311 situation, oldest first."""
    new = file(roads, "Jalan berlubang di depan pasar.")
    working = file(roads, "Aspal amblas dekat jembatan.", x=110.06)
    complaint_set_status(complaint=working, status=Status.VERIFIED, by=staff_user,
                         note="Petugas dijadwalkan meninjau.")
    working = complaint_set_status(
        complaint=working, status=Status.IN_PROGRESS, by=staff_user, internal=True,
        note="Catatan internal: pelapor Siti Rahasiawati, 081299887766.")
    done = file(drains, "Parit tersumbat sampah.", x=110.07)
    complaint_set_status(complaint=done, status=Status.VERIFIED, by=staff_user)
    done = complaint_set_status(complaint=done, status=Status.RESOLVED, by=staff_user,
                                note="Parit sudah dibersihkan.")
    rejected = file(drains, "Iklan pinjaman online.", x=110.08)
    rejected = complaint_set_status(complaint=rejected, status=Status.REJECTED, by=staff_user,
                                    note="Bukan pengaduan.")
    return {"new": new, "working": working, "done": done, "rejected": rejected}


def by_id(items: list[dict]) -> dict[str, dict]:
    return {item["service_request_id"]: item for item in items}


# --- services -------------------------------------------------------------------------------

def test_services_field_by_field_in_json_and_xml(client, roads, drains, retired_category):
    items = json_body(client.get("/open311/v2/services.json"))
    assert [i["service_code"] for i in items] == ["drainase", "jalan-rusak"]  # active, by name
    for item in items:
        assert list(item) == SERVICE_FIELDS
    assert items[1] == {
        "service_code": "jalan-rusak", "service_name": "Jalan rusak",
        "description": "Jalan berlubang atau amblas.", "metadata": False, "type": "realtime",
        "keywords": None, "group": "Dinas Pekerjaan Umum dan Penataan Ruang"}
    assert items[0]["description"] is None and items[0]["group"] is None

    root = xml_root(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    xml = xml_items(root, "service")
    assert len(xml) == 2
    for x, j in zip(xml, items, strict=True):
        same_as_json(x, j)


def test_service_definition_in_json_and_xml(client, roads):
    assert json_body(client.get("/open311/v2/services/jalan-rusak.json")) == {
        "service_code": "jalan-rusak", "attributes": []}
    root = xml_root(client.get("/open311/v2/services/jalan-rusak.xml"))
    assert root.tag == "service_definition"
    assert [(el.tag, el.text) for el in root] == [("service_code", "jalan-rusak"),
                                                  ("attributes", None)]
    assert len(root.find("attributes")) == 0


@pytest.mark.parametrize("code", ["tidak-ada", "lama"])
def test_unknown_or_retired_service_code_is_404(client, roads, retired_category, code):
    response = client.get(f"/open311/v2/services/{code}.json")
    assert response.status_code == 404
    [error] = json_body(response)
    assert list(error) == ["code", "description"] and error["code"] == 404
    assert code in error["description"]
    response = client.get(f"/open311/v2/services/{code}.xml")
    assert response.status_code == 404
    root = xml_root(response)
    assert root.tag == "errors" and root.find("error/code").text == "404"


# --- requests: reading ----------------------------------------------------------------------

def test_request_fields_one_by_one(client, complaints):
    working = complaints["working"]
    items = by_id(json_body(client.get("/open311/v2/requests.json")))
    item = items[working.ticket]
    assert list(item) == REQUEST_FIELDS
    assert TICKET.match(item["service_request_id"])
    assert item["status"] == "open"
    assert item["status_notes"] == "Petugas dijadwalkan meninjau."  # the latest PUBLIC note
    assert item["service_name"] == "Jalan rusak" and item["service_code"] == "jalan-rusak"
    assert item["description"] == "Aspal amblas dekat jembatan."
    assert item["agency_responsible"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    track = f"http://testserver/pengaduan/lacak/{working.ticket}/"
    assert track in item["service_notice"]
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(item[key]) and item[key].endswith(region_offset()), key
    assert dt.datetime.fromisoformat(item["requested_datetime"]) == working.created_at.replace(
        microsecond=0)
    assert dt.datetime.fromisoformat(item["updated_datetime"]) == working.updated_at.replace(
        microsecond=0)
    assert item["expected_datetime"] == f"{working.due_date}T23:59:59{region_offset()}"
    assert working.due_date == timezone.localdate(working.created_at) + dt.timedelta(days=14)
    assert item["address"] == ADDRESS
    assert item["address_id"] is None and item["zipcode"] is None
    assert item["lat"] == pytest.approx(-0.05) and item["long"] == pytest.approx(110.06)
    assert item["media_url"] is None
    assert items[complaints["new"].ticket]["status_notes"] is None  # no public note yet

    root = xml_root(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests"
    xml = by_id(xml_items(root, "request"))
    assert list(xml) == list(items)  # same requests, same order (newest first)
    for ticket, json_item in items.items():
        same_as_json(xml[ticket], json_item)


def test_closed_requests_resolved_and_rejected(client, complaints):
    done, rejected = complaints["done"], complaints["rejected"]
    listed = by_id(json_body(client.get("/open311/v2/requests.json")))
    assert listed[done.ticket]["status"] == "closed"
    assert listed[done.ticket]["status_notes"] == "Parit sudah dibersihkan."
    # For a closed request, updated_datetime is when it was closed.
    closed_at = done.events.get(status_to=Status.RESOLVED).created_at
    assert dt.datetime.fromisoformat(listed[done.ticket]["updated_datetime"]) == (
        closed_at.replace(microsecond=0))
    assert "http://testserver/pengaduan/lacak/" in listed[done.ticket]["service_notice"]
    # A rejected complaint is not published, so not listed; its ticket still finds it,
    # closed, with the reason given, as on the tracking page.
    assert rejected.ticket not in listed
    [item] = json_body(client.get(f"/open311/v2/requests/{rejected.ticket}.json"))
    assert item["status"] == "closed" and item["status_notes"] == "Bukan pengaduan."
    by_ticket = json_body(client.get(
        f"/open311/v2/requests.json?service_request_id={rejected.ticket}"))
    assert [i["service_request_id"] for i in by_ticket] == [rejected.ticket]


def test_request_list_filters(client, complaints, settings):
    t = {k: c.ticket for k, c in complaints.items()}

    def tickets(query: str) -> list[str]:
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, response.content
        return [i["service_request_id"] for i in json_body(response)]

    assert tickets("") == [t["done"], t["working"], t["new"]]  # newest first
    assert tickets("status=open") == [t["working"], t["new"]]
    assert tickets("status=closed") == [t["done"]]
    assert tickets("status=open,closed") == [t["done"], t["working"], t["new"]]
    assert tickets("status=closed&status=open") == [t["done"], t["working"], t["new"]]
    assert tickets("service_code=jalan-rusak") == [t["working"], t["new"]]
    assert tickets("service_code=drainase,jalan-rusak&status=closed") == [t["done"]]
    assert tickets("service_code=tidak-ada") == []
    settings.SIG_OPEN311_MAX_REQUESTS = 2
    assert tickets("") == [t["done"], t["working"]]  # the newest, up to the limit
    settings.SIG_OPEN311_MAX_REQUESTS = 1000
    # service_request_id (comma-separated, any case) overrides every other argument.
    assert sorted(tickets(f"service_request_id={t['new'].lower()},{t['done']}&status=closed"
                          "&service_code=tidak-ada")) == sorted([t["new"], t["done"]])

    # Dates: the default window is the latest 90 days; start_date/end_date (W3C) choose.
    old = timezone.now() - dt.timedelta(days=120)
    Complaint.objects.filter(pk=complaints["new"].pk).update(created_at=old)
    assert t["new"] not in tickets("")
    day = old.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    since = f"{day - dt.timedelta(days=1)}T00:00:00Z"
    assert tickets(f"start_date={since}")[-1] == t["new"]
    until = f"{day + dt.timedelta(days=1)}T00:00:00%2B07:00"
    assert tickets(f"start_date={since}&end_date={until}") == [t["new"]]
    assert tickets(f"start_date={day}&end_date={day}") == [t["new"]]  # bare dates: whole days
    # An unencoded '+' arrives as a space: still read as the offset.
    assert tickets(f"start_date={since}&end_date={day + dt.timedelta(days=1)}T00:00:00+07:00"
                   ) == [t["new"]]


@pytest.mark.parametrize("query", ["status=pending", "start_date=kemarin",
                                   "start_date=2026-02-30T00:00:00Z",
                                   "start_date=2026-03-01&end_date=2026-02-01"])
def test_bad_request_arguments_are_400(client, complaints, query):
    for fmt in ("json", "xml"):
        response = client.get(f"/open311/v2/requests.{fmt}?{query}")
        assert response.status_code == 400
        if fmt == "json":
            [error] = json_body(response)
            assert error["code"] == 400 and error["description"]
        else:
            assert xml_root(response).find("error/code").text == "400"


def test_one_request_in_json_and_xml(client, complaints):
    working = complaints["working"]
    items = json_body(client.get(f"/open311/v2/requests/{working.ticket}.json"))
    assert len(items) == 1 and list(items[0]) == REQUEST_FIELDS
    assert items[0]["service_request_id"] == working.ticket
    root = xml_root(client.get(f"/open311/v2/requests/{working.ticket}.xml"))
    assert root.tag == "service_requests"
    [xml] = xml_items(root, "request")
    same_as_json(xml, items[0])


def test_unknown_request_id_is_404_in_json_and_xml(client, complaints):
    response = client.get("/open311/v2/requests/ADU-2000-999999.json")
    assert response.status_code == 404
    errors = json_body(response)
    assert len(errors) == 1 and list(errors[0]) == ["code", "description"]
    assert errors[0]["code"] == 404 and "ADU-2000-999999" in errors[0]["description"]

    response = client.get("/open311/v2/requests/ADU-2000-999999.xml")
    assert response.status_code == 404
    root = xml_root(response)
    assert root.tag == "errors"
    [error] = root
    assert error.tag == "error" and [el.tag for el in error] == ["code", "description"]
    assert error.find("code").text == "404"
    assert error.find("description").text == errors[0]["description"]


def test_times_are_in_the_region_zone_whatever_the_visitor_chose(client, complaints):
    client.cookies["sig_tz"] = "Asia/Jayapura"
    [item] = json_body(client.get(f"/open311/v2/requests/{complaints['new'].ticket}.json"))
    assert item["requested_datetime"].endswith(region_offset())


# --- requests: filing -----------------------------------------------------------------------

def post(client, fmt: str = "json", ip: str = "10.0.0.1", **fields):
    data = {"api_key": "", "jurisdiction_id": "contoh.go.id", "service_code": "jalan-rusak",
            "lat": "-0.05", "long": "110.05", "description": "Lubang besar di tikungan.",
            "device_id": "perangkat-123", "account_id": "akun-9",
            "media_url": "http://example.org/foto.jpg", **REPORTER}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/open311/v2/requests.{fmt}", data, REMOTE_ADDR=ip)


def test_a_filed_request_is_readable_at_once_as_open(client, region, roads):
    response = post(client)
    assert response.status_code == 200
    [created] = json_body(response)
    assert list(created) == CREATED_FIELDS
    ticket = created["service_request_id"]
    assert TICKET.match(ticket) and created["account_id"] is None
    assert f"http://testserver/pengaduan/lacak/{ticket}/" in created["service_notice"]

    [item] = json_body(client.get(f"/open311/v2/requests/{ticket}.json"))
    assert item["status"] == "open" and item["service_code"] == "jalan-rusak"
    assert item["description"] == "Lubang besar di tikungan."
    assert item["lat"] == pytest.approx(-0.05) and item["long"] == pytest.approx(110.05)
    assert item["address"] == ADDRESS
    assert ticket in [i["service_request_id"]
                      for i in json_body(client.get("/open311/v2/requests.json?status=open"))]

    # The reporter is kept for the office (never shown): name, e-mail, phone.
    complaint = Complaint.objects.get(ticket=ticket)
    assert complaint.reporter_name == "Siti Rahasiawati"
    assert complaint.reporter_email == REPORTER["email"]
    assert complaint.reporter_phone == REPORTER["phone"]
    assert complaint.status == Status.NEW and complaint.events.count() == 1

    # XML: the same answer in the specification's shape.
    root = xml_root(post(client, fmt="xml", ip="10.0.0.2"))
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request" and [el.tag for el in request] == CREATED_FIELDS
    assert TICKET.match(request.find("service_request_id").text)
    assert request.find("account_id").text is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_service_code_is_400_in_the_specifications_format(client, region, roads, fmt):
    response = post(client, fmt=fmt, service_code=None)
    assert response.status_code == 400
    if fmt == "json":
        [error] = json_body(response)
        assert list(error) == ["code", "description"]
        code, description = error["code"], error["description"]
        assert code == 400
    else:
        root = xml_root(response)
        assert root.tag == "errors" and [e.tag for e in root] == ["error"]
        assert [el.tag for el in root[0]] == ["code", "description"]
        code, description = root[0].find("code").text, root[0].find("description").text
        assert code == "400"
    assert "service_code" in description
    assert not Complaint.objects.exists()


def test_unknown_or_retired_service_code_on_post_is_404(client, region, retired_category):
    for code in ("tidak-ada", "lama"):
        response = post(client, service_code=code)
        assert response.status_code == 404 and json_body(response)[0]["code"] == 404
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(("fields", "needle"), [
    ({"lat": None, "long": None}, "lat"),
    ({"lat": None, "long": None, "address_string": "Jl. Merdeka 1"}, "address_string"),
    ({"lat": "abc"}, "lat"),
    ({"lat": "95"}, "lat"),
    ({"long": "nan"}, "lat"),
    ({"description": "   "}, ""),
    ({"description": "x" * 4001}, "4000"),
    ({"email": "bukan-email"}, ""),
])
def test_refused_posts_say_why_and_keep_nothing(client, region, roads, fields, needle):
    response = post(client, **fields)
    assert response.status_code == 400
    [error] = json_body(response)
    assert error["code"] == 400 and needle in error["description"]
    assert not Complaint.objects.exists() and not SubmissionAttempt.objects.exists()


def test_outside_the_region_is_400_with_the_translated_message(client, region, roads):
    response = post(client, lat="-6.2", long="106.8")  # Jakarta: outside the test region
    assert response.status_code == 400
    with translation.override("id"):
        expected = gettext("This location is outside the region's villages: place the pin "
                           "inside the map area.")
    assert json_body(response) == [{"code": 400, "description": expected}]
    assert expected.startswith("Lokasi")  # Indonesian, the default language
    assert not Complaint.objects.exists()


def test_a_photo_is_checked_kept_and_linked(client, region, roads, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = post(client, media=jpeg())
    assert response.status_code == 200, response.content
    ticket = json_body(response)[0]["service_request_id"]
    [item] = json_body(client.get(f"/open311/v2/requests/{ticket}.json"))
    assert item["media_url"].startswith("http://testserver/media/complaints/")
    assert item["media_url"].endswith(".jpg")

    fake = SimpleUploadedFile("x.jpg", b"<html>bukan foto</html>", content_type="image/jpeg")
    response = post(client, ip="10.0.0.9", media=fake)
    assert response.status_code == 400
    assert Complaint.objects.count() == 1


def test_xml_escapes_markup_and_drops_what_xml_cannot_carry(client, region, roads):
    ticket = json_body(post(client, description="Lubang <b>besar</b> & dalam\x0b!"))[0][
        "service_request_id"]
    response = client.get(f"/open311/v2/requests/{ticket}.xml")
    assert b"&lt;b&gt;besar&lt;/b&gt; &amp; dalam!" in response.content
    assert xml_root(response).find("request/description").text == (
        "Lubang <b>besar</b> & dalam!")


# --- privacy --------------------------------------------------------------------------------

def test_no_personal_data_in_any_open311_response(client, complaints, roads, settings,
                                                  tmp_path):
    settings.MEDIA_ROOT = tmp_path
    filed = post(client, media=jpeg())
    filed_xml = post(client, fmt="xml", ip="10.0.0.2")
    ticket = json_body(filed)[0]["service_request_id"]
    refused = post(client, ip="10.0.0.3", lat="-6.2", long="106.8")
    working = complaints["working"].ticket
    responses = [filed, filed_xml, refused]
    for fmt in ("json", "xml"):
        for path in ("services", "services/jalan-rusak", "requests",
                     "requests?status=open,closed", f"requests/{ticket}",
                     f"requests/{working}",
                     f"requests?service_request_id={working},{complaints['rejected'].ticket}",
                     "requests/ADU-2000-000001"):
            base, _sep, query = path.partition("?")
            responses.append(client.get(f"/open311/v2/{base}.{fmt}?{query}"))
        responses.append(client.get(f"/open311/discovery.{fmt}"))
    assert all(r.status_code in (200, 400, 404) for r in responses)
    everything = b"\n".join(r.content for r in responses)
    assert working.encode() in everything and ticket.encode() in everything
    for secret in PRIVATE:
        assert secret.encode() not in everything, secret
        assert secret.lower().encode() not in everything.lower(), secret


# --- abuse ----------------------------------------------------------------------------------

def test_the_rate_limit_refuses_the_burst_and_keeps_nothing_of_it(client, region, roads,
                                                                  settings):
    settings.SIG_SUBMISSION_LIMIT = 3
    for _ in range(3):
        assert post(client, ip="10.7.7.7").status_code == 200
    assert Complaint.objects.count() == 3
    for fmt in ("json", "xml"):
        response = post(client, fmt=fmt, ip="10.7.7.7")
        assert response.status_code == 429
        assert int(response["Retry-After"]) == settings.SIG_SUBMISSION_WINDOW_MINUTES * 60
        if fmt == "json":
            [error] = json_body(response)
            assert error["code"] == 429 and error["description"]
        else:
            assert xml_root(response).find("error/code").text == "429"
    assert Complaint.objects.count() == 3
    assert SubmissionAttempt.objects.count() == 3
    # Another address still files.
    assert post(client, ip="10.8.8.8").status_code == 200


def test_api_key_is_accepted_and_required_only_when_configured(client, region, roads,
                                                               settings):
    app = Open311Client.objects.create(name="Aplikasi Lapor Warga")
    revoked = Open311Client.objects.create(name="Aplikasi lama", is_active=False)
    assert len(app.api_key) >= 32 and app.api_key != revoked.api_key
    # Off (the default): with or without a key, registered or not.
    assert post(client, ip="10.1.0.1").status_code == 200
    assert post(client, ip="10.1.0.2", api_key="tidak-terdaftar").status_code == 200
    assert post(client, ip="10.1.0.3", api_key=app.api_key).status_code == 200

    settings.SIG_OPEN311_REQUIRE_KEY = True
    before = Complaint.objects.count()
    for key in ("", "tidak-terdaftar", revoked.api_key):
        for fmt in ("json", "xml"):
            response = post(client, fmt=fmt, ip="10.1.0.4", api_key=key)
            assert response.status_code == 403
            if fmt == "json":
                assert json_body(response)[0]["code"] == 403
            else:
                assert xml_root(response).find("error/code").text == "403"
    assert Complaint.objects.count() == before
    assert post(client, ip="10.1.0.5", api_key=app.api_key).status_code == 200
    # Reading never needs a key.
    assert client.get("/open311/v2/requests.json").status_code == 200


# --- discovery and the rest -----------------------------------------------------------------

def test_discovery_document(client, roads):
    doc = json_body(client.get("/open311/discovery.json"))
    assert list(doc) == ["changeset", "contact", "key_service", "endpoints"]
    assert all(doc[k] for k in ("changeset", "contact", "key_service"))
    [endpoint] = doc["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] in ("production", "test")
    root = xml_root(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml", "application/json"]
    assert root.find("endpoints/endpoint/url").text == "http://testserver/open311/v2"


def test_other_paths_and_methods_get_open311_errors(client, roads):
    response = client.get("/open311/v2/tokens/123.xml")
    assert response.status_code == 404 and xml_root(response).tag == "errors"
    response = client.get("/open311/v2/services.csv")
    assert response.status_code == 404 and xml_root(response).tag == "errors"
    response = client.delete("/open311/v2/requests.json")
    assert response.status_code == 405 and json_body(response)[0]["code"] == 405
    assert "GET" in response["Allow"] and "POST" in response["Allow"]
    response = client.post("/open311/v2/services.json", {})
    assert response.status_code == 405


def test_hiding_the_complaints_layer_hides_the_lists_not_the_tickets(client, complaints):
    Layer.objects.filter(kind=LayerKind.COMPLAINTS).update(is_public=False)
    assert json_body(client.get("/open311/v2/requests.json")) == []
    assert xml_root(client.get("/open311/v2/requests.xml")).tag == "service_requests"
    ticket = complaints["working"].ticket
    assert len(json_body(client.get(f"/open311/v2/requests/{ticket}.json"))) == 1
    assert len(json_body(client.get(
        f"/open311/v2/requests.json?service_request_id={ticket}"))) == 1


def test_a_long_list_takes_a_fixed_number_of_queries(client, complaints, roads,
                                                     django_assert_max_num_queries, settings,
                                                     tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for n in range(5):
        complaint_create(category=roads, description=f"Lubang {n}",
                         point=Point(110.01 + n * 0.01, -0.02, srid=4326), photos=[jpeg()])
    with django_assert_max_num_queries(3):  # the layer's visibility, the rows, their photos
        items = json_body(client.get("/open311/v2/requests.json"))
    assert len(items) == 8 and sum(1 for i in items if i["media_url"]) == 5
