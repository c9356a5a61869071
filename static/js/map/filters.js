// The filter form (rendered by the server with translated choices) as plain values:
// {area, asset_category, condition, status, complaint_category, colour}. The layer controllers
// turn them into query parameters of the GeoJSON and tile requests.

import { el } from "./dom.js";
import { FILTER_KEYS } from "./permalink.js";

export function initFilters(form, onChange) {
  const values = () => {
    const data = new FormData(form);
    const out = {};
    for (const key of FILTER_KEYS) out[key] = String(data.get(key) || "");
    out.colour = out.colour || "category";
    return out;
  };
  form.addEventListener("change", () => onChange(values()));
  form.addEventListener("submit", (event) => event.preventDefault());
  // "reset" fires before the fields are reset.
  form.addEventListener("reset", () => setTimeout(() => onChange(values()), 0));

  function ensureArea(code, label) {
    const select = form.elements.area;
    if (!code || [...select.options].some((o) => o.value === code)) return;
    select.append(el("option", { value: code }, label || code));
  }

  return {
    values,
    set(filters) {
      for (const key of FILTER_KEYS) {
        const value = filters[key];
        if (value === undefined) continue;
        if (key === "area") ensureArea(value, value);
        const field = form.elements[key];
        if (field instanceof RadioNodeList) {
          for (const radio of field) radio.checked = radio.value === value;
        } else if (field) {
          field.value = value;
        }
      }
    },
    // A desa found by the search becomes a choice of the wilayah filter.
    filterTo(code, label) {
      ensureArea(code, label);
      form.elements.area.value = code;
      onChange(values());
    },
  };
}
