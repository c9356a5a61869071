"""Raster layers on the map: PNG tiles and the legend, through the layer's permissions."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from analysis.access import visible_raster
from analysis.services.rasters import raster_legend
from analysis.tiles import raster_tile


@require_GET
def tile(request: HttpRequest, slug: str, z: int, x: int, y: int) -> HttpResponse:
    raster = visible_raster(request.user, slug)
    if z > 24 or x >= 2**z or y >= 2**z:
        return HttpResponse(status=404)
    etag = f'"r{raster.pk}-{raster.layer.data_version}-{raster.path}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    response = HttpResponse(raster_tile(raster, z, x, y), content_type="image/png")
    response["ETag"] = etag
    visibility = "public" if raster.layer.is_public else "private"
    response["Cache-Control"] = f"{visibility}, max-age={settings.SIG_TILE_MAX_AGE}"
    return response


@require_GET
def legend(request: HttpRequest, slug: str) -> JsonResponse:
    raster = visible_raster(request.user, slug)
    return JsonResponse({
        "slug": slug, "name": raster.layer.name, "units": raster.units,
        "categorical": raster.categorical, "legend": raster_legend(raster),
        "crs": raster.crs_name, "epsg": raster.epsg, "nodata": raster.nodata,
        "dtype": raster.dtype, "bounds_wgs84": list(raster.footprint.extent),
        "resolution": [raster.res_x, raster.res_y],
    })
