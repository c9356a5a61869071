// Photos for a record: each picked file is read for its EXIF position and date, then resized
// in the browser (a canvas, long side at most `maxPx`, JPEG) so that a 6 MB camera photo
// travels as ~300 KB on a weak connection. The re-encoded JPEG carries no EXIF; the server
// re-encodes and strips again anyway.

import { el } from "../map/dom.js";
import { readExif } from "./exif.js";

const QUALITY = 0.82;

export async function resizePhoto(file, maxPx) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, maxPx / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  if (!blob) throw new Error("encode");
  return { blob, width, height };
}

// {uid, blob, name, takenAt, exif} for one picked file (exif: the position, or null).
export async function preparePhoto(file, maxPx) {
  const exif = await readExif(file);
  const { blob } = await resizePhoto(file, maxPx);
  const base = (file.name || "foto").replace(/\.[^.]+$/, "");
  return { uid: crypto.randomUUID(), blob, name: `${base}.jpg`, takenAt: exif && exif.takenAt,
    exif: exif && exif.lat != null ? exif : null };
}

// The picker: a camera input and a gallery input; previews that can be removed.
export function initPhotoPicker({ camera, gallery, list, maxPx, strings, onExif, onError }) {
  let photos = [];
  let urls = [];

  function render() {
    urls.forEach((u) => URL.revokeObjectURL(u));
    urls = photos.map((p) => URL.createObjectURL(p.blob));
    list.replaceChildren(...photos.map((photo, i) => el("li", { "data-uid": photo.uid },
      el("img", { src: urls[i], alt: photo.name }),
      el("button", { type: "button", class: "fd-remove", "aria-label": strings.photoRemove,
        title: strings.photoRemove, onclick: () => { photos.splice(i, 1); render(); } }, "×"))));
  }

  async function add(files) {
    for (const file of [...files]) {
      try {
        const photo = await preparePhoto(file, maxPx);
        photos.push(photo);
        if (photo.exif) onExif(photo.exif);
      } catch {
        onError(strings.photoFailed);
      }
    }
    render();
  }

  for (const input of [camera, gallery]) {
    input.addEventListener("change", async () => {
      const files = [...input.files];
      input.value = "";
      await add(files);
      list.dispatchEvent(new CustomEvent("photos-ready"));
    });
  }
  return {
    photos: () => photos.slice(),
    set(items) { photos = items.slice(); render(); },
    clear() { photos = []; render(); },
    add,
  };
}
