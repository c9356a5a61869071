"""bench/serve, part 2: `map_draw_100k_s` and `map_pan_s` (../shared/BENCH.md).

PROVISIONAL, and opt-in (`bench/serve --map`): the public map page (/peta/) is still being
built by someone else, and it sets no explicit "drawn" signal yet. Until it does, this times
against what the page has today:

  * Playwright (python) launching /usr/bin/chromium headless with --no-sandbox --disable-gpu
    --disable-background-networking --disable-component-update, a fresh context (empty cache)
    per run, 1280×800;
  * open `/peta/#map=<zoom>/<lat>/<lng>&layers=<assets slug>` framing the 100,000 bench assets;
  * map_draw_100k_s: navigation start → the assets' points (/api/layers/<slug>/points, or
    …/geojson) response has arrived (Resource Timing) AND `#map[data-busy="0"]` (the page
    sets it once every layer is idle, which the points layer reports after drawing its
    answer) → two animation frames later (painted);
  * map_pan_s: `SIG.map.panBy([640, 0], {animate: false})` → two animation frames; if the page
    starts loading within 1.5 s of the pan (`data-busy="1"`), until it is idle again, plus two
    frames.

What the page should offer so this stops guessing: `performance.mark("sig:assets-drawn")`
after each draw of the points canvas (or a `window.sigMapReady` Promise), with the number of
points drawn, e.g. `{detail: {count}}`.
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

DRAWN_JS = """(slug) => {
  const box = document.getElementById("map");
  const got = performance.getEntriesByType("resource")
    .some((e) => e.name.includes(`/api/layers/${slug}/points`)
      || e.name.includes(`/api/layers/${slug}/geojson`));
  return Boolean(got && box && box.dataset.busy === "0");
}"""
FRAMES_JS = """() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(
  () => done(performance.now()))))"""
PAN_JS = """async () => {
  const box = document.getElementById("map");
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const t0 = performance.now();
  window.SIG.map.panBy([640, 0], { animate: false });
  await frames();
  let end = performance.now();
  const until = end + 1500;
  while (performance.now() < until) {
    if (box.dataset.busy === "1") {
      while (box.dataset.busy === "1") await new Promise((r) => setTimeout(r, 5));
      await frames();
      end = performance.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return end - t0;
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
                asset_slug: str, runs: int = 3) -> tuple[dict[str, float] | None, str]:
    """({"map_draw_100k_s": s, "map_pan_s": s} medians | None, note)."""
    ok, note = map_page_available(base_url)
    if not ok:
        return None, f"map test skipped: {note}"
    from playwright.sync_api import sync_playwright

    zoom, lat, lng = view_of(asset_extent)
    url = f"{base_url}{MAP_PATH}#map={zoom}/{lat:.5f}/{lng:.5f}&layers={asset_slug}"
    draws, pans = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                context = browser.new_context(viewport=VIEWPORT)
                try:
                    page = context.new_page()
                    page.goto(url, wait_until="commit", timeout=60_000)
                    page.wait_for_function(DRAWN_JS, arg=asset_slug, timeout=120_000,
                                           polling=10)
                    draws.append(page.evaluate(FRAMES_JS) / 1000.0)
                    pans.append(page.evaluate(PAN_JS) / 1000.0)
                finally:
                    context.close()
        finally:
            browser.close()
    return ({"map_draw_100k_s": statistics.median(draws),
             "map_pan_s": statistics.median(pans)},
            f"map (PROVISIONAL: no drawn-signal on the page yet, timed to data-busy=0 + 2 "
            f"frames): {url}; draws {[round(d, 2) for d in draws]} s, pans "
            f"{[round(p, 3) for p in pans]} s")
