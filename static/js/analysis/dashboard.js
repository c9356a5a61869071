// A wilayah's dashboard (/wilayah/<code>/): the charts (vendored Chart.js 4.6.1, a `Chart`
// global) and a small map of the wilayah and the wilayah inside it (vendored Leaflet 1.9.4).
// Every number drawn here is also in the table under its chart; every label arrives already
// translated in the page's JSON ("dashboard-config").

const config = JSON.parse(document.getElementById("dashboard-config").textContent);
const urls = JSON.parse(document.getElementById("dashboard-urls").textContent);
// Numbers on the axes as in the tables (Indonesian: 92.231,32).
const locale = document.documentElement.lang || "id";

function barChart(id, { labels, series, axis }, { stacked = false, horizontal = false } = {}) {
  const canvas = document.getElementById(id);
  if (!canvas || !window.Chart || !labels.length) return null;
  const valueAxis = horizontal ? "x" : "y";
  return new window.Chart(canvas, {
    type: "bar",
    data: {
      labels,
      datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color })),
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      locale,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { stacked, beginAtZero: true },
        y: { stacked, beginAtZero: true },
        [valueAxis]: { stacked, beginAtZero: true, title: { display: true, text: axis } },
      },
      plugins: { legend: { position: "bottom" } },
    },
  });
}

function landUseChart() {
  const lu = config.landUse;
  const canvas = document.getElementById("chart-land-use");
  if (!canvas || !window.Chart || !lu.labels.length) return null;
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels: lu.labels, datasets: [{ label: lu.axis, data: lu.data, backgroundColor: lu.colors }] },
    options: {
      indexAxis: "y",
      locale,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { beginAtZero: true, title: { display: true, text: lu.axis } } },
      plugins: { legend: { display: false } },
    },
  });
}

function drawMap() {
  const box = document.getElementById("dash-map");
  const L = window.L;
  if (!box || !L) return;
  const map = L.map(box, { scrollWheelZoom: false, attributionControl: false });
  const data = JSON.parse(config.map);
  const link = (code) => urls.wilayah.replace("CODE", encodeURIComponent(code));
  const layer = L.geoJSON(data, {
    style: (f) => (f.properties.self
      ? { color: "#0b6e4f", weight: 3, fill: false }
      : { color: "#374151", weight: 1, fillColor: "#0b6e4f", fillOpacity: 0.08 }),
    onEachFeature: (f, l) => {
      if (f.properties.self) {
        l.options.interactive = false; // the outline only: clicks reach the children
        return;
      }
      // Text only: a wilayah name never becomes markup.
      l.bindTooltip(document.createTextNode(f.properties.name), { sticky: true });
      l.on("click", () => { window.location.href = link(f.properties.code); });
      l.on("mouseover", () => l.setStyle({ fillOpacity: 0.25 }));
      l.on("mouseout", () => l.setStyle({ fillOpacity: 0.08 }));
    },
  }).addTo(map);
  const bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [6, 6] });
  else map.setView([-2.5, 118], 5);
  L.control.scale({ imperial: false }).addTo(map);
  box.dataset.ready = "1";
}

function start() {
  barChart("chart-assets", config.assets, { stacked: true, horizontal: true });
  landUseChart();
  barChart("chart-access", config.access, { stacked: true });
  barChart("chart-complaints", config.complaints);
  drawMap();
  document.querySelector(".dash").dataset.ready = "1";
}

// Module scripts run after the deferred classic scripts (Leaflet, Chart.js) have loaded.
start();
