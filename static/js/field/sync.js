// Sending the waiting records: one at a time, the feature first (with its client uid, so a
// record sent twice is stored once), then each photo (with its own uid). Runs when the page
// starts, when the connection returns (online event), on "sync now", and after a failure with
// a growing delay (backoff). Only the server's answer moves a record out of "pending":
// 2xx → sent; a refusal with a reason (400/403/404/409/413) → refused, kept with the reason;
// anything else (no network, 5xx, an ended session) leaves it pending for the next try.

import * as store from "./store.js";

const REFUSALS = new Set([400, 403, 404, 409, 413, 415, 422]);
const BACKOFF_MIN_MS = 2000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;

class Retry extends Error {} // stop this pass; try again later
class AuthLost extends Error {} // the session ended or the CSRF cookie is gone

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// The server's reason, in the language it was asked in: the description, then each field's
// messages ("condition: …").
export function reasonOf(body, status, strings, labelOf = (name) => name) {
  if (!body || typeof body !== "object") return strings.unknownError.replace("%(status)s", status);
  const parts = [];
  if (body.description) parts.push(String(body.description));
  else if (body.detail) parts.push(String(body.detail));
  const errors = body.errors && typeof body.errors === "object" ? body.errors : {};
  for (const [name, messages] of Object.entries(errors)) {
    const text = [].concat(messages).map(String).join(" ");
    parts.push(name && name !== "__all__" && name !== "non_field_errors" ? `${labelOf(name)}: ${text}` : text);
  }
  return parts.join(" ") || strings.unknownError.replace("%(status)s", status);
}

async function readJSON(response) {
  try { return await response.json(); } catch { return null; }
}

async function send(url, options) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options,
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json", ...(options.headers || {}) } });
  } catch {
    throw new Retry("network");
  }
  if (response.ok) return { ok: true, body: await readJSON(response) };
  const body = await readJSON(response);
  if (response.status === 401) throw new AuthLost("401");
  if (REFUSALS.has(response.status)) return { ok: false, status: response.status, body };
  throw new Retry(String(response.status));
}

export function createSync({ config, onChange, onStatus, labelOf }) {
  const s = config.strings;
  let running = null;
  let failures = 0;
  let timer = 0;

  // The API answers an ended session (or a missing CSRF cookie) with 403 like a refusal: ask
  // the page's own session endpoint, which also renews the CSRF cookie.
  async function sessionHolds() {
    let response;
    try {
      response = await fetch(config.urls.session, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch {
      throw new Retry("network");
    }
    if (!response.ok) throw new Retry(String(response.status));
    const body = await readJSON(response);
    return !!(body && body.authenticated && body.canRecord && body.user === config.user.id);
  }

  // A 403 counts as a refusal only when the session holds and the same request, sent again
  // with a fresh CSRF cookie, is refused again (a create is idempotent by its uid).
  async function sendChecked(url, makeOptions) {
    let answer = await send(url, makeOptions());
    if (!answer.ok && answer.status === 403) {
      if (!(await sessionHolds())) throw new AuthLost("403");
      answer = await send(url, makeOptions());
    }
    return answer;
  }

  async function sendRecord(record) {
    if (!record.serverId) {
      const feature = { type: "Feature", uid: record.uid, geometry: record.feature.geometry,
        properties: record.feature.properties };
      const answer = await sendChecked(config.urls.features, () => ({ method: "POST",
        body: JSON.stringify(feature), headers: { "Content-Type": "application/json" } }));
      if (!answer.ok) {
        Object.assign(record, { state: "refused", reason: reasonOf(answer.body, answer.status, s, labelOf),
          errors: (answer.body && answer.body.errors) || {}, updatedAt: new Date().toISOString() });
        await store.putRecord(record);
        return;
      }
      record.serverId = answer.body.id;
      record.notices = answer.body.notices || [];
      await store.putRecord(record);
    }
    const refused = [];
    for (const photo of await store.photosOf(record.uid)) {
      if (photo.state === "sent") continue;
      const form = () => {
        const data = new FormData();
        data.append("image", photo.blob, photo.name || `${photo.uid}.jpg`);
        data.append("uid", photo.uid);
        if (photo.takenAt) data.append("taken_at", photo.takenAt);
        return { method: "POST", body: data };
      };
      const url = config.urls.photos.replace("{id}", encodeURIComponent(record.serverId));
      const answer = await sendChecked(url, form);
      if (answer.ok) Object.assign(photo, { state: "sent", serverId: answer.body && answer.body.id, reason: "" });
      else {
        Object.assign(photo, { state: "refused", reason: reasonOf(answer.body, answer.status, s, labelOf) });
        refused.push(photo.reason);
      }
      await store.putPhoto(photo);
    }
    const now = new Date().toISOString();
    if (refused.length) {
      Object.assign(record, { state: "refused", photoRefused: true, updatedAt: now,
        reason: refused.map((r) => s.reasonPhoto.replace("%(reason)s", r)).join(" ") });
    } else {
      Object.assign(record, { state: "sent", reason: "", errors: {}, photoRefused: false, sentAt: now, updatedAt: now });
    }
    await store.putRecord(record);
  }

  async function pass() {
    clearTimeout(timer);
    const mine = (await store.allRecords())
      .filter((r) => r.state === "pending" && r.userId === config.user.id);
    if (!mine.length) { failures = 0; onStatus({ state: "idle" }); return; }
    if (!navigator.onLine) { onStatus({ state: "offline" }); return; }
    onStatus({ state: "syncing", left: mine.length });
    try {
      if (!(await sessionHolds())) throw new AuthLost("session");
      for (const record of mine) {
        await sendRecord(record);
        onChange();
      }
      failures = 0;
      onStatus({ state: "done" });
    } catch (error) {
      onChange();
      if (error instanceof AuthLost) { onStatus({ state: "auth" }); return; }
      if (!(error instanceof Retry)) throw error;
      failures += 1;
      // Exponential backoff with jitter: a crowd of phones coming back online at once
      // should not all knock at the same second.
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (failures - 1)) * (0.75 + Math.random() / 2);
      timer = setTimeout(() => run(), delay);
      onStatus({ state: "retry", seconds: Math.round(delay / 1000) });
    }
  }

  // One pass at a time; a call during a pass runs another pass after it (new records).
  let again = false;
  function run() {
    if (running) { again = true; return running; }
    running = pass().finally(() => {
      running = null;
      if (again) { again = false; run(); }
    });
    return running;
  }

  window.addEventListener("online", () => { failures = 0; run(); });
  window.addEventListener("offline", () => onStatus({ state: "offline" }));
  return { run, idle: () => running || Promise.resolve() };
}
