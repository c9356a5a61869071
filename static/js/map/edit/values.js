// Features between the read API and the editor: the read format (GeoJSON of the map and the
// OGC API) names a few things differently from the editing format (docs/editing-api.md); the
// editor works in the editing format. Also how values are shown in the conflict table.

const LANG = document.documentElement.lang || "id";
const numbers = new Intl.NumberFormat(LANG === "id" ? "id-ID" : LANG, { maximumFractionDigits: 2 });

export function normalise(feature, kind) {
  const p = { ...(feature.properties || {}) };
  if (kind === "land_use" && p.land_use_class === undefined && p.class_code !== undefined) p.land_use_class = p.class_code;
  if (p.area_name === undefined && p.desa) p.area_name = p.desa;
  if (kind === "generic" && p.properties && typeof p.properties === "object") {
    const nested = p.properties;
    delete p.properties;
    for (const [k, v] of Object.entries(nested)) if (!(k in p)) p[k] = v;
  }
  return { ...feature, properties: p };
}

// "point" | "line" | "polygon" from a schema's or layer's geometry type ("MultiPolygon"…).
export function plainKind(type) {
  const t = String(type || "").toLowerCase();
  return t.includes("point") ? "point" : t.includes("line") ? "line" : t.includes("polygon") ? "polygon" : "";
}

export function display(field, value, s) {
  if (value === null || value === undefined || value === "") return "—";
  if (field && field.type === "choice") {
    const hit = (field.choices || []).find((c) => String(Array.isArray(c) ? c[0] : c) === String(value));
    if (hit) return String(Array.isArray(hit) ? hit[1] : hit);
  }
  if (typeof value === "boolean") return value ? s.yes : s.no;
  if (typeof value === "number") return numbers.format(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function measures(props, s) {
  const out = [];
  const ha = Number(props.area_ha);
  const m = Number(props.length_m);
  if (props.area_ha !== null && props.area_ha !== undefined && Number.isFinite(ha) && ha > 0) {
    out.push(s.areaHa.replace("%(ha)s", numbers.format(ha)));
  }
  if (props.length_m !== null && props.length_m !== undefined && Number.isFinite(m) && m > 0) {
    out.push(s.lengthM.replace("%(m)s", numbers.format(m)));
  }
  return out;
}

// Geometries compared at ~1 cm: the server may round what it stores.
export function sameGeometry(a, b) {
  const round = (c) => (Array.isArray(c) ? c.map(round) : Math.round(c * 1e7) / 1e7);
  // A multi geometry of one part is that part (the server promotes to multi).
  const single = (g) => (g.type.startsWith("Multi") && g.coordinates.length === 1 ? g.coordinates[0] : g.coordinates);
  if (!a || !b) return !a && !b;
  return JSON.stringify(round(single(a))) === JSON.stringify(round(single(b)));
}
