// Open complaints of the chosen category near the pin (/pengaduan/sekitar/), with a “Saya juga”
// button for each, so a resident can join an existing report instead of filing a duplicate.
// Public fields only come back from the server; text is set as text, never as HTML.

import { el, format } from "../map/dom.js";

export function createNearby(box, config, { onLocation = () => {} } = {}) {
  const s = config.strings;
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  let seq = 0;

  function supportForm(item, li) {
    const email = el("input", { type: "email", name: "email", autocomplete: "email", id: `support-email-${item.ticket}` });
    const send = el("button", { type: "submit", class: "cx-btn cx-btn-primary" }, s.supportSend);
    const form = el("form", { class: "cx-support", novalidate: true },
      el("label", { for: email.id }, s.supportEmail), email, send);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      send.disabled = true;
      const body = new FormData();
      body.set("email", email.value);
      let data = {};
      let ok = false;
      try {
        const response = await fetch(config.urls.support.replace("TICKET", item.ticket), {
          method: "POST", body, credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        });
        data = await response.json();
        ok = response.ok;
      } catch {
        data = { error: s.error };
      }
      if (!ok) {
        send.disabled = false;
        form.querySelector(".errorlist")?.remove();
        form.append(el("ul", { class: "errorlist", role: "alert" }, el("li", {}, data.error || s.error)));
        return;
      }
      li.querySelector("[data-supporters]").textContent = format(s.supporters, { n: data.supporters });
      form.replaceWith(el("p", { class: "cx-near-done", role: "status" }, s.supportThanks));
    });
    return form;
  }

  function card(item) {
    const track = config.urls.track.replace("TICKET", item.ticket);
    const li = el("li", { class: "cx-near", "data-ticket": item.ticket });
    const meToo = el("button", { type: "button", class: "cx-btn cx-btn-secondary" }, s.meToo);
    meToo.addEventListener("click", () => {
      const form = supportForm(item, li);
      meToo.replaceWith(form);
      form.querySelector("input").focus();
    });
    li.append(
      el("div", { class: "cx-near-meta" },
        el("a", { href: track, target: "_blank", rel: "noopener" }, item.ticket),
        el("span", { class: `cx-status cx-status-${item.status}` }, config.statuses[item.status] || item.status),
        el("span", {}, format(s.metres, { m: item.distance_m })),
        el("span", { "data-supporters": "" }, format(s.supporters, { n: item.supporters }))),
      el("p", { class: "cx-near-text" }, item.description),
      meToo);
    return li;
  }

  function render(items) {
    box.replaceChildren();
    box.hidden = false;
    box.dataset.empty = items.length ? "0" : "1";
    if (!items.length) {
      box.append(el("p", {}, s.nearbyNone));
      return;
    }
    box.append(el("h3", {}, s.nearbyTitle), el("p", {}, s.nearbyIntro),
      el("ul", {}, items.map(card)));
  }

  // Ask for the pin's wilayah and, with a category, its open neighbours.
  return async function update(latlng, category) {
    if (!latlng) return;
    const mine = ++seq;
    const query = new URLSearchParams({ lat: latlng.lat.toFixed(6), lng: latlng.lng.toFixed(6) });
    if (category) query.set("category", category);
    let data;
    try {
      const response = await fetch(`${config.urls.nearby}?${query}`, { credentials: "same-origin" });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      return; // offline or server busy: the form still works
    }
    if (mine !== seq) return; // a newer pin or category won
    onLocation(data.location);
    if (category) render(data.complaints);
    else box.hidden = true;
  };
}
