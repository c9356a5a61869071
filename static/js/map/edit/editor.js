// Editing on the staff map (/peta/staf/), loaded only when the view says the user may edit
// (config.edit, decided by layers.permissions on the server). Builds on window.SIG from
// map.js, which runs first (module scripts run in document order). Every save goes through
// the editing API (docs/editing-api.md); the server decides and validates, this page shows
// its answers: per-field errors, geometry repairs, measures, and on 409 the conflict view.

import { api, newUid, url } from "./api.js";
import { conflictView, YOURS_STYLE } from "./conflict.js";
import { buildForm, same } from "./form.js";
import { historyView } from "./history.js";
import { EDIT_STYLE, ShapeEditor } from "./shape.js";
import { SnapTargets } from "./snap.js";
import { display, measures, normalise, plainKind, sameGeometry } from "./values.js";
import { el, format } from "../dom.js";

const L = window.L;
const SIG = window.SIG;
const { map, config } = SIG;
const edit = config.edit;
const s = { ...config.strings, ...edit.strings };
const editable = new Map(edit.layers.map((l) => [l.slug, l]));
const OWN_FIELDS = ["category", "attributes"];

map.pm.setLang("sig", edit.geoman, "en");
map.createPane("sigSnap").style.zIndex = "430";
map.createPane("sigEditOverlay").style.zIndex = "460";

// ---- state ------------------------------------------------------------------------------------
const schemas = new Map();
let state = null; // {mode, slug, layer, schema, category, feature, uid, form, view, busy}
const shape = new ShapeEditor(map, { onChange: () => renderTools(), markerLabel: s.markerKeys });
const snap = new SnapTargets(map, {
  minZoom: edit.snapMinZoom,
  pane: "sigSnap",
  layers: () => [...SIG.layers.values()].filter((c) => c.visible && editable.has(c.slug)).map((c) => c.entry),
  exclude: () => (state && state.feature ? { slug: state.slug, id: state.feature.id } : null),
});

function loadSchema(slug) {
  if (!schemas.has(slug)) {
    schemas.set(slug, api("GET", url(edit.urls.schema, { slug })).then((a) => {
      if (!a.ok) { schemas.delete(slug); throw new Error(String(a.status)); }
      return a.data;
    }));
  }
  return schemas.get(slug);
}

// ---- the panel ---------------------------------------------------------------------------------
const title = el("h2", { id: "edit-panel-title", tabindex: "-1" });
const closeButton = el("button", { type: "button", class: "edit-close", "aria-label": s.close, title: s.close }, "×");
const messages = el("div", { class: "edit-messages", role: "status", "aria-live": "polite" });
const body = el("div", { class: "edit-body" });
const panel = el("aside", { class: "edit-panel", id: "edit-panel", "aria-labelledby": title.id, hidden: true },
  el("header", { class: "edit-panel-head" }, title, closeButton), messages, body);
const wrap = document.querySelector(".map-wrap");
wrap.append(panel);
L.DomEvent.disableClickPropagation(panel);
L.DomEvent.disableScrollPropagation(panel);
closeButton.addEventListener("click", () => close());

function say(tone, ...lines) {
  messages.replaceChildren(...lines.filter(Boolean).map((line) => el("p", { class: `edit-msg tone-${tone}` }, line)));
}

function open(mode) {
  panel.hidden = false;
  SIG.editing = true; // map.js shows no popups while editing
  wrap.classList.add("is-editing");
  title.textContent = mode === "new" ? s.newFeature : s.editFeature;
  snap.start();
  title.focus(); // keyboard users continue in the panel
}

function dirty() {
  if (!state || !state.form) return false;
  if (shape.dirty) return true;
  return Object.keys(changes().properties).length > 0;
}

function close({ force = false } = {}) {
  if (!force && dirty() && !window.confirm(s.discard)) return false;
  if (state && state.view) state.view.destroy();
  state = null;
  shape.clear();
  snap.stop();
  panel.hidden = true;
  SIG.editing = false;
  wrap.classList.remove("is-editing");
  messages.replaceChildren();
  body.replaceChildren();
  toolbarButton.focus();
  return true;
}

// ---- toolbar: "New feature" (and the review queue for planners) -------------------------------
const toolbarButton = el("button", { type: "button", class: "edit-new", id: "edit-new" }, s.newFeature);
toolbarButton.addEventListener("click", () => startNew());
const Toolbar = L.Control.extend({
  options: { position: "topright" },
  onAdd() {
    const box = el("div", { class: "leaflet-bar sig-edit-toolbar", role: "toolbar", "aria-label": s.editing }, toolbarButton,
      edit.urls.review ? el("a", { href: edit.urls.review, class: "edit-review-link" }, s.reviewQueue) : null);
    L.DomEvent.disableClickPropagation(box);
    return box;
  },
});
new Toolbar().addTo(map);

// ---- popups: "Edit" and "History" on editable features ----------------------------------------
map.on("popupopen", (event) => {
  const root = event.popup.getElement();
  if (!root) return;
  for (const card of root.querySelectorAll(".popup-card[data-layer][data-id]")) {
    const slug = card.dataset.layer;
    const id = Number(card.dataset.id);
    if (!editable.has(slug) || !Number.isInteger(id) || id <= 0 || card.querySelector(".popup-edit")) continue;
    const editButton = el("button", { type: "button", class: "edit-btn edit-btn-small", "data-action": "edit" }, s.edit);
    const historyButton = el("button", { type: "button", class: "edit-btn edit-btn-small", "data-action": "history" }, s.history);
    editButton.addEventListener("click", () => { map.closePopup(); startEdit(slug, id); });
    historyButton.addEventListener("click", () => { map.closePopup(); startEdit(slug, id, { history: true }); });
    card.append(el("p", { class: "popup-edit" }, editButton, historyButton));
  }
});

// ---- new feature --------------------------------------------------------------------------------
async function startNew() {
  if (state && !close()) return;
  const first = edit.layers[0];
  if (!first) { window.alert(s.noEditableLayers); return; }
  state = { mode: "new", slug: first.slug, uid: newUid(), feature: null, category: "" };
  open("new");
  await chooseLayer(first.slug);
}

async function chooseLayer(slug) {
  state.slug = slug;
  state.layer = editable.get(slug);
  state.schema = null;
  shape.clear();
  body.replaceChildren(el("p", { class: "muted" }, s.loading));
  try {
    state.schema = await loadSchema(slug);
  } catch {
    body.replaceChildren(el("p", { class: "edit-msg tone-error" }, s.schemaError));
    return;
  }
  if (state.layer.kind === "assets" && !state.category) state.category = "";
  render();
}

// ---- existing feature ---------------------------------------------------------------------------
async function startEdit(slug, id, { history = false } = {}) {
  if (state && !close()) return;
  state = { mode: "edit", slug, layer: editable.get(slug), feature: null };
  open("edit");
  body.replaceChildren(el("p", { class: "muted" }, s.loading));
  const [schema, answer] = await Promise.all([
    loadSchema(slug).catch(() => null),
    api("GET", url(edit.urls.feature, { slug, id })),
  ]);
  if (!schema || !answer.ok) {
    body.replaceChildren(el("p", { class: "edit-msg tone-error" }, !schema ? s.schemaError
      : answer.status === 404 ? s.notFound : s.loadError));
    return;
  }
  state.schema = schema;
  const feature = answer.data;
  if (feature.properties && feature.properties.version === undefined) {
    // The read API gives thematic features without their version; the newest history entry
    // has it (a save needs the version it is based on).
    const history = await api("GET", url(edit.urls.history, { slug, id }));
    const newest = history.ok && (history.data.results || [])[0];
    if (newest) feature.properties.version = newest.version;
  }
  setFeature(feature);
  zoomTo();
  if (history) showHistory(); else render();
}

function setFeature(feature) {
  state.feature = normalise(feature, state.layer.kind);
  state.mode = "edit";
  state.mine = null;
  state.category = state.feature.properties.category || "";
  shape.load(state.feature.geometry);
  title.textContent = s.editFeature;
}

function zoomTo() {
  const bounds = shape.bounds();
  if (bounds && bounds.isValid() && !map.getBounds().contains(bounds)) {
    map.fitBounds(bounds, { padding: [60, 60], maxZoom: 18 });
  }
}

// ---- rendering -------------------------------------------------------------------------------
function categoryOf() {
  return ((state.schema && state.schema.categories) || []).find((c) => c.slug === state.category) || null;
}

function allowedKinds() {
  if (state.layer.kind === "assets") {
    const category = categoryOf();
    return category ? [plainKind(category.geometry_type)] : [];
  }
  const kind = plainKind(state.schema.geometry_type || state.layer.geometry_type);
  return kind ? [kind] : ["point", "line", "polygon"];
}

function select(label, id, options, value, onChange) {
  const node = el("select", { id }, options.map(([v, text]) => el("option", { value: v }, text)));
  node.value = value;
  node.addEventListener("change", () => onChange(node.value));
  return el("div", { class: "edit-field" }, el("label", { for: id }, label), node);
}

const tools = el("div", { class: "edit-tools", role: "group" });

function render() {
  if (state.view) { state.view.destroy(); state.view = null; }
  shape.setStyle(EDIT_STYLE);
  shape.freeze(false);
  const stored = state.feature ? state.feature.properties : {};
  const props = state.draft ? { ...stored, ...state.draft } : stored;
  state.draft = null;
  const parts = [];
  if (state.mode === "new") {
    parts.push(select(s.layer, "edit-layer", edit.layers.map((l) => [l.slug, l.name]), state.slug, (v) => {
      state.category = "";
      chooseLayer(v);
    }));
  } else {
    parts.push(el("p", { class: "edit-layer-name" }, el("strong", {}, state.layer.name), ` · #${state.feature.id} · `,
      format(s.versionN, { v: props.version })));
  }
  if (state.layer.kind === "assets") {
    const categories = state.schema.categories || [];
    const current = plainKind(shape.kind());
    // An existing asset keeps its kind of geometry: only categories of that kind are offered.
    const offered = categories.filter((c) => state.mode === "new" || !current || plainKind(c.geometry_type) === current);
    parts.push(select(s.category, "edit-category", [["", s.chooseCategory], ...offered.map((c) => [c.slug, c.name])],
      state.category, (v) => {
        const before = allowedKinds()[0];
        // What was typed so far survives the new form (attributes of the old category go).
        state.draft = state.form ? state.form.values().props : null;
        state.category = v;
        if (shape.parts.length && allowedKinds()[0] !== before && state.mode === "new") shape.clear();
        render();
      }));
  }
  if (state.feature) {
    const status = [];
    status.push(...measures(props, s));
    if (props.area_name) status.push(format(s.inWilayah, { name: props.area_name }));
    if (props.is_verified === false) status.push(s.unverified);
    parts.push(el("p", { class: "edit-facts", id: "edit-measures" }, status.join(" · ")));
    if (props.review_note) parts.push(el("p", { class: "edit-msg tone-warn" }, format(s.sentBack, { note: props.review_note })));
  }
  parts.push(tools);
  renderTools();
  const canForm = state.layer.kind !== "assets" || state.category;
  if (canForm) {
    state.form = buildForm({
      fields: state.schema.fields || [],
      attributeFields: state.layer.kind === "assets" ? (categoryOf() || {}).fields || [] : [],
      properties: props, skip: OWN_FIELDS, strings: s,
    });
    parts.push(state.form.node);
  } else {
    state.form = null;
  }
  const save = el("button", { type: "button", class: "edit-btn edit-btn-primary", id: "edit-save", disabled: !canForm }, s.save);
  save.addEventListener("click", () => saveFeature());
  const actions = [save];
  if (state.mode === "edit") {
    const history = el("button", { type: "button", class: "edit-btn", id: "edit-history" }, s.history);
    history.addEventListener("click", () => showHistory());
    const remove = el("button", { type: "button", class: "edit-btn edit-btn-danger", id: "edit-delete" }, s.delete);
    remove.addEventListener("click", () => deleteFeature());
    actions.push(history, remove);
  }
  parts.push(el("div", { class: "edit-actions" }, actions));
  body.replaceChildren(el("form", { class: "edit-main", novalidate: true, onsubmit: (e) => { e.preventDefault(); saveFeature(); } }, parts));
}

function toolButton(label, action, onClick, extra = {}) {
  const b = el("button", { type: "button", class: "edit-btn edit-btn-small", "data-tool": action, ...extra }, label);
  b.addEventListener("click", onClick);
  return b;
}

// The geometry tools: draw (new, or when nothing is drawn), finish / undo / cancel while
// drawing, cut a hole in a polygon, and a hint on what the mouse does.
function renderTools() {
  if (!state || !state.schema) return;
  const kinds = allowedKinds();
  const items = [];
  const drawing = shape.drawing;
  if (drawing === "Cut") {
    items.push(el("p", { class: "edit-hint" }, s.cutHint),
      toolButton(s.finishDrawing, "finish", () => shape.finishDrawing()),
      toolButton(s.removeLastVertex, "undo", () => shape.removeLastVertex()),
      toolButton(s.cancelDrawing, "cancel", () => { shape.stopDrawing(); renderTools(); }));
  } else if (drawing) {
    const kind = { Marker: "point", Line: "line", Polygon: "polygon" }[drawing];
    items.push(el("p", { class: "edit-hint" }, s[`drawHint_${kind}`]));
    if (kind !== "point") {
      items.push(toolButton(s.finishDrawing, "finish", () => shape.finishDrawing()),
        toolButton(s.removeLastVertex, "undo", () => shape.removeLastVertex()));
    }
    items.push(toolButton(s.cancelDrawing, "cancel", () => { shape.stopDrawing(); renderTools(); }));
  } else {
    if (!kinds.length) items.push(el("p", { class: "edit-hint" }, s.chooseCategoryFirst));
    for (const kind of kinds) {
      if (state.mode === "edit" && shape.parts.length) break;
      const label = shape.parts.length ? s[`redraw_${kind}`] : s[`draw_${kind}`];
      items.push(toolButton(label, `draw-${kind}`, () => { shape.draw(kind); renderTools(); }));
    }
    if (shape.parts.length) {
      items.push(el("p", { class: "edit-hint" }, map.getZoom() < edit.snapMinZoom ? `${s.editHint} ${s.snapZoom}` : s.editHint));
      if (shape.kind() === "polygon") items.push(toolButton(s.cutHole, "cut", () => { shape.cutHole(); renderTools(); }));
    }
  }
  tools.setAttribute("aria-label", s.geometryTools);
  tools.replaceChildren(...items);
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || panel.hidden) return;
  if (state && shape.drawing) {
    shape.stopDrawing();
    renderTools();
  } else if (panel.contains(document.activeElement)) {
    close(); // asks first when something is unsaved
  }
});
map.on("zoomend", () => { if (state && !shape.drawing) renderTools(); });

// ---- saving -----------------------------------------------------------------------------------
// What the editor changed relative to the stored feature: only these go into a PATCH, so a
// save "on top" of someone else's version keeps their other changes.
function changes() {
  const out = {};
  const attributeKeys = [];
  if (!state.form) return { properties: out, attributeKeys, attributes: null };
  const { props, attributes } = state.form.values();
  const stored = state.feature ? state.feature.properties : {};
  for (const [k, v] of Object.entries(props)) if (!same(v, stored[k])) out[k] = v;
  if (state.layer.kind === "assets" && state.category !== (stored.category || "")) out.category = state.category;
  if (attributes) {
    const old = stored.attributes || {};
    for (const [k, v] of Object.entries(attributes)) if (!same(v, old[k])) attributeKeys.push(k);
    if (attributeKeys.length) out.attributes = { ...old, ...attributes };
  }
  return { properties: out, attributeKeys, attributes };
}

function newBody() {
  const { props, attributes } = state.form.values();
  const properties = { ...props };
  if (state.layer.kind === "assets") properties.category = state.category;
  if (attributes) properties.attributes = attributes;
  return { type: "Feature", uid: state.uid, geometry: shape.geometry(), properties };
}

// A PATCH body of `mine` (from changes()) based on `base` (the stored feature it goes on top of).
function patchBody(mine, base) {
  const properties = { ...mine.properties };
  if (mine.attributeKeys.length) {
    const theirs = (base.properties && base.properties.attributes) || {};
    properties.attributes = { ...theirs, ...Object.fromEntries(mine.attributeKeys.map((k) => [k, mine.attributes[k]])) };
  }
  const body = { type: "Feature", version: base.properties.version, properties };
  if (mine.geometry) body.geometry = mine.geometry;
  return body;
}

async function saveFeature() {
  if (!state || state.busy || !state.form) return;
  const geometry = shape.geometry();
  if (!geometry) { say("error", s.noGeometry); return; }
  let request;
  if (state.mode === "new") {
    request = ["POST", url(edit.urls.features, { slug: state.slug }), newBody()];
  } else {
    const mine = { ...changes(), geometry: shape.dirty ? geometry : null };
    if (!Object.keys(mine.properties).length && !mine.geometry) { say("info", s.nothingChanged); return; }
    state.mine = mine;
    request = ["PATCH", url(edit.urls.feature, { slug: state.slug, id: state.feature.id }), patchBody(mine, state.feature)];
  }
  await send(...request);
}

async function send(method, target, payload) {
  state.busy = true;
  const button = document.getElementById("edit-save");
  if (button) { button.disabled = true; button.textContent = s.saving; }
  say("info", s.saving);
  const answer = await api(method, target, payload);
  state.busy = false;
  if (button) { button.disabled = false; button.textContent = s.save; }
  if (answer.ok) return saved(answer.data, method === "POST" && answer.status === 201);
  handleError(answer, payload);
}

function saved(feature, created) {
  const notices = (feature && feature.notices) || [];
  setFeature(feature);
  refreshLayer(state.slug);
  render();
  const p = state.feature.properties;
  say(notices.length ? "warn" : "ok",
    created ? s.created : format(s.saved, { v: p.version }),
    ...measures(p, s),
    ...notices.map((n) => format(s.notice, { text: n })));
}

function handleError(answer, payload) {
  const data = answer.data || {};
  if (answer.status === 400) {
    const rest = state.form ? state.form.setErrors(data.errors) : Object.entries(data.errors || {});
    say("error", data.description || s.invalid,
      ...rest.map(([key, msgs]) => `${key === "geometry" ? s.geometry : state.form ? state.form.labelOf(key) : key}: ${[].concat(msgs).join(" ")}`));
  } else if (answer.status === 409 && data.current) {
    showConflict(data.current, payload);
  } else if (answer.status === 403) {
    say("error", format(s.forbidden, { reason: data.description || "" }));
  } else if (answer.status === 404) {
    say("error", s.notFound);
  } else if (answer.status === 0) {
    say("error", s.network);
  } else {
    say("error", data.description || format(s.serverError, { status: answer.status }));
  }
}

// ---- conflict ---------------------------------------------------------------------------------
function conflictRows(current) {
  const theirs = current.properties;
  const mine = state.form ? state.form.values() : { props: {}, attributes: null };
  const rows = [];
  if (state.layer.kind === "assets") {
    const name = (slug) => ((state.schema.categories || []).find((c) => c.slug === slug) || {}).name || slug;
    rows.push({ key: "category", label: s.category, theirs: name(theirs.category), yours: name(state.category),
      differs: !same(theirs.category, state.category) });
  }
  for (const f of state.schema.fields || []) {
    if (OWN_FIELDS.includes(f.name)) continue;
    rows.push({ key: f.name, label: f.label || f.name, theirs: display(f, theirs[f.name], s),
      yours: display(f, mine.props[f.name], s), differs: !same(theirs[f.name], mine.props[f.name]) });
  }
  for (const f of (state.layer.kind === "assets" && categoryOf() ? categoryOf().fields : []) || []) {
    const t = (theirs.attributes || {})[f.name];
    const y = (mine.attributes || {})[f.name];
    rows.push({ key: `attributes.${f.name}`, label: f.label || f.name, theirs: display(f, t, s), yours: display(f, y, s), differs: !same(t, y) });
  }
  const geometryDiffers = !sameGeometry(current.geometry, shape.geometry());
  rows.push({ key: "geometry", label: s.geometry, theirs: geometryDiffers ? s.geometryTheirs : s.geometrySame,
    yours: geometryDiffers ? s.geometryYours : s.geometrySame, differs: geometryDiffers });
  rows.push({ key: "version", label: s.version, theirs: String(theirs.version), yours: String(state.feature.properties.version), differs: true });
  return rows;
}

function showConflict(rawCurrent, payload) {
  const current = normalise(rawCurrent, state.layer.kind);
  const deleting = payload === "delete";
  if (state.view) state.view.destroy();
  state.mode = "conflict";
  shape.freeze(true);
  shape.setStyle(YOURS_STYLE);
  const view = conflictView({
    map, strings: { ...s, applyMine: deleting ? s.deleteAnyway : s.applyMine }, pane: "sigEditOverlay",
    rows: conflictRows(current), geometry: { theirs: current.geometry },
    versions: { yours: state.feature.properties.version, theirs: current.properties.version },
    onKeepTheirs: () => {
      view.destroy();
      state.view = null;
      setFeature(current);
      render();
      say("info", s.keptTheirs);
    },
    onApplyMine: async () => {
      view.destroy();
      state.view = null;
      if (deleting) {
        state.feature = current;
        await deleteFeature({ confirmed: true });
        return;
      }
      const mine = state.mine || { ...changes(), geometry: shape.dirty ? shape.geometry() : null };
      state.mine = mine;
      // The form and the shape stay the editor's own; only the base version moves on.
      const base = current;
      state.mode = "edit";
      await send("PATCH", url(edit.urls.feature, { slug: state.slug, id: state.feature.id }), patchBody(mine, base));
    },
  });
  state.view = view;
  messages.replaceChildren();
  body.replaceChildren(view.node);
  const bounds = view.bounds();
  if (bounds.isValid() && !map.getBounds().contains(bounds)) map.fitBounds(bounds, { padding: [60, 60], maxZoom: 18 });
  view.focus();
}

// ---- delete -----------------------------------------------------------------------------------
async function deleteFeature({ confirmed = false } = {}) {
  if (!state || !state.feature || state.busy) return;
  if (!confirmed && !window.confirm(s.confirmDelete)) return;
  state.busy = true;
  const target = `${url(edit.urls.feature, { slug: state.slug, id: state.feature.id })}?version=${encodeURIComponent(state.feature.properties.version)}`;
  const answer = await api("DELETE", target);
  state.busy = false;
  if (answer.ok) {
    // The panel stays open with the message until closed; the map is usable again.
    const slug = state.slug;
    if (state.view) state.view.destroy();
    state = null;
    shape.clear();
    snap.stop();
    SIG.editing = false;
    body.replaceChildren();
    refreshLayer(slug);
    say("ok", s.deleted);
    return;
  }
  handleError(answer, "delete");
}

// ---- history ----------------------------------------------------------------------------------
function showHistory() {
  if (state.view) state.view.destroy();
  state.mode = "history";
  shape.freeze(true);
  const labels = new Map([...(state.schema.fields || []), ...((categoryOf() || {}).fields || [])].map((f) => [f.name, f.label || f.name]));
  labels.set("geom", s.geometry).set("geometry", s.geometry).set("category", s.category);
  const view = historyView({
    map, strings: s, pane: "sigEditOverlay",
    historyUrl: url(edit.urls.history, { slug: state.slug, id: state.feature.id }),
    labelOf: (field) => labels.get(field) || s[field] || field,
    canRevert: true,
    onRevert: (entry) => revert(entry),
  });
  state.view = view;
  const back = el("button", { type: "button", class: "edit-btn", id: "edit-back" }, s.backToEditing);
  back.addEventListener("click", () => { state.mode = "edit"; render(); });
  body.replaceChildren(view.node, el("div", { class: "edit-actions" }, back));
  view.load();
}

async function revert(entry) {
  if (state.busy || !window.confirm(format(s.confirmRevert, { v: entry.version }))) return;
  state.busy = true;
  const answer = await api("POST", url(edit.urls.revert, { slug: state.slug, id: state.feature.id }),
    { history_id: entry.history_id, version: state.feature.properties.version });
  state.busy = false;
  if (answer.ok) {
    const previous = state.feature.properties.version;
    setFeature(answer.data);
    refreshLayer(state.slug);
    showHistory();
    say("ok", format(s.reverted, { v: entry.version, from: previous, n: state.feature.properties.version }),
      ...measures(state.feature.properties, s));
    return;
  }
  if (answer.status === 409 && answer.data && answer.data.current) {
    // Someone saved meanwhile: show the history as it is now; the editor may choose again.
    setFeature(answer.data.current);
    showHistory();
    say("warn", s.revertConflict);
    return;
  }
  handleError(answer, null);
}

// ---- the map's layers after a write -------------------------------------------------------------
function refreshLayer(slug) {
  const controller = SIG.layers.get(slug);
  if (!controller) return;
  // Tiles and points are fetched again (the layer's data_version, hence its ETags, moved on),
  // tiles everywhere: the layer's extent and empty categories, as the page was told, may
  // have changed.
  controller.dataChanged();
  if (controller.visible) controller.hide();
  controller.show();
  const box = document.querySelector(`input[data-layer="${CSS.escape(slug)}"]`);
  if (box) box.checked = true;
}

SIG.editor = { startNew, startEdit, close, state: () => state, shape, snap };
