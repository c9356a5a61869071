"""bench/serve, part 2: `map_draw_100k_s` and `map_pan_s` (../shared/BENCH.md).

Opt-in (`bench/serve --map`, or `--map-only` for these two alone):

  * Playwright (python) launching /usr/bin/chromium headless with --no-sandbox --disable-gpu
    --disable-background-networking --disable-component-update, a fresh context (empty cache)
    per run, 1280×800;
  * open `/peta/#map=<zoom>/<lat>/<lng>&layers=<assets slug>` framing the 100,000 bench assets;
  * map_draw_100k_s: navigation start → the page's drawn signal: a `sig:map-drawn`
    performance mark for the assets layer whose `detail.count` (points in that drawing) is at
    least the number of bench assets, i.e. every point fetched, decoded and drawn (the
    points layer marks after each drawing of its canvas, static/js/map/layers.js), AND
    `#map[data-busy="0"]` (every layer idle: the assets' line tiles too) → two animation
    frames later (painted), read in the page;
  * map_pan_s: `SIG.map.panBy([640, 0], {animate: false})` → a new `sig:map-drawn` mark of
    the assets with all their points → two animation frames; if the page starts loading
    within 1.5 s of the pan (`data-busy="1"`: a refetch after its debounce, tiles), until it
    is idle again, plus two frames.
"""

from __future__ import annotations

import math
import statistics
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
MAP_PATH = "/peta/"
VIEWPORT = {"width": 1280, "height": 800}

DRAWN_JS = """([slug, expected]) => {
  const box = document.getElementById("map");
  const drawn = performance.getEntriesByName("sig:map-drawn")
    .some((m) => m.detail && m.detail.layer === slug && m.detail.count >= expected);
  return Boolean(drawn && box && box.dataset.busy === "0");
}"""
FRAMES_JS = """() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(
  () => done(performance.now()))))"""
PAN_JS = """async ([slug, expected]) => {
  const box = document.getElementById("map");
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const drawnSince = (t) => performance.getEntriesByName("sig:map-drawn").some((m) =>
    m.startTime >= t && m.detail && m.detail.layer === slug && m.detail.count >= expected);
  const t0 = performance.now();
  window.SIG.map.panBy([640, 0], { animate: false });
  while (!drawnSince(t0)) {
    if (performance.now() - t0 > 60000) throw new Error("no sig:map-drawn mark after the pan");
    await sleep(5);
  }
  await frames();
  let end = performance.now();
  const until = end + 1500;
  while (performance.now() < until) {
    if (box.dataset.busy === "1") {
      while (box.dataset.busy === "1") await sleep(5);
      await frames();
      end = performance.now();
      break;
    }
    await sleep(10);
  }
  return end - t0;
}"""


# Where the time went, for the note: page boot, the points request, the page's own marks.
PROFILE_JS = """(slug) => {
  const r = (v) => Math.round(v);
  const nav = performance.getEntriesByType("navigation")[0];
  const out = {html: nav ? r(nav.responseEnd) : null,
               dcl: nav ? r(nav.domContentLoadedEventEnd) : null};
  const pts = performance.getEntriesByType("resource")
    .filter((e) => e.name.includes(`/api/layers/${slug}/points`));
  if (pts.length) {
    const e = pts[0];
    out.points = [r(e.startTime), r(e.responseStart), r(e.responseEnd), e.encodedBodySize,
                  e.decodedBodySize];
  }
  for (const m of performance.getEntriesByType("mark")) {
    if (m.name.startsWith("sig:")) out[m.name.slice(4)] = r(m.startTime);
  }
  return out;
}"""


def map_page_available(base_url: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(base_url + MAP_PATH, timeout=15) as r:
            return r.status == 200, f"{MAP_PATH} answered {r.status}"
    except Exception as exc:
        return False, f"{MAP_PATH} not available ({exc})"


def view_of(extent: tuple[float, float, float, float]) -> tuple[float, float, float]:
    """zoom (half steps, as the page snaps), lat, lng framing extent in VIEWPORT."""
    w, s, e, n = extent

    def merc(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    zx = math.log2(VIEWPORT["width"] * 360.0 / 256.0 / max(e - w, 1e-9))
    zy = math.log2(VIEWPORT["height"] * 2 * math.pi / 256.0 / max(merc(n) - merc(s), 1e-9))
    zoom = math.floor(min(zx, zy) * 2) / 2
    return zoom, (s + n) / 2, (w + e) / 2


def measure_map(base_url: str, asset_extent: tuple[float, float, float, float],
                asset_slug: str, expected: int, runs: int = 3,
                ) -> tuple[dict[str, float] | None, str]:
    """({"map_draw_100k_s": s, "map_pan_s": s} medians | None, note). `expected`: the points
    a drawing must hold to count (the bench assets)."""
    ok, note = map_page_available(base_url)
    if not ok:
        return None, f"map test skipped: {note}"
    from playwright.sync_api import sync_playwright

    zoom, lat, lng = view_of(asset_extent)
    url = f"{base_url}{MAP_PATH}#map={zoom}/{lat:.5f}/{lng:.5f}&layers={asset_slug}"
    draws, pans, profiles = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                context = browser.new_context(viewport=VIEWPORT)
                try:
                    page = context.new_page()
                    page.goto(url, wait_until="commit", timeout=60_000)
                    page.wait_for_function(DRAWN_JS, arg=[asset_slug, expected],
                                           timeout=120_000, polling="raf")
                    draws.append(page.evaluate(FRAMES_JS) / 1000.0)
                    profiles.append(page.evaluate(PROFILE_JS, asset_slug))
                    pans.append(page.evaluate(PAN_JS, [asset_slug, expected]) / 1000.0)
                finally:
                    context.close()
        finally:
            browser.close()
    return ({"map_draw_100k_s": statistics.median(draws),
             "map_pan_s": statistics.median(pans)},
            f"map (timed to the page's sig:map-drawn mark with ≥{expected} points, every "
            f"layer idle, + 2 frames): {url}; draws {[round(d, 2) for d in draws]} s, pans "
            f"{[round(p, 3) for p in pans]} s; profile (ms from navigation start; points = "
            f"[start, first byte, last byte, bytes on the wire, bytes]): {profiles}")
