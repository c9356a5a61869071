// The data the page needs offline — the categories and their forms (edit-schema) and the map
// of the officer's wilayah (GeoJSON) — fetched from the network when there is one and kept
// in Cache Storage, read back from there when there is none. The page stores these itself
// (rather than the service worker) so that the first visit already leaves them on the phone,
// fetched once.

export const DATA_CACHE = "sig-field-data-v1";
const TIMEOUT_MS = 8000; // one bar of signal: fall back to the copy rather than wait forever

async function fromCache(url) {
  if (!("caches" in window)) return null;
  const cache = await caches.open(DATA_CACHE);
  const hit = await cache.match(url);
  return hit ? hit.json() : null;
}

// {data, fresh}: fresh from the network, or the kept copy (fresh=false), or data=null.
export async function cachedJSON(url) {
  if (navigator.onLine) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(url, { credentials: "same-origin", signal: controller.signal,
        headers: { Accept: "application/json" } });
      if (response.ok) {
        if ("caches" in window) {
          const cache = await caches.open(DATA_CACHE);
          await cache.put(url, response.clone());
        }
        return { data: await response.json(), fresh: true };
      }
    } catch {
      // offline in fact, or too slow: the kept copy below
    } finally {
      clearTimeout(timer);
    }
  }
  return { data: await fromCache(url), fresh: false };
}

// Drop kept answers the page no longer asks for (another wilayah, an older bbox).
export async function pruneData(urls) {
  if (!("caches" in window)) return;
  const wanted = new Set(urls.filter(Boolean).map((u) => new URL(u, location.href).href));
  const cache = await caches.open(DATA_CACHE);
  for (const request of await cache.keys()) if (!wanted.has(request.url)) await cache.delete(request);
}
