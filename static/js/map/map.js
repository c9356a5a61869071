// Boot of the public and staff maps (/peta/, /peta/staf/): reads the page's configuration
// (json_script "map-config"), builds the map, the layer controllers, switcher, filters, search,
// "my location" and the permalink. Leaflet and VectorGrid are vendored globals (static/vendor/).

import { buildSwitcher, loadCatalogue } from "./catalogue.js";
import { el, format } from "./dom.js";
import { initFilters } from "./filters.js";
import { createController, createPanes } from "./layers.js";
import { readHash, writeHash } from "./permalink.js";
import { initialLayers, isSmallDevice, listedEntries, pointLimit } from "./pointquery.js";
import { popupContent } from "./popup.js";
import { initSearch } from "./search.js";

const L = window.L;
const config = JSON.parse(document.getElementById("map-config").textContent);
const s = config.strings;
const page = document.querySelector(".map-page");
const statusBox = document.getElementById("map-status");
const mapBox = document.getElementById("map");

// Drawing order for "what is here?": what a tap aims at first.
const CLICK_ORDER = ["complaints", "assets", "generic", "land_use", "admin_areas"];
const phone = isSmallDevice();

const map = L.map(mapBox, {
  preferCanvas: true,
  zoomSnap: 0.5, // the region fits the screen more snugly; the buttons still step by 1
  minZoom: 4,
  maxZoom: 20,
  zoomControl: false,
  // A tap on a phone should not open the popup of a point under a finger that was panning.
  tapTolerance: 15,
});
window.SIG = { map, config, layers: new Map() }; // the hook the editor (a later issue) builds on
createPanes(map);
L.control.zoom({ position: "topright", zoomInTitle: s.zoomIn, zoomOutTitle: s.zoomOut }).addTo(map);
map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');

// ---- basemap: a setting; optional; failures are silent ------------------------------------
function addBasemap() {
  const basemap = L.tileLayer(config.basemap.url, {
    attribution: config.basemap.attribution, maxZoom: 20, maxNativeZoom: 19,
  });
  let loaded = 0;
  let failed = 0;
  basemap.on("tileload", () => { loaded += 1; });
  basemap.on("tileerror", () => {
    failed += 1;
    // Unreachable after all: stop asking; the boundaries and data are the map.
    if (failed >= 8 && loaded === 0) map.removeLayer(basemap);
  });
  basemap.addTo(map);
}
if (config.basemap.url) {
  // One tile (the world at zoom 0) first; the layer is made once it has come. An unreachable
  // basemap (an intranet left with the default setting) then costs one failed request, not a
  // screenful of tile elements, their error events and their removal: ~0.1 s of the page's
  // main thread, in the middle of the first drawing.
  let probe = null;
  try {
    probe = L.Util.template(config.basemap.url, { s: "a", z: 0, x: 0, y: 0, "-y": 0, r: "" });
  } catch {
    // Placeholders of its own: no probe, the layer as it is.
  }
  if (probe) {
    const image = new Image();
    image.onload = addBasemap;
    image.src = probe;
  } else {
    addBasemap();
  }
}
L.control.scale({ imperial: false, maxWidth: 140, position: "bottomleft" }).addTo(map);

// ---- status line: loading, "zoom in", errors, notices --------------------------------------
const states = new Map();
let notice = null;
function showStatus() {
  const values = [...states.values()];
  let text = "";
  let tone = "info";
  if (notice) ({ text, tone } = notice);
  else if (values.some((v) => v.state === "error")) { text = s.loadError; tone = "warn"; }
  else if (values.some((v) => v.truncated)) { text = s.truncated; tone = "warn"; }
  else if (values.some((v) => v.state === "loading")) text = s.loading;
  statusBox.textContent = text;
  statusBox.dataset.tone = tone;
  statusBox.hidden = !text;
  mapBox.dataset.busy = values.some((v) => v.state === "loading") ? "1" : "0";
}
function notify(text, tone = "info", ms = 6000) {
  notice = { text, tone };
  showStatus();
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { notice = null; showStatus(); }, ms);
}

// ---- filters and permalink -----------------------------------------------------------------
const initial = readHash();
let filters = {};
let controllers = [];
let switcher = null;
const ctx = {
  map,
  config,
  strings: s,
  pointLimit: pointLimit(config),
  conditionColours: Object.fromEntries(config.conditions.map((c) => [c.value, c.color])),
  filters: () => filters,
  colourBy: () => filters.colour || "category",
  onState(key, state, truncated = false) {
    states.set(key, { state, truncated });
    showStatus();
  },
};

function visibleSlugs() {
  return controllers.filter((c) => c.visible).map((c) => c.slug);
}
function saveView() {
  writeHash(map, visibleSlugs(), filters);
}

const filterForm = initFilters(document.getElementById("map-filters"), (values) => {
  filters = values;
  controllers.forEach((c) => c.update());
  if (switcher) switcher.refreshLegends();
  saveView();
});
filterForm.set(initial.filters);
filters = filterForm.values();

// ---- initial view ----------------------------------------------------------------------------
// Layers start once the first view is known, so no request is made for a view nobody sees.
let viewReady;
if (initial.view) {
  map.setView([initial.view.lat, initial.view.lng], initial.view.zoom);
  viewReady = Promise.resolve();
} else {
  map.setView([-2.5, 118], 5); // Indonesia, until the extent of the wilayah arrives
  viewReady = fetch(config.urls.extent, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .then((tilejson) => {
      const b = tilejson && tilejson.bounds;
      if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false, padding: [8, 8] });
    })
    .catch(() => {});
}
map.on("moveend", saveView);

// ---- layers ------------------------------------------------------------------------------------
function toggle(slug, on) {
  const controller = controllers.find((c) => c.slug === slug);
  if (!controller) return;
  if (on) controller.show(); else controller.hide();
  saveView();
}

const catalogue = config.catalogue ? Promise.resolve(config.catalogue) : loadCatalogue(config.urls.catalogue);
Promise.all([catalogue, viewReady])
  .then(([entries]) => {
    // The public map shows published layers only (the staff map shows all the user may see).
    const shown = listedEntries(config, entries);
    controllers = shown.map((entry) => createController(entry, ctx));
    controllers.forEach((c) => window.SIG.layers.set(c.slug, c));
    // (the same layers whose points early.js has started to fetch)
    const wanted = initialLayers(shown, initial.layers);
    switcher = buildSwitcher(document.getElementById("layer-list"), shown, { visible: wanted, onToggle: toggle, ctx });
    controllers.forEach((c) => { if (wanted.has(c.slug)) c.show(); });
    mapBox.dataset.ready = "1";
    saveView();
  })
  .catch(() => {
    document.getElementById("layer-list").replaceChildren(el("p", { class: "muted" }, s.loadError));
    ctx.onState("catalogue", "error");
  });

// ---- popups: every visible layer is asked what is under the click --------------------------
map.on("click", (event) => {
  if (window.SIG.editing) return; // the editor (static/js/map/edit/) owns clicks while open
  // A cluster bubble: zoom in towards it.
  for (const c of controllers) {
    const cluster = c.visible && c.points ? c.points.clusterAt(event.containerPoint) : null;
    if (cluster) {
      map.setView(cluster.latlng, Math.min(map.getZoom() + 2, map.getMaxZoom()));
      return;
    }
  }
  const ordered = [...controllers].filter((c) => c.visible)
    .sort((a, b) => CLICK_ORDER.indexOf(a.entry.kind) - CLICK_ORDER.indexOf(b.entry.kind));
  const hits = ordered.flatMap((c) => c.identify(event.latlng, event.containerPoint));
  if (!hits.length) return;
  // Points carry only what they are coloured by: fetch a clicked point's whole feature (the
  // same GeoJSON path as the OGC API item) before describing it.
  Promise.all(hits.map((hit) => (hit.partial ? fetchFeature(hit) : hit))).then((full) => {
    const content = popupContent(full, ctx);
    if (!content) return;
    // Keep clear of the search box (top) and, on phones, of the bottom sheet's handle.
    L.popup({ maxWidth: 320, minWidth: 200, autoPanPaddingTopLeft: [16, 76],
      autoPanPaddingBottomRight: [16, phone ? 64 : 16], className: "sig-popup" })
      .setLatLng(event.latlng).setContent(content).openOn(map);
  });
});

function fetchFeature(hit) {
  const url = hit.entry.item_url.replace("{id}", encodeURIComponent(hit.id)) + "?f=json";
  return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then((response) => (response.ok ? response.json() : null))
    .then((feature) => ({ ...hit, partial: false, properties: (feature && feature.properties) || hit.properties }))
    .catch(() => hit);
}

// A pointer cursor over points (desktop): a cheap scan of the point layers.
if (!L.Browser.mobile) {
  let pending = false;
  map.on("mousemove", (event) => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const over = controllers.some((c) => c.visible && c.points
        && (c.points.clusterAt(event.containerPoint) || c.points.hitTest(event.containerPoint, 2)));
      mapBox.classList.toggle("over-feature", over);
    });
  });
}

// ---- search --------------------------------------------------------------------------------
const picked = document.createElement("div");
picked.className = "search-picked";
picked.hidden = true;
document.getElementById("map-search").after(picked);

initSearch({
  form: document.getElementById("map-search"),
  input: document.getElementById("map-search-q"),
  list: document.getElementById("map-search-results"),
  url: config.urls.search,
  strings: s,
  onPick(result) {
    const [w, so, e, n] = result.bbox;
    map.fitBounds([[so, w], [n, e]], { padding: [24, 24], maxZoom: 17 });
    const wilayah = controllers.find((c) => c.entry.kind === "admin_areas");
    if (wilayah) {
      if (!wilayah.visible) { wilayah.show(); switcher?.setChecked(wilayah.slug, true); }
      wilayah.highlight(result.code);
    }
    picked.replaceChildren(
      el("span", { class: "picked-name" }, `${result.name} (${result.kind} · ${result.code})`),
      el("button", { type: "button", class: "link", onclick: () => filterForm.filterTo(result.code, result.name) }, s.filterHere),
      el("button", { type: "button", class: "close", "aria-label": "×", onclick: () => {
        picked.hidden = true;
        if (wilayah) wilayah.highlight(null);
      } }, "×"),
    );
    picked.hidden = false;
    page.dataset.panel = "closed";
  },
});

// ---- "my location" ---------------------------------------------------------------------------
const LocateControl = L.Control.extend({
  options: { position: "topright" },
  onAdd() {
    const button = el("button", { type: "button", class: "locate-button", title: s.locate, "aria-label": s.locate });
    button.append(el("span", { class: "locate-icon", "aria-hidden": "true" }));
    L.DomEvent.disableClickPropagation(button);
    button.addEventListener("click", () => {
      if (!navigator.geolocation || !window.isSecureContext) {
        notify(s.locateDenied, "warn");
        return;
      }
      notify(s.locating, "info", 15000);
      map.locate({ setView: true, maxZoom: 16, enableHighAccuracy: true, timeout: 15000 });
    });
    return el("div", { class: "leaflet-bar sig-locate" }, button);
  },
});
new LocateControl().addTo(map);
let here = null;
map.on("locationfound", (event) => {
  if (here) here.remove();
  here = L.layerGroup([
    L.circle(event.latlng, { radius: event.accuracy, color: "#2563eb", weight: 1, fillOpacity: 0.08, interactive: false }),
    L.circleMarker(event.latlng, { radius: 7, color: "#fff", weight: 2, fillColor: "#2563eb", fillOpacity: 1, interactive: false }),
  ]).addTo(map);
  notify(format(s.locateAccuracy, { m: Math.round(event.accuracy) }));
});
map.on("locationerror", () => notify(s.locateDenied, "warn"));

// ---- the panel: a side panel on wide screens, a bottom sheet on phones ----------------------
const toggleButton = document.getElementById("map-panel-toggle");
toggleButton.addEventListener("click", () => {
  const open = page.dataset.panel !== "open";
  page.dataset.panel = open ? "open" : "closed";
  toggleButton.setAttribute("aria-expanded", String(open));
  toggleButton.querySelector(".label").textContent = open ? s.hidePanel : s.showPanel;
});
