// GeoJSON for the view: `?bbox=` of the view (padded and snapped, so a small pan needs no new
// request and repeated requests hit the HTTP cache), refetched on moveend after a pause, the
// previous request aborted. A complete answer for a larger box is reused while the view stays
// inside it.
//
// `whole: true` (point layers) first asks for the whole layer (no bbox): when it fits within
// the limit, it is held and no pan or zoom asks again until the parameters change; when it does
// not, the source falls back to boxes. `binary: true` reads the typed-array answer
// (pointdata.js) instead of JSON. A request early.js already started is taken, not repeated.

import { decodePoints } from "./pointdata.js";
import { sourceUrl, takeEarly } from "./pointquery.js";

function snapOut(bounds, zoom) {
  // A grid of a quarter tile at this zoom, in degrees (coarser when zoomed out).
  const step = 360 / 2 ** Math.max(0, Math.floor(zoom)) / 4;
  const down = (v) => Math.floor(v / step) * step;
  const up = (v) => Math.ceil(v / step) * step;
  const r = (v) => Math.round(v * 1e5) / 1e5;
  return [
    r(Math.max(-180, down(bounds.getWest()))), r(Math.max(-90, down(bounds.getSouth()))),
    r(Math.min(180, up(bounds.getEast()))), r(Math.min(90, up(bounds.getNorth()))),
  ];
}

function contains(box, bounds) {
  return box[0] <= bounds.getWest() && box[1] <= bounds.getSouth()
    && box[2] >= bounds.getEast() && box[3] >= bounds.getNorth();
}

export class GeoJsonSource {
  // onData({features, truncated}) after each answer; onState("loading"|"idle"|"error").
  constructor(map, url, { limit, onData, onState, extra = {}, debounceMs = 250, whole = false, binary = false }) {
    this.map = map;
    this.whole = whole;
    this.binary = binary;
    this.tooMany = new Set(); // parameter keys whose whole layer exceeds the limit
    this.url = url;
    this.limit = limit;
    this.extra = extra;
    this.onData = onData;
    this.onState = onState || (() => {});
    this.params = {};
    this.debounceMs = debounceMs;
    this.timer = 0;
    this.controller = null;
    this.loaded = null; // {box (null: the whole layer), key, truncated}
    this.schedule = this.schedule.bind(this);
  }

  start() {
    this.map.on("moveend", this.schedule);
    this.refresh();
  }

  stop() {
    this.map.off("moveend", this.schedule);
    clearTimeout(this.timer);
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.loaded = null;
  }

  setParams(params) {
    this.params = params;
    this.refresh();
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), this.debounceMs);
  }

  key() {
    return JSON.stringify(this.params);
  }

  refresh() {
    clearTimeout(this.timer);
    const view = this.map.getBounds();
    const key = this.key();
    // The last complete answer covers this view: nothing to ask.
    if (this.loaded && this.loaded.key === key && !this.loaded.truncated
        && (this.loaded.box === null || contains(this.loaded.box, view))) return;
    const whole = this.whole && !this.tooMany.has(key);
    const box = whole ? null : snapOut(view.pad(0.5), this.map.getZoom());
    const url = sourceUrl(this.url, { box, limit: this.limit, extra: this.extra, params: this.params, binary: this.binary });
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.onState("loading");
    (takeEarly(url) || fetch(url, { signal: controller.signal, credentials: "same-origin" }))
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return this.binary ? response.arrayBuffer().then(decodePoints) : response.json();
      })
      .then((collection) => {
        if (controller.signal.aborted) return;
        this.controller = null;
        if (whole && collection.truncated) {
          // More than one answer may carry: ask by view from now on.
          this.tooMany.add(key);
          this.refresh();
          return;
        }
        this.loaded = { box, key, truncated: Boolean(collection.truncated) };
        this.onData(collection);
        this.onState("idle");
      })
      .catch((error) => {
        if (error.name === "AbortError") return;
        this.controller = null;
        this.onState("error");
      });
  }
}

// Point features → typed arrays for PointCanvas; other geometries are left out (lines and
// polygons of these layers come as tiles).
export function pointArrays(features) {
  const n = features.length;
  const lng = new Float64Array(n);
  const lat = new Float64Array(n);
  const kept = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    const g = features[i].geometry;
    if (!g) continue;
    if (g.type === "Point") {
      lng[k] = g.coordinates[0];
      lat[k] = g.coordinates[1];
    } else if (g.type === "MultiPoint" && g.coordinates.length) {
      lng[k] = g.coordinates[0][0];
      lat[k] = g.coordinates[0][1];
    } else continue;
    kept.push(features[i]);
    k++;
  }
  return { lng: lng.subarray(0, k), lat: lat.subarray(0, k), features: kept };
}

// The columnar answer of /api/layers/<slug>/points → the same shape as pointArrays. Each point
// carries only the properties the map colours by; `partial` tells the popup to fetch the rest.
export function columnArrays(data) {
  const n = (data.ids || []).length;
  const lng = Float64Array.from(data.x || []);
  const lat = Float64Array.from(data.y || []);
  const columns = Object.entries(data.properties || {});
  const features = new Array(n);
  for (let i = 0; i < n; i++) {
    const properties = {};
    for (const [name, values] of columns) properties[name] = values[i];
    features[i] = { id: data.ids[i], properties, partial: true };
  }
  return { lng, lat, features };
}
