// The view in the URL hash, kept current with history.replaceState (no history entries):
//   #map=13/-0.25010/110.40230&layers=wilayah,aset&area=99.01.02&condition=rusak_berat
// Copying the address bar shares the same view, layers and filters.

export const FILTER_KEYS = ["area", "asset_category", "condition", "status", "complaint_category", "colour"];

export function readHash(hash = window.location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = { view: null, layers: null, filters: {} };
  const [zoom, lat, lng] = (params.get("map") || "").split("/").map(Number);
  if ([zoom, lat, lng].every(Number.isFinite) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) {
    state.view = { zoom: Math.max(0, Math.min(22, Math.round(zoom * 2) / 2)), lat, lng };
  }
  if (params.has("layers")) state.layers = params.get("layers").split(",").filter(Boolean);
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) state.filters[key] = value;
  }
  return state;
}

function part(key, value) {
  // Readable: commas and slashes stay as they are.
  return `${key}=${encodeURIComponent(value).replace(/%2C/gi, ",").replace(/%2F/gi, "/")}`;
}

export function writeHash(map, layers, filters) {
  const zoom = map.getZoom();
  const centre = map.getCenter();
  const digits = zoom >= 14 ? 5 : zoom >= 9 ? 4 : 3;
  const parts = [part("map", `${zoom}/${centre.lat.toFixed(digits)}/${centre.lng.toFixed(digits)}`),
    part("layers", layers.join(","))];
  for (const key of FILTER_KEYS) {
    if (filters[key] && !(key === "colour" && filters[key] === "category")) parts.push(part(key, filters[key]));
  }
  const url = `${window.location.pathname}${window.location.search}#${parts.join("&")}`;
  window.history.replaceState(window.history.state, "", url);
}
