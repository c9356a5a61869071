"""A raster layer's pixels as web-map PNG tiles (rio-tiler reads the COG; no hand-written
resampling): a colour ramp over the display range for measurements, the class colours for
categories; no-data and outside the grid transparent."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image
from rio_tiler.colormap import cmap
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader

from analysis.models import Raster

TILE_SIZE = 256


@cache
def empty_tile() -> bytes:
    """A transparent tile (an image, so the map shows nothing rather than a broken tile)."""
    buffer = io.BytesIO()
    Image.new("RGBA", (TILE_SIZE, TILE_SIZE), (0, 0, 0, 0)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _hex_rgba(colour: str) -> tuple[int, int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16), 255


def raster_tile(raster: Raster, z: int, x: int, y: int) -> bytes:
    """The PNG of tile z/x/y (Web Mercator), or a transparent one outside the grid."""
    with Reader(str(raster.file)) as src:
        try:
            image = src.tile(x, y, z, tilesize=TILE_SIZE, resampling_method="nearest",
                             reproject_method="nearest")
        except TileOutsideBounds:
            return empty_tile()
    if raster.categorical:
        colours = {int(c["value"]): _hex_rgba(c["color"]) for c in raster.classes}
        image.array = image.array.astype("int64")
        return image.render(img_format="PNG", colormap=colours)
    image.rescale(in_range=((raster.display_min, raster.display_max),))
    return image.render(img_format="PNG", colormap=cmap.get(raster.ramp))
