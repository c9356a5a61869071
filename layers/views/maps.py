"""The public map (/peta/) and the staff map (/peta/staf/): one template, one set of JS
modules (static/js/map/). What each viewer may see is decided by the data endpoints
(layers.permissions via selectors.features); these views only render the page and its
configuration."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from layers.api.catalogue import catalogue_layers
from layers.selectors.maps import map_choices
from layers.views.access import staff_required
from layers.views.edit_map import edit_config


def map_strings() -> dict[str, str]:
    """Every sentence the map's JavaScript shows, in the active language."""
    return {
        "loading": _("Loading…"),
        "truncated": _("Too many features to show at once: zoom in to see all of them."),
        "loadError": _("Some map data could not be loaded. Try again in a moment."),
        "locate": _("My location"),
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "locating": _("Finding your location…"),
        "locateDenied": _("Your location is not available: permission was refused, or the "
                          "device has no position (it also needs a secure connection)."),
        "locateAccuracy": _("You are within %(m)s m of this point."),
        "searchNone": _("No wilayah found."),
        "searchError": _("The search is not available right now."),
        "filterHere": _("Show data in this wilayah only"),
        "zoomHere": _("Zoom to this wilayah"),
        "more": _("and %(n)s more here: zoom in to pick one."),
        "coreLayers": _("Main layers"),
        "thematicLayers": _("Thematic layers"),
        "staffOnly": _("staff only"),
        "noLayers": _("No layers are published yet."),
        "legend": _("Legend"),
        "download": _("Download"),
        "openAdmin": _("Open in administration"),
        "yes": _("Yes"),
        "no": _("No"),
        "photo": _("Photo"),
        "showPanel": _("Layers and filters"),
        "hidePanel": _("Show the map"),
        # Field labels of popups.
        "name": _("Name"),
        "category": _("Category"),
        "condition": _("Condition"),
        "year_built": _("Year built"),
        "agency": _("Agency"),
        "desa": _("Desa/kelurahan"),
        "code": _("Code"),
        "length_m": _("Length (m)"),
        "area_ha": _("Area (ha)"),
        "register_code": _("Register number"),
        "value_idr": _("Value (Rp)"),
        "is_verified": _("Verified"),
        "is_public": _("Public"),
        "version": _("Version"),
        "ticket": _("Ticket"),
        "status": _("Status"),
        "description": _("Description"),
        "created_at": _("Reported"),
        "due_date": _("Due"),
        "resolved_at": _("Resolved"),
        "supporters": _("Supporters"),
        "class_name": _("Zone"),
        "classification": _("Classification"),
        "plan_name": _("Plan"),
        "regulation": _("Regulation"),
        "parent_code": _("Part of"),
        "kind": _("Kind"),
        "desa_kind": _("Desa"),
        "kelurahan_kind": _("Kelurahan"),
        "kecamatan_kind": _("Kecamatan"),
        "kabupaten_kind": _("Kabupaten"),
        "kota_kind": _("Kota"),
        "provinsi_kind": _("Provinsi"),
    }


@cache
def early_script() -> str:
    """static/js/map/early.js, written into the page itself: the points requests then leave
    as the head is parsed, not one more round trip later (it is small, and the same for every
    page, so reading it once per process is enough)."""
    return Path(finders.find("js/map/early.js")).read_text(encoding="utf-8")


def map_config(request: HttpRequest, *, staff: bool) -> dict:
    choices = map_choices(staff=staff)
    config = {
        "staff": staff,
        "basemap": {"url": settings.SIG_BASEMAP_URL,
                    "attribution": settings.SIG_BASEMAP_ATTRIBUTION},
        "urls": {
            "catalogue": reverse("layers:catalogue"),
            "search": reverse("layers:wilayah-search"),
            "extent": reverse("layers:tilejson", args=["wilayah"]),
        },
        # The catalogue itself, so the layers (and their points requests) start without
        # waiting for /api/layers/; map.js still asks the URL when this is absent.
        "catalogue": catalogue_layers(request),
        "conditions": [asdict(c) for c in choices.conditions],
        "statuses": [asdict(c) for c in choices.statuses],
        "attributeLabels": choices.attribute_labels,
        # The most features one GeoJSON answer may carry (the endpoint's cap); phones ask less.
        "pointLimit": settings.SIG_GEOJSON_MAX_FEATURES,
        "strings": map_strings(),
    }
    if staff:
        # Where staff open a feature for editing today (the map editor comes later).
        config["urls"]["admin"] = {
            kind: reverse(f"admin:layers_{model}_change", args=[0]).replace("/0/", "/{id}/")
            for kind, model in (("assets", "asset"), ("complaints", "complaint"),
                                ("land_use", "landusezone"), ("generic", "feature"),
                                ("admin_areas", "administrativearea"))
        }
    return {"config": config, "choices": choices, "staff": staff,
            "early_script": early_script()}


def public_map(request: HttpRequest) -> HttpResponse:
    """The public map: published layers and public attributes only."""
    return render(request, "layers/map.html", map_config(request, staff=False))


@staff_required
def staff_map(request: HttpRequest) -> HttpResponse:
    """The staff map: also non-public layers, unverified features and internal attributes
    (decided by the endpoints for the signed-in user), and the editor for those who may edit."""
    context = map_config(request, staff=True)
    # The editor (Geoman and static/js/map/edit/) only for users who may edit somewhere.
    if edit := edit_config(request):
        context["config"]["edit"] = edit
    return render(request, "layers/map.html", context)
