// Zonal statistics run page: polls the run while it computes, then draws its zones as a
// choropleth (five quantile classes of the chosen statistic). Names are data: text only.
import { pollJob } from "../job-progress.js";

const progress = document.getElementById("zonal-progress");
if (progress) pollJob(progress);
const mapBox = document.getElementById("zonal-map");
if (mapBox) window.addEventListener("load", () => choropleth(mapBox));

const COLOURS = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];

// Quintile limits, without repeats (many equal values give fewer classes).
function breaks(values, fmt) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return [];
  const cuts = [1, 2, 3, 4].map((q) => sorted[Math.floor((q / 5) * (sorted.length - 1))]);
  const seen = new Set();
  return cuts.filter((c) => c < sorted[sorted.length - 1] && !seen.has(fmt.format(c)) && seen.add(fmt.format(c)));
}

function coloursFor(n) {
  if (n >= COLOURS.length) return COLOURS;
  return Array.from({ length: n }, (_, i) => COLOURS[Math.round((i * (COLOURS.length - 1)) / Math.max(n - 1, 1))]);
}

function classOf(value, cuts) {
  if (!Number.isFinite(value)) return -1;
  let i = 0;
  while (i < cuts.length && value > cuts[i]) i++;
  return i;
}

async function choropleth(box) {
  const L = window.L;
  const map = L.map(box, { preferCanvas: true });
  const res = await fetch(box.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } });
  const data = await res.json();
  const select = document.getElementById("zonal-column");
  let layer = null;
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => L.DomUtil.create("div", "zonal-legend");
  legend.addTo(map);
  const fmt = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 2 });

  function draw() {
    const key = select.value;
    const cuts = breaks(data.features.map((f) => Number(f.properties[key] ?? NaN)), fmt);
    const colours = coloursFor(cuts.length + 1);
    if (layer) map.removeLayer(layer);
    layer = L.geoJSON(data, {
      style: (f) => {
        const c = classOf(Number(f.properties[key] ?? NaN), cuts);
        return { color: "#374151", weight: 0.6, fillOpacity: c < 0 ? 0.05 : 0.75, fillColor: c < 0 ? "#9ca3af" : colours[c] };
      },
      onEachFeature: (f, lyr) => {
        const v = Number(f.properties[key] ?? NaN);
        lyr.bindTooltip(() => {
          const div = document.createElement("div");
          div.textContent = `${f.properties.name || f.properties.zone}: ${Number.isFinite(v) ? fmt.format(v) : "—"}`;
          return div;
        });
      },
    }).addTo(map);
    const box = legend.getContainer();
    box.replaceChildren();
    const edges = [null, ...cuts, null];
    colours.forEach((colour, i) => {
      const row = document.createElement("div");
      const swatch = document.createElement("i");
      swatch.style.background = colour;
      const low = edges[i] === null ? "" : fmt.format(edges[i]);
      const high = edges[i + 1] === null ? "" : fmt.format(edges[i + 1]);
      const text = low && high ? `${low} – ${high}` : low ? `> ${low}` : high ? `≤ ${high}` : "";
      row.append(swatch, document.createTextNode(text));
      box.append(row);
    });
  }
  select.addEventListener("change", draw);
  draw();
  if (layer && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
  else map.setView([-2.5, 118], 5);
}
