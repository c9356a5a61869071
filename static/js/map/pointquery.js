// What a layer's points request is, and which layers a page opens with: defined once in
// early.js (a classic script that starts those requests before the modules load) and used by
// the modules through here, so the request a controller makes is the one already on its way.

// early.js is async: it has almost always run by the time the modules do, and if not, they
// wait for it here.
const points = window.SIGPoints || await new Promise((resolve, reject) => {
  const script = document.getElementById("map-early");
  if (!script) { reject(new Error("early.js is not on the page")); return; }
  script.addEventListener("load", () => resolve(window.SIGPoints));
  script.addEventListener("error", () => reject(new Error("early.js did not load")));
});

export const {
  isSmallDevice, pointLimit, pointRequest, sourceUrl, wholeLayerUrl, listedEntries, initialLayers, takeEarly,
} = points;
