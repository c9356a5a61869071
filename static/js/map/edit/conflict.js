// The conflict view (a save answered 409): both versions side by side — the stored one
// ("theirs") and the editor's ("yours") drawn on the map in distinct styles, and a two-column
// table of attributes with the differences marked — and the choice: keep theirs, or apply
// mine on top of the stored version. Nothing was overwritten by the refused save.

import { el, format } from "../dom.js";

const L = window.L;
export const THEIRS_STYLE = { color: "#1d4ed8", weight: 3, opacity: 1, dashArray: "6 4", fillColor: "#3b82f6", fillOpacity: 0.15 };
export const YOURS_STYLE = { color: "#c2410c", weight: 3, opacity: 1, fillColor: "#fb923c", fillOpacity: 0.2 };

function swatch(style) {
  return el("span", { class: "edit-swatch", "aria-hidden": "true",
    style: { borderColor: style.color, backgroundColor: style.fillColor, borderStyle: style.dashArray ? "dashed" : "solid" } });
}

// rows: [{key, label, theirs: text, yours: text}]; geometry: {theirs, yours} GeoJSON.
export function conflictView({ map, strings: s, rows, geometry, versions, pane, onKeepTheirs, onApplyMine }) {
  const overlay = L.geoJSON(geometry.theirs, {
    pane, pmIgnore: true, snapIgnore: true, interactive: false, style: () => THEIRS_STYLE,
    pointToLayer: (_f, latlng) => L.circleMarker(latlng, { ...THEIRS_STYLE, radius: 9, pane, pmIgnore: true, snapIgnore: true, interactive: false }),
  }).addTo(map);

  const table = el("table", { class: "edit-conflict-table" },
    el("caption", { class: "visually-hidden" }, s.conflictTableCaption),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, s.field),
      el("th", { scope: "col" }, swatch(THEIRS_STYLE), s.theirs), el("th", { scope: "col" }, swatch(YOURS_STYLE), s.yours))));
  const body = el("tbody");
  for (const row of rows) {
    body.append(el("tr", { class: row.differs ? "differs" : null, "data-field": row.key },
      el("th", { scope: "row" }, row.label, row.differs ? el("span", { class: "visually-hidden" }, ` (${s.differs})`) : null),
      el("td", { class: "theirs" }, row.theirs ?? "—"),
      el("td", { class: "yours" }, row.yours ?? "—")));
  }
  table.append(body);

  const keep = el("button", { type: "button", class: "edit-btn", "data-action": "keep-theirs" }, s.keepTheirs);
  const apply = el("button", { type: "button", class: "edit-btn edit-btn-primary", "data-action": "apply-mine" }, s.applyMine);
  keep.addEventListener("click", () => onKeepTheirs());
  apply.addEventListener("click", () => onApplyMine());

  const node = el("section", { class: "edit-conflict", role: "alert", "aria-labelledby": "edit-conflict-title" },
    el("h3", { id: "edit-conflict-title" }, s.conflictTitle),
    el("p", {}, format(s.conflictText, versions)),
    el("p", { class: "edit-legend" }, swatch(THEIRS_STYLE), s.theirsOnMap, " ", swatch(YOURS_STYLE), s.yoursOnMap),
    el("div", { class: "edit-table-wrap" }, table),
    el("div", { class: "edit-actions" }, keep, apply));

  return {
    node,
    focus() { keep.focus(); },
    bounds() { return overlay.getBounds(); },
    destroy() { map.removeLayer(overlay); },
  };
}
