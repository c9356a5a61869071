// Vector tiles (Mapbox Vector Tiles from /tiles/<slug>/{z}/{x}/{y}.pbf, one data layer named
// by the slug) through Leaflet.VectorGrid.Protobuf, drawn on canvas tiles.
//
// Clicks are not VectorGrid's: its canvas click handler breaks on Leaflet ≥ 1.8
// (L.DomEvent.fakeStop is gone) and only the topmost tile canvas would receive a click anyway.
// The tiles stay non-interactive (clicks fall through to the map) and identify() hit-tests the
// features VectorGrid keeps per tile (`_vectorTiles`, filled because getFeatureId is set) —
// the internals of the pinned 1.3.0, vendored, so they cannot change under us.

const L = window.L;

export function vectorTiles(url, slug, style, { getFeatureId, ...options } = {}) {
  return L.vectorGrid.protobuf(url, {
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
