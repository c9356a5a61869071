// The attribute form, generated from a layer's edit schema (GET …/edit-schema/): one control
// per field of the declared type, required fields marked, choices as selects, and a slot under
// each control for the server's message about it. Values are read back typed, so a PATCH
// carries only what the editor changed.

import { el } from "../dom.js";

let serial = 0;

// Empty text and "no value" are the same thing to a comparison.
export function same(a, b) {
  // Decimals may arrive as strings ("1000.00") and be read back as numbers.
  const numeric = (v) => typeof v === "number" || (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)));
  if (typeof a !== typeof b && numeric(a) && numeric(b)) return Number(a) === Number(b);
  const norm = (v) => (v === "" || v === undefined ? null : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function control(field, value, s) {
  const id = `edit-f-${++serial}`;
  const common = { id, name: field.name, "aria-required": field.required ? "true" : null };
  let node;
  if (field.type === "choice" || field.type === "boolean") {
    const options = field.type === "boolean"
      ? [[true, s.yes], [false, s.no]]
      : (field.choices || []).map((c) => (Array.isArray(c) ? c : [c, c]));
    node = el("select", common, el("option", { value: "" }, s.unset),
      options.map(([v, label], i) => el("option", { value: String(i) }, String(label))));
    const index = options.findIndex(([v]) => same(v, value) || String(v) === String(value ?? ""));
    node.value = index >= 0 ? String(index) : "";
    node.readValue = () => (node.value === "" ? null : options[Number(node.value)][0]);
  } else if (field.type === "integer" || field.type === "number") {
    node = el("input", { ...common, type: "number", inputmode: field.type === "integer" ? "numeric" : "decimal",
      step: field.type === "integer" ? "1" : "any" });
    node.value = value === null || value === undefined ? "" : String(value);
    node.readValue = () => {
      const raw = node.value.trim();
      if (raw === "") return node.validity.badInput ? node.value : null;
      const n = Number(raw);
      return Number.isFinite(n) ? n : raw; // the server says what is wrong with it
    };
  } else if (field.type === "date") {
    node = el("input", { ...common, type: "date" });
    node.value = value ? String(value).slice(0, 10) : "";
    node.readValue = () => node.value || null;
  } else {
    const long = field.name === "description" || field.type === "textarea";
    node = el(long ? "textarea" : "input", long ? { ...common, rows: 3 } : { ...common, type: "text" });
    node.value = value === null || value === undefined ? "" : String(value);
    node.readValue = () => node.value.trim();
  }
  return node;
}

// fields: the layer's own (top-level properties); attributeFields: an asset category's
// (properties.attributes). properties: the feature's current values.
export function buildForm({ fields, attributeFields = [], properties = {}, skip = [], strings: s }) {
  const node = el("div", { class: "edit-form" });
  const controls = new Map();
  const attributes = properties.attributes && typeof properties.attributes === "object" ? properties.attributes : {};

  function add(field, group, value) {
    const input = control(field, value, s);
    const error = el("p", { class: "edit-field-error", id: `${input.id}-err`, hidden: true });
    input.setAttribute("aria-describedby", error.id);
    const label = el("label", { for: input.id }, field.label || field.name,
      field.required ? el("span", { class: "edit-required" }, ` ${s.required}`) : null);
    const wrap = el("div", { class: `edit-field type-${field.type || "text"}`, "data-field": field.name }, label, input, error);
    controls.set(group === "attributes" ? `attributes.${field.name}` : field.name, { field, group, input, error, wrap });
    return wrap;
  }

  for (const f of fields) {
    if (skip.includes(f.name)) continue;
    node.append(add(f, "props", properties[f.name]));
  }
  if (attributeFields.length) {
    const set = el("fieldset", { class: "edit-attributes" }, el("legend", {}, s.attributes));
    for (const f of attributeFields) set.append(add(f, "attributes", attributes[f.name]));
    node.append(set);
  }

  return {
    node,
    // {props: {name: value}, attributes: {name: value} | null}
    values() {
      const props = {};
      const attrs = {};
      for (const { field, group, input } of controls.values()) {
        (group === "attributes" ? attrs : props)[field.name] = input.readValue();
      }
      return { props, attributes: attributeFields.length ? attrs : null };
    },
    clearErrors() {
      for (const c of controls.values()) {
        c.error.hidden = true;
        c.error.textContent = "";
        c.input.removeAttribute("aria-invalid");
        c.wrap.classList.remove("has-error");
      }
    },
    // errors: {"name": ["…"], "attributes.kelas": ["…"], …}. Returns [[key, messages]] of the
    // keys no control owns (geometry, the whole feature), for the caller to show.
    setErrors(errors) {
      this.clearErrors();
      const rest = [];
      let first = null;
      for (const [key, raw] of Object.entries(errors || {})) {
        const messages = Array.isArray(raw) ? raw : [raw];
        const plain = key.replace(/^properties\./, "");
        const c = controls.get(plain) || controls.get(`attributes.${plain}`);
        if (!c) { rest.push([key, messages]); continue; }
        c.error.textContent = messages.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
        c.error.hidden = false;
        c.input.setAttribute("aria-invalid", "true");
        c.wrap.classList.add("has-error");
        first = first || c.input;
      }
      if (first) first.focus();
      return rest;
    },
    labelOf(key) {
      const c = controls.get(key) || controls.get(`attributes.${key}`);
      return c ? (c.field.label || c.field.name) : key;
    },
  };
}
