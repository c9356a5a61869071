// The list of what is on this phone: refused (with the server's reason, to edit or discard),
// waiting, and sent. Built as DOM nodes with text only (a reason or a name stays text).

import { el, format } from "../map/dom.js";

const SENT_SHOWN = 20;

function when(iso) {
  try {
    return new Date(iso).toLocaleString(document.documentElement.lang || undefined,
      { dateStyle: "short", timeStyle: "short" });
  } catch {
    return iso;
  }
}

export function renderQueue({ records, photoCounts, lists, summary, count, strings, actions }) {
  const groups = { refused: [], pending: [], sent: [] };
  for (const record of records) (groups[record.state] || groups.pending).push(record);
  for (const [state, items] of Object.entries(groups)) {
    lists[state].replaceChildren(...items.map((record) => {
      const photos = photoCounts.get(record.uid) || 0;
      const meta = [when(record.createdAt), (photos === 1 ? strings.photoOne : format(strings.photos, { n: photos }))];
      if (record.serverId) meta.push(format(strings.serverId, { id: record.serverId }));
      const buttons = [];
      if (state === "refused") {
        if (record.photoRefused) {
          buttons.push(el("button", { type: "button", class: "fd-button", onclick: () => actions.dropRefusedPhotos(record) },
            strings.dropRefusedPhotos));
        } else {
          buttons.push(el("button", { type: "button", class: "fd-button", onclick: () => actions.edit(record) }, strings.edit));
        }
      }
      if (state === "refused") {
        buttons.push(el("button", { type: "button", class: "fd-button fd-danger", onclick: () => actions.discard(record) },
          strings.discard));
      }
      // A waiting record can be discarded too (a mistake), but less prominently: it is
      // going to be sent, and a confirmation is asked.
      const discardLink = state === "pending"
        ? el("button", { type: "button", class: "fd-link fd-danger", onclick: () => actions.discard(record) }, strings.discard)
        : null;
      return el("li", { class: `fd-item fd-${state}`, "data-uid": record.uid, "data-state": state },
        el("div", { class: "fd-item-title" }, record.label || record.feature.properties.category),
        el("div", { class: "fd-item-meta" }, meta.join(" · ")),
        discardLink,
        state === "refused" ? el("p", { class: "fd-reason", role: "note" }, record.reason) : null,
        record.notices && record.notices.length ? el("p", { class: "fd-item-meta" }, record.notices.join(" ")) : null,
        buttons.length ? el("div", { class: "fd-row" }, buttons) : null);
    }));
  }
  // The sent list is a receipt, not a workspace: the latest few, newest first.
  const shown = [...lists.sent.children].reverse().slice(0, SENT_SHOWN);
  const hidden = groups.sent.length - shown.length;
  lists.sent.replaceChildren(...shown, hidden > 0 ? el("li", { class: "fd-more" }, format(strings.moreSent, { n: hidden })) : "");
  const n = { refused: groups.refused.length, pending: groups.pending.length, sent: groups.sent.length };
  summary.textContent = `${strings.pending}: ${n.pending} · ${strings.sent}: ${n.sent} · ${strings.refused}: ${n.refused}`;
  summary.dataset.pending = n.pending;
  summary.dataset.sent = n.sent;
  summary.dataset.refused = n.refused;
  count.textContent = String(n.pending + n.refused);
  count.dataset.tone = n.refused ? "warn" : "info";
  return n;
}
