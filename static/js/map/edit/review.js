// The review queue (/peta/staf/tinjau/): lists GET /api/v1/review/ (unverified features in the
// planner's publish scope), shows them on a small map, and verifies (optionally publishing) or
// sends back with a note through the editing API. The server decides who may; this page shows
// its answers.

import { api, url } from "./api.js";
import { el, format } from "../dom.js";

const L = window.L;
const config = JSON.parse(document.getElementById("review-config").textContent);
const s = config.strings;
const list = document.getElementById("review-list");
const status = document.getElementById("review-status");
const LANG = document.documentElement.lang || "id";
const when = new Intl.DateTimeFormat(LANG === "id" ? "id-ID" : LANG, { dateStyle: "medium", timeStyle: "short" });
const STYLE = { color: "#b45309", weight: 3, fillColor: "#f59e0b", fillOpacity: 0.25 };
const CURRENT = { color: "#0b6e4f", weight: 4, fillColor: "#10b981", fillOpacity: 0.35 };

const map = L.map("review-map", { preferCanvas: true, minZoom: 4, maxZoom: 20 }).setView([-2.5, 118], 5);
if (config.basemap.url) {
  L.tileLayer(config.basemap.url, { attribution: config.basemap.attribution, maxZoom: 20, maxNativeZoom: 19 }).addTo(map);
}
const shapes = L.featureGroup().addTo(map);
const byKey = new Map(); // "slug:id" → {item, layer}

function key(row) { return `${row.layer}:${row.id}`; }

function focusRow(k, { pan = true } = {}) {
  for (const [other, entry] of byKey) {
    entry.item.classList.toggle("is-current", other === k);
    if (entry.layer) entry.layer.setStyle(other === k ? CURRENT : STYLE);
  }
  const entry = byKey.get(k);
  if (!entry) return;
  if (pan && entry.layer) {
    const b = entry.layer.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [30, 30], maxZoom: 17 });
  }
}

function fact(label, value) {
  return value ? [el("dt", {}, label), el("dd", {}, value)] : [];
}

function message(answer) {
  const data = answer.data || {};
  if (answer.status === 0) return s.network;
  if (answer.status === 403) return format(s.forbidden, { reason: data.description || "" });
  if (answer.status === 400) {
    const errors = Object.values(data.errors || {}).flat().join(" ");
    return [data.description, errors].filter(Boolean).join(" ");
  }
  return data.description || format(s.error, { status: answer.status });
}

// The staff map's permalink (#map=zoom/lat/lng&layers=…) at the feature, to edit it there.
function staffMapLink(feature, slug) {
  if (!feature.geometry) return null;
  const centre = L.geoJSON(feature).getBounds().getCenter();
  const href = `${config.urls.staffMap}#map=17/${centre.lat.toFixed(6)}/${centre.lng.toFixed(6)}&layers=wilayah,${encodeURIComponent(slug)}`;
  return el("a", { href, class: "review-open" }, s.openStaffMap);
}

function itemNode(row) {
  const k = key(row);
  const feature = row.feature || {};
  const version = (feature.properties || {}).version;
  const slug = row.layer;
  const feedback = el("p", { class: "review-feedback", role: "status", "aria-live": "polite" });
  const publish = el("input", { type: "checkbox", name: "public", checked: true });
  const verify = el("button", { type: "submit", class: "edit-btn edit-btn-primary", "data-action": "verify" }, s.verify);
  const noteId = `note-${slug}-${row.id}`;
  const note = el("textarea", { id: noteId, name: "note", rows: 2 });
  const sendBack = el("button", { type: "submit", class: "edit-btn", "data-action": "send-back" }, s.sendBack);
  const show = el("button", { type: "button", class: "edit-btn edit-btn-small" }, s.showOnMap);
  show.addEventListener("click", () => focusRow(k));

  const verifyForm = el("form", { class: "review-verify" },
    el("label", { class: "row" }, publish, s.publish), el("div", { class: "row" }, verify));
  const backForm = el("form", { class: "review-send-back", novalidate: true },
    el("label", { for: noteId }, s.note), note, el("div", { class: "row" }, sendBack));

  const item = el("li", { class: "review-item", "data-layer": slug, "data-id": row.id },
    el("h2", {}, row.name || s.untitled),
    el("dl", { class: "facts" },
      ...fact(s.layer, (config.layerNames || {})[slug] || slug),
      ...fact(s.recordedBy, row.recorded_by),
      ...fact(s.recordedAt, row.created_at ? when.format(new Date(row.created_at)) : ""),
      ...fact(s.wilayah, row.area_name),
      ...fact(s.previousNote, row.review_note)),
    el("div", { class: "row" }, show, staffMapLink(feature, slug)),
    verifyForm, backForm, feedback);

  function done(text) {
    verifyForm.remove();
    backForm.remove();
    feedback.className = "review-feedback review-done";
    feedback.textContent = text;
    const entry = byKey.get(k);
    if (entry && entry.layer) shapes.removeLayer(entry.layer);
  }

  async function act(action, payload, success) {
    verify.disabled = sendBack.disabled = true;
    const target = url(action === "verify" ? config.urls.verify : config.urls.sendBack, { slug, id: row.id });
    const answer = await api("POST", target, { version, ...payload });
    verify.disabled = sendBack.disabled = false;
    if (answer.ok) { done(success); return; }
    if (answer.status === 409) { await load(); status.textContent = s.conflict; return; }
    feedback.className = "review-feedback edit-msg tone-error";
    feedback.textContent = message(answer);
  }

  verifyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    act("verify", { public: publish.checked }, publish.checked ? s.verifiedPublished : s.verified);
  });
  backForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!note.value.trim()) {
      feedback.className = "review-feedback edit-msg tone-error";
      feedback.textContent = s.noteRequired;
      note.setAttribute("aria-invalid", "true");
      note.focus();
      return;
    }
    note.removeAttribute("aria-invalid");
    act("send-back", { note: note.value.trim() }, s.sentBack);
  });
  item.addEventListener("focusin", () => focusRow(k, { pan: false }));

  let layer = null;
  if (feature.geometry) {
    layer = L.geoJSON(feature, {
      style: () => STYLE,
      pointToLayer: (_f, latlng) => L.circleMarker(latlng, { ...STYLE, radius: 8 }),
    });
    layer.on("click", () => { focusRow(k, { pan: false }); item.scrollIntoView({ block: "nearest" }); });
    shapes.addLayer(layer);
  }
  byKey.set(k, { item, layer });
  return item;
}

async function load() {
  status.textContent = s.loading;
  const answer = await api("GET", config.urls.queue);
  byKey.clear();
  shapes.clearLayers();
  if (!answer.ok) {
    status.textContent = message(answer) || s.loadError;
    list.replaceChildren();
    return;
  }
  const rows = answer.data.results || [];
  list.replaceChildren(...rows.map(itemNode));
  status.textContent = rows.length ? format(s.count, { n: rows.length }) : s.empty;
  const bounds = shapes.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
}

load();
