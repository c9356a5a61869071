// The field page's map: the officer's wilayah (boundaries and existing assets, from the kept
// GeoJSON, so it works offline), the basemap when reachable, and the record's pin, placed by
// GPS, from a photo's EXIF or by hand (tap, drag). Leaflet is a vendored global.

const L = window.L;

export function createFieldMap({ box, config, onPin }) {
  const map = L.map(box, { preferCanvas: true, zoomControl: true, minZoom: 4, maxZoom: 20, tapTolerance: 15 });
  map.attributionControl.setPrefix("");
  if (config.basemap.url) {
    // Tiles are not kept offline: with no connection the wilayah boundaries are the map.
    const basemap = L.tileLayer(config.basemap.url, { attribution: config.basemap.attribution,
      maxZoom: 20, maxNativeZoom: 19 });
    let loaded = 0;
    let failed = 0;
    basemap.on("tileload", () => { loaded += 1; });
    basemap.on("tileerror", () => { failed += 1; if (failed >= 8 && !loaded) map.removeLayer(basemap); });
    basemap.addTo(map);
  }
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);

  const bounds = config.areas.map((a) => [[a.bbox[1], a.bbox[0]], [a.bbox[3], a.bbox[2]]]);
  if (bounds.length) map.fitBounds(L.latLngBounds(bounds.flat()), { padding: [8, 8], animate: false });
  else map.setView([-2.5, 118], 5);

  const boundaries = L.geoJSON(null, {
    style: (f) => ({ color: f.properties.level === 4 ? "#0f766e" : "#334155", weight: f.properties.level === 4 ? 1.5 : 2.5,
      fill: false, interactive: false }),
  }).addTo(map);
  const assets = L.geoJSON(null, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 4, weight: 1, color: "#fff",
      fillColor: f.properties.color || "#475569", fillOpacity: 0.9, interactive: false }),
    style: (f) => ({ color: f.properties.color || "#475569", weight: 2, interactive: false }),
  }).addTo(map);

  const recorded = L.layerGroup().addTo(map);

  const pinIcon = L.divIcon({ className: "fd-pin", html: "<span></span>", iconSize: [28, 40], iconAnchor: [14, 40] });
  let pin = null;
  let accuracyCircle = null;

  function setPin(latlng, { accuracy = null, source = "manual", pan = true } = {}) {
    if (!pin) {
      pin = L.marker(latlng, { icon: pinIcon, draggable: true, keyboard: true, zIndexOffset: 1000 }).addTo(map);
      pin.on("dragend", () => {
        if (accuracyCircle) { accuracyCircle.remove(); accuracyCircle = null; }
        onPin(pin.getLatLng(), { source: "manual", accuracy: null });
      });
    } else pin.setLatLng(latlng);
    if (accuracyCircle) { accuracyCircle.remove(); accuracyCircle = null; }
    if (accuracy) {
      accuracyCircle = L.circle(latlng, { radius: accuracy, color: "#2563eb", weight: 1, fillOpacity: 0.1,
        interactive: false }).addTo(map);
    }
    if (pan) map.setView(latlng, Math.max(map.getZoom(), 17));
    onPin(L.latLng(latlng), { source, accuracy });
  }

  function clearPin() {
    if (pin) { pin.remove(); pin = null; }
    if (accuracyCircle) { accuracyCircle.remove(); accuracyCircle = null; }
  }

  map.on("click", (event) => setPin(event.latlng, { source: "manual", pan: false }));

  return {
    map,
    setPin,
    clearPin,
    pin: () => (pin ? pin.getLatLng() : null),
    showBoundaries(collection) { if (collection) boundaries.addData(collection); },
    showAssets(collection) { if (collection) assets.addData(collection); },
    // The officer's own records on this phone: hollow while waiting, filled once sent, red
    // when refused.
    showRecords(records) {
      recorded.clearLayers();
      for (const r of records) {
        const [lng, lat] = r.feature.geometry.coordinates;
        const colour = r.state === "refused" ? "#b91c1c" : "#0f766e";
        L.circleMarker([lat, lng], { radius: 5, weight: 2, color: colour, interactive: false,
          fillColor: r.state === "sent" ? colour : "#fff", fillOpacity: 1 }).addTo(recorded);
      }
    },
  };
}
