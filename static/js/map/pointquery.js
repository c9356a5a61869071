// What a layer's points request is, and which layers a page opens with: defined once in
// early.js (a classic script written into the page's head, which starts those requests before
// the modules load) and used by the modules through here, so the request a controller makes is
// the one already on its way.

const points = window.SIGPoints;
if (!points) throw new Error("early.js is not on the page");

export const {
  isSmallDevice, pointLimit, pointRequest, sourceUrl, wholeLayerUrl, listedEntries, initialLayers, takeEarly,
} = points;
