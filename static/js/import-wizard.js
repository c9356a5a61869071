// Upload page of the import wizard: sends the file in pieces (PUT at an offset) and, when the
// connection drops, waits, asks the server how much it holds and goes on from there. The same
// file chosen again after closing the page resumes too (the upload's address is remembered in
// localStorage). Texts come translated from the page's data-text-* attributes.

const form = document.getElementById("import-upload");
if (form) setUp(form);

function setUp(form) {
  const opts = form.dataset;
  const target = form.elements.target;
  const slug = form.elements.new_layer;
  const fileInput = form.elements.file;
  const button = form.querySelector("button[type=submit]");
  const box = form.querySelector(".upload-progress");
  const bar = box.querySelector("progress");
  const status = box.querySelector(".upload-status");
  const errorBox = form.querySelector(".upload-error");
  const slugField = document.getElementById("new-layer-field");

  const showSlug = () => { slugField.hidden = target.value !== opts.newLayer; };
  target.addEventListener("change", showSlug);
  showSlug();

  const fail = (message) => {
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const file = fileInput.files[0];
    if (!file) return fail(opts.textChooseFile);
    let targetName = target.value;
    if (targetName === opts.newLayer) {
      if (!/^[-a-z0-9_]+$/.test(slug.value)) return fail(opts.textChooseSlug);
      targetName += slug.value;
    }
    if (file.size > Number(opts.maxBytes)) {
      return fail(fill(opts.textTooLarge, { limit: size(Number(opts.maxBytes)) }));
    }
    button.disabled = true;
    box.hidden = false;
    const ui = {
      progress(sent) {
        bar.value = file.size ? (100 * sent) / file.size : 100;
        status.textContent = fill(opts.textSending, {
          sent: size(sent), total: size(file.size),
          percent: `${Math.floor((100 * sent) / (file.size || 1))}%` });
      },
      say(text) { status.textContent = text; },
    };
    try {
      const next = await upload(file, targetName, opts, form.elements.csrfmiddlewaretoken.value, ui);
      ui.say(opts.textChecking);
      window.location.assign(next);
    } catch (err) {
      fail(fill(opts.textFailed, { reason: err.message }));
    }
  });
}

// Upload `file`; resolves to the preview page's address.
async function upload(file, targetName, opts, csrf, ui) {
  const chunk = Math.min(Number(opts.chunkSize) || 1048576, Number(opts.maxChunk));
  const headers = { "X-CSRFToken": csrf };
  const key = `sig-upload:${targetName}:${file.name}:${file.size}:${file.lastModified}`;
  let state = await remembered(key);
  if (state && state.offset > 0) ui.say(fill(opts.textResumed, { sent: size(state.offset) }));
  if (!state) {
    state = await json(await fetch(form.action, {
      method: "POST", headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ filename: file.name, size: file.size, target: targetName }),
    }));
    localStorage.setItem(key, state.url);
  }
  let offset = state.offset;
  let failures = 0;
  ui.progress(offset);
  while (offset < file.size) {
    let res = null;
    try {
      res = await fetch(`${state.url}?offset=${offset}`, {
        method: "PUT", headers: { ...headers, "Content-Type": "application/octet-stream" },
        body: file.slice(offset, Math.min(offset + chunk, file.size)),
      });
    } catch (networkError) {
      res = null; // offline, reset, timed out: retried below
    }
    if (res && res.redirected) throw new Error(opts.textSignedOut); // to the login page
    const body = res ? await res.json().catch(() => ({})) : {};
    if (res && (res.ok || body.code === "wrong_offset" || body.code === "closed")) {
      if (body.code === "closed") break;
      offset = body.offset; // after a 409: what the server holds, so the next piece fits
      failures = 0;
      ui.progress(offset);
      continue;
    }
    const retryable = !res || res.status >= 500 || [408, 429].includes(res.status)
      || body.code === "chunk_incomplete";
    if (!retryable) {
      localStorage.removeItem(key);
      throw new Error(body.error || `HTTP ${res.status}`);
    }
    failures += 1;
    if (failures > Number(opts.maxRetries)) throw new Error(opts.textGaveUp);
    const wait = Math.min(Number(opts.retryMs) * 2 ** (failures - 1), 30000);
    ui.say(fill(opts.textRetry, { seconds: Math.ceil(wait / 1000) }));
    await new Promise((resolve) => setTimeout(resolve, wait));
    const known = await remembered(key);
    if (known) offset = known.offset;
    ui.progress(offset);
  }
  const done = await json(await fetch(state.finish_url, { method: "POST", headers }));
  localStorage.removeItem(key);
  return done.next;
}

// The server's state of an upload started earlier for the same file, or null.
async function remembered(key) {
  const url = localStorage.getItem(key);
  if (!url) return null;
  try {
    const res = await fetch(url, { headers: { Accept: "application/json" } });
    if (res.ok) return await res.json();
    if (res.status === 404 || res.status === 410) localStorage.removeItem(key);
  } catch (networkError) {
    // still offline: the caller retries
  }
  return null;
}

async function json(res) {
  if (res.redirected) throw new Error(form.dataset.textSignedOut); // to the login page
  let body = {};
  try {
    body = await res.json();
  } catch (notJson) {
    body = { error: `HTTP ${res.status}` };
  }
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (match, name) => String(values[name] ?? match));
}

function size(bytes) {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined,
    { maximumFractionDigits: unit ? 1 : 0 }).format(value);
  return `${number} ${units[unit]}`;
}
