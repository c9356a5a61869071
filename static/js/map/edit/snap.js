// Snap targets: the map draws features from vector tiles and a points canvas, which Geoman
// cannot snap to, so while editing at a close zoom the visible editable layers' GeoJSON of the
// view is fetched and kept on the map as faint vectors Geoman snaps to (pmIgnore: never edited
// or cut; snapIgnore: false: still a snap target).

import { debounce } from "../dom.js";

const L = window.L;
const STYLE = { color: "#475569", weight: 1, opacity: 0.55, fill: false, dashArray: "2 3" };
const LIMIT = 2000;

export class SnapTargets {
  // layers(): the catalogue entries to snap to; exclude(): {slug, id} of the edited feature.
  constructor(map, { layers, exclude, minZoom = 15, pane }) {
    this.map = map;
    this.layers = layers;
    this.exclude = exclude;
    this.minZoom = minZoom;
    this.pane = pane;
    this.group = null;
    this.controller = null;
    this.active = false;
    this._refresh = debounce(() => this.refresh(), 250);
  }

  start() {
    if (this.active) return;
    this.active = true;
    this.map.on("moveend", this._refresh);
    this.refresh();
  }

  stop() {
    this.active = false;
    this.map.off("moveend", this._refresh);
    this._refresh.cancel();
    if (this.controller) this.controller.abort();
    this.clearLayer();
  }

  clearLayer() {
    if (this.group) this.map.removeLayer(this.group);
    this.group = null;
  }

  async refresh() {
    if (!this.active) return;
    if (this.controller) this.controller.abort();
    if (this.map.getZoom() < this.minZoom) { this.clearLayer(); return; }
    const controller = new AbortController();
    this.controller = controller;
    const b = this.map.getBounds().pad(0.2);
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
    const skip = this.exclude() || {};
    try {
      const answers = await Promise.all(this.layers().map(async (entry) => {
        const response = await fetch(`${entry.geojson_url}?bbox=${bbox}&limit=${LIMIT}`,
          { credentials: "same-origin", signal: controller.signal, headers: { Accept: "application/geo+json" } });
        if (!response.ok) return [];
        const collection = await response.json();
        return (collection.features || []).filter((f) => !(entry.slug === skip.slug && String(f.id) === String(skip.id)));
      }));
      if (controller.signal.aborted || !this.active) return;
      this.clearLayer();
      this.group = L.geoJSON({ type: "FeatureCollection", features: answers.flat() }, {
        pmIgnore: true, snapIgnore: false, interactive: false, pane: this.pane, style: () => STYLE,
        pointToLayer: (_f, latlng) => L.circleMarker(latlng, { radius: 3, ...STYLE, fill: true, fillOpacity: 0.4,
          pmIgnore: true, snapIgnore: false, interactive: false, pane: this.pane }),
      }).addTo(this.map);
    } catch {
      // Aborted by a newer view, or offline: editing works without snap targets.
    }
  }
}
