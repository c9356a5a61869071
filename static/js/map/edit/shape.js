// The geometry being edited, through Leaflet-Geoman (vendored global, loaded only for editors):
// draw a point, line or polygon; move and reshape vertices with snapping to other features;
// cut a hole. Geometries go in and out as GeoJSON (EPSG:4326).

const L = window.L;

export const EDIT_STYLE = { color: "#d97706", weight: 3, opacity: 1, fillColor: "#f59e0b", fillOpacity: 0.25 };
const SHAPES = { point: "Marker", line: "Line", polygon: "Polygon" };
const PM_OPTIONS = { snappable: true, snapDistance: 18, allowSelfIntersection: false, draggable: false };

export function kindOf(geometry) {
  const t = (geometry && geometry.type) || "";
  return t.includes("Point") ? "point" : t.includes("LineString") ? "line" : t.includes("Polygon") ? "polygon" : "";
}

// Leaves of a layer (an L.GeoJSON of a MultiPoint is a group of markers).
function leaves(layer) {
  return layer.getLayers ? layer.getLayers().flatMap(leaves) : [layer];
}

// Several parts of the same kind make one multi geometry; the server promotes to multi anyway.
function merge(geometries) {
  if (geometries.length === 1) return geometries[0];
  const kind = kindOf(geometries[0]);
  const type = { point: "MultiPoint", line: "MultiLineString", polygon: "MultiPolygon" }[kind];
  const single = { point: "Point", line: "LineString", polygon: "Polygon" }[kind];
  const coordinates = geometries.flatMap((g) => (g.type === single ? [g.coordinates] : g.coordinates));
  return { type, coordinates };
}

export class ShapeEditor {
  constructor(map, { onChange = () => {}, pane, markerLabel = "" } = {}) {
    this.map = map;
    this.markerLabel = markerLabel;
    this.onChange = onChange;
    this.pane = pane;
    this.parts = [];
    this.drawing = null;
    this.dirty = false;
    this._created = (e) => this.created(e);
    this._cut = (e) => this.cut(e);
    map.on("pm:create", this._created);
    map.on("pm:cut", this._cut);
  }

  // Replace what is edited by `geometry` (GeoJSON) and make it editable.
  load(geometry) {
    this.clear();
    if (!geometry) return;
    const group = L.geoJSON(geometry, {
      style: () => EDIT_STYLE,
      pointToLayer: (_f, latlng) => L.marker(latlng, { keyboard: true }),
    });
    for (const leaf of leaves(group)) this.adopt(leaf);
    this.dirty = false;
  }

  adopt(layer) {
    if (layer.setStyle) layer.setStyle(EDIT_STYLE);
    if (!this.map.hasLayer(layer)) layer.addTo(this.map);
    layer.pm.enable(PM_OPTIONS);
    // Vertices moved, added or removed; a marker dragged.
    layer.on("pm:edit pm:update pm:vertexremoved pm:dragend", () => this.changed());
    if (layer instanceof L.Marker) this.keyboard(layer);
    this.parts.push(layer);
  }

  // A point can be moved without a mouse: focus it (Tab) and use the arrow keys, one pixel a
  // press, ten with Shift.
  keyboard(marker) {
    const node = marker.getElement();
    if (!node || node.dataset.keys) return;
    node.dataset.keys = "1";
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", this.markerLabel);
    node.addEventListener("keydown", (event) => {
      const step = event.shiftKey ? 10 : 1;
      const move = { ArrowUp: [0, -step], ArrowDown: [0, step], ArrowLeft: [-step, 0], ArrowRight: [step, 0] }[event.key];
      if (!move) return;
      event.preventDefault();
      event.stopPropagation();
      const at = this.map.latLngToContainerPoint(marker.getLatLng()).add(L.point(move[0], move[1]));
      marker.setLatLng(this.map.containerPointToLatLng(at));
      this.changed();
    });
  }

  changed() {
    this.dirty = true;
    this.onChange();
  }

  kind() {
    return this.parts.length ? kindOf(this.parts[0].toGeoJSON().geometry) : "";
  }

  geometry() {
    if (!this.parts.length) return null;
    return merge(this.parts.map((p) => p.toGeoJSON(8).geometry));
  }

  bounds() {
    const group = L.featureGroup(this.parts);
    return this.parts.length ? group.getBounds() : null;
  }

  // Draw a new shape of `kind` ("point" | "line" | "polygon"); it replaces the current one.
  draw(kind) {
    this.stopDrawing();
    this.drawing = SHAPES[kind];
    this.map.pm.enableDraw(this.drawing, {
      ...PM_OPTIONS, continueDrawing: false, pathOptions: EDIT_STYLE,
      templineStyle: { color: EDIT_STYLE.color }, hintlineStyle: { color: EDIT_STYLE.color, dashArray: "5,5" },
      markerStyle: { draggable: true },
    });
  }

  finishDrawing() {
    const draw = this.drawing && this.map.pm.Draw[this.drawing];
    if (draw && draw._finishShape) draw._finishShape();
  }

  removeLastVertex() {
    const draw = this.drawing && this.map.pm.Draw[this.drawing];
    if (draw && draw._removeLastVertex) draw._removeLastVertex();
  }

  stopDrawing() {
    if (this.map.pm.globalDrawModeEnabled()) this.map.pm.disableDraw();
    if (this.map.pm.globalCutModeEnabled && this.map.pm.globalCutModeEnabled()) this.map.pm.disableGlobalCutMode();
    this.drawing = null;
  }

  created(event) {
    if (!this.drawing) return;
    this.drawing = null;
    this.clear();
    this.adopt(event.layer);
    this.changed();
  }

  // Cut a hole: the next polygon drawn is subtracted from the edited polygon(s) only.
  cutHole() {
    this.stopDrawing();
    this.drawing = "Cut";
    this.map.pm.enableGlobalCutMode({ layersToCut: this.parts.slice(), allowSelfIntersection: false,
      templineStyle: { color: "#b91c1c" }, hintlineStyle: { color: "#b91c1c", dashArray: "5,5" } });
  }

  cut(event) {
    const index = this.parts.indexOf(event.originalLayer);
    if (index < 0) return;
    // Geoman put the result (one layer, or a group when the cut split it) on the map.
    this.parts.splice(index, 1);
    const result = event.layer;
    if (result.getLayers) this.map.removeLayer(result);
    for (const leaf of leaves(result)) this.adopt(leaf);
    this.drawing = null;
    this.changed();
  }

  setStyle(style) {
    for (const p of this.parts) if (p.setStyle) p.setStyle(style);
  }

  // Stop editing the parts (the conflict and history views show them read-only).
  freeze(frozen) {
    for (const p of this.parts) {
      if (frozen) p.pm.disable(); else p.pm.enable(PM_OPTIONS);
    }
  }

  clear() {
    this.stopDrawing();
    for (const p of this.parts) {
      p.pm.disable();
      this.map.removeLayer(p);
    }
    this.parts = [];
    this.dirty = false;
  }

  destroy() {
    this.clear();
    this.map.off("pm:create", this._created);
    this.map.off("pm:cut", this._cut);
  }
}
