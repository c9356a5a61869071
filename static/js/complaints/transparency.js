// The transparency page's heat map of open complaints (leaflet.heat 0.2.0, vendored). The
// points are already counted per ~200 m grid cell by the server: [lat, lng, count].

import { createMap } from "./pinmap.js";

const L = window.L;
const config = JSON.parse(document.getElementById("complaint-config").textContent);
const box = document.getElementById("heat-map");
const map = createMap(box, config, { scrollWheelZoom: false });
const points = config.heat || [];
window.SIGComplaint = { map };

if (points.length && L.heatLayer) {
  const top = Math.max(...points.map((p) => p[2]));
  L.heatLayer(points, { radius: 22, blur: 18, minOpacity: 0.35, max: top, maxZoom: map.getZoom() }).addTo(map);
} else if (!points.length) {
  const note = document.getElementById("heat-empty");
  if (note) note.hidden = false;
}
box.dataset.ready = "1";
