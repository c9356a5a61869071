"""The admin map widget: Django's OpenLayers widget served from static/vendor, not a CDN."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.forms.widgets import OSMWidget


class SigMapWidget(OSMWidget):
    template_name = "gis/sig-map-widget.html"
    # Centre of Indonesia: a new feature starts from the whole archipelago.
    default_lon = 118.0
    default_lat = -2.0
    default_zoom = 5

    class Media:
        extend = False  # replace, not add to, Django's CDN links
        css = {"all": ("vendor/ol-7.2.2/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol-7.2.2/dist/ol.js", "gis/js/OLMapWidget.js")

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.attrs.setdefault("basemap_url", settings.SIG_BASEMAP_URL)
        self.attrs.setdefault("basemap_attribution", settings.SIG_BASEMAP_ATTRIBUTION)
