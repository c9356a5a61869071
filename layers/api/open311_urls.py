"""Open311 GeoReport v2 under /open311/ (paths as the specification names them: each resource
ends in its format, .json or .xml), and the Service Discovery document."""

from django.urls import path, re_path, register_converter

from layers.api import open311


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CodeConverter:
    """A service_code or service_request_id: anything up to the format's dot."""

    regex = "[^/]+?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_format")
register_converter(CodeConverter, "open311_code")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311_format:fmt>", open311.discovery, name="discovery"),
    path("v2/", open311.discovery, name="root"),
    path("v2/services.<open311_format:fmt>", open311.services, name="services"),
    path("v2/services/<open311_code:service_code>.<open311_format:fmt>",
         open311.service_definition, name="service"),
    path("v2/requests.<open311_format:fmt>", open311.requests, name="requests"),
    path("v2/requests/<open311_code:service_request_id>.<open311_format:fmt>",
         open311.request_detail, name="request"),
    re_path(r"^v2/.*?(?:\.(?P<fmt>json|xml))?$", open311.unknown),
]
