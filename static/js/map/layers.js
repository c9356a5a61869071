// One controller per catalogue layer: it chooses tiles or GeoJSON, styles features from the
// legend colours, applies the filters and answers "what is here?" for popups.
//
//   wilayah, pola-ruang, generic lines/polygons, asset lines/polygons → vector tiles (heavy
//     geometry, drawn by the browser from compact, cacheable tiles);
//   asset points, complaints, generic points → the whole layer's points as typed arrays (ids,
//     x, y and the properties they are coloured by; /api/layers/<slug>/points?f=bin, by view
//     only when the layer is too big for one answer) drawn on one canvas, so a pan only
//     redraws; a clicked point's GeoJSON feature is fetched for its popup. 100,000 points
//     arrive and draw in well under a second.

import { GeoJsonSource, columnArrays, pointArrays } from "./geojson.js";
import { allFeatures, colourIndex, degrees, featureAt } from "./pointdata.js";
import { pointRequest } from "./pointquery.js";
import { PointCanvas } from "./points.js";
import { identify, vectorTiles } from "./tiles.js";

const L = window.L;
const FALLBACK = "#64748b";

export const PANES = { fill: ["sigFill", 250], line: ["sigLine", 410], boundary: ["sigBoundary", 420], point: ["sigPoint", 450] };

export function createPanes(map) {
  for (const [name, z] of Object.values(PANES)) {
    map.createPane(name).style.zIndex = String(z);
  }
}

function lineWeight(zoom) {
  return zoom < 11 ? 1.5 : zoom < 14 ? 2.5 : 4;
}

function wilayahStyle(props, zoom) {
  const level = Number(props.level);
  if (level <= 2) {
    const w = zoom < 9 ? 1.5 : 2.5;
    return [{ weight: w + 2.5, color: "#ffffff", opacity: 0.6, fill: false },
      { weight: w, color: "#1f2937", opacity: 0.95, fill: false }];
  }
  if (level === 3) {
    return zoom < 8 ? [] : { weight: zoom < 11 ? 1.2 : 1.8, color: "#374151", opacity: 0.9, dashArray: "7 4", fill: false };
  }
  return zoom < 10 ? [] : { weight: zoom < 12 ? 0.7 : 1, color: "#4b5563", opacity: 0.75, fill: false };
}

const HIGHLIGHT = { weight: 4, color: "#f59e0b", opacity: 1, fill: true, fillColor: "#fbbf24", fillOpacity: 0.15 };

function tileUrl(entry, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
  const qs = query.toString();
  // Braces of the {z}/{x}/{y} template must stay as they are.
  return qs ? `${entry.tiles_url}?${qs}` : entry.tiles_url;
}

class Controller {
  constructor(entry, ctx) {
    this.entry = entry;
    this.ctx = ctx;
    this.visible = false;
    this.tiles = null;
    this.points = null;
    this.source = null;
    this.pointData = null; // the decoded binary answer (pointdata.js)
    this.features = [];
    this.truncated = false;
  }

  get slug() { return this.entry.slug; }

  // Feature objects of the points: made on first use only (100,000 objects cost more than
  // the drawing), from the typed arrays of the binary answer.
  get features() {
    if (this._features === null) this._features = allFeatures(this.pointData);
    return this._features;
  }

  set features(value) { this._features = value; }

  // The points' longitudes and latitudes (degrees), for tests and scripts.
  get lng() { return this.pointData ? degrees(this.pointData).lng : this._lng; }
  set lng(value) { this._lng = value; }
  get lat() { return this.pointData ? degrees(this.pointData).lat : this._lat; }
  set lat(value) { this._lat = value; }

  show() {
    if (this.visible) return;
    this.visible = true;
    this.update();
  }

  hide() {
    if (!this.visible) return;
    this.visible = false;
    this.removeTiles();
    this.removePoints();
  }

  // Subclasses: tile parameters (null: no tiles). Point parameters (null: no points) and the
  // properties points carry come from pointquery.js (early.js), which started the opening request.
  tileParams() { return null; }
  pointParams() {
    const request = pointRequest(this.entry, this.ctx.filters());
    return request ? request.params : null;
  }
  tileStyle() { return {}; }
  pointColours() { return { palette: [FALLBACK], index: () => 0 }; }
  // The properties points are coloured by: all a point carries until it is clicked.
  pointProperties() {
    const request = pointRequest(this.entry, this.ctx.filters());
    return request ? request.properties : [];
  }

  update() {
    if (!this.visible) return;
    // Points first: their one request then leaves before a view's worth of tiles.
    const pp = this.pointParams();
    if (pp) this.ensurePoints(pp); else this.removePoints();
    const tp = this.tileBounds === null ? null : this.tileParams();
    if (tp) this.ensureTiles(tp); else this.removeTiles();
  }

  // Where the layer's tiles can hold anything for this viewer (the catalogue's tile_bounds,
  // computed when the page was made): no tile is asked for outside it, none at all when it
  // is null. Undefined (not given, or the layer was written to since): everywhere.
  get tileBounds() { return this.written ? undefined : this.entry.tile_bounds; }

  // The editor wrote to the layer: what the page was told about its data (extent, empty
  // categories) may no longer hold.
  dataChanged() { this.written = true; }

  // What the drawing depends on besides the data (e.g. colour by category or condition).
  styleKey() { return ""; }

  ensureTiles(params) {
    const url = tileUrl(this.entry, params);
    const styleKey = this.styleKey();
    if (this.tiles) {
      if (this.tiles._url !== url) this.tiles.setUrl(url);
      else if (this.tilesStyleKey !== styleKey) this.tiles.redraw();
      this.tilesStyleKey = styleKey;
      return;
    }
    this.tilesStyleKey = styleKey;
    this.tiles = vectorTiles(url, this.slug, (p, z) => this.tileStyle(p, z),
      { ...this.tileOptions(), dataExtent: this.tileBounds });
    this.tiles.on("loading", () => this.ctx.onState(this.slug, "loading"));
    this.tiles.on("load", () => this.ctx.onState(this.slug, "idle"));
    this.tiles.addTo(this.ctx.map);
  }

  tileOptions() { return { pane: PANES.fill[0] }; }

  removeTiles() {
    if (!this.tiles) return;
    this.ctx.map.removeLayer(this.tiles);
    this.tiles = null;
    this.ctx.onState(this.slug, "idle");
  }

  ensurePoints(params) {
    if (!this.points) {
      this.points = new PointCanvas({ pane: PANES.point[0], name: this.slug });
      // A mark each time the layer's points are drawn (their number in `detail.count`): the
      // "drawn" signal bench/serve --map times, from navigation start.
      this.points.on("drawn", (event) => performance.mark("sig:map-drawn", { detail: { layer: this.slug, count: event.count } }));
      this.points.addTo(this.ctx.map);
      this.source = new GeoJsonSource(this.ctx.map, this.entry.points_url, {
        limit: this.ctx.pointLimit,
        whole: true,
        binary: true,
        extra: { properties: this.pointProperties().join(",") },
        onData: (collection) => this.setFeatures(collection),
        onState: (state) => this.ctx.onState(`${this.slug}:points`, state, this.truncated),
      });
      this.source.params = params;
      this.source.start();
      return;
    }
    if (JSON.stringify(params) !== this.source.key()) this.source.setParams(params);
    else if (this.pointsStyleKey !== this.styleKey()) this.recolour();
  }

  removePoints() {
    if (!this.points) return;
    this.source.stop();
    this.ctx.map.removeLayer(this.points);
    this.points = null;
    this.source = null;
    this.pointData = null;
    this.features = [];
    this.truncated = false;
    this.ctx.onState(`${this.slug}:points`, "idle", false);
  }

  setFeatures(collection) {
    this.pointsStyleKey = this.styleKey();
    this.truncated = Boolean(collection.truncated);
    const { palette, index, key } = this.pointColours();
    if (collection.columns) { // the binary answer: typed arrays, no feature objects
      this.pointData = collection;
      this.features = null;
      const colour = colourIndex(collection, index, key);
      this.points.setPoints({ lng: collection.x, lat: collection.y, scale: collection.scale, colour, palette });
      return;
    }
    const { lng, lat, features } = collection.ids ? columnArrays(collection)
      : pointArrays(collection.features || []);
    this.pointData = null;
    this.features = features;
    this.lng = lng;
    this.lat = lat;
    const colour = new Uint8Array(features.length);
    for (let i = 0; i < features.length; i++) colour[i] = index(features[i].properties || {});
    this.points.setPoints({ lng, lat, colour, palette });
  }

  recolour() {
    this.pointsStyleKey = this.styleKey();
    if (!this.points) return;
    const { palette, index, key } = this.pointColours();
    if (this.pointData) {
      this.points.setColours(colourIndex(this.pointData, index, key), palette);
      return;
    }
    if (!this.features.length) return;
    const colour = new Uint8Array(this.features.length);
    for (let i = 0; i < this.features.length; i++) colour[i] = index(this.features[i].properties || {});
    this.points.setColours(colour, palette);
  }

  // The point at index i of the drawn arrays, as a feature.
  pointFeature(i) {
    return this.pointData ? featureAt(this.pointData, i) : this.features[i];
  }

  // [{entry, properties, id, geometry: "point"|"line"|"polygon", more}]
  identify(latlng, containerPoint) {
    const found = [];
    if (this.points) {
      const hit = this.points.hitTest(containerPoint, L.Browser.mobile ? 10 : 4);
      if (hit) {
        const feature = this.pointFeature(hit.index);
        found.push({ entry: this.entry, properties: feature.properties || {}, id: feature.id, geometry: "point", more: hit.count - 1, partial: Boolean(feature.partial) });
      }
    }
    if (this.tiles) {
      for (const hit of identify(this.tiles, latlng)) {
        found.push({ entry: this.entry, properties: hit.properties, id: hit.id, geometry: ["", "point", "line", "polygon"][hit.type] });
      }
    }
    return found;
  }
}

// A palette from legend-like entries [{value, color}]: index of a value, last = fallback.
function paletteOf(entries, key) {
  const palette = entries.map((e) => e.color || FALLBACK).concat(FALLBACK);
  const position = new Map(entries.map((e, i) => [e.value, i]));
  return { palette, key, index: (p) => position.get(p[key]) ?? entries.length };
}

class WilayahLayer extends Controller {
  tileParams() { return {}; }
  tileOptions() { return { pane: PANES.boundary[0], getFeatureId: (f) => f.properties.code }; }
  tileStyle(p, z) { return wilayahStyle(p, z); }

  highlight(code) {
    if (!this.tiles) return;
    if (this.highlighted) this.tiles.resetFeatureStyle(this.highlighted);
    this.highlighted = code;
    if (code) this.tiles.setFeatureStyle(code, HIGHLIGHT);
  }

  update() {
    super.update();
    if (this.tiles && this.highlighted) this.tiles.setFeatureStyle(this.highlighted, HIGHLIGHT);
  }
}

class LandUseLayer extends Controller {
  tileParams() { return {}; }
  tileStyle(p, z) {
    const colour = p.color || FALLBACK;
    return { fill: true, fillColor: colour, fillOpacity: z < 14 ? 0.42 : 0.3, color: colour, weight: z < 12 ? 0.5 : 1, opacity: 0.9 };
  }
}

class AssetLayer extends Controller {
  constructor(entry, ctx) {
    super(entry, ctx);
    const legend = entry.legend || [];
    // Lines and polygons come as tiles; a category with nothing to show asks for none.
    this.otherSlugs = legend.filter((c) => c.geometry !== "point" && !c.empty).map((c) => c.value);
    this.colours = Object.fromEntries(legend.map((c) => [c.value, c.color]));
  }

  dataChanged() {
    super.dataChanged();
    // A category that was empty may not be any more.
    this.otherSlugs = (this.entry.legend || []).filter((c) => c.geometry !== "point").map((c) => c.value);
  }

  common() {
    const f = this.ctx.filters();
    return { condition: f.condition, area: f.area };
  }

  // The category filter picks the half it belongs to; the other half shows nothing.
  categories(slugs) {
    const chosen = this.ctx.filters().asset_category;
    if (!chosen) return slugs.join(",");
    return slugs.includes(chosen) ? chosen : null;
  }

  tileParams() {
    const category = this.categories(this.otherSlugs);
    return category ? { category, ...this.common() } : null;
  }

  styleKey() { return this.ctx.colourBy(); }

  colourOf(p) {
    if (this.ctx.colourBy() === "condition") return this.ctx.conditionColours[p.condition] || FALLBACK;
    return p.color || this.colours[p.category] || FALLBACK;
  }

  tileStyle(p, z) {
    const colour = this.colourOf(p);
    const boost = p.kelas === "arteri" ? 1.5 : p.kelas === "kolektor" ? 0.75 : 0;
    return { color: colour, weight: lineWeight(z) + boost, opacity: 0.95, fill: true, fillColor: colour, fillOpacity: 0.35, lineCap: "round" };
  }

  tileOptions() { return { pane: PANES.line[0] }; }

  pointColours() {
    if (this.ctx.colourBy() === "condition") return paletteOf(this.ctx.config.conditions, "condition");
    return paletteOf(this.entry.legend.filter((c) => c.geometry === "point"), "category");
  }
}

class ComplaintLayer extends Controller {
  pointColours() { return paletteOf(this.ctx.config.statuses, "status"); }
}

class GenericLayer extends Controller {
  get colour() { return (this.entry.style || {}).color || "#7c3aed"; }
  isPoint() { return ["point", "multipoint"].includes((this.entry.geometry_type || "").toLowerCase()); }
  tileParams() { return this.isPoint() ? null : {}; }
  tileOptions() {
    const line = (this.entry.geometry_type || "").toLowerCase().includes("line");
    return { pane: line ? PANES.line[0] : PANES.fill[0] };
  }
  tileStyle(p, z) {
    const style = this.entry.style || {};
    return {
      color: this.colour, weight: style.weight || (z < 12 ? 1 : 1.5), opacity: 0.9,
      fill: true, fillColor: style.fillColor || this.colour, fillOpacity: style.fillOpacity ?? 0.3,
    };
  }
  pointColours() { return { palette: [this.colour], index: () => 0 }; }
}

// A raster layer: PNG image tiles the server draws (rio-tiler; colour ramp or class colours,
// as the legend says) under the vector layers. It has cells, not features: nothing to identify.
class RasterLayer extends Controller {
  tileParams() { return {}; }
  ensureTiles() {
    if (this.tiles) return;
    const [w, s, e, n] = this.entry.bounds || [-180, -85, 180, 85];
    this.tiles = L.tileLayer(`${this.entry.tiles_url}?v=${this.entry.data_version || 0}`, {
      pane: PANES.fill[0], opacity: 0.75, bounds: L.latLngBounds([s, w], [n, e]), maxZoom: 22,
    });
    this.tiles.on("loading", () => this.ctx.onState(this.slug, "loading"));
    this.tiles.on("load", () => this.ctx.onState(this.slug, "idle"));
    this.tiles.addTo(this.ctx.map);
  }
  identify() { return []; }
}

const KINDS = {
  raster: RasterLayer,
  admin_areas: WilayahLayer,
  land_use: LandUseLayer,
  assets: AssetLayer,
  complaints: ComplaintLayer,
  generic: GenericLayer,
};

export function createController(entry, ctx) {
  const Kind = KINDS[entry.kind] || GenericLayer;
  return new Kind(entry, ctx);
}
