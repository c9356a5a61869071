// The small maps of the complaint pages: basemap (a setting; may be empty), the wilayah
// boundaries from the vector tiles (/tiles/wilayah/…), opened on the region's bounds, and a
// pin that can be placed by a tap and dragged. Leaflet and VectorGrid are vendored globals.

const L = window.L;

function boundaryStyle(props, zoom) {
  const level = Number(props.level);
  if (level <= 2) return { weight: 2.5, color: "#1f2937", opacity: 0.9, fill: false };
  if (level === 3) return zoom < 9 ? [] : { weight: 1.6, color: "#374151", opacity: 0.85, dashArray: "6 4", fill: false };
  return zoom < 11 ? [] : { weight: 1, color: "#4b5563", opacity: 0.7, fill: false };
}

export function createMap(element, config, options = {}) {
  const map = L.map(element, { minZoom: 4, maxZoom: 20, tapTolerance: 15, ...options });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
  if (config.basemap && config.basemap.url) {
    const base = L.tileLayer(config.basemap.url, {
      attribution: config.basemap.attribution, maxZoom: 20, maxNativeZoom: 19,
    });
    let loaded = 0;
    let failed = 0;
    base.on("tileload", () => { loaded += 1; });
    base.on("tileerror", () => {
      failed += 1;
      if (failed >= 8 && loaded === 0) map.removeLayer(base); // unreachable: boundaries only
    });
    base.addTo(map);
  }
  if (config.wilayahTiles && L.vectorGrid) {
    L.vectorGrid.protobuf(config.wilayahTiles, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: { wilayah: boundaryStyle },
      interactive: false,
      maxNativeZoom: 18,
      maxZoom: 22,
      fetchOptions: { credentials: "same-origin" },
    }).addTo(map);
  }
  L.control.scale({ imperial: false, maxWidth: 120 }).addTo(map);
  const b = config.bounds;
  if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [8, 8] });
  else map.setView([-2.5, 118], 5); // Indonesia
  return map;
}

const PIN = () => L.divIcon({
  className: "cx-pin",
  html: '<svg viewBox="0 0 32 44" width="32" height="44" aria-hidden="true"><path d="M16 1C8 1 1.5 7.3 1.5 15.2 1.5 26 16 43 16 43s14.5-17 14.5-27.8C30.5 7.3 24 1 16 1z" fill="#b91c1c" stroke="#fff" stroke-width="2"/><circle cx="16" cy="15" r="5.5" fill="#fff"/></svg>',
  iconSize: [32, 44],
  iconAnchor: [16, 43],
});

// A draggable pin; `onMove(latlng)` after every placement or drag.
export function createPin(map, { draggable = true, onMove = () => {}, title = "" } = {}) {
  let marker = null;
  return {
    get latlng() { return marker ? marker.getLatLng() : null; },
    place(latlng, { pan = false } = {}) {
      if (!marker) {
        marker = L.marker(latlng, { icon: PIN(), draggable, autoPan: true, title, keyboard: true }).addTo(map);
        marker.on("dragend", () => onMove(marker.getLatLng()));
      } else marker.setLatLng(latlng);
      if (pan) map.panTo(latlng);
      onMove(marker.getLatLng());
    },
  };
}
