// Service worker of the field page, served by layers.views.field.service_worker from
// /lapangan/sw.js (so its scope is /lapangan/), with `SIG_FIELD_SW` = {version, scope, page,
// shell: [static URLs]} written above this line by the server.
//
// - install: keep the app shell (the page and its static files) in a cache named after the
//   version; revalidated with the HTTP cache ("no-cache"), so the files the page has just
//   loaded cost a 304, not a second download;
// - activate: drop the shells of older versions (the data cache of the page is kept);
// - fetch: the page → network first (a short wait on one bar of signal), else the kept copy;
//   shell files → the kept copy, else the network. Everything else (the API, tiles) is left
//   to the network: the page keeps its own data (static/js/field/data.js) and sends records
//   itself, so nothing here can hold or drop a record.
/* global SIG_FIELD_SW */

const SHELL_CACHE = `sig-field-shell-${SIG_FIELD_SW.version}`;
const PAGE_TIMEOUT_MS = 5000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    const requests = [SIG_FIELD_SW.page, ...SIG_FIELD_SW.shell]
      .map((url) => new Request(url, { cache: "no-cache", credentials: "same-origin" }));
    // One by one, so a redirect (the page asks for a login) is not kept as the page.
    await Promise.all(requests.map(async (request) => {
      const response = await fetch(request);
      if (response.ok && !response.redirected) await cache.put(request.url, response);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("sig-field-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); });
  });
}

async function page(request) {
  const cache = await caches.open(SHELL_CACHE);
  const network = fetch(request);
  try {
    const response = await withTimeout(network, PAGE_TIMEOUT_MS);
    // Keep the latest page (its configuration, in the user's language) for the next
    // offline start; a login redirect or an error page is not kept.
    if (response.ok && !response.redirected) await cache.put(SIG_FIELD_SW.page, response.clone());
    return response;
  } catch {
    const kept = await cache.match(SIG_FIELD_SW.page);
    if (kept) return kept;
    return network; // nothing kept yet: the network's own answer or error
  }
}

async function shell(request) {
  const kept = await caches.match(request.url, { cacheName: SHELL_CACHE });
  return kept || fetch(request);
}

const SHELL_PATHS = new Set(SIG_FIELD_SW.shell.map((url) => new URL(url, self.location).pathname));

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SIG_FIELD_SW.page) {
    event.respondWith(page(request));
  } else if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(shell(request));
  }
});
