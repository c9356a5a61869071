// The public complaint form (/pengaduan/baru/): the pin (tap, drag or "use my location" with its
// accuracy), the wilayah under it, open complaints nearby ("saya juga"), photo picking and a
// character counter. Without this script the form still works: coordinates are typed.

import { format } from "../map/dom.js";
import { initPhotos } from "./photos.js";
import { createNearby } from "./nearby.js";
import { createMap, createPin } from "./pinmap.js";

document.documentElement.classList.add("js");
const L = window.L;
const config = JSON.parse(document.getElementById("complaint-config").textContent);
const s = config.strings;
const form = document.getElementById("complaint-form");
const lat = form.elements.lat;
const lng = form.elements.lng;
const category = form.elements.category;
const status = document.getElementById("pin-status");
const locateButton = document.getElementById("locate");

function say(text, tone = "") {
  status.textContent = text;
  status.dataset.tone = tone;
}

const map = createMap(document.getElementById("pin-map"), config);
window.SIGComplaint = { map }; // for the browser tests
let accuracy = null;
let located = "";

const nearby = createNearby(document.getElementById("nearby"), config, {
  onLocation(location) {
    if (location) {
      const kecamatan = /^kecamatan\s/i.test(location.kecamatan) ? location.kecamatan : `Kecamatan ${location.kecamatan}`;
      const where = format(s.inRegion, { desa: location.desa, kecamatan });
      say(located ? `${located}\n${where}` : where, "ok");
    }
    else say(s.outside, "warn");
  },
});

const pin = createPin(map, {
  onMove(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    nearby(latlng, category.value);
  },
});

map.on("click", (event) => {
  located = "";
  if (accuracy) { map.removeLayer(accuracy); accuracy = null; }
  pin.place(event.latlng);
});
category.addEventListener("change", () => nearby(pin.latlng, category.value));

// Typed coordinates (or a form sent back with errors) put the pin there.
function fromInputs({ pan = true } = {}) {
  const y = parseFloat(lat.value);
  const x = parseFloat(lng.value);
  if (Number.isFinite(y) && Number.isFinite(x) && Math.abs(y) <= 90 && Math.abs(x) <= 180) {
    pin.place(L.latLng(y, x), { pan });
    if (pan && map.getZoom() < 15) map.setView([y, x], 16);
  }
}
lat.addEventListener("change", () => fromInputs());
lng.addEventListener("change", () => fromInputs());
if (lat.value && lng.value) fromInputs();
else say(s.pinHint);

// ---- "use my location" ---------------------------------------------------------------------
if ("geolocation" in navigator) locateButton.hidden = false;
locateButton.addEventListener("click", () => {
  if (!("geolocation" in navigator)) { say(s.locateUnsupported, "warn"); return; }
  say(s.locating);
  locateButton.disabled = true;
  navigator.geolocation.getCurrentPosition((position) => {
    locateButton.disabled = false;
    const here = L.latLng(position.coords.latitude, position.coords.longitude);
    const metres = Math.round(position.coords.accuracy || 0);
    if (accuracy) map.removeLayer(accuracy);
    accuracy = L.circle(here, { radius: metres, color: "#2563eb", weight: 1, fillOpacity: 0.12, interactive: false }).addTo(map);
    map.setView(here, metres > 150 ? 16 : 18);
    located = format(metres > 100 ? s.accuracyPoor : s.accuracy, { m: metres });
    say(located, metres > 100 ? "warn" : "ok");
    pin.place(here);
  }, () => {
    locateButton.disabled = false;
    say(s.locateDenied, "warn");
  }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
});

// ---- photos, counter, sending ----------------------------------------------------------------
initPhotos({
  camera: document.getElementById("photo-camera"),
  gallery: document.getElementById("photo-gallery"),
  preview: document.getElementById("photo-preview"),
  max: config.maxPhotos,
  strings: s,
});

const description = form.elements.description;
const counter = document.getElementById("description-counter");
const limit = Number(description.getAttribute("maxlength")) || 2000;
const count = () => { counter.textContent = `${description.value.length} / ${limit}`; };
description.addEventListener("input", count);
count();

form.addEventListener("submit", () => {
  const button = document.getElementById("submit");
  button.disabled = true; // one tap, one report
  button.textContent = s.sending;
});

// A form sent back with errors: show the first one.
const firstError = document.querySelector("#form-error, .errorlist");
if (firstError) firstError.scrollIntoView({ block: "center" });
