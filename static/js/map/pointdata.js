// The binary answer of /api/layers/<slug>/points?f=bin (layers/api/points_binary.py) as typed
// arrays: no JSON parsing and no object per point. 100,000 points decode in a few ms.
//
//   "SIGP" | uint32 header length | header JSON (padded to 8) | columns (little-endian)

const TYPES = {
  int32: Int32Array, float64: Float64Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array,
};

// → {count, truncated, ids, x, y: Int32Array of micro-degrees (longitude, latitude), scale
//    (their unit in degrees), columns: {name: {codes: typed array, values: [distinct values]}}}.
// No copy is made: the arrays are views of the answer (the points layer projects them as
// they are: a pass over 100,000 points to make degrees first cost ~20 ms).
export function decodePoints(buffer) {
  const head = new DataView(buffer, 0, 8);
  if (head.getUint32(0) !== 0x53494750) throw new Error("not a SIG points answer"); // "SIGP"
  const length = head.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, length)));
  const start = 8 + length;
  const n = header.count;
  const out = { count: n, truncated: Boolean(header.truncated), scale: header.scale, columns: {} };
  for (const column of header.columns) {
    const Type = TYPES[column.type];
    if (!Type) throw new Error(`unknown column type ${column.type}`);
    const array = new Type(buffer, start + column.offset, n);
    if (column.values) out.columns[column.name] = { codes: array, values: column.values };
    else if (column.name === "id") out.ids = array;
    else out[column.name] = array; // x, y
  }
  return out;
}

// The palette index of each point, from the column `key` the palette is chosen by (see
// paletteOf in layers.js): index(props) is asked once per distinct value, not once per point.
export function colourIndex(data, index, key) {
  const colour = new Uint8Array(data.count);
  const column = key && data.columns[key];
  if (!column) return colour.fill(index({}));
  const table = Uint8Array.from(column.values, (v) => index({ [key]: v }));
  const codes = column.codes;
  for (let i = 0; i < data.count; i++) colour[i] = table[codes[i]];
  return colour;
}

// Longitudes and latitudes in degrees ({lng, lat}: Float64Array), made on first use only
// (tests, scripts): drawing works from the micro-degrees.
export function degrees(data) {
  if (!data.degrees) {
    const lng = new Float64Array(data.count);
    const lat = new Float64Array(data.count);
    for (let i = 0; i < data.count; i++) {
      lng[i] = data.x[i] * data.scale;
      lat[i] = data.y[i] * data.scale;
    }
    data.degrees = { lng, lat };
  }
  return data.degrees;
}

// One point as the popup and the editor know features: {id, properties, partial}.
export function featureAt(data, i) {
  const properties = {};
  for (const [name, column] of Object.entries(data.columns)) properties[name] = column.values[column.codes[i]];
  return { id: data.ids[i], properties, partial: true };
}

// Every point as a feature object, made only when asked for (tests, scripts).
export function allFeatures(data) {
  const features = new Array(data.count);
  for (let i = 0; i < data.count; i++) features[i] = featureAt(data, i);
  return features;
}
