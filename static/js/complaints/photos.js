// Photo picking for the complaint form: a camera input and a gallery input, both named
// "photos". Every pick is gathered into the gallery input (DataTransfer), at most `max`, with
// previews that can be removed. The server checks and re-encodes each photo anyway.

import { el } from "../map/dom.js";

export function initPhotos({ camera, gallery, preview, max, strings }) {
  let files = [];
  let urls = [];

  function sync() {
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(file);
    gallery.files = transfer.files;
    camera.value = "";
    for (const url of urls) URL.revokeObjectURL(url);
    urls = files.map((file) => URL.createObjectURL(file));
    preview.replaceChildren(...files.map((file, i) => el("li", {},
      el("img", { src: urls[i], alt: file.name }),
      el("button", { type: "button", "aria-label": strings.photoRemove, title: strings.photoRemove,
        onclick: () => { files.splice(i, 1); sync(); } }, "×"))));
  }

  function add(list) {
    const picked = [...list].filter((f) => !files.includes(f));
    files = [...files, ...picked];
    if (files.length > max) {
      files = files.slice(0, max);
      preview.after(el("p", { class: "errorlist", role: "alert", "data-temporary": "" }, strings.photoCount));
      setTimeout(() => document.querySelectorAll("[data-temporary]").forEach((n) => n.remove()), 5000);
    }
    sync();
  }

  camera.addEventListener("change", () => add(camera.files));
  // The gallery input is also where the list lives: read what was just chosen, then merge.
  gallery.addEventListener("change", () => {
    const chosen = [...gallery.files];
    const known = new Set(files.map((f) => `${f.name}:${f.size}:${f.lastModified}`));
    add(chosen.filter((f) => !known.has(`${f.name}:${f.size}:${f.lastModified}`)));
  });
}
