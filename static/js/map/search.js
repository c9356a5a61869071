// Search by wilayah name or code (/api/wilayah/?q=): suggestions while typing, Enter picks the
// first; picking zooms to the wilayah's bbox and highlights it. Results are data: text only.

import { debounce, el } from "./dom.js";

export function initSearch({ form, input, list, url, strings, onPick }) {
  let controller = null;
  let results = [];
  let active = -1;
  let shownFor = "";

  const hide = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  };

  function render() {
    list.replaceChildren();
    if (!results.length) {
      list.append(el("li", { class: "empty" }, strings.searchNone));
    }
    results.forEach((r, i) => {
      const option = el("li", { role: "option", id: `search-${i}`, "aria-selected": i === active ? "true" : "false" },
        el("button", { type: "button", onclick: () => pick(r) },
          el("strong", {}, r.name),
          el("span", { class: "meta" }, [r.kind, r.code, r.parent].filter(Boolean).join(" · "))));
      list.append(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  async function run(q) {
    if (controller) controller.abort();
    if (q.length < 2) {
      results = [];
      hide();
      return results;
    }
    controller = new AbortController();
    try {
      const response = await fetch(`${url}?${new URLSearchParams({ q })}`, { signal: controller.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      results = (await response.json()).results || [];
      shownFor = q;
      active = results.length ? 0 : -1;
      render();
    } catch (error) {
      if (error.name === "AbortError") return null;
      list.replaceChildren(el("li", { class: "empty" }, strings.searchError));
      list.hidden = false;
      results = [];
    }
    return results;
  }

  function pick(result) {
    hide();
    input.value = result.name;
    onPick(result);
  }

  const suggest = debounce(() => run(input.value.trim()), 250);
  input.addEventListener("input", suggest);
  input.addEventListener("keydown", (event) => {
    if (list.hidden || !results.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : results.length - 1)) % results.length;
      render();
      input.setAttribute("aria-activedescendant", `search-${active}`);
    } else if (event.key === "Escape") {
      hide();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    suggest.cancel();
    const q = input.value.trim();
    const found = q === shownFor && results.length ? results : await run(q);
    if (found && found.length) pick(found[Math.max(0, active)] || found[0]);
  });
  document.addEventListener("click", (event) => {
    if (!form.contains(event.target)) hide();
  });
}
