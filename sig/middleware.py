"""Request-scoped settings that are not Django's own."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class TimezoneMiddleware:
    """Show times in the zone the visitor chose (cookie `sig_tz`): WIB, WITA or WIT.

    The database stores UTC; only rendering changes, so a kecamatan officer in Makassar and a
    planner in Jakarta see the same instant in their own local time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.COOKIES.get("sig_tz")
        if name in settings.SIG_TIME_ZONES:
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)


class IndonesianFirstMiddleware:
    """Ignore the browser's Accept-Language: SIG speaks Indonesian unless the visitor chose
    another language (the ID/EN switch sets a cookie that LocaleMiddleware honours).

    Many Indonesian offices run browsers set to English; the brief makes Indonesian the default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
