// The GPS position and the time a JPEG photo was taken, read from its EXIF block (APP1).
// Hand-written rather than vendored: ~100 lines for the four GPS tags and one date, against
// 30–50 KB for a general EXIF library on a page that must load on one bar of signal.

const HEAD_BYTES = 256 * 1024; // EXIF lives in the first 64 KB; some phones put thumbnails first

function ascii(view, start, length) {
  let text = "";
  for (let i = 0; i < length; i += 1) {
    const c = view.getUint8(start + i);
    if (c === 0) break;
    text += String.fromCharCode(c);
  }
  return text;
}

// One IFD as a Map tag → {type, count, at (offset of the value, TIFF-relative)}.
function readIfd(view, tiff, offset, little) {
  const tags = new Map();
  if (offset <= 0 || tiff + offset + 2 > view.byteLength) return tags;
  const n = view.getUint16(tiff + offset, little);
  for (let i = 0; i < n; i += 1) {
    const entry = tiff + offset + 2 + i * 12;
    if (entry + 12 > view.byteLength) break;
    const tag = view.getUint16(entry, little);
    const type = view.getUint16(entry + 2, little);
    const count = view.getUint32(entry + 4, little);
    const size = ({ 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 })[type] || 1;
    const at = size * count > 4 ? view.getUint32(entry + 8, little) : entry + 8 - tiff;
    tags.set(tag, { type, count, at });
  }
  return tags;
}

function rationals(view, tiff, tag, little) {
  const out = [];
  for (let i = 0; i < tag.count; i += 1) {
    const p = tiff + tag.at + i * 8;
    if (p + 8 > view.byteLength) return null;
    const den = view.getUint32(p + 4, little);
    out.push(den ? view.getUint32(p, little) / den : 0);
  }
  return out;
}

function degrees(parts, ref) {
  if (!parts || parts.length < 1) return null;
  const [d = 0, m = 0, sec = 0] = parts;
  const value = d + m / 60 + sec / 3600;
  return ref === "S" || ref === "W" ? -value : value;
}

// {lat, lng, accuracy (m or null), takenAt (ISO local time or null)}; lat and lng are null
// when the photo carries no usable position; null when it carries neither.
export function parseExif(buffer) {
  const view = new DataView(buffer);
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null; // not a JPEG
  let p = 2;
  while (p + 4 <= view.byteLength) {
    const marker = view.getUint16(p);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null; // image data: no EXIF
    const length = view.getUint16(p + 2);
    if (marker === 0xffe1 && ascii(view, p + 4, 4) === "Exif") {
      return readTiff(view, p + 10);
    }
    p += 2 + length;
  }
  return null;
}

function readTiff(view, tiff) {
  if (tiff + 8 > view.byteLength) return null;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const little = order === 0x4949;
  const ifd0 = readIfd(view, tiff, view.getUint32(tiff + 4, little), little);
  let takenAt = null;
  const exifPointer = ifd0.get(0x8769);
  if (exifPointer) {
    const sub = readIfd(view, tiff, view.getUint32(tiff + exifPointer.at, little), little);
    const original = sub.get(0x9003);
    if (original && original.count >= 19) {
      const raw = ascii(view, tiff + original.at, 19); // "YYYY:MM:DD HH:MM:SS"
      const m = raw.match(/^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)$/);
      if (m) takenAt = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
    }
  }
  const none = takenAt ? { lat: null, lng: null, accuracy: null, takenAt } : null;
  const gpsPointer = ifd0.get(0x8825);
  if (!gpsPointer) return none;
  const gps = readIfd(view, tiff, view.getUint32(tiff + gpsPointer.at, little), little);
  const text = (tag) => (gps.get(tag) ? ascii(view, tiff + gps.get(tag).at, gps.get(tag).count) : "");
  const lat = gps.get(2) && degrees(rationals(view, tiff, gps.get(2), little), text(1));
  const lng = gps.get(4) && degrees(rationals(view, tiff, gps.get(4), little), text(3));
  if (lat == null || lng == null || !Number.isFinite(lat) || !Number.isFinite(lng)
      || Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) return none;
  const error = gps.get(0x1f) && rationals(view, tiff, gps.get(0x1f), little);
  return { lat, lng, accuracy: error && error[0] ? error[0] : null, takenAt };
}

export async function readExif(file) {
  try {
    return parseExif(await file.slice(0, HEAD_BYTES).arrayBuffer());
  } catch {
    return null; // a truncated or odd file: no position offered, nothing else breaks
  }
}
