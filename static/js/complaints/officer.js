// The officer's complaint page (/pengaduan/petugas/<ticket>/): a small map with the complaint's
// pin; an officer who may act drags it, which fills the "move" form's coordinates.

import { createMap, createPin } from "./pinmap.js";

const L = window.L;
const config = JSON.parse(document.getElementById("complaint-config").textContent);
const map = createMap(document.getElementById("pin-map"), config);
const move = document.getElementById("move-form");
const here = L.latLng(config.pin[0], config.pin[1]);

const pin = createPin(map, {
  draggable: Boolean(config.editable && move),
  onMove(latlng) {
    if (!move) return;
    const changed = latlng.distanceTo(here) > 0.5;
    move.elements.lat.value = latlng.lat.toFixed(6);
    move.elements.lng.value = latlng.lng.toFixed(6);
    if (changed) {
      move.closest("details").open = true;
      move.querySelector("[data-drag-hint]").hidden = false;
    }
  },
});
pin.place(here);
map.setView(here, 17);
window.SIGComplaint = { map };
