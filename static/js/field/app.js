// Boot of the field capture page (/lapangan/): configuration from the page (json_script
// "field-config", every sentence already translated by Django), the service worker (the app
// shell offline), the kept data (categories and forms, the wilayah map), the record form, the
// queue in IndexedDB and its sync. `window.SIGField` is a small hook for tests and tools.

import { el, format } from "../map/dom.js";
import { cachedJSON, pruneData } from "./data.js";
import { createFieldMap } from "./fieldmap.js";
import { createForm } from "./form.js";
import { initPhotoPicker, preparePhoto } from "./photos.js";
import { renderQueue } from "./queue.js";
import * as store from "./store.js";
import { createSync } from "./sync.js";

const config = JSON.parse(document.getElementById("field-config").textContent);
const s = config.strings;
const $ = (id) => document.getElementById(id);
const body = document.body;

// ---- notices and the connection indicator -------------------------------------------------
function notify(text, tone = "info", link = null) {
  const box = $("notice");
  box.replaceChildren(text || "", link ? " " : "", link ? el("a", { href: link.href }, link.text) : "");
  box.dataset.tone = tone;
  box.hidden = !text;
}
function showNet() {
  const net = $("net");
  net.dataset.state = navigator.onLine ? "online" : "offline";
  net.textContent = navigator.onLine ? s.online : s.offlineShort;
  // Switching language reloads the page from the server: not possible offline.
  document.querySelectorAll(".fd-lang button").forEach((b) => { b.disabled = !navigator.onLine; });
}
window.addEventListener("online", showNet);
window.addEventListener("offline", showNet);
showNet();

// ---- tabs -----------------------------------------------------------------------------------
function showTab(name) {
  for (const tab of ["record", "queue"]) {
    $(`tab-${tab}`).setAttribute("aria-selected", String(tab === name));
    $(`panel-${tab}`).hidden = tab !== name;
  }
  if (name === "record") fieldMap.map.invalidateSize();
}
$("tab-record").addEventListener("click", () => showTab("record"));
$("tab-queue").addEventListener("click", () => showTab("queue"));

// ---- the service worker: the app shell for offline starts -----------------------------------
const swReady = ("serviceWorker" in navigator)
  ? navigator.serviceWorker.register(config.urls.serviceWorker, { scope: config.urls.scope })
    .then(() => navigator.serviceWorker.ready)
    .then(() => { body.dataset.sw = "ready"; })
    .catch(() => { body.dataset.sw = "failed"; })
  : Promise.resolve();
// Ask the browser not to evict the waiting records when the phone runs short of space.
if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});

// ---- the map and the pin --------------------------------------------------------------------
let position = null; // {lat, lng, source: gps|exif|manual, accuracy}
let exifCandidate = null;

function showPin() {
  const status = $("pin-status");
  let text = s.pinNone;
  let tone = "info";
  if (position && position.source === "gps") {
    const m = Math.round(position.accuracy);
    if (position.accuracy > config.accuracyWarnM) {
      text = format(s.gpsPoor, { m, limit: Math.round(config.accuracyWarnM) });
      tone = "warn";
    } else text = format(s.gpsAccuracy, { m });
  } else if (position && position.source === "exif") {
    text = format(s.pinExif, { m: position.accuracy ? `± ${Math.round(position.accuracy)} m` : "EXIF" });
  } else if (position) text = s.pinManual;
  status.textContent = text;
  status.dataset.tone = tone;
  status.dataset.source = position ? position.source : "";
  status.dataset.accuracy = position && position.accuracy ? String(Math.round(position.accuracy)) : "";
  const gpsGood = position && position.source === "gps" && position.accuracy <= config.accuracyWarnM;
  $("use-exif").hidden = !exifCandidate || gpsGood || (position && position.source === "exif");
}

const fieldMap = createFieldMap({
  box: $("field-map"),
  config,
  onPin(latlng, { source, accuracy }) {
    position = { lat: latlng.lat, lng: latlng.lng, source, accuracy };
    if (source === "manual") stopGps();
    showPin();
  },
});

let watch = null;
let gpsTimer = 0;
function stopGps() {
  if (watch !== null) navigator.geolocation.clearWatch(watch);
  watch = null;
  clearTimeout(gpsTimer);
}
function gpsFailed(text) {
  stopGps();
  const status = $("pin-status");
  if (!position) { status.textContent = text; status.dataset.tone = "warn"; }
  else notify(text, "warn");
  $("use-exif").hidden = !exifCandidate;
}
$("locate").addEventListener("click", () => {
  if (!navigator.geolocation) { gpsFailed(s.gpsUnsupported); return; }
  stopGps();
  $("pin-status").textContent = s.gpsLocating;
  $("pin-status").dataset.tone = "info";
  let best = null;
  // Watch for a while and keep the best fix: the first one is often the coarse cell position.
  watch = navigator.geolocation.watchPosition((p) => {
    if (best && p.coords.accuracy >= best.coords.accuracy) return;
    best = p;
    fieldMap.setPin([p.coords.latitude, p.coords.longitude], { source: "gps", accuracy: p.coords.accuracy });
    if (p.coords.accuracy <= config.accuracyWarnM / 3) stopGps();
  }, (error) => {
    if (!best) gpsFailed(s.gpsFailed);
  }, { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
  gpsTimer = setTimeout(stopGps, 60000);
});
$("use-exif").addEventListener("click", () => {
  if (exifCandidate) {
    fieldMap.setPin([exifCandidate.lat, exifCandidate.lng], { source: "exif", accuracy: exifCandidate.accuracy });
  }
});

// ---- the form -------------------------------------------------------------------------------
let form = null;
let editing = null; // the refused record being corrected
const picker = initPhotoPicker({
  camera: $("photo-camera"), gallery: $("photo-gallery"), list: $("photo-preview"),
  maxPx: config.photoMaxPx, strings: s,
  onExif(exif) { exifCandidate = exif; showPin(); },
  onError(text) { notify(text, "warn"); },
});

function formError(text) {
  $("form-error").textContent = text || "";
  $("form-error").hidden = !text;
}

function newRecord({ uid, properties, label, lat, lng, source, accuracy, photoUids }) {
  const now = new Date().toISOString();
  return {
    uid, userId: config.user.id, layer: config.layer, state: "pending",
    feature: { geometry: { type: "Point", coordinates: [Number(lng.toFixed(7)), Number(lat.toFixed(7))] }, properties },
    label, position: { source, accuracy: accuracy || null }, photoUids,
    serverId: null, reason: "", errors: {}, notices: [], createdAt: now, updatedAt: now,
  };
}

function photoEntry(photo, recordUid) {
  return { uid: photo.uid, recordUid, blob: photo.blob, name: photo.name, takenAt: photo.takenAt || null,
    state: "pending", serverId: null, reason: "" };
}

$("record-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  formError("");
  if (!form) { formError(s.noCategories); return; }
  const collected = form.collect();
  if (collected.errors) {
    const [control, message] = collected.errors[0];
    formError(message);
    control.focus();
    return;
  }
  if (!position) { formError(s.needPosition); return; }
  const photos = picker.photos();
  const uid = editing ? editing.uid : crypto.randomUUID();
  const record = newRecord({ uid, properties: collected.properties, label: collected.label,
    lat: position.lat, lng: position.lng, source: position.source, accuracy: position.accuracy,
    photoUids: photos.map((p) => p.uid) });
  if (editing) {
    record.createdAt = editing.createdAt;
    // Photos removed while correcting are removed from the phone with the correction.
    const kept = new Set(record.photoUids);
    for (const old of await store.photosOf(uid)) if (!kept.has(old.uid)) await store.deletePhoto(old.uid);
  }
  try {
    await store.saveRecord(record, photos.map((p) => photoEntry(p, uid)));
  } catch {
    formError(s.storageFailed); // nothing was kept: the form stays filled
    return;
  }
  notify(editing ? s.savedEdit : s.saved);
  endEditing();
  await refresh();
  sync.run();
});

function endEditing() {
  editing = null;
  $("editing").hidden = true;
  if (form) form.reset();
  picker.clear();
  fieldMap.clearPin();
  position = null;
  exifCandidate = null;
  showPin();
}
$("cancel-edit").addEventListener("click", endEditing);

async function edit(record) {
  editing = record;
  form.fill(record.feature.properties);
  form.showErrors(record.errors);
  const [lng, lat] = record.feature.geometry.coordinates;
  fieldMap.setPin([lat, lng], { source: record.position.source === "gps" ? "gps" : record.position.source,
    accuracy: record.position.accuracy });
  picker.set((await store.photosOf(record.uid)).map((p) => ({ uid: p.uid, blob: p.blob, name: p.name, takenAt: p.takenAt })));
  $("editing").hidden = false;
  $("editing").querySelector("span").textContent = `${s.editing} ${record.reason}`;
  showTab("record");
}

// ---- the queue --------------------------------------------------------------------------------
const lists = { refused: $("list-refused"), pending: $("list-pending"), sent: $("list-sent") };
async function refresh() {
  const records = (await store.allRecords()).filter((r) => r.userId === config.user.id);
  fieldMap.showRecords(records);
  return renderQueue({ records, photoCounts: await store.photoCounts(), lists, summary: $("queue-summary"),
    count: $("queue-count"), strings: s, actions: {
      edit,
      async discard(record) {
        if (!window.confirm(s.discardConfirm)) return;
        await store.deleteRecord(record.uid);
        await refresh();
      },
      async dropRefusedPhotos(record) {
        for (const photo of await store.photosOf(record.uid)) if (photo.state === "refused") await store.deletePhoto(photo.uid);
        Object.assign(record, { state: "pending", reason: "", photoRefused: false, updatedAt: new Date().toISOString() });
        await store.putRecord(record);
        await refresh();
        sync.run();
      },
    } });
}
$("clear-sent").addEventListener("click", async () => {
  for (const r of await store.allRecords()) if (r.state === "sent" && r.userId === config.user.id) await store.deleteRecord(r.uid);
  await refresh();
});

const sync = createSync({
  config,
  // A field the server names in a refusal ("attributes.bahan"), by the label the form shows.
  labelOf: (name) => (form && form.labelOf(name)) || name,
  onChange: () => refresh(),
  onStatus(status) {
    body.dataset.sync = status.state;
    if (status.state === "syncing") notify(s.syncing);
    else if (status.state === "done") notify(s.syncDone);
    else if (status.state === "retry") notify(format(s.syncRetry, { s: status.seconds }), "warn");
    else if (status.state === "auth") notify(s.loginAgain, "warn", { href: config.urls.login, text: s.login });
    else if (status.state === "offline") notify(s.offline);
    else if (status.state === "idle") notify("");
  },
});
$("sync-now").addEventListener("click", () => sync.run());

// ---- start: kept data first, then the queue and a first sync ----------------------------------
async function loadData() {
  const schema = await cachedJSON(config.urls.schema);
  if (schema.data) form = createForm({ schema: schema.data, categorySelect: $("category"), layerBox: $("layer-fields"),
    attributeBox: $("attribute-fields"), attributeList: $("attribute-list"), strings: s });
  else formError(s.noCategories);
  let mapKept = config.areas.length > 0;
  await Promise.all(config.areas.map(async (area) => {
    const [boundaries, assets] = await Promise.all([
      area.boundaries ? cachedJSON(area.boundaries) : { data: null },
      area.assets ? cachedJSON(area.assets) : { data: null },
    ]);
    fieldMap.showBoundaries(boundaries.data);
    fieldMap.showAssets(assets.data);
    if (!boundaries.data) mapKept = false;
  }));
  if (!mapKept) notify(s.mapMissing, "warn");
  if (navigator.onLine) await pruneData([config.urls.schema, ...config.areas.flatMap((a) => [a.boundaries, a.assets])]);
}

// For tests and tools: record without the form (same record shape and photo path).
window.SIGField = {
  config,
  async addRecord({ properties, lat, lng, accuracy = null, source = "gps", photos = [], label = "" }) {
    const uid = crypto.randomUUID();
    const prepared = [];
    for (const file of photos) prepared.push(await preparePhoto(file, config.photoMaxPx));
    const record = newRecord({ uid, properties, label: label || properties.name || properties.category,
      lat, lng, source, accuracy, photoUids: prepared.map((p) => p.uid) });
    await store.saveRecord(record, prepared.map((p) => photoEntry(p, uid)));
    return uid;
  },
  records: () => store.allRecords(),
  position: () => position,
  refresh,
  sync: () => sync.run(),
  // Send every record again, as after a lost acknowledgement: the same uids, so the server
  // must store each once.
  async replayAll() {
    for (const record of await store.allRecords()) {
      if (record.state !== "sent") continue;
      for (const photo of await store.photosOf(record.uid)) await store.putPhoto({ ...photo, state: "pending" });
      await store.putRecord({ ...record, state: "pending", serverId: null });
    }
    await refresh();
    return sync.run();
  },
};

Promise.all([loadData(), refresh()]).then(() => {
  body.dataset.ready = "1";
  sync.run();
  return swReady;
}).then(() => { body.dataset.offlineReady = body.dataset.sw === "ready" ? "1" : "0"; });
