// Popup content as DOM nodes. Every value from the data is set as text (dom.el appends strings
// as text nodes; attributes are set with setAttribute), never parsed as HTML: a feature named
// `<img src=x onerror=alert(1)>` shows exactly those characters.

import { el, format, safeColour } from "./dom.js";

const LANG = document.documentElement.lang || "id";
const LOCALE = LANG === "id" ? "id-ID" : LANG;
// Made when the first popup opens, not as the page boots: the three took 30-80 ms to make,
// ahead of the map's first drawing.
const formats = {};
function formatter(name) {
  if (!formats.numbers) {
    formats.numbers = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
    formats.rupiah = new Intl.NumberFormat(LOCALE, { style: "currency", currency: "IDR", maximumFractionDigits: 0 });
    formats.dates = new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "long", year: "numeric" });
  }
  return formats[name];
}

// Properties every kind shows in its own way (not repeated among the attributes).
const SHOWN = {
  assets: ["name", "category", "category_name", "color", "icon", "condition", "year_built", "agency",
    "desa_code", "desa", "length_m", "area_ha", "attributes", "register_code", "value_idr",
    "is_verified", "is_public", "version", "id"],
  complaints: ["ticket", "category", "category_name", "description", "status", "created_at",
    "resolved_at", "due_date", "supporters", "desa_code", "desa", "agency", "version", "id"],
  land_use: ["class_code", "class_name", "color", "classification", "name", "plan_name",
    "regulation", "area_ha", "attributes", "is_verified", "is_public", "version", "id"],
  admin_areas: ["code", "name", "level", "kind", "parent_code", "area_ha", "id"],
};

function text(value, s) {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "boolean") return value ? s.yes : s.no;
  if (typeof value === "number") return formatter("numbers").format(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A measure (vector tiles carry numerics as strings): formatted when positive, else nothing.
function measure(value) {
  const n = Number(value);
  return value !== null && value !== "" && Number.isFinite(n) && n > 0 ? formatter("numbers").format(n) : null;
}

function date(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : formatter("dates").format(d);
}

function prettyKey(key) {
  const words = String(key).replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function rows(pairs) {
  const dl = el("dl", { class: "popup-fields" });
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    dl.append(el("dt", {}, label), el("dd", {}, value));
  }
  return dl.childElementCount ? dl : null;
}

function chip(label, colour) {
  return el("span", { class: "chip" }, el("span", { class: "swatch", style: { backgroundColor: safeColour(colour) } }), label);
}

// Attributes: the nested object from GeoJSON, or (from vector tiles, where PostGIS flattens a
// jsonb column into properties) every key the kind does not show itself.
function attributes(props, kind, ctx) {
  const nested = props.attributes || props.properties;
  const source = nested && typeof nested === "object" ? nested
    : Object.fromEntries(Object.entries(props).filter(([k]) => !(SHOWN[kind] || []).includes(k)));
  const labels = ctx.config.attributeLabels || {};
  return Object.entries(source)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => [labels[k] || prettyKey(k), text(v, ctx.strings)]);
}

function photos(props, s) {
  const list = Array.isArray(props.photos) ? props.photos : [];
  const safe = list
    .map((p) => (typeof p === "string" ? { url: p } : p || {}))
    .filter((p) => typeof (p.thumbnail || p.url) === "string" && /^(\/|https?:\/\/)/.test(p.thumbnail || p.url));
  if (!safe.length) return null;
  return el("div", { class: "popup-photos" }, safe.slice(0, 4).map((p) => el("a", { href: p.url || p.thumbnail, target: "_blank", rel: "noopener" },
    el("img", { src: p.thumbnail || p.url, alt: p.caption || s.photo, loading: "lazy", width: 96, height: 72 }))));
}

function adminLink(hit, ctx) {
  const template = ctx.config.urls.admin && ctx.config.urls.admin[hit.entry.kind];
  const id = Number(hit.id);
  if (!ctx.config.staff || !template || !Number.isInteger(id) || id <= 0) return null;
  return el("p", { class: "popup-admin" }, el("a", { href: template.replace("{id}", String(id)) }, ctx.strings.openAdmin));
}

function assetCard(hit, ctx) {
  const p = hit.properties;
  const s = ctx.strings;
  const condition = ctx.config.conditions.find((c) => c.value === p.condition);
  const body = [
    el("p", { class: "popup-kicker" }, p.category_name || p.category || hit.entry.name),
    el("h3", {}, p.name || p.category_name || hit.entry.name),
    condition ? chip(condition.label, condition.color) : null,
    rows([
      [s.year_built, p.year_built ? String(p.year_built) : null],
      [s.agency, text(p.agency, s)],
      [s.desa, p.desa ? `${p.desa}${p.desa_code ? ` (${p.desa_code})` : ""}` : null],
      [s.length_m, measure(p.length_m)],
      [s.area_ha, measure(p.area_ha)],
      [s.register_code, text(p.register_code, s)],
      [s.value_idr, measure(p.value_idr) && formatter("rupiah").format(Number(p.value_idr))],
      [s.is_verified, text(p.is_verified, s)],
      [s.is_public, text(p.is_public, s)],
      [s.version, text(p.version, s)],
      ...attributes(p, "assets", ctx),
    ]),
    photos(p, s),
  ];
  return body;
}

function complaintCard(hit, ctx) {
  const p = hit.properties;
  const s = ctx.strings;
  const status = ctx.config.statuses.find((c) => c.value === p.status);
  return [
    el("p", { class: "popup-kicker" }, p.category_name || p.category || hit.entry.name),
    el("h3", {}, p.ticket || hit.entry.name),
    status ? chip(status.label, status.color) : null,
    p.description ? el("p", { class: "popup-text" }, String(p.description)) : null,
    rows([
      [s.created_at, date(p.created_at)],
      [s.due_date, date(p.due_date)],
      [s.resolved_at, date(p.resolved_at)],
      [s.supporters, measure(p.supporters)],
      [s.desa, p.desa ? `${p.desa}${p.desa_code ? ` (${p.desa_code})` : ""}` : null],
      [s.agency, text(p.agency, s)],
      [s.version, text(p.version, s)],
    ]),
    photos(p, s),
  ];
}

function landUseCard(hit, ctx) {
  const p = hit.properties;
  const s = ctx.strings;
  return [
    el("p", { class: "popup-kicker" }, hit.entry.name),
    el("h3", {}, p.class_name || p.name || hit.entry.name),
    p.class_code ? chip(String(p.class_code), p.color || "#9ca3af") : null,
    rows([
      [s.plan_name, text(p.plan_name, s)],
      [s.regulation, text(p.regulation, s)],
      [s.area_ha, measure(p.area_ha)],
      [s.is_verified, text(p.is_verified, s)],
      [s.is_public, text(p.is_public, s)],
      ...attributes(p, "land_use", ctx),
    ]),
  ];
}

function kindLabel(p, s) {
  return s[`${p.kind}_kind`] || prettyKey(p.kind || "");
}

// All levels under the click come together: show the smallest, with its parents as a trail.
function wilayahCard(hits, ctx) {
  const s = ctx.strings;
  const sorted = [...hits].sort((a, b) => Number(b.properties.level) - Number(a.properties.level));
  const p = sorted[0].properties;
  const trail = sorted.slice(1).map((h) => h.properties.name).filter(Boolean).join(" · ");
  return [
    el("p", { class: "popup-kicker" }, kindLabel(p, s)),
    el("h3", {}, p.name || p.code),
    trail ? el("p", { class: "popup-trail" }, trail) : null,
    rows([[s.code, text(p.code, s)], [s.area_ha, measure(p.area_ha)]]),
  ];
}

function genericCard(hit, ctx) {
  const p = hit.properties;
  return [
    el("p", { class: "popup-kicker" }, hit.entry.name),
    rows(attributes(p, "generic", ctx)) || el("p", { class: "muted" }, hit.entry.name),
    photos(p, ctx.strings),
  ];
}

const CARDS = { assets: assetCard, complaints: complaintCard, land_use: landUseCard, generic: genericCard };

// hits: the features under the click, topmost layer first. A point or line wins (that is what
// a tap aims at); otherwise every area under the tap is described, one section per layer.
export function popupContent(hits, ctx) {
  const root = el("div", { class: "popup" });
  const pointed = hits.find((h) => h.geometry !== "polygon" && h.entry.kind !== "admin_areas");
  const chosen = pointed ? [pointed] : hits;
  const wilayah = chosen.filter((h) => h.entry.kind === "admin_areas");
  const seen = new Set();
  for (const hit of chosen) {
    if (hit.entry.kind === "admin_areas") continue;
    const key = `${hit.entry.slug}:${hit.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // data-layer/data-id: the editor (static/js/map/edit/) adds its buttons to these cards.
    const card = el("section", { class: `popup-card kind-${hit.entry.kind}`, "data-layer": hit.entry.slug, "data-id": hit.id },
      (CARDS[hit.entry.kind] || genericCard)(hit, ctx));
    if (hit.more > 0) card.append(el("p", { class: "popup-more" }, format(ctx.strings.more, { n: hit.more })));
    const link = adminLink(hit, ctx);
    if (link) card.append(link);
    root.append(card);
  }
  if (wilayah.length) root.append(el("section", { class: "popup-card kind-admin_areas" }, wilayahCard(wilayah, ctx)));
  return root.childElementCount ? root : null;
}
