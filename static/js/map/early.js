// The map's points requests, started as early as the page allows. A classic async script (not
// a module): it runs as soon as it has arrived, before Leaflet and the map's modules have
// loaded, and asks the server for the points of the layers the page opens with, so that they
// travel while the rest of the page boots. (It is placed in the head, after the config.)
//
// It is also the one definition of what a layer's points request is (pointRequest, sourceUrl,
// the opening layers): the modules use it through pointquery.js, so the layer controllers make
// exactly the request started here and take its answer (takeEarly) instead of asking again.
(function () {
  "use strict";

  const POINT_GEOMETRIES = ["point", "multipoint"];

  // A phone or a low-memory device: fewer points per answer, and a few layout choices.
  function isSmallDevice() {
    return window.matchMedia("(max-width: 700px)").matches || (navigator.deviceMemory || 8) <= 2;
  }

  // The most points one answer may carry: the server's cap; phones ask less.
  function pointLimit(config) {
    return isSmallDevice() ? Math.min(config.pointLimit, 5000) : config.pointLimit;
  }

  // {properties: [names the points carry], params: {filter: value}} of a layer under the
  // filters (the map's filter values: asset_category, condition, area, status,
  // complaint_category), or null when the layer draws no points (or its filter leaves none).
  function pointRequest(entry, filters) {
    if (entry.kind === "assets") {
      const slugs = (entry.legend || []).filter((c) => c.geometry === "point").map((c) => c.value);
      const chosen = filters.asset_category;
      // The category filter picks the half it belongs to (points or tiles); the other half
      // shows nothing.
      const category = !chosen ? slugs.join(",") : slugs.includes(chosen) ? chosen : null;
      if (!category) return null;
      return { properties: ["category", "condition"], params: { category, condition: filters.condition, area: filters.area } };
    }
    if (entry.kind === "complaints") {
      return { properties: ["status", "category"], params: { status: filters.status, category: filters.complaint_category, area: filters.area } };
    }
    if (entry.kind === "generic" && POINT_GEOMETRIES.includes((entry.geometry_type || "").toLowerCase())) {
      return { properties: [], params: {} };
    }
    return null;
  }

  // The URL of one points (or GeoJSON) request: the same parameters in the same order whoever
  // builds it, so that an early request is found again by its URL.
  function sourceUrl(url, { box = null, limit, extra = {}, params = {}, binary = false }) {
    const query = new URLSearchParams(box ? { bbox: box.join(",") } : {});
    query.set("limit", String(limit));
    for (const [name, value] of Object.entries(extra)) if (value) query.set(name, value);
    for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
    if (binary) query.set("f", "bin");
    return `${url}?${query}`;
  }

  // The whole layer's points as typed arrays (what layers.js asks first; see geojson.js).
  function wholeLayerUrl(entry, request, limit) {
    return sourceUrl(entry.points_url, { limit, extra: { properties: request.properties.join(",") }, params: request.params, binary: true });
  }

  // The catalogue entries a viewer's map lists: the public map shows published layers only
  // (the staff map all the user may see; the server has already left out the others).
  function listedEntries(config, entries) {
    return config.staff ? entries : entries.filter((e) => e.is_public);
  }

  // The slugs switched on at start: those in the URL, or every core layer (not the thematic
  // generic ones, nor rasters).
  function initialLayers(entries, fromHash) {
    return new Set(fromHash || entries.filter((e) => e.kind !== "generic" && e.kind !== "raster").map((e) => e.slug));
  }

  // Requests started here: URL → a promise of the answer, taken once by the source asking for
  // it: {ok, status, arrayBuffer()}, its body already read. The body is read as it arrives,
  // while the page still waits for its scripts: read only when the layer asked for it (after
  // the modules ran), a 1.4 MB answer was drained from the network in ~20 small tasks queued
  // behind the page's others, and drawn ~0.3 s later.
  const early = new Map();
  function fetchEarly(url) {
    return fetch(url, { credentials: "same-origin" }).then((response) => response.arrayBuffer()
      .then((buffer) => ({ ok: response.ok, status: response.status, arrayBuffer: () => Promise.resolve(buffer) })));
  }
  function takeEarly(url) {
    const response = early.get(url);
    early.delete(url);
    return response;
  }

  window.SIGPoints = { isSmallDevice, pointLimit, pointRequest, sourceUrl, wholeLayerUrl, listedEntries, initialLayers, takeEarly };

  const element = document.getElementById("map-config");
  if (!element) return;
  const config = JSON.parse(element.textContent);
  if (!config.catalogue) return;
  // The hash as permalink.js writes it: #map=z/lat/lng&layers=a,b&condition=…
  const hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const filters = Object.fromEntries(hash.entries());
  const fromHash = hash.has("layers") ? hash.get("layers").split(",").filter(Boolean) : null;
  const entries = listedEntries(config, config.catalogue);
  const wanted = initialLayers(entries, fromHash);
  const limit = pointLimit(config);
  for (const entry of entries) {
    const request = wanted.has(entry.slug) ? pointRequest(entry, filters) : null;
    if (!request) continue;
    const url = wholeLayerUrl(entry, request, limit);
    early.set(url, fetchEarly(url));
  }
}());
