// The layer switcher and legends, built from the catalogue (/api/layers/): core layers first,
// then thematic (generic) ones. Names and legend labels are data: set as text only.

import { el, safeColour } from "./dom.js";

export async function loadCatalogue(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()).layers || [];
}

function swatch(geometry, colour, kind) {
  const shape = kind === "admin_areas" ? "boundary" : geometry === "point" ? "point"
    : geometry === "line" ? "line" : "area";
  return el("span", { class: `swatch swatch-${shape}`, style: { "--c": safeColour(colour) }, "aria-hidden": "true" });
}

function geometryOf(entry) {
  const g = (entry.geometry_type || "").toLowerCase();
  if (g.includes("point")) return "point";
  if (g.includes("line")) return "line";
  return "polygon";
}

// Legend rows for a layer: [{label, colour, geometry}], following the colour choice for assets.
export function legendRows(entry, ctx) {
  if (entry.kind === "assets" && ctx.colourBy() === "condition") {
    return ctx.config.conditions.map((c) => ({ label: c.label, colour: c.color, geometry: "point" }));
  }
  if (entry.kind === "complaints") {
    return ctx.config.statuses.map((c) => ({ label: c.label, colour: c.color, geometry: "point" }));
  }
  const geometry = geometryOf(entry);
  return (entry.legend || []).map((row) => ({
    label: row.label, colour: row.color, geometry: row.geometry || geometry,
  }));
}

function legendList(entry, ctx) {
  const list = el("ul", { class: "legend" });
  for (const row of legendRows(entry, ctx)) {
    list.append(el("li", {}, swatch(row.geometry, row.colour, entry.kind), el("span", {}, row.label)));
  }
  return list;
}

// Downloads of the layer as this viewer sees it (/ekspor/<slug>.<format>, the exports app).
const EXPORT_LABELS = { gpkg: "GPKG", shp: "SHP", geojson: "GeoJSON", csv: "CSV", kml: "KML" };
function exportLinks(entry, s) {
  const urls = Object.entries(entry.export_urls || {});
  if (!urls.length) return null;
  const links = urls.flatMap(([key, href], i) => [i ? " · " : "",
    el("a", { href, download: "", rel: "nofollow" }, EXPORT_LABELS[key] || key)]);
  return el("p", { class: "layer-exports" }, `${s.download}: `, links);
}

// The "map as HTML" link (templates/layers/_map_panel.html): the layers shown and the view.
export function wireMapExport(link, container, map) {
  if (!link) return;
  link.addEventListener("click", () => {
    const slugs = [...container.querySelectorAll("input[data-layer]:checked")]
      .map((box) => box.dataset.layer);
    const b = map.getBounds();
    const clamp = (v, limit) => Math.max(-limit, Math.min(limit, v)).toFixed(5);
    const bbox = [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180),
      clamp(b.getNorth(), 90)].join(",");
    const url = new URL(link.dataset.base, window.location.href);
    url.search = new URLSearchParams({ layers: slugs.join(","), bbox }).toString();
    link.href = url.toString();
  });
}

// onToggle(slug, visible). Returns {refreshLegends()} to redraw legends after a colour change.
export function buildSwitcher(container, entries, { visible, onToggle, ctx }) {
  const s = ctx.strings;
  container.replaceChildren();
  if (!entries.length) {
    container.append(el("p", { class: "muted" }, s.noLayers));
    return { refreshLegends() {} };
  }
  const legends = new Map();
  const groups = [
    [s.coreLayers, entries.filter((e) => e.kind !== "generic" && e.kind !== "raster")],
    [s.thematicLayers, entries.filter((e) => e.kind === "generic" || e.kind === "raster")],
  ];
  for (const [title, items] of groups) {
    if (!items.length) continue;
    const list = el("ul", { class: "layer-group", "aria-label": title });
    for (const entry of items) {
      const id = `layer-${entry.slug}`;
      const checkbox = el("input", { type: "checkbox", id, "data-layer": entry.slug });
      checkbox.checked = visible.has(entry.slug);
      checkbox.addEventListener("change", () => onToggle(entry.slug, checkbox.checked));
      const legend = el("div", { class: "legend-wrap" }, legendList(entry, ctx));
      legends.set(entry.slug, legend);
      const details = el("details", { class: "layer-legend" },
        el("summary", {}, s.legend), legend, exportLinks(entry, s));
      if (entry.kind !== "admin_areas") details.open = checkbox.checked;
      checkbox.addEventListener("change", () => { if (checkbox.checked && entry.kind !== "admin_areas") details.open = true; });
      const label = el("label", { for: id, class: "layer-name" }, entry.name,
        entry.is_public ? null : el("span", { class: "badge" }, s.staffOnly));
      const title = entry.description ? { title: entry.description } : {};
      list.append(el("li", { class: "layer-item", "data-slug": entry.slug, ...title },
        el("div", { class: "layer-row" }, checkbox, label), details));
    }
    container.append(el("h3", { class: "group-title" }, title), list);
  }
  if (!container.dataset.mapExport) {
    container.dataset.mapExport = "1";
    wireMapExport(document.getElementById("map-export"), container, ctx.map);
  }
  return {
    refreshLegends() {
      for (const entry of entries) {
        const wrap = legends.get(entry.slug);
        if (wrap) wrap.replaceChildren(legendList(entry, ctx));
      }
    },
    setChecked(slug, on) {
      const box = container.querySelector(`input[data-layer="${CSS.escape(slug)}"]`);
      if (box) box.checked = on;
    },
  };
}
