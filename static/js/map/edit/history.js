// A feature's history panel (GET …/history/, newest first): who, when, what changed and why.
// Choosing an entry draws the geometry before and after that change on the map; "Revert"
// asks the editor to restore that version (POST …/revert/, a new version: nothing is lost).

import { api } from "./api.js";
import { el, format } from "../dom.js";

const L = window.L;
const BEFORE = { color: "#b91c1c", weight: 3, opacity: 0.9, dashArray: "5 5", fillColor: "#ef4444", fillOpacity: 0.12 };
const AFTER = { color: "#15803d", weight: 3, opacity: 1, fillColor: "#22c55e", fillOpacity: 0.2 };
const LANG = document.documentElement.lang || "id";
const when = new Intl.DateTimeFormat(LANG === "id" ? "id-ID" : LANG, { dateStyle: "medium", timeStyle: "short" });

function swatch(style) {
  return el("span", { class: "edit-swatch", "aria-hidden": "true",
    style: { borderColor: style.color, backgroundColor: style.fillColor, borderStyle: style.dashArray ? "dashed" : "solid" } });
}

function shown(value, s) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? s.yes : s.no;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A change of a JSON column (attributes, a thematic layer's properties) is listed key by key.
function expand(changes) {
  const out = [];
  for (const c of changes) {
    if (c.field === "version") continue;
    const objects = [c.old, c.new].every((v) => v === null || (typeof v === "object" && !Array.isArray(v)));
    if (!objects || (c.old === null && c.new === null)) { out.push(c); continue; }
    const old = c.old || {};
    const now = c.new || {};
    for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
      if (JSON.stringify(old[key] ?? null) !== JSON.stringify(now[key] ?? null)) {
        out.push({ field: key, old: old[key], new: now[key] });
      }
    }
  }
  return out;
}

export function historyView({ map, strings: s, historyUrl, pane, labelOf, canRevert, onRevert }) {
  const list = el("ol", { class: "edit-history-list" });
  const status = el("p", { class: "edit-history-status", role: "status" }, s.loading);
  const legend = el("p", { class: "edit-legend", hidden: true }, swatch(BEFORE), s.before, " ", swatch(AFTER), s.after);
  const node = el("section", { class: "edit-history", "aria-labelledby": "edit-history-title" },
    el("h3", { id: "edit-history-title" }, s.historyTitle), status, legend, list);
  let overlay = null;
  let results = [];

  function clearOverlay() {
    if (overlay) map.removeLayer(overlay);
    overlay = null;
  }

  function show(index, button) {
    clearOverlay();
    list.querySelectorAll("button[aria-pressed]").forEach((b) => b.setAttribute("aria-pressed", "false"));
    button.setAttribute("aria-pressed", "true");
    const after = results[index].geometry;
    const before = results[index + 1] ? results[index + 1].geometry : null;
    const layer = (geometry, style) => L.geoJSON(geometry, {
      pane, pmIgnore: true, snapIgnore: true, interactive: false, style: () => style,
      pointToLayer: (_f, latlng) => L.circleMarker(latlng, { ...style, radius: 8, pane, pmIgnore: true, snapIgnore: true, interactive: false }),
    });
    overlay = L.featureGroup([before ? layer(before, BEFORE) : null, after ? layer(after, AFTER) : null].filter(Boolean)).addTo(map);
    legend.hidden = false;
    const bounds = overlay.getBounds();
    if (bounds.isValid() && !map.getBounds().contains(bounds)) map.fitBounds(bounds, { padding: [40, 40], maxZoom: 18 });
  }

  function entryNode(entry, index) {
    const type = s[`type_${entry.type}`] || entry.type;
    const head = el("button", { type: "button", class: "edit-history-entry", "aria-pressed": "false",
      "data-version": entry.version, "data-history-id": entry.history_id, title: s.showChange },
    el("span", { class: "edit-history-version" }, format(s.versionN, { v: entry.version })),
    el("span", { class: "edit-history-type" }, type),
    el("time", { datetime: entry.date }, entry.date ? when.format(new Date(entry.date)) : ""),
    el("span", { class: "edit-history-user" }, entry.user ? format(s.byUser, { user: entry.user }) : s.byUnknown));
    head.addEventListener("click", () => show(index, head));
    const changes = expand(entry.changes || []);
    const item = el("li", { "data-version": entry.version }, head,
      entry.reason ? el("p", { class: "edit-history-reason" }, format(s.reason, { reason: entry.reason })) : null,
      changes.length ? el("ul", { class: "edit-history-changes" }, changes.map((c) => el("li", {},
        el("span", { class: "field" }, labelOf(c.field)), ": ",
        c.field === "geometry" && c.old == null && c.new == null ? s.geometryChanged
          : [el("del", {}, shown(c.old, s)), " → ", el("ins", {}, shown(c.new, s))]))) : null);
    if (canRevert && index > 0 && entry.type !== "deleted") {
      const revert = el("button", { type: "button", class: "edit-btn edit-btn-small", "data-action": "revert" },
        format(s.revertTo, { v: entry.version }));
      revert.addEventListener("click", () => onRevert(entry));
      item.append(revert);
    }
    return item;
  }

  async function load() {
    status.textContent = s.loading;
    status.hidden = false;
    const answer = await api("GET", historyUrl);
    if (!answer.ok) {
      status.textContent = (answer.data && answer.data.description) || s.historyError;
      return;
    }
    results = answer.data.results || [];
    list.replaceChildren(...results.map(entryNode));
    status.textContent = results.length ? "" : s.historyEmpty;
    status.hidden = Boolean(results.length);
  }

  return {
    node,
    load,
    destroy() { clearOverlay(); },
  };
}
