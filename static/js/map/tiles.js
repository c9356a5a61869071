// Vector tiles (Mapbox Vector Tiles from /tiles/<slug>/{z}/{x}/{y}.pbf, one data layer named
// by the slug) through Leaflet.VectorGrid.Protobuf, drawn on canvas tiles.
//
// Clicks are not VectorGrid's: its canvas click handler breaks on Leaflet ≥ 1.8
// (L.DomEvent.fakeStop is gone) and only the topmost tile canvas would receive a click anyway.
// The tiles stay non-interactive (clicks fall through to the map) and identify() hit-tests the
// features VectorGrid keeps per tile (`_vectorTiles`, filled because getFeatureId is set) —
// the internals of the pinned 1.3.0, vendored, so they cannot change under us.

const L = window.L;

// Pixels of slack around a layer's extent: a line's stroke or an outline drawn on it reaches
// a few pixels into the next tile.
const EXTENT_SLACK = 16;

// VectorGrid that asks for no tile outside `dataExtent` ([west, south, east, north], the
// catalogue's tile_bounds): an empty tile still costs a request, a canvas and a decoding, and
// a view with nothing of the layer in it would otherwise ask for a screenful of them.
const BoundedTiles = L.VectorGrid.Protobuf.extend({
  _isValidTile(coords) {
    if (!L.VectorGrid.Protobuf.prototype._isValidTile.call(this, coords)) return false;
    const extent = this.options.dataExtent;
    if (!extent) return true;
    const size = this.getTileSize();
    const nw = this._map.project([extent[3], extent[0]], coords.z);
    const se = this._map.project([extent[1], extent[2]], coords.z);
    const x = coords.x * size.x;
    const y = coords.y * size.y;
    return x + size.x >= nw.x - EXTENT_SLACK && x <= se.x + EXTENT_SLACK
      && y + size.y >= nw.y - EXTENT_SLACK && y <= se.y + EXTENT_SLACK;
  },
});

export function vectorTiles(url, slug, style, { getFeatureId, ...options } = {}) {
  return new BoundedTiles(url, {
    ...options,
    rendererFactory: L.canvas.tile,
    vectorTileLayerStyles: { [slug]: style },
    interactive: false,
    getFeatureId: getFeatureId || ((feature) => feature.id),
    maxNativeZoom: 18,
    maxZoom: 22,
    // The ETag and Cache-Control of the tile endpoint do the caching; keep cookies for staff.
    fetchOptions: { credentials: "same-origin" },
  });
}

function bounds(symbol) {
  if (!symbol._pxBounds && symbol._parts) symbol._pxBounds = symbol._getPixelBounds();
}

// Features of `layer` under `latlng`, topmost first: [{properties, geometryType}].
export function identify(layer, latlng) {
  const map = layer._map;
  if (!map || layer._tileZoom === undefined || !layer._vectorTiles) return [];
  const zoom = layer._tileZoom;
  const size = layer.getTileSize();
  const point = map.project(latlng, zoom);
  const coords = point.unscaleBy(size).floor();
  coords.z = zoom;
  const renderer = layer._vectorTiles[layer._tileCoordsToKey(coords)];
  if (!renderer || !renderer._features) return [];
  const local = point.subtract(coords.scaleBy(size));
  // Points and lines are thin: a few pixels of slack, more on touch screens.
  renderer.options.tolerance = L.Browser.mobile ? 8 : 3;
  const hits = [];
  for (const id of Object.keys(renderer._features)) {
    const symbol = renderer._features[id].feature;
    bounds(symbol);
    try {
      if (symbol._containsPoint(local)) {
        const type = symbol._point ? 1 : symbol instanceof L.Polygon ? 3 : 2;
        hits.push({ properties: symbol.properties, id, type });
      }
    } catch {
      // A symbol not drawn at this zoom has no pixel geometry: not under the pointer.
    }
  }
  // Points, then lines, then polygons; within each, the one drawn last (on top) first.
  hits.reverse();
  hits.sort((a, b) => a.type - b.type);
  return hits;
}
