// Point layers from GeoJSON, drawn on one canvas from typed arrays.
//
// Why not L.circleMarker or markercluster: with 100,000 points Leaflet creates 100,000 layer
// objects; measured here that costs seconds to draw and (for canvas circles) most of a second
// on every pan. This layer keeps projected coordinates in Float64Arrays and a colour index in
// a Uint8Array, stamps each colour's pre-rendered dot, and answers clicks by a linear scan
// (about a millisecond for 100k). Features stay as plain objects for popups and, later, editing.
// The canvas is an ImageData buffer written pixel by pixel (see stamp()); the canvas padding
// (10 % each side) keeps points near the edge visible while a pan is being dragged.

const L = window.L;
const TILE = 256;
const MAX_SIN = Math.sin((85.0511287798 * Math.PI) / 180);

export function radiusFor(zoom) {
  return zoom < 11 ? 3 : zoom < 13 ? 3.5 : zoom < 15 ? 5 : 6.5;
}

// A dot of one colour with a white ring, as the pixels to set: offsets from its top-left
// corner in a row of `width` pixels and their 32-bit RGBA values. Drawn by canvas once (so it
// is round), then stamped into an ImageData buffer for every point: setting a few dozen
// integers per point is ~10x faster than drawImage or arc() for 100,000 points.
function stamp(color, radius, ratio, width) {
  const r = radius * ratio;
  const ring = Math.max(1, ratio);
  const size = Math.ceil(2 * (r + ring)) + 1;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext("2d");
  ctx.beginPath();
  ctx.arc(size / 2, size / 2, r, 0, 2 * Math.PI);
  ctx.fillStyle = color;
  ctx.fill();
  if (ring) {
    ctx.lineWidth = ring;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
  }
  const pixels = new Uint32Array(ctx.getImageData(0, 0, size, size).data.buffer);
  const offsets = [];
  const values = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = pixels[y * size + x];
      // Opaque where the dot covers at least half the pixel (no blending: it would double
      // the cost, and at 3–7 px the edge is not visible).
      if (v >>> 24 >= 128) {
        offsets.push(y * width + x);
        values.push((v | 0xff000000) >>> 0);
      }
    }
  }
  return { size, half: size / 2, offsets: Int32Array.from(offsets), values: Uint32Array.from(values) };
}

// A bubble's count, short, as Intl's compact notation writes it ("1,2 rb", "1.2K"). Written
// out here: making that Intl formatter costs ~30 ms, which the first drawing waited for.
const ENGLISH = document.documentElement.lang === "en";
export function shortCount(n) {
  let value = n;
  let unit = 0;
  while (unit < 2 && Math.round(value * 10) / 10 >= 1000) {
    value /= 1000;
    unit += 1;
  }
  if (!unit) return String(n);
  const text = String(Math.round(value * 10) / 10);
  return ENGLISH ? text + ["", "K", "M"][unit] : `${text.replace(".", ",")}\u00a0${["", "rb", "jt"][unit]}`;
}

export const PointCanvas = L.Layer.extend({
  // Clustering: below `clusterBelow` zoom, when more than `clusterMin` points are in view,
  // points sharing a cell of `cell` px (a grid fixed to the world, so clusters do not jump
  // while panning) are drawn as one bubble with their count; lone points stay points.
  options: { pane: "overlayPane", padding: 0.1, clusterBelow: 14, clusterMin: 1500, cell: 56 },

  initialize(options) {
    L.setOptions(this, options);
    this._n = 0;
    this._x = new Float64Array(0);
    this._y = new Float64Array(0);
    this._colour = new Uint8Array(0);
    this._palette = [];
    this._order = new Uint32Array(0);
    this._rank = new Uint32Array(0);
  },

  // points: {lng, lat: typed arrays of degrees × `scale` (the binary answer's micro-degrees
  // are projected as they are, without a pass to make degrees first), colour: Uint8Array,
  // palette: [css colour]}
  setPoints({ lng, lat, scale = 1, colour, palette }) {
    const n = lng.length;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    // Web Mercator in pixels of zoom 0, as Leaflet's SphericalMercator (the sine form). Written
    // out, without helper calls: this loop runs once over 100,000 points, mostly before the
    // JIT has compiled it, where every call counts.
    const kx = (scale * TILE) / 360;
    const ky = (scale * Math.PI) / 180;
    const my = TILE / (4 * Math.PI);
    for (let i = 0; i < n; i++) {
      x[i] = lng[i] * kx + TILE / 2;
      let s = Math.sin(lat[i] * ky);
      if (s > MAX_SIN) s = MAX_SIN;
      else if (s < -MAX_SIN) s = -MAX_SIN;
      y[i] = TILE / 2 - Math.log((1 + s) / (1 - s)) * my;
    }
    this._n = n;
    this._x = x;
    this._y = y;
    this.setColours(colour, palette);
    return this;
  },

  // Draw order: grouped by colour (one stamp per run), rarer colours last so they stay visible.
  setColours(colour, palette) {
    this._colour = colour;
    this._palette = palette;
    const n = this._n;
    const counts = new Uint32Array(palette.length);
    for (let i = 0; i < n; i++) counts[colour[i]]++;
    const byCount = [...counts.keys()].sort((a, b) => counts[b] - counts[a]);
    const start = new Uint32Array(palette.length);
    let offset = 0;
    for (const c of byCount) { start[c] = offset; offset += counts[c]; }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[start[colour[i]]++] = i;
    this._order = order;
    this._rank = new Uint32Array(palette.length); // a colour's place in the drawing order
    byCount.forEach((c, place) => { this._rank[c] = place; });
    this._stamps = null;
    if (this._map) this._draw();
    return this;
  },

  onAdd() {
    this._canvas = L.DomUtil.create("canvas", "sig-points leaflet-zoom-animated");
    if (this.options.name) this._canvas.dataset.layer = this.options.name;
    this.getPane().appendChild(this._canvas);
    this._ctx = this._canvas.getContext("2d");
    this._reset();
  },

  onRemove() {
    L.DomUtil.remove(this._canvas);
    this._canvas = null;
  },

  getEvents() {
    const events = { viewreset: this._reset, zoom: this._onZoom, moveend: this._reset };
    if (this._zoomAnimated) events.zoomanim = this._onAnimZoom;
    return events;
  },

  _onAnimZoom(ev) { this._updateTransform(ev.center, ev.zoom); },
  _onZoom() { this._updateTransform(this._map.getCenter(), this._map.getZoom()); },

  // As L.Renderer does: scale and move the last drawing while a zoom animates.
  _updateTransform(center, zoom) {
    const map = this._map;
    const scale = map.getZoomScale(zoom, this._zoom);
    const viewHalf = map.getSize().multiplyBy(0.5 + this.options.padding);
    const centerPoint = map.project(this._center, zoom);
    const offset = viewHalf.multiplyBy(-scale).add(centerPoint)
      .subtract(map._getNewPixelOrigin(center, zoom));
    L.DomUtil.setTransform(this._canvas, offset, scale);
  },

  _reset() {
    const map = this._map;
    if (!map || !this._canvas) return;
    const pad = this.options.padding;
    const size = map.getSize();
    const min = map.containerPointToLayerPoint(size.multiplyBy(-pad)).round();
    const full = size.multiplyBy(1 + pad * 2).round();
    this._min = min;
    this._size = full;
    this._center = map.getCenter();
    this._zoom = map.getZoom();
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    this._ratio = ratio;
    L.DomUtil.setPosition(this._canvas, min);
    this._canvas.width = Math.round(full.x * ratio);
    this._canvas.height = Math.round(full.y * ratio);
    this._canvas.style.width = `${full.x}px`;
    this._canvas.style.height = `${full.y}px`;
    this._draw();
  },

  _draw() {
    if (!this._canvas) return;
    const canvas = this._canvas;
    if (!this._n) {
      // Nothing to draw (before the points arrive, or a filter left none): no pixel buffer
      // or stamps to make (~20 ms for a screenful of canvas).
      this._ctx.clearRect(0, 0, canvas.width, canvas.height);
      this._clusters = [];
      canvas.dataset.drawn = "0";
      this.fire("drawn", { count: 0 });
      return;
    }
    const width = canvas.width;
    const height = canvas.height;
    if (!this._image || this._image.width !== width || this._image.height !== height) {
      this._image = this._ctx.createImageData(width, height);
      this._pixels = new Uint32Array(this._image.data.buffer);
      this._stamps = null;
    } else if (this._dirty) {
      // Only what the last drawing stamped is not blank.
      const { x, y, w, h } = this._dirty;
      for (let row = y; row < y + h; row++) this._pixels.fill(0, row * width + x, row * width + x + w);
    }
    this._dirty = null;
    const ratio = this._ratio;
    const radius = radiusFor(this._zoom);
    if (!this._stamps || this._stampRadius !== radius) {
      this._stamps = this._palette.map((c) => stamp(c, radius, ratio, width));
      this._stampRadius = radius;
    }
    const scale = (this._map.options.crs.scale(this._zoom) / TILE) * ratio;
    const origin = this._map.getPixelOrigin().add(this._min).multiplyBy(ratio);
    this._clusters = [];
    const grid = this._zoom < this.options.clusterBelow ? this._bin(scale, origin, width, height) : null;
    const clustered = grid && grid.visible > this.options.clusterMin;
    this._dirty = this._stampAll(scale, origin, width, height, clustered ? this._alone(grid) : this._order);
    // Only the rectangle holding stamped points is copied: clustered, that is a few lone points.
    this._ctx.clearRect(0, 0, width, height);
    if (this._dirty) {
      const { x, y, w, h } = this._dirty;
      this._ctx.putImageData(this._image, 0, 0, x, y, w, h);
    }
    if (clustered) this._drawClusters(grid, ratio);
    // "Drawn" for scripts and tests (bench/_serve_map.py): how many points this drawing had.
    canvas.dataset.drawn = String(this._n);
    this.fire("drawn", { count: this._n });
  },

  // Counts per grid cell (device pixels), with the sum of positions for the bubble's place.
  _bin(scale, origin, width, height) {
    const cell = this.options.cell * this._ratio;
    const col0 = Math.floor(origin.x / cell);
    const row0 = Math.floor(origin.y / cell);
    const cols = Math.ceil(width / cell) + 2;
    const rows = Math.ceil(height / cell) + 2;
    const count = new Uint32Array(cols * rows);
    const sumX = new Float64Array(cols * rows);
    const sumY = new Float64Array(cols * rows);
    const last = new Int32Array(cols * rows); // a cell's last point: its only one when alone
    const { _x: xs, _y: ys } = this;
    const n = this._n;
    const ox = origin.x;
    const oy = origin.y;
    let visible = 0;
    for (let i = 0; i < n; i++) {
      const wx = xs[i] * scale;
      const wy = ys[i] * scale;
      const x = wx - ox;
      const y = wy - oy;
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      // World pixels are positive (and below 2^31): `| 0` is the floor.
      const key = (((wy / cell) | 0) - row0) * cols + (((wx / cell) | 0) - col0);
      count[key]++;
      sumX[key] += x;
      sumY[key] += y;
      last[key] = i;
      visible++;
    }
    return { cell, cols, count, sumX, sumY, last, visible, col0, row0, origin, scale };
  },

  // The points alone in their cell (drawn as points, not bubbles), in the drawing order.
  _alone(grid) {
    const alone = [];
    for (let key = 0; key < grid.count.length; key++) {
      if (grid.count[key] === 1) alone.push(grid.last[key]);
    }
    const { _colour: colour, _rank: rank } = this;
    return alone.sort((a, b) => rank[colour[a]] - rank[colour[b]] || a - b);
  },

  // Stamps the points `indices` (in that order) that are in view; the rectangle of the pixels
  // set ({x, y, w, h}), or null when none were.
  _stampAll(scale, origin, width, height, indices) {
    const pixels = this._pixels;
    const ox = origin.x;
    const oy = origin.y;
    const { _x: xs, _y: ys, _colour: colour } = this;
    const count = indices.length;
    let current = -1;
    let st = null;
    let maxX = 0;
    let maxY = 0;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let size = 0;
    for (let k = 0; k < count; k++) {
      const i = indices[k];
      if (colour[i] !== current) {
        current = colour[i];
        st = this._stamps[current];
        maxX = width - st.size;
        maxY = height - st.size;
        if (st.size > size) size = st.size;
      }
      const x = Math.round(xs[i] * scale - ox - st.half);
      const y = Math.round(ys[i] * scale - oy - st.half);
      if (x < 0 || y < 0 || x > maxX || y > maxY) continue;
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
      const base = y * width + x;
      const offsets = st.offsets;
      const values = st.values;
      for (let j = 0; j < offsets.length; j++) pixels[base + offsets[j]] = values[j];
    }
    if (x1 < 0) return null;
    return { x: x0, y: y0, w: Math.min(width - x0, x1 - x0 + size), h: Math.min(height - y0, y1 - y0 + size) };
  },

  _drawClusters(grid, ratio) {
    const ctx = this._ctx;
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.font = `600 ${11 * ratio}px system-ui, sans-serif`;
    for (let key = 0; key < grid.count.length; key++) {
      const n = grid.count[key];
      if (n < 2) continue;
      const x = grid.sumX[key] / n;
      const y = grid.sumY[key] / n;
      const r = (11 + 3.5 * Math.log10(n)) * ratio;
      ctx.beginPath();
      ctx.arc(x, y, r + 3 * ratio, 0, 2 * Math.PI);
      ctx.fillStyle = "rgba(11,110,79,0.25)";
      ctx.fill();
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = "#0b6e4f";
      ctx.fill();
      ctx.lineWidth = 1.5 * ratio;
      ctx.strokeStyle = "#ffffff";
      ctx.stroke();
      ctx.fillStyle = "#ffffff";
      ctx.fillText(shortCount(n), x, y + 0.5 * ratio);
      // In layer points (CSS pixels), for clicks.
      this._clusters.push({ x: x / ratio + this._min.x, y: y / ratio + this._min.y, r: r / ratio, n });
    }
    ctx.restore();
  },

  // A cluster bubble under a container pixel: {latlng, count} or null.
  clusterAt(containerPoint) {
    if (!this._map || !this._clusters || !this._clusters.length) return null;
    const p = this._map.containerPointToLayerPoint(containerPoint);
    for (const c of this._clusters) {
      const dx = c.x - p.x;
      const dy = c.y - p.y;
      if (dx * dx + dy * dy <= (c.r + 3) * (c.r + 3)) {
        return { latlng: this._map.layerPointToLatLng([c.x, c.y]), count: c.n };
      }
    }
    return null;
  },

  redraw() { if (this._map) this._draw(); return this; },

  // The points under a container pixel: {index of the nearest, count within tolerance}.
  hitTest(containerPoint, tolerance = 4) {
    if (!this._map || !this._n) return null;
    const scale = this._map.options.crs.scale(this._map.getZoom()) / TILE;
    const p = this._map.containerPointToLayerPoint(containerPoint).add(this._map.getPixelOrigin());
    const r = radiusFor(this._map.getZoom()) + tolerance;
    const r2 = r * r;
    let best = -1;
    let bestD = Infinity;
    let count = 0;
    for (let i = 0; i < this._n; i++) {
      const dx = this._x[i] * scale - p.x;
      if (dx > r || dx < -r) continue;
      const dy = this._y[i] * scale - p.y;
      const d = dx * dx + dy * dy;
      if (d <= r2) {
        count++;
        if (d < bestD) { bestD = d; best = i; }
      }
    }
    return best < 0 ? null : { index: best, count };
  },
});

