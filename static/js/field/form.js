// The record form, generated from the assets layer's edit-schema (docs/editing-api.md): the
// layer's own fields (name, condition, …) and the chosen category's attributes, each by type
// (text, integer, number, boolean, date, choice) with its required flag. The page checks what
// it can before saving; the server checks everything again when the record arrives.

import { el } from "../map/dom.js";

const OWN = new Set(["category", "attributes"]); // picked by the page itself

function input(field, prefix, strings) {
  const id = `${prefix}-${field.name}`;
  const attrs = { id, name: field.name, "data-type": field.type, required: !!field.required };
  let control;
  switch (field.type) {
    // Numbers as text with a numeric keyboard: Indonesian writes "12,5", which a
    // type=number input may silently empty; readValue accepts either separator.
    case "integer":
      control = el("input", { ...attrs, type: "text", inputmode: "numeric", autocomplete: "off" });
      break;
    case "number":
      control = el("input", { ...attrs, type: "text", inputmode: "decimal", autocomplete: "off" });
      break;
    case "date":
      control = el("input", { ...attrs, type: "date" });
      break;
    case "boolean":
      control = el("input", { ...attrs, type: "checkbox", required: false });
      return el("div", { class: "fd-field fd-check" }, control, el("label", { for: id }, field.label || field.name));
    case "choice":
      control = el("select", attrs,
        el("option", { value: "" }, strings.choose),
        ...(field.choices || []).map((c) => {
          const [value, label] = Array.isArray(c) ? c : [c, c];
          return el("option", { value: String(value) }, String(label));
        }));
      break;
    default:
      control = el("input", { ...attrs, type: "text", maxlength: field.max_length || null });
  }
  return el("div", { class: "fd-field" },
    el("label", { for: id }, field.label || field.name,
      field.required ? el("span", { class: "fd-req", "aria-hidden": "true" }, " *") : null),
    control,
    el("p", { class: "fd-field-error", id: `${id}-error`, hidden: true }));
}

function readValue(control, strings) {
  const type = control.dataset.type;
  if (type === "boolean") return { value: control.checked };
  const raw = control.value.trim();
  if (raw === "") return { value: null, error: control.required ? strings.required : "" };
  if (type === "integer") {
    return /^-?\d+$/.test(raw) ? { value: Number(raw) } : { value: null, error: strings.notInteger };
  }
  if (type === "number") {
    const n = /^-?\d+([.,]\d+)?$/.test(raw) ? Number(raw.replace(",", ".")) : NaN;
    return Number.isFinite(n) ? { value: n } : { value: null, error: strings.notNumber };
  }
  return { value: raw };
}

function writeValue(control, value) {
  if (control.dataset.type === "boolean") control.checked = !!value;
  else control.value = value === null || value === undefined ? "" : String(value);
}

export function createForm({ schema, categorySelect, layerBox, attributeBox, attributeList, strings }) {
  const categories = (schema && schema.categories ? schema.categories : [])
    .filter((c) => !c.geometry_type || c.geometry_type === "point"); // a GPS record is a point
  const layerFields = (schema && schema.fields ? schema.fields : []).filter((f) => !OWN.has(f.name));

  categorySelect.replaceChildren(el("option", { value: "" }, strings.choose),
    ...categories.map((c) => el("option", { value: c.slug }, c.name)));
  layerBox.replaceChildren(...layerFields.map((f) => input(f, "f", strings)));

  function showAttributes() {
    const category = categories.find((c) => c.slug === categorySelect.value);
    const fields = category ? category.fields || [] : [];
    attributeList.replaceChildren(...fields.map((f) => input(f, "a", strings)));
    attributeBox.hidden = !fields.length;
  }
  categorySelect.addEventListener("change", showAttributes);

  function controls(box) {
    return [...box.querySelectorAll("[data-type]")];
  }

  // {properties, label} or {errors: [[control, message]]}.
  function collect() {
    const errors = [];
    const properties = { category: categorySelect.value };
    if (!categorySelect.value) errors.push([categorySelect, strings.needCategory]);
    for (const control of controls(layerBox)) {
      const { value, error } = readValue(control, strings);
      if (error) errors.push([control, error]);
      else if (value !== null) properties[control.name] = value;
    }
    const attributes = {};
    for (const control of controls(attributeList)) {
      const { value, error } = readValue(control, strings);
      if (error) errors.push([control, error]);
      else if (value !== null) attributes[control.name] = value;
    }
    properties.attributes = attributes;
    const category = categories.find((c) => c.slug === categorySelect.value);
    const label = [category ? category.name : properties.category, properties.name].filter(Boolean).join(" · ");
    return errors.length ? { errors } : { properties, label };
  }

  function fill(properties) {
    categorySelect.value = properties.category || "";
    showAttributes();
    for (const control of controls(layerBox)) writeValue(control, properties[control.name]);
    const attributes = properties.attributes || {};
    for (const control of controls(attributeList)) writeValue(control, attributes[control.name]);
  }

  // Server field errors (from a refusal) shown next to their fields when editing.
  function showErrors(errors) {
    document.querySelectorAll(".fd-field-error").forEach((p) => { p.hidden = true; p.textContent = ""; });
    for (const [name, messages] of Object.entries(errors || {})) {
      const key = name.replace(/^attributes\./, "");
      const box = document.getElementById(`a-${key}-error`) || document.getElementById(`f-${key}-error`);
      if (box) { box.textContent = [].concat(messages).join(" "); box.hidden = false; }
    }
  }

  function reset() {
    categorySelect.value = "";
    showAttributes();
    for (const control of controls(layerBox)) writeValue(control, null);
    showErrors({});
  }

  function labelOf(name) {
    const key = name.replace(/^attributes\./, "");
    const pool = name.startsWith("attributes.") ? categories.flatMap((c) => c.fields || []) : layerFields;
    const field = pool.find((f) => f.name === key);
    return field ? field.label || field.name : null;
  }

  return { categories, collect, fill, reset, showErrors, labelOf };
}
