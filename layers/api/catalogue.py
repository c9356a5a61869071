"""The layer catalogue as JSON (what the map builds its switcher and legends from),
TileJSON per layer, and the wilayah search."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from exports.formats import FORMATS as EXPORT_FORMATS
from layers import permissions
from layers.models import (
    AdministrativeArea,
    Asset,
    AssetCategory,
    LandUseClass,
    Layer,
    LayerKind,
    Status,
)
from layers.selectors.catalogue import layers_visible_to
from layers.selectors.extents import source_extent
from layers.selectors.features import FILTERS, feature_source, feature_source_for

STATUS_COLORS = {"baru": "#dc2626", "diverifikasi": "#f59e0b", "diproses": "#2563eb",
                 "selesai": "#16a34a", "ditolak": "#6b7280"}


def legend(layer: Layer, *, staff: bool = False) -> list[dict]:
    """Legend entries: what each colour on the map means. An asset category with nothing the
    viewer may see is marked `empty`: the map then asks no tiles for it (a map of point assets
    only waits for no empty line tiles)."""
    if layer.kind == LayerKind.ASSETS:
        visible = Asset.objects.all() if staff else Asset.objects.published()
        categories = AssetCategory.objects.filter(is_active=True).annotate(
            used=Exists(visible.filter(category=OuterRef("pk"))))
        return [{"value": c.slug, "label": c.name, "color": c.color, "icon": c.icon,
                 "geometry": c.geometry_type, "empty": not c.used}
                for c in categories]
    if layer.kind == LayerKind.LAND_USE:
        return [{"value": c.code, "label": c.name, "color": c.color,
                 "group": c.classification.name}
                for c in LandUseClass.objects.select_related("classification")]
    if layer.kind == LayerKind.COMPLAINTS:
        return [{"value": s.value, "label": str(s.label), "color": STATUS_COLORS[s.value]}
                for s in Status]
    if layer.kind == LayerKind.ADMIN_AREAS:
        return [{"value": str(level), "label": label, "color": color}
                for level, label, color in ((2, "Kabupaten/kota", "#111827"),
                                            (3, "Kecamatan", "#374151"),
                                            (4, "Desa/kelurahan", "#6b7280"))]
    color = (layer.style or {}).get("color", "#7c3aed")
    return [{"value": layer.slug, "label": layer.name, "color": color}]


def raster_entry(request: HttpRequest, layer: Layer) -> dict:
    """A raster layer for the map: PNG tiles (analysis.views.rasters) and its legend."""
    from analysis.services.rasters import raster_legend

    tile = reverse("analysis:raster-tile", args=[layer.slug, 0, 0, 0])
    raster = layer.raster
    return {
        "slug": layer.slug, "name": layer.name, "kind": layer.kind,
        "description": layer.description, "geometry_type": "", "is_public": layer.is_public,
        "style": layer.style, "legend": raster_legend(raster), "filters": [],
        "tiles_url": request.build_absolute_uri(tile.removesuffix("/0/0/0.png"))
        + "/{z}/{x}/{y}.png",
        "legend_url": reverse("analysis:raster-legend", args=[layer.slug]),
        "units": raster.units, "categorical": raster.categorical,
        "bounds": list(raster.footprint.extent), "data_version": layer.data_version,
    }


def tile_bounds(request: HttpRequest, layer: Layer, entries: list[dict]) -> list[float] | None:
    """[west, south, east, north] of what the layer's vector tiles on the map can hold for this
    viewer (None: nothing): the map asks for no tile outside it. The asset layer's tiles carry
    its line and polygon categories with something to show (`entries`: its legend); the
    other tiled layers, all they hold."""
    source = feature_source_for(layer, request.user)
    if layer.kind == LayerKind.ASSETS:
        tiled = [e["value"] for e in entries if e["geometry"] != "point" and not e["empty"]]
        return source_extent(source, {"category": ",".join(tiled)}) if tiled else None
    return source_extent(source)


def tiled(layer: Layer) -> bool:
    """Whether the map draws (part of) the layer from vector tiles (static/js/map/layers.js)."""
    if layer.kind in (LayerKind.ADMIN_AREAS, LayerKind.LAND_USE, LayerKind.ASSETS):
        return True
    return layer.kind == LayerKind.GENERIC and "point" not in layer.geometry_type.lower()


def layer_entry(request: HttpRequest, layer: Layer) -> dict:
    if layer.kind == LayerKind.RASTER:
        return raster_entry(request, layer)
    # The XYZ template: reverse a real tile, then put the placeholders in.
    tile = reverse("layers:tile", args=[layer.slug, 0, 0, 0])
    tiles = request.build_absolute_uri(tile.removesuffix("/0/0/0.pbf")) + "/{z}/{x}/{y}.pbf"
    entries = legend(layer, staff=permissions.sees_unpublished(request.user, layer))
    bounds = {"tile_bounds": tile_bounds(request, layer, entries)} if tiled(layer) else {}
    return {
        "slug": layer.slug, "name": layer.name, "kind": layer.kind,
        "description": layer.description, "geometry_type": layer.geometry_type,
        "is_public": layer.is_public, "style": layer.style,
        "legend": entries,
        **bounds,
        "filters": sorted(FILTERS[layer.kind]),
        "geojson_url": reverse("layers:geojson", args=[layer.slug]),
        "points_url": reverse("layers:points", args=[layer.slug]),
        "item_url": reverse("ogc:item", args=[layer.slug, 0]).removesuffix("/0") + "/{id}",
        "tiles_url": tiles,
        "tilejson_url": reverse("layers:tilejson", args=[layer.slug]),
        # Downloads of the layer as the viewer sees it (exports app), by format.
        "export_urls": {key: reverse("exports:layer", args=[layer.slug, key])
                        for key in EXPORT_FORMATS},
        "data_version": layer.data_version,
    }


def catalogue_layers(request: HttpRequest) -> list[dict]:
    """The catalogue entries of the layers the user may see (also embedded in the map page)."""
    return [layer_entry(request, layer) for layer in layers_visible_to(user=request.user)]


@require_GET
def catalogue(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"layers": catalogue_layers(request)})


@require_GET
def tilejson(request: HttpRequest, slug: str) -> JsonResponse:
    source = feature_source(slug=slug, user=request.user)
    entry = layer_entry(request, source.layer)
    bounds = source_extent(source) or [-180, -85, 180, 85]
    return JsonResponse({
        "tilejson": "3.0.0", "name": source.layer.name, "scheme": "xyz",
        "tiles": [entry["tiles_url"]], "minzoom": 0, "maxzoom": 22, "bounds": bounds,
        "vector_layers": [{"id": source.slug, "description": source.layer.description,
                           "fields": {name: "" for name in source.props}}],
    })


@require_GET
def wilayah_search(request: HttpRequest) -> JsonResponse:
    """Current wilayah by code prefix or name: what the map's search box zooms to."""
    q = (request.GET.get("q") or "").strip()
    if len(q) < 2:
        return JsonResponse({"results": []})
    if q.replace(".", "").isdigit():
        match = Q(code=q) | Q(code__startswith=q + ".") if "." in q or len(q) <= 2 else \
            Q(code__startswith=q)
    else:
        match = Q(name__icontains=q)
    areas = (AdministrativeArea.objects.filter(match).select_related("parent")
             .order_by("level", "code")[:20])
    results = []
    for area in areas:
        w, s, e, n = area.geom.extent
        results.append({"code": area.code, "name": area.name, "level": area.level,
                        "kind": str(area.kind_label),
                        "parent": area.parent.name if area.parent else None,
                        "bbox": [w, s, e, n]})
    return JsonResponse({"results": results})
