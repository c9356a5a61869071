// The editing API's client (docs/editing-api.md): JSON in and out, session cookie and CSRF
// header. Every answer comes back as {status, ok, data}; a network failure is status 0, so
// callers show one message and keep the user's work.

export function csrfToken() {
  // The page's own token (base.html's language form carries one) works whatever the cookie
  // settings; the cookie is the fallback.
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input && input.value) return input.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function api(method, url, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { status: 0, ok: false, data: null };
  }
  let data = null;
  if (response.status !== 204) {
    try { data = await response.json(); } catch { data = null; }
  }
  return { status: response.status, ok: response.ok, data };
}

// "/api/v1/layers/__slug__/features/__id__/" → the real path.
export function url(template, { slug = "", id = "" } = {}) {
  return template.replace("__slug__", encodeURIComponent(slug)).replace("__id__", encodeURIComponent(String(id)));
}

// A client-generated id for a new feature: the same draft saved twice (a double click, a
// retry after a lost answer) is stored once. randomUUID needs a secure context; intranets
// often serve plain http, hence the fallback.
export function newUid() {
  if (window.crypto && crypto.randomUUID && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
