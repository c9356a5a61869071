"""Reads behind the field capture page (/lapangan/): the officer's wilayah, their extents, and
the URLs of the map data the page keeps for offline use.

The map data itself comes from the ordinary GeoJSON endpoint (selectors.features), so what an
officer can download offline is exactly what they may see online."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.gis.db.models import Extent
from django.urls import reverse

from layers.models import AdministrativeArea, Layer, LayerKind

# Boundaries and assets kept offline: at most this many assets per wilayah (the nearest
# context an officer needs, not an export), boundaries of kecamatan and desa only.
OFFLINE_ASSET_LIMIT = 5000
OFFLINE_LEVELS = "3,4"


@dataclass(frozen=True)
class FieldArea:
    """A wilayah the officer works in, with its extent [west, south, east, north] (EPSG:4326)."""

    code: str
    name: str
    bbox: tuple[float, float, float, float]


def field_areas(codes: list[str] | None) -> list[FieldArea]:
    """The current wilayah named by `codes` (from permissions.edit_scope); None (everywhere)
    gives one entry spanning every current desa/kelurahan."""
    if codes is None:
        extent = AdministrativeArea.objects.villages().aggregate(e=Extent("geom"))["e"]
        return [FieldArea(code="", name="", bbox=tuple(extent))] if extent else []
    rows = (AdministrativeArea.objects.filter(code__in=codes).values("code", "name")
            .annotate(e=Extent("geom")).order_by("code"))
    return [FieldArea(code=r["code"], name=r["name"], bbox=tuple(r["e"])) for r in rows if r["e"]]


def simplification_zoom(bbox: tuple[float, float, float, float]) -> int:
    """A zoom whose half-pixel simplification suits a map of `bbox` on a phone: the extent
    about 400 px wide, kept between 10 (a kabupaten) and 15 (a desa)."""
    width = max(bbox[2] - bbox[0], bbox[3] - bbox[1], 1e-6)
    return max(10, min(15, int(math.log2(360 * 400 / (256 * width))) + 1))


def offline_data_urls(areas: list[FieldArea]) -> list[dict]:
    """Per wilayah: the GeoJSON URLs of its boundaries and existing assets (bbox of the
    wilayah, geometry simplified for its size)."""
    slugs = {kind: slug for kind in (LayerKind.ADMIN_AREAS, LayerKind.ASSETS)
             if (slug := _core_slug(kind))}
    out = []
    for area in areas:
        bbox = ",".join(f"{v:.6f}" for v in area.bbox)
        zoom = simplification_zoom(area.bbox)
        urls = {}
        if LayerKind.ADMIN_AREAS in slugs:
            urls["boundaries"] = (reverse("layers:geojson", args=[slugs[LayerKind.ADMIN_AREAS]])
                                  + "?" + urlencode({"bbox": bbox, "zoom": zoom,
                                                    "level": OFFLINE_LEVELS}))
        if LayerKind.ASSETS in slugs:
            urls["assets"] = (reverse("layers:geojson", args=[slugs[LayerKind.ASSETS]])
                              + "?" + urlencode({"bbox": bbox, "zoom": zoom,
                                                "limit": OFFLINE_ASSET_LIMIT}))
        out.append({"code": area.code, "name": area.name, "bbox": list(area.bbox), **urls})
    return out


def _core_slug(kind: str) -> str | None:
    return Layer.objects.filter(kind=kind).order_by("id").values_list("slug", flat=True).first()


def assets_layer_slug() -> str | None:
    """The slug of the assets layer (the one the field page records into)."""
    return _core_slug(LayerKind.ASSETS)
